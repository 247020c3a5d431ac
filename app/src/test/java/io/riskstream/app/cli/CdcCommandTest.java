package io.riskstream.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CdcCommandTest {

  private final CliRun command = new CliRun();

  @Test
  void shouldRequireAConfigFile() {
    assertThat(command.run("cdc")).isEqualTo(2);
    assertThat(command.err()).contains("--config");
  }

  @Test
  void shouldNameTheMissingSettingOfAnIncompleteConfig(@TempDir Path dir) throws Exception {
    Path config = dir.resolve("cdc.properties");
    Files.writeString(config, "bootstrap.servers=localhost:9092\ndatabase.dbname=ehr\ndatabase.user=cdc\n");
    assertThat(command.run("cdc", "--config", config.toString())).isEqualTo(2);
    assertThat(command.err()).contains("database.hostname");
  }

  @Test
  void shouldFailBeforeStartingWhenThePasswordFileIsMissing(@TempDir Path dir) throws Exception {
    Path config = dir.resolve("cdc.properties");
    Files.writeString(config, "bootstrap.servers=localhost:9092\ndatabase.hostname=db\ndatabase.dbname=ehr\n"
        + "database.user=cdc\ndatabase.password.file=" + dir.resolve("nope") + "\n");
    assertThat(command.run("cdc", "--config", config.toString())).isEqualTo(2);
    assertThat(command.err()).contains("database.password.file");
  }

  @Test
  void shouldDocumentTheCommand() {
    assertThat(command.run("cdc", "--help")).isZero();
    assertThat(command.out()).contains("--config", "pgoutput", "RISKSTREAM_CDC_DATABASE_PASSWORD");
  }
}
