package io.riskstream.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class CohortCommandTest {

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    CommandLine cli = RiskstreamCli.commandLine();
    cli.setOut(new PrintWriter(out));
    cli.setErr(new PrintWriter(err));
    return cli.execute(args);
  }

  @Test
  void shouldRegisterCohortAsAParentCommandWithGenerate() {
    CommandLine cli = RiskstreamCli.commandLine();

    assertThat(cli.getSubcommands()).containsKey("cohort");
    assertThat(cli.getSubcommands().get("cohort").getSubcommands()).containsKey("generate");
  }

  @Test
  void shouldDocumentTheGenerateOptions() {
    int rc = run("cohort", "generate", "--help");

    assertThat(rc).isZero();
    assertThat(out.toString()).contains("--patients", "--seed", "--clinician-seed", "--reference-date", "--out",
        "2025-12-31");
  }

  @Test
  void shouldRequirePatientsSeedAndOut() {
    int rc = run("cohort", "generate", "--patients", "3");

    assertThat(rc).isEqualTo(2);
    assertThat(err.toString()).contains("--seed").contains("--out");
  }

  @Test
  void shouldRejectAMalformedReferenceDate(@TempDir Path dir) {
    int rc = run("cohort", "generate", "--patients", "3", "--seed", "1", "--reference-date", "31/12/2025",
        "--out", dir.toString());

    assertThat(rc).isEqualTo(2);
    assertThat(err.toString()).contains("--reference-date");
  }

  @Test
  void shouldFailWithoutRunningSyntheaWhenTheOutputDirectoryIsNotEmpty(@TempDir Path dir) throws IOException {
    Files.writeString(dir.resolve("patients.csv"), "Id\n");

    int rc = run("cohort", "generate", "--patients", "3", "--seed", "1", "--clinician-seed", "2",
        "--reference-date", "2024-06-30", "--out", dir.toString());

    assertThat(rc).isEqualTo(1);
    assertThat(err.toString()).contains("not empty");
    assertThat(Files.list(dir)).hasSize(1);
  }

  @Test
  void shouldAskForASubcommand() {
    int rc = run("cohort");

    assertThat(rc).isEqualTo(2);
    assertThat(err.toString()).contains("Missing subcommand");
  }

  @Test
  void shouldSummarizeACohortIntoJson(@TempDir Path dir) throws Exception {
    Path cohort = Path.of(CohortCommandTest.class.getResource("/synthea/valid").toURI());
    Path file = dir.resolve("summary.json");

    int rc = run("cohort", "summarize", "--cohort", cohort.toString(), "--codes", "44054006,22298006", "--top",
        "5", "--out", file.toString());

    assertThat(rc).as(err.toString()).isZero();
    assertThat(out.toString()).contains("Read 2 patients (1 alive, 1 dead), 11 events, 0 malformed rows")
        .containsPattern("44054006 +1").containsPattern("22298006 +0");
    assertThat(Files.readString(file)).contains("\"patientsWithDiagnosisCode\"");
  }
}
