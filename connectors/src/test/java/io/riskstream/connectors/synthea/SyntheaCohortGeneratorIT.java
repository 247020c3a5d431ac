package io.riskstream.connectors.synthea;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.riskstream.connectors.synthea.SyntheaCohortGenerator.Options;
import io.riskstream.connectors.synthea.SyntheaCohortGenerator.Result;
import io.riskstream.schemas.EmrEvent;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs Synthea twice (3 living patients, same seeds) in child JVMs and reads the cohorts back. Synthea's -p counts
 * living patients; those who die on the way are exported too.
 */
class SyntheaCohortGeneratorIT {

  private static final int PATIENTS = 3;

  @TempDir
  static Path dir;
  private static Result first;
  private static Result second;

  @BeforeAll
  static void generateTwice() throws Exception {
    SyntheaCohortGenerator generator = new SyntheaCohortGenerator(List.of("-Xmx1g"));
    first = generator.generate(Options.of(PATIENTS, 42, dir.resolve("a")).withClinicianSeed(43));
    second = generator.generate(Options.of(PATIENTS, 42, dir.resolve("b")).withClinicianSeed(43));
  }

  private static Set<String> fileNames(Path folder) throws IOException {
    try (Stream<Path> files = Files.list(folder)) {
      return files.map(p -> p.getFileName().toString()).collect(Collectors.toCollection(TreeSet::new));
    }
  }

  private static long csvRecords(Path file) throws IOException {
    CSVFormat format = CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).build();
    try (CSVParser parser = CSVParser.parse(file, StandardCharsets.UTF_8, format)) {
      long n = 0;
      for (CSVRecord ignored : parser) {
        n++;
      }
      return n;
    }
  }

  @Test
  void shouldWriteOnlyTheSixCsvFilesBesideTheManifest() throws IOException {
    assertThat(fileNames(first.csvDir())).containsExactlyInAnyOrder("patients.csv", "encounters.csv",
        "conditions.csv", "observations.csv", "medications.csv", "procedures.csv", "cohort.json",
        "synthea-overrides.properties", "synthea-output.log");
    assertThat(first.alive()).isEqualTo(PATIENTS);
    assertThat(first.patientRows()).isEqualTo(first.alive() + first.dead());
  }

  @Test
  void shouldProduceTheSameCsvRowsForTheSameSeeds() throws IOException {
    for (String file : SyntheaCohortGenerator.CSV_FILES) {
      List<String> a = Files.readAllLines(first.csvDir().resolve(file), StandardCharsets.UTF_8);
      List<String> b = Files.readAllLines(second.csvDir().resolve(file), StandardCharsets.UTF_8);

      assertThat(a).as(file).hasSizeGreaterThan(1);
      assertThat(b.get(0)).as(file + " header").isEqualTo(a.get(0));
      // Synthea's generator threads may interleave patients differently; the rows themselves must be identical.
      assertThat(b).as(file).containsExactlyInAnyOrderElementsOf(a);
    }
  }

  @Test
  void shouldRecordOptionsAndTheExactCommandInTheManifest() throws IOException {
    JsonNode manifest = new ObjectMapper().readTree(first.manifest().toFile());

    assertThat(manifest.path("syntheaVersion").asText()).isEqualTo("3.3.0");
    assertThat(manifest.path("options").path("patients").asInt()).isEqualTo(PATIENTS);
    assertThat(manifest.path("options").path("seed").asLong()).isEqualTo(42);
    assertThat(manifest.path("options").path("clinicianSeed").asLong()).isEqualTo(43);
    assertThat(manifest.path("options").path("referenceDate").asText()).isEqualTo("2025-12-31");
    List<String> command = new ArrayList<>();
    manifest.path("command").forEach(node -> command.add(node.asText()));
    assertThat(command).isEqualTo(first.command());
    assertThat(command).containsSubsequence("App", "-c").containsSubsequence("-s", "42", "-cs", "43", "-r",
        "20251231", "-e", "20251231", "-p", "3", "Massachusetts");
  }

  @Test
  void shouldTurnEveryRowOfEveryFileIntoAnEvent() throws IOException {
    SyntheaCsvReader reader = new SyntheaCsvReader(first.csvDir());
    ReadReport report = reader.report();

    for (String table : SyntheaCsvReader.TABLES) {
      long rows = csvRecords(first.csvDir().resolve(table + ".csv"));
      assertThat(rows).as(table).isPositive();
      assertThat(report.rows(table)).as(table).isEqualTo(rows);
      assertThat(report.events(table)).as(table).isEqualTo(rows);
    }
    assertThat(report.totalMalformed()).isZero();
    assertThat(report.missingFiles()).isEmpty();
    assertThat(reader.readByPatient().keySet()).hasSize((int) first.patientRows());
    long events = reader.readByPatient().values().stream().mapToLong(List::size).sum();
    assertThat(events).isEqualTo(report.totalEvents());
  }

  @Test
  void shouldGiveUniqueEventIdsThatAreStableAcrossReadsAndGenerations() {
    Map<String, List<EmrEvent>> a = new SyntheaCsvReader(first.csvDir()).readByPatient();
    Map<String, List<EmrEvent>> again = new SyntheaCsvReader(first.csvDir()).readByPatient();
    Map<String, List<EmrEvent>> b = new SyntheaCsvReader(second.csvDir()).readByPatient();

    List<String> ids = a.values().stream().flatMap(List::stream).map(EmrEvent::getEventId)
        .collect(Collectors.toList());
    assertThat(ids).doesNotHaveDuplicates();
    assertThat(again).isEqualTo(a);
    assertThat(b).isEqualTo(a);
  }
}
