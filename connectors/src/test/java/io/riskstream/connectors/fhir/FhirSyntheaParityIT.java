package io.riskstream.connectors.fhir;

import static org.assertj.core.api.Assertions.assertThat;

import io.riskstream.connectors.synthea.SyntheaCohortGenerator;
import io.riskstream.connectors.synthea.SyntheaCsvReader;
import io.riskstream.schemas.EmrEvent;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Synthea's FHIR R4 export and its CSV export of the same run (3 patients, fixed seeds): the FHIR normalizer must
 * produce the CSV reader's events, except for what FHIR does not carry (listed in connectors/README.md).
 */
class FhirSyntheaParityIT {

  /** The export of this JVM's ITs (generated once: StrictInputSyntheaIT reads the same one). */
  private static Path shared;
  private static Map<String, List<EmrEvent>> csv;
  private static Map<String, List<EmrEvent>> fhir;
  private static int rejected;

  /**
   * The Synthea export (CSV and FHIR) the ITs of this JVM share, generated on first use into a temporary directory that
   * is deleted when the JVM ends; {@code -Driskstream.parity.dir=DIR} reuses (or keeps) one for local iteration.
   */
  static synchronized Path sharedExport() throws IOException, InterruptedException {
    if (shared == null) {
      String keep = System.getProperty("riskstream.parity.dir", "");
      Path out = keep.isEmpty() ? Files.createTempDirectory("riskstream-synthea-it") : Path.of(keep);
      if (keep.isEmpty()) {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteQuietly(out)));
      }
      if (!Files.isDirectory(out.resolve("csv"))) {
        generate(out);
      }
      shared = out;
    }
    return shared;
  }

  private static void deleteQuietly(Path root) {
    try (Stream<Path> paths = Files.walk(root)) {
      paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // a temporary directory: the OS cleans it up eventually
    }
  }

  @BeforeAll
  static void generateBothExports() throws Exception {
    Path out = sharedExport();
    csv = new SyntheaCsvReader(out.resolve("csv")).readByPatient();
    fhir = new TreeMap<>();
    FhirNormalizer normalizer = new FhirNormalizer();
    try (Stream<Path> files = Files.list(out.resolve("fhir"))) {
      for (Path file : files.filter(f -> f.toString().endsWith(".json")).sorted().toList()) {
        FhirNormalizer.Result result = normalizer.normalize(Files.readString(file));
        rejected += result.rejected().size();
        result.events().forEach(e -> fhir.computeIfAbsent(e.getPatientId(), k -> new ArrayList<>()).add(e));
      }
    }
  }

  /** Runs Synthea (2 patients, fixed seeds) with CSV and FHIR export into {@code out}. */
  static void generate(Path out) throws IOException, InterruptedException {
    Files.createDirectories(out);
    Path config = out.resolve("overrides.properties");
    Files.write(config, List.of(
        "exporter.baseDirectory = " + out.toString().replace("\\", "/") + "/",
        "exporter.years_of_history = 0",
        "exporter.csv.export = true",
        "exporter.csv.folder_per_run = false",
        "exporter.csv.included_files = " + String.join(",", SyntheaCohortGenerator.CSV_FILES),
        "exporter.csv.excluded_files =",
        "exporter.fhir.export = true",
        "exporter.fhir.bulk_data = false",
        "exporter.hospital.fhir.export = false",
        "exporter.practitioner.fhir.export = false",
        "exporter.groups.fhir.export = false",
        "exporter.metadata.export = false",
        "exporter.clinical_note.export = false"), StandardCharsets.UTF_8);
    List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx1g",
        "-cp", System.getProperty("java.class.path"), SyntheaCohortGenerator.SYNTHEA_MAIN_CLASS,
        "-c", config.toString(), "-s", "7", "-cs", "7", "-r", "20251231", "-e", "20251231", "-p", "2",
        "Massachusetts");
    Process synthea = new ProcessBuilder(command).directory(out.toFile()).redirectErrorStream(true)
        .redirectOutput(out.resolve("synthea.log").toFile()).start();
    assertThat(synthea.waitFor(300, TimeUnit.SECONDS)).isTrue();
    assertThat(synthea.exitValue()).as("Synthea exit status, see synthea.log").isZero();
  }

  private static Map<String, EmrEvent> byId(Map<String, List<EmrEvent>> events, String table) {
    return events.values().stream().flatMap(List::stream)
        .filter(e -> e.getEventId().startsWith(table + ":"))
        .collect(Collectors.toMap(EmrEvent::getEventId, Function.identity()));
  }

  /** Field-by-field differences of matched events, as "field" → count (source coordinates are expected to differ). */
  private static Map<String, Integer> differences(Map<String, EmrEvent> fromCsv, Map<String, EmrEvent> fromFhir) {
    Map<String, Integer> diffs = new TreeMap<>();
    for (Map.Entry<String, EmrEvent> e : fromFhir.entrySet()) {
      EmrEvent c = fromCsv.get(e.getKey());
      if (c == null) {
        continue;
      }
      EmrEvent f = e.getValue();
      for (org.apache.avro.Schema.Field field : EmrEvent.getClassSchema().getFields()) {
        if (field.name().equals("source")) {
          continue;
        }
        Object a = c.get(field.pos());
        Object b = f.get(field.pos());
        boolean same;
        if (a instanceof Double x && b instanceof Double y) {
          same = Math.abs(x - y) <= 0.05 + 1e-9; // the CSV rounds to one decimal
        } else if (field.name().equals("unit") && b == null && f.getValue() == null) {
          same = true; // the CSV gives text values a unit ({nominal}, {score}); FHIR's non-quantity values have none
        } else if (a instanceof String x && b instanceof String y) {
          same = x.equals(y.replace(',', ' ')); // the CSV replaces commas with spaces
        } else {
          same = java.util.Objects.equals(a, b);
        }
        if (!same) {
          diffs.merge(field.name(), 1, Integer::sum);
        }
      }
    }
    return diffs;
  }

  private static Map<String, Integer> countCodes(Map<String, EmrEvent> events, Set<String> ids) {
    Map<String, Integer> codes = new TreeMap<>();
    ids.forEach(id -> codes.merge(events.get(id).getCode(), 1, Integer::sum));
    return codes;
  }

  @Test
  void shouldNormalizeEveryClinicalResourceOfTheFhirExport() {
    assertThat(rejected).isZero();
    assertThat(fhir.keySet()).isEqualTo(csv.keySet());
  }

  @Test
  void shouldMatchPatientsEncountersConditionsAndProceduresOneToOne() {
    for (String table : List.of("patients", "encounters", "conditions", "procedures")) {
      Map<String, EmrEvent> c = byId(csv, table);
      Map<String, EmrEvent> f = byId(fhir, table);
      assertThat(c).as(table).isNotEmpty();
      assertThat(f.keySet()).as(table + " ids").isEqualTo(c.keySet());
      Map<String, Integer> diffs = differences(c, f);
      if (table.equals("encounters")) {
        // FHIR carries the v3 ActCode class (AMB), not Synthea's wellness/outpatient/urgentcare distinction
        assertThat(diffs.keySet()).as(table + " differing fields").isSubsetOf(Set.of("category"));
      } else {
        assertThat(diffs).as(table + " differing fields").isEmpty();
      }
    }
  }

  @Test
  void shouldMatchMedicationsExceptTheirStopTime() {
    Map<String, EmrEvent> c = byId(csv, "medications");
    Map<String, EmrEvent> f = byId(fhir, "medications");
    assertThat(f.keySet()).isEqualTo(c.keySet());
    assertThat(differences(c, f).keySet()).isSubsetOf(Set.of("endTime"));
    assertThat(f.values()).allSatisfy(e -> assertThat(e.getEndTime()).isNull());
  }

  @Test
  void shouldMatchObservationsExceptCsvOnlyQualityOfLifeScores() {
    Map<String, EmrEvent> c = byId(csv, "observations");
    Map<String, EmrEvent> f = byId(fhir, "observations");
    Set<String> onlyCsv = new java.util.TreeSet<>(c.keySet());
    onlyCsv.removeAll(f.keySet());
    Set<String> onlyFhir = new java.util.TreeSet<>(f.keySet());
    onlyFhir.removeAll(c.keySet());
    System.out.println("observations: csv " + c.size() + ", fhir " + f.size() + ", only in CSV by code "
        + countCodes(c, onlyCsv) + ", only in FHIR by code " + countCodes(f, onlyFhir) + ", field differences "
        + differences(c, f));
    // An observation whose id differs is the same fact whose VALUE text cannot be rebuilt from FHIR: a value FHIR
    // rounded to two decimals that the CSV rounded from the full value (x.x5), or an integer the CSV writes as text.
    Map<String, EmrEvent> csvByFact = new HashMap<>();
    onlyCsv.forEach(id -> csvByFact.put(fact(c.get(id)), c.get(id)));
    for (String id : onlyFhir) {
      EmrEvent fromFhir = f.get(id);
      EmrEvent fromCsv = csvByFact.remove(fact(fromFhir));
      assertThat(fromCsv).as("CSV counterpart of FHIR observation code " + fromFhir.getCode()).isNotNull();
      assertThat(fromFhir.getValue()).isNotNull();
      double csvValue = fromCsv.getValue() != null ? fromCsv.getValue() : Double.parseDouble(fromCsv.getValueText());
      assertThat(Math.abs(csvValue - fromFhir.getValue())).isLessThanOrEqualTo(1.0);
    }
    assertThat(onlyFhir.size()).isLessThan(f.size() / 20);
    Set<String> unmatchedCsvCodes = csvByFact.values().stream().map(EmrEvent::getCode).collect(Collectors.toSet());
    assertThat(unmatchedCsvCodes).isSubsetOf(Set.of("QALY", "DALY", "QOLS"));
    // values equal within the CSV's rounding, texts equal but for commas (checked by differences())
    assertThat(differences(c, f)).isEmpty();
  }

  private static String fact(EmrEvent e) {
    return String.join("|", e.getPatientId(), String.valueOf(e.getEncounterId()), e.getEventTime().toString(),
        e.getCode());
  }
}
