package io.riskstream.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class CdcCommandTest {

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    CommandLine cli = RiskstreamCli.commandLine();
    cli.setOut(new PrintWriter(out));
    cli.setErr(new PrintWriter(err));
    return cli.execute(args);
  }

  @Test
  void shouldRequireAConfigFile() {
    assertThat(run("cdc")).isEqualTo(2);
    assertThat(err.toString()).contains("--config");
  }

  @Test
  void shouldNameTheMissingSettingOfAnIncompleteConfig(@TempDir Path dir) throws Exception {
    Path config = dir.resolve("cdc.properties");
    Files.writeString(config, "bootstrap.servers=localhost:9092\ndatabase.dbname=ehr\ndatabase.user=cdc\n");
    assertThat(run("cdc", "--config", config.toString())).isEqualTo(2);
    assertThat(err.toString()).contains("database.hostname");
  }

  @Test
  void shouldFailBeforeStartingWhenThePasswordFileIsMissing(@TempDir Path dir) throws Exception {
    Path config = dir.resolve("cdc.properties");
    Files.writeString(config, "bootstrap.servers=localhost:9092\ndatabase.hostname=db\ndatabase.dbname=ehr\n"
        + "database.user=cdc\ndatabase.password.file=" + dir.resolve("nope") + "\n");
    assertThat(run("cdc", "--config", config.toString())).isEqualTo(2);
    assertThat(err.toString()).contains("database.password.file");
  }

  @Test
  void shouldDocumentTheCommand() {
    assertThat(run("cdc", "--help")).isZero();
    assertThat(out.toString()).contains("--config", "pgoutput", "RISKSTREAM_CDC_DATABASE_PASSWORD");
  }
}
