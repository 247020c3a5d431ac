package io.riskstream.connectors.synthea;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.riskstream.connectors.synthea.ReadReport.Reason;
import io.riskstream.schemas.EmrEvent;
import io.riskstream.schemas.EventKind;
import io.riskstream.schemas.EventOp;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class SyntheaCsvReaderTest {

  private static Path fixture(String name) {
    try {
      return Path.of(SyntheaCsvReaderTest.class.getResource("/synthea/" + name).toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  private static EmrEvent only(List<EmrEvent> events, EventKind kind) {
    List<EmrEvent> ofKind = events.stream().filter(e -> e.getKind() == kind).collect(Collectors.toList());
    assertThat(ofKind).hasSize(1);
    return ofKind.get(0);
  }

  @Test
  void shouldMapPatientsToDemographics() {
    Map<String, List<EmrEvent>> byPatient = new SyntheaCsvReader(fixture("valid")).readByPatient();

    assertThat(byPatient).containsOnlyKeys("p-0001", "p-0002");
    EmrEvent alive = only(byPatient.get("p-0001"), EventKind.DEMOGRAPHICS);
    assertThat(alive.getEventId()).isEqualTo("patients:p-0001");
    assertThat(alive.getOp()).isEqualTo(EventOp.UPSERT);
    assertThat(alive.getEventTime()).isEqualTo(Instant.parse("1960-03-04T00:00:00Z"));
    assertThat(alive.getEndTime()).isNull();
    assertThat(alive.getCodeSystem()).isEqualTo("administrative-gender");
    assertThat(alive.getCode()).isEqualTo("male");
    assertThat(alive.getSource().getSystem()).isEqualTo("synthea-csv");
    assertThat(alive.getSource().getTable()).isEqualTo("patients");

    EmrEvent dead = only(byPatient.get("p-0002"), EventKind.DEMOGRAPHICS);
    assertThat(dead.getCode()).isEqualTo("female");
    assertThat(dead.getEndTime()).isEqualTo(Instant.parse("2020-06-01T00:00:00Z"));
  }

  @Test
  void shouldMapEncountersConditionsMedicationsAndProcedures() {
    Map<String, List<EmrEvent>> byPatient = new SyntheaCsvReader(fixture("valid")).readByPatient();

    EmrEvent encounter = only(byPatient.get("p-0001"), EventKind.ENCOUNTER);
    assertThat(encounter.getEventId()).isEqualTo("encounters:e-0001");
    assertThat(encounter.getEncounterId()).isEqualTo("e-0001");
    assertThat(encounter.getCategory()).isEqualTo("wellness");
    assertThat(encounter.getCodeSystem()).isEqualTo("SNOMED-CT");
    assertThat(encounter.getCode()).isEqualTo("410620009");
    assertThat(encounter.getEventTime()).isEqualTo(Instant.parse("2019-02-17T10:06:42Z"));
    assertThat(encounter.getEndTime()).isEqualTo(Instant.parse("2019-02-17T10:21:42Z"));
    assertThat(only(byPatient.get("p-0002"), EventKind.ENCOUNTER).getEndTime()).isNull();

    EmrEvent diagnosis = only(byPatient.get("p-0001"), EventKind.DIAGNOSIS);
    assertThat(diagnosis.getEventId()).matches("conditions:[0-9a-f]{32}");
    assertThat(diagnosis.getCodeSystem()).isEqualTo("SNOMED-CT");
    assertThat(diagnosis.getCode()).isEqualTo("44054006");
    assertThat(diagnosis.getEventTime()).isEqualTo(Instant.parse("2019-02-17T00:00:00Z"));
    assertThat(diagnosis.getEncounterId()).isEqualTo("e-0001");
    assertThat(diagnosis.getDescription()).isEqualTo("Diabetes mellitus type 2 (disorder)");

    EmrEvent medication = only(byPatient.get("p-0001"), EventKind.MEDICATION);
    assertThat(medication.getEventId()).matches("medications:[0-9a-f]{32}");
    assertThat(medication.getCodeSystem()).isEqualTo("RxNorm");
    assertThat(medication.getCode()).isEqualTo("860975");
    assertThat(medication.getEndTime()).isNull();

    EmrEvent procedure = only(byPatient.get("p-0002"), EventKind.PROCEDURE);
    assertThat(procedure.getEventId()).matches("procedures:[0-9a-f]{32}");
    assertThat(procedure.getCodeSystem()).isEqualTo("SNOMED-CT");
    assertThat(procedure.getCode()).isEqualTo("710824005");
    assertThat(procedure.getEndTime()).isEqualTo(Instant.parse("2019-05-01T08:30:00Z"));
  }

  @Test
  void shouldMapNumericObservationsToValueAndTextObservationsToValueText() {
    List<EmrEvent> events = new SyntheaCsvReader(fixture("valid")).readByPatient().get("p-0001");
    List<EmrEvent> observations =
        events.stream().filter(e -> e.getKind() == EventKind.OBSERVATION).collect(Collectors.toList());

    EmrEvent a1c = observations.stream().filter(e -> e.getCode().equals("4548-4")).findFirst().orElseThrow();
    assertThat(a1c.getCodeSystem()).isEqualTo("LOINC");
    assertThat(a1c.getCategory()).isEqualTo("laboratory");
    assertThat(a1c.getValue()).isEqualTo(6.8);
    assertThat(a1c.getUnit()).isEqualTo("%");
    assertThat(a1c.getValueText()).isNull();

    EmrEvent smoking = observations.stream().filter(e -> e.getCode().equals("72166-2")).findFirst().orElseThrow();
    assertThat(smoking.getValue()).isNull();
    assertThat(smoking.getValueText()).isEqualTo("Never smoked tobacco (finding)");
    assertThat(smoking.getCategory()).isEqualTo("social-history");
  }

  @Test
  void shouldReadOnlyThePatientsTheFilterAcceptsWithTheSameEvents() {
    Map<String, List<EmrEvent>> all = new SyntheaCsvReader(fixture("valid")).readByPatient();
    Map<String, List<EmrEvent>> one = new SyntheaCsvReader(fixture("valid"), "p-0002"::equals).readByPatient();

    assertThat(all).hasSizeGreaterThan(1);
    assertThat(one).containsOnlyKeys("p-0002");
    assertThat(one.get("p-0002")).isEqualTo(all.get("p-0002"));
  }

  @Test
  void shouldDisambiguateDuplicateRowsByOccurrenceIndex() {
    SyntheaCsvReader reader = new SyntheaCsvReader(fixture("valid"));
    List<EmrEvent> heartRates = reader.readByPatient().get("p-0002").stream()
        .filter(e -> e.getKind() == EventKind.OBSERVATION).collect(Collectors.toList());

    assertThat(heartRates).hasSize(2);
    String base = heartRates.get(0).getEventId();
    assertThat(base).matches("observations:[0-9a-f]{32}");
    assertThat(heartRates.get(1).getEventId()).isEqualTo(base + "-1");
    assertThat(reader.report().duplicatesByTable()).containsEntry("observations", 1L);
  }

  @Test
  void shouldSortEachPatientsEventsByTimeThenEventId() {
    for (List<EmrEvent> events : new SyntheaCsvReader(fixture("valid")).readByPatient().values()) {
      assertThat(events).isSortedAccordingTo(SyntheaCsvReader.EVENT_ORDER);
    }
    List<String> kinds = new SyntheaCsvReader(fixture("valid")).readByPatient().get("p-0001").stream()
        .map(e -> e.getKind().name()).collect(Collectors.toList());
    assertThat(kinds.get(0)).isEqualTo("DEMOGRAPHICS");
  }

  @Test
  void shouldGiveTheSameEventIdsOnEveryRead() {
    Map<String, List<EmrEvent>> first = new SyntheaCsvReader(fixture("valid")).readByPatient();
    Map<String, List<EmrEvent>> second = new SyntheaCsvReader(fixture("valid")).readByPatient();

    assertThat(second).isEqualTo(first);
    List<String> ids = first.values().stream().flatMap(List::stream).map(EmrEvent::getEventId)
        .collect(Collectors.toList());
    assertThat(ids).doesNotHaveDuplicates().hasSize(11);
  }

  @Test
  void shouldCountEveryRowOfAValidExportAsAnEvent() {
    ReadReport report = new SyntheaCsvReader(fixture("valid")).report();

    assertThat(report.rowsByTable()).containsExactlyInAnyOrderEntriesOf(Map.of("patients", 2L, "encounters", 2L,
        "conditions", 1L, "observations", 4L, "medications", 1L, "procedures", 1L));
    assertThat(report.eventsByTable()).isEqualTo(report.rowsByTable());
    assertThat(report.totalMalformed()).isZero();
    assertThat(report.missingFiles()).isEmpty();
    assertThat(report.patients()).isEqualTo(2);
  }

  @Test
  void shouldCountRowsWithMissingRequiredValues() {
    ReadReport report = new SyntheaCsvReader(fixture("malformed")).report();

    assertThat(report.malformed("patients", Reason.MISSING_REQUIRED_VALUE)).isEqualTo(1);
    assertThat(report.malformed("encounters", Reason.MISSING_REQUIRED_VALUE)).isEqualTo(1);
    // an empty numeric VALUE and an empty PATIENT
    assertThat(report.malformed("observations", Reason.MISSING_REQUIRED_VALUE)).isEqualTo(2);
  }

  @Test
  void shouldCountRowsWithUnparseableDates() {
    ReadReport report = new SyntheaCsvReader(fixture("malformed")).report();

    assertThat(report.malformed("patients", Reason.UNPARSEABLE_DATE)).isEqualTo(1);
    assertThat(report.malformed("encounters", Reason.UNPARSEABLE_DATE)).isEqualTo(1);
    assertThat(report.malformed("observations", Reason.UNPARSEABLE_DATE)).isEqualTo(1);
  }

  @Test
  void shouldCountRowsWithUnparseableNumbers() {
    ReadReport report = new SyntheaCsvReader(fixture("malformed")).report();

    // "abc" and "NaN" in a numeric VALUE
    assertThat(report.malformed("observations", Reason.UNPARSEABLE_NUMBER)).isEqualTo(2);
  }

  @Test
  void shouldCountPatientsWithUnknownGender() {
    ReadReport report = new SyntheaCsvReader(fixture("malformed")).report();

    assertThat(report.malformed("patients", Reason.UNKNOWN_GENDER)).isEqualTo(1);
  }

  @Test
  void shouldCountRowsWithTheWrongNumberOfFields() {
    ReadReport report = new SyntheaCsvReader(fixture("malformed")).report();

    assertThat(report.malformed("patients", Reason.WRONG_FIELD_COUNT)).isEqualTo(1);
  }

  @Test
  void shouldAccountForEveryRowAsEventOrMalformed() {
    SyntheaCsvReader reader = new SyntheaCsvReader(fixture("malformed"));
    ReadReport report = reader.report();

    assertThat(report.rowsByTable()).containsExactlyInAnyOrderEntriesOf(
        Map.of("patients", 5L, "encounters", 3L, "observations", 6L));
    for (String table : report.rowsByTable().keySet()) {
      assertThat(report.events(table) + report.malformed(table)).as(table).isEqualTo(report.rows(table));
    }
    assertThat(report.eventsByTable()).containsExactlyInAnyOrderEntriesOf(
        Map.of("patients", 1L, "encounters", 1L, "observations", 1L));
    assertThat(reader.readByPatient()).containsOnlyKeys("p-0001");
    assertThat(reader.readByPatient().get("p-0001")).hasSize(3);
  }

  @Test
  void shouldReportFilesThatAreMissing() {
    ReadReport report = new SyntheaCsvReader(fixture("malformed")).report();

    assertThat(report.missingFiles()).containsExactly("conditions.csv", "medications.csv", "procedures.csv");
  }

  @Test
  void shouldRejectAFileWithoutARequiredHeaderColumn() {
    SyntheaCsvReader reader = new SyntheaCsvReader(fixture("bad-header"));

    assertThatThrownBy(reader::readByPatient).isInstanceOf(SyntheaCsvException.class)
        .hasMessageContaining("patients.csv").hasMessageContaining("GENDER");
  }

  @Test
  void shouldRejectAFileThatIsNotValidCsv() {
    SyntheaCsvReader reader = new SyntheaCsvReader(fixture("bad-quote"));

    assertThatThrownBy(reader::readByPatient).isInstanceOf(SyntheaCsvException.class)
        .hasMessageContaining("patients.csv is not valid CSV after data row 1");
  }

  @Test
  void shouldRejectADirectoryWithoutPatients(@org.junit.jupiter.api.io.TempDir Path empty) {
    assertThatThrownBy(() -> new SyntheaCsvReader(empty).readByPatient()).isInstanceOf(SyntheaCsvException.class)
        .hasMessageContaining("No patients.csv");
    assertThatThrownBy(() -> new SyntheaCsvReader(empty.resolve("absent")).report())
        .isInstanceOf(SyntheaCsvException.class).hasMessageContaining("Not a directory");
  }

  @Test
  void shouldReturnUnmodifiableResults() {
    Map<String, List<EmrEvent>> byPatient = new SyntheaCsvReader(fixture("valid")).readByPatient();

    assertThatThrownBy(() -> byPatient.remove("p-0001")).isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> byPatient.get("p-0001").clear()).isInstanceOf(UnsupportedOperationException.class);
  }
}
