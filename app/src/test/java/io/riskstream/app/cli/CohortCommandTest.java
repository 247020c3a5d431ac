package io.riskstream.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class CohortCommandTest {

  private final CliRun command = new CliRun();

  @Test
  void shouldRegisterCohortAsAParentCommandWithGenerate() {
    CommandLine cli = RiskstreamCli.commandLine();

    assertThat(cli.getSubcommands()).containsKey("cohort");
    assertThat(cli.getSubcommands().get("cohort").getSubcommands()).containsKey("generate");
  }

  @Test
  void shouldDocumentTheGenerateOptions() {
    int rc = command.run("cohort", "generate", "--help");

    assertThat(rc).isZero();
    assertThat(command.out()).contains("--patients", "--seed", "--clinician-seed", "--reference-date", "--out",
        "2025-12-31");
  }

  @Test
  void shouldRequirePatientsSeedAndOut() {
    int rc = command.run("cohort", "generate", "--patients", "3");

    assertThat(rc).isEqualTo(2);
    assertThat(command.err()).contains("--seed").contains("--out");
  }

  @Test
  void shouldRejectAMalformedReferenceDate(@TempDir Path dir) {
    int rc = command.run("cohort", "generate", "--patients", "3", "--seed", "1", "--reference-date", "31/12/2025",
        "--out", dir.toString());

    assertThat(rc).isEqualTo(2);
    assertThat(command.err()).contains("--reference-date");
  }

  @Test
  void shouldFailWithoutRunningSyntheaWhenTheOutputDirectoryIsNotEmpty(@TempDir Path dir) throws IOException {
    Files.writeString(dir.resolve("patients.csv"), "Id\n");

    int rc = command.run("cohort", "generate", "--patients", "3", "--seed", "1", "--clinician-seed", "2",
        "--reference-date", "2024-06-30", "--out", dir.toString());

    assertThat(rc).isEqualTo(1);
    assertThat(command.err()).contains("not empty");
    assertThat(Files.list(dir)).hasSize(1);
  }

  @Test
  void shouldAskForASubcommand() {
    int rc = command.run("cohort");

    assertThat(rc).isEqualTo(2);
    assertThat(command.err()).contains("Missing subcommand");
  }

  @Test
  void shouldSummarizeACohortIntoJson(@TempDir Path dir) throws Exception {
    Path cohort = Path.of(CohortCommandTest.class.getResource("/synthea/valid").toURI());
    Path file = dir.resolve("summary.json");

    int rc = command.run("cohort", "summarize", "--cohort", cohort.toString(), "--codes", "44054006,22298006", "--top",
        "5", "--out", file.toString());

    assertThat(rc).as(command.err()).isZero();
    assertThat(command.out()).contains("Read 2 patients (1 alive, 1 dead), 11 events, 0 malformed rows")
        .containsPattern("44054006 +1").containsPattern("22298006 +0");
    assertThat(Files.readString(file)).contains("\"patientsWithDiagnosisCode\"");
  }
}
