package io.riskstream.connectors.synthea;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.riskstream.connectors.synthea.SyntheaCohortGenerator.Options;
import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import java.util.Properties;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SyntheaCohortGeneratorTest {

  private static Properties overrides(Path outDir) throws IOException {
    Properties properties = new Properties();
    properties.load(new StringReader(String.join("\n", SyntheaCohortGenerator.configOverrides(outDir))));
    return properties;
  }

  @Test
  void shouldClearExcludedFilesSoTheIncludeListApplies(@TempDir Path dir) throws IOException {
    Properties properties = overrides(dir);

    assertThat(properties.getProperty("exporter.csv.included_files"))
        .isEqualTo("patients.csv,encounters.csv,conditions.csv,observations.csv,medications.csv,procedures.csv");
    // Synthea's default is "patient_expenses.csv"; with both lists set it ignores both and writes every file.
    assertThat(properties.getProperty("exporter.csv.excluded_files")).isEmpty();
  }

  @Test
  void shouldExportOnlyCsvWithFullHistory(@TempDir Path dir) throws IOException {
    Properties properties = overrides(dir);

    assertThat(properties.getProperty("exporter.years_of_history")).isEqualTo("0");
    assertThat(properties.getProperty("exporter.csv.export")).isEqualTo("true");
    assertThat(properties.getProperty("exporter.baseDirectory")).isEqualTo(dir + "/");
    for (String key : List.of("exporter.fhir.export", "exporter.ccda.export", "exporter.hospital.fhir.export",
        "exporter.practitioner.fhir.export", "exporter.metadata.export")) {
      assertThat(properties.getProperty(key)).as(key).isEqualTo("false");
    }
  }

  @Test
  void shouldPinSeedsReferenceDateAndEndDate(@TempDir Path dir) {
    Options options = Options.of(12, 5, dir).withClinicianSeed(9).withReferenceDate(LocalDate.of(2024, 2, 29));

    List<String> args = SyntheaCohortGenerator.syntheaArguments(options, dir.resolve("x.properties"));

    assertThat(args).containsExactly("-c", dir.resolve("x.properties").toString(), "-s", "5", "-cs", "9",
        "-r", "20240229", "-e", "20240229", "-p", "12", "Massachusetts");
  }

  @Test
  void shouldDefaultClinicianSeedToSeedAndReferenceDateTo20251231(@TempDir Path dir) {
    Options options = Options.of(3, 17, dir);

    assertThat(options.clinicianSeed()).isEqualTo(17);
    assertThat(options.referenceDate()).isEqualTo(LocalDate.of(2025, 12, 31));
    assertThat(options.state()).isEqualTo("Massachusetts");
    assertThat(options.outDir()).isAbsolute();
  }

  @Test
  void shouldRejectInvalidOptions(@TempDir Path dir) {
    assertThatThrownBy(() -> Options.of(0, 1, dir)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("patients");
    assertThatThrownBy(() -> Options.of(1, 1, dir).withState(" ")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("state");
  }

  @Test
  void shouldRefuseANonEmptyOutputDirectory(@TempDir Path dir) throws IOException {
    Files.writeString(dir.resolve("patients.csv"), "Id\n");

    assertThatThrownBy(() -> new SyntheaCohortGenerator().generate(Options.of(1, 1, dir)))
        .isInstanceOf(IOException.class).hasMessageContaining("not empty");
  }

  @Test
  void shouldMakeClasspathEntriesAbsolute() {
    String cp = SyntheaCohortGenerator.absoluteClasspath("a.jar" + java.io.File.pathSeparator + "/x/b.jar");

    assertThat(cp.split(java.io.File.pathSeparator)).allSatisfy(entry -> assertThat(Path.of(entry)).isAbsolute());
  }

  @Test
  void shouldSpellTheRiskstreamCommandThatRegeneratesACohort() {
    Options options = Options.of(600, 2, Path.of("/data/holdout")).withClinicianSeed(3);

    assertThat(SyntheaCohortGenerator.riskstreamCommand(options)).isEqualTo("riskstream cohort generate"
        + " --patients 600 --seed 2 --clinician-seed 3 --reference-date 2025-12-31 --out /data/holdout");
    assertThat(SyntheaCohortGenerator.riskstreamCommand(options.withState("Utah"))).contains("--state 'Utah'");
  }

  @Test
  void shouldCountTheLivingPatientsInSyntheasConsoleOutput() {
    // Synthea's format ("%d -- %s (%d y/o %s) %s, %s %s (%d)"); a dead person's slot is generated again
    Stream<String> output = Stream.of(
        "Loading submodule modules/allergies/allergy_panel.json",
        "2 -- Given1 Family1 (31 y/o M) Town A, Massachusetts  (47277)",
        "1 -- Given2 Family2 (63 y/o F) Town B, Massachusetts  (100738)",
        "3 -- Given3 Family3 (51 y/o F) Town C, Massachusetts DECEASED (96500)",
        "3 -- Given4 Family4 (56 y/o F) Town C, Massachusetts  (81854)",
        "4 -- Given5 Fami",
        "Records: total=4, alive=3, dead=1");

    assertThat(SyntheaCohortGenerator.livingPatients(output)).isEqualTo(3);
  }
}
