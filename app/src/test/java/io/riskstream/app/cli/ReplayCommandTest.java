package io.riskstream.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReplayCommandTest {

  @TempDir
  Path dir;

  private Path config() throws Exception {
    Path file = dir.resolve("riskstream.properties");
    Files.writeString(file, "bootstrap.servers=127.0.0.1:1\nstate.dir=" + dir.resolve("state") + "\n",
        StandardCharsets.UTF_8);
    return file;
  }

  @Test
  void shouldRejectAnUnreadablePeriodWithExitStatus2() throws Exception {
    CliRun cli = new CliRun();
    assertThat(cli.run("replay", "--config", config().toString(), "--from", "yesterday")).isEqualTo(2);
    assertThat(cli.err()).contains("--from must be an ISO-8601 instant", "yesterday");
  }

  @Test
  void shouldRejectAnEmptyPeriodABadIdAndANegativeTolerance() throws Exception {
    CliRun cli = new CliRun();
    assertThat(cli.run("replay", "--config", config().toString(), "--from", "2026-02-01T00:00:00Z", "--to",
        "2026-01-01T00:00:00Z")).isEqualTo(2);
    assertThat(cli.err()).contains("the period is empty");
    assertThat(cli.run("replay", "--config", config().toString(), "--id", "a/b")).isEqualTo(2);
    assertThat(cli.err()).contains("replay id must be");
    assertThat(cli.run("replay", "--config", config().toString(), "--tolerance", "-1")).isEqualTo(2);
    assertThat(cli.err()).contains("tolerance must be >= 0");
  }

  @Test
  void shouldCheckTheShadowReportsPeriodAsTheReplaysIsChecked() throws Exception {
    CliRun cli = new CliRun();
    assertThat(cli.run("shadow-report", "--config", config().toString(), "--from", "2026-02-01T00:00:00Z", "--to",
        "2026-02-01T00:00:00Z")).isEqualTo(2);
    assertThat(cli.err()).contains("riskstream shadow-report: the period is empty");
    assertThat(cli.run("shadow-report", "--config", config().toString(), "--to", "soon")).isEqualTo(2);
    assertThat(cli.err()).contains("--to must be an ISO-8601 instant");
  }

  @Test
  void shouldSayWhichConfigFileItCannotRead() {
    CliRun cli = new CliRun();
    assertThat(cli.run("replay", "--config", dir.resolve("missing.properties").toString())).isEqualTo(2);
    assertThat(cli.err()).contains("cannot read the config file", "missing.properties");
  }
}
