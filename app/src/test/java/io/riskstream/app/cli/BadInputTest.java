package io.riskstream.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every command ends on bad input (an option, a configuration, a model or a cohort to fix) with one line on stderr
 * that names what to fix, exit status 2 and no stack trace; an unknown model name lists the bundled ones.
 */
class BadInputTest {

  private static final Path COHORT = Path.of("src/test/resources/synthea/cohort3");
  private static final String BUNDLED = "bundled models: emr-risk-base, emr-risk-small";

  @TempDir
  Path dir;

  /** Runs the command and checks the one-line answer; returns that line. */
  private static String badInput(String... args) {
    CliRun cli = new CliRun();
    int code = cli.run(args);

    assertThat(code).as(cli.err()).isEqualTo(RiskstreamCli.EXIT_BAD_INPUT);
    assertThat(cli.err().lines()).as(cli.err()).hasSize(1);
    assertThat(cli.err()).startsWith("riskstream ").doesNotContain("Exception", "\tat ");
    return cli.err();
  }

  private Path config(String... lines) throws Exception {
    Path file = dir.resolve("riskstream.properties");
    Files.writeString(file, "bootstrap.servers=127.0.0.1:1\nstate.dir=" + dir.resolve("state") + "\n"
        + String.join("\n", lines) + "\n");
    return file;
  }

  @Test
  void shouldListTheBundledModelsWhenEvaluateIsGivenAnUnknownOne() {
    assertThat(badInput("evaluate", "--cohort", COHORT.toString(), "--model", "emr-risk-smal"))
        .isEqualTo("riskstream evaluate: unknown model 'emr-risk-smal': no such directory and no bundled model of that"
            + " name; " + BUNDLED + " (or give a model directory)" + System.lineSeparator());
  }

  @Test
  void shouldNameTheCohortThatEvaluateCannotRead() throws Exception {
    assertThat(badInput("evaluate", "--cohort", dir.resolve("absent").toString(), "--model", "emr-risk-small"))
        .startsWith("riskstream evaluate: --cohort ").contains("absent is not a directory");
    Files.createDirectories(dir.resolve("empty"));
    assertThat(badInput("evaluate", "--cohort", dir.resolve("empty").toString(), "--model", "emr-risk-small"))
        .contains("No patients.csv in ", "Synthea CSV export");
    assertThat(badInput("evaluate", "--alerts", "--cohort", dir.resolve("absent").toString(), "--model",
        "emr-risk-small")).startsWith("riskstream evaluate: --cohort ").contains("absent is not a directory");
  }

  @Test
  void shouldNameTheCohortThatDatasetExportCannotRead() {
    assertThat(badInput("dataset", "export", "--cohort", dir.resolve("absent").toString(), "--out",
        dir.resolve("ds").toString())).startsWith("riskstream dataset export: --cohort ");
  }

  @Test
  void shouldRefuseADatasetCohortWithoutExportsOrNamedTwice() throws Exception {
    Files.createDirectories(dir.resolve("no-exports/sub"));
    assertThat(badInput("dataset", "export", "--cohort", dir.resolve("no-exports").toString(), "--out",
        dir.resolve("ds").toString())).startsWith("riskstream dataset export: --cohort ")
        .contains("holds no patients.csv, and no directory in it does");
    Path chunk = Files.createDirectories(dir.resolve("chunks/s1"));
    Files.writeString(chunk.resolve("patients.csv"), "Id\n");
    assertThat(badInput("dataset", "export", "--cohort", dir.resolve("chunks") + "," + chunk, "--out",
        dir.resolve("ds").toString())).startsWith("riskstream dataset export: --cohort names the same directory twice");
  }

  @Test
  void shouldListTheBundledModelsWhenBuildEngineIsGivenAnUnknownOne() {
    assertThat(badInput("build-engine", "--model", "nope", "--cache-dir", dir.toString()))
        .startsWith("riskstream build-engine: unknown model 'nope'").contains(BUNDLED);
  }

  @Test
  void shouldNameTheConfigFileOrPrecisionThatBuildEngineCannotUse() {
    assertThat(badInput("build-engine", "--model", "emr-risk-small", "--config", dir.resolve("x.properties").toString(),
        "--cache-dir", dir.toString())).contains("cannot read the config file", "x.properties");
    assertThat(badInput("build-engine", "--model", "emr-risk-small", "--precision", "fp8", "--cache-dir",
        dir.toString())).contains("--precision: unknown precision 'fp8'");
  }

  @Test
  void shouldRefuseThreadScalingPartitionsFewerThanTheThreadsAndOddHostLabels() {
    assertThat(badInput("bench", "e2e", "--cohort", COHORT.toString(), "--scaling", "2,4", "--scaling-partitions",
        "2", "--out", dir.resolve("out").toString()))
        .contains("--scaling-partitions must be 0 or from the largest --scaling count (4) to 256");
    assertThat(badInput("bench", "e2e", "--cohort", COHORT.toString(), "--host-label", "../etc", "--out",
        dir.resolve("out").toString())).contains("--host-label takes letters, digits");
  }

  @Test
  void shouldListTheBundledModelsWhenABenchmarkIsGivenAnUnknownOne() {
    assertThat(badInput("bench", "scorer", "--model", "nope", "--lengths-dir", dir.toString(), "--out",
        dir.resolve("out").toString())).startsWith("riskstream bench scorer: unknown model 'nope'").contains(BUNDLED);
    assertThat(badInput("bench", "e2e", "--model", "nope", "--cohort", COHORT.toString(), "--out",
        dir.resolve("out").toString())).startsWith("riskstream bench e2e: unknown model 'nope'").contains(BUNDLED);
  }

  @Test
  void shouldListTheBundledModelsWhenReplaysConfigNamesAnUnknownOne() throws Exception {
    assertThat(badInput("replay", "--config", config("model.name=nope").toString()))
        .startsWith("riskstream replay: unknown model 'nope'").contains(BUNDLED);
  }

  @Test
  void shouldSayWhatToFixBeforeRunStartsAnything() throws Exception {
    assertThat(badInput("run", "--config", config("model.name=nope").toString()))
        .startsWith("riskstream run: unknown model 'nope'").contains(BUNDLED);
    assertThat(badInput("run", "--config", dir.resolve("missing.properties").toString()))
        .contains("cannot read the config file", "missing.properties");
    assertThat(badInput("run", "--config", config("alert.warning.threshold=high").toString()))
        .startsWith("riskstream run: ").contains("alert.warning.threshold");
  }

  @Test
  void shouldSayWhatToFixBeforeTheDemoStartsAnything() {
    Path work = dir.resolve("work");

    assertThat(badInput("demo", "--model", "nope", "--work-dir", work.toString()))
        .startsWith("riskstream demo: unknown model 'nope'").contains(BUNDLED);
    assertThat(badInput("demo", "--cohort", dir.resolve("absent").toString(), "--work-dir", work.toString()))
        .contains("--cohort ", "absent is not a directory");
    assertThat(badInput("demo", "--cohort", dir.toString(), "--work-dir", work.toString()))
        .contains("has no patients.csv");
    assertThat(badInput("demo", "--set", "alert.warning.threshold=high", "--work-dir", work.toString()))
        .contains("alert.warning.threshold");
    assertThat(badInput("demo", "--patients", "0", "--work-dir", work.toString())).contains("--patients");
    assertThat(work).doesNotExist();
  }
}
