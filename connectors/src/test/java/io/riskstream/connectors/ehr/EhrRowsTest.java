package io.riskstream.connectors.ehr;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.riskstream.connectors.synthea.SyntheaCsvReader;
import io.riskstream.schemas.EmrEvent;
import io.riskstream.schemas.EventKind;
import io.riskstream.schemas.SourceCoordinates;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class EhrRowsTest {

  private static List<EmrEvent> fixtureEvents() throws URISyntaxException {
    Path dir = Path.of(EhrRowsTest.class.getResource("/synthea/valid").toURI());
    return new SyntheaCsvReader(dir).readByPatient().values().stream().flatMap(List::stream)
        .collect(Collectors.toList());
  }

  /** Column names per table, parsed from the CREATE TABLE statements of connectors/ehr-db/schema.sql. */
  private static Map<String, List<String>> schemaColumns() throws IOException {
    String sql = Files.readString(Path.of("ehr-db/schema.sql"), StandardCharsets.UTF_8);
    Map<String, List<String>> tables = new HashMap<>();
    Matcher table = Pattern.compile("CREATE TABLE IF NOT EXISTS clinical\\.(\\w+) \\((.*?)\\n\\);", Pattern.DOTALL)
        .matcher(sql);
    while (table.find()) {
      List<String> columns = new ArrayList<>();
      for (String line : table.group(2).split("\\n")) {
        Matcher column = Pattern.compile("^\\s+(\\w+)\\s+\\w+").matcher(line);
        if (column.find()) {
          columns.add(column.group(1));
        }
      }
      tables.put(table.group(1), columns);
    }
    return tables;
  }

  @Test
  void shouldUseTheColumnsOfTheEhrSchemaInOrder() throws IOException {
    Map<String, List<String>> schema = schemaColumns();

    for (String table : List.of("patients", "encounters", "conditions", "observations", "medications",
        "procedures")) {
      assertThat(EhrRows.COLUMNS.get(table)).as(table).isEqualTo(schema.get(table));
    }
  }

  @Test
  void shouldGiveEveryKindItsTableAndColumns() throws URISyntaxException {
    for (EmrEvent event : fixtureEvents()) {
      EhrRow row = EhrRows.toRow(event);

      assertThat(row.table()).isEqualTo(event.getSource().getTable());
      assertThat(row.columnNames()).isEqualTo(EhrRows.COLUMNS.get(row.table()));
      assertThat(event.getEventId()).isEqualTo(row.table() + ":" + row.id());
    }
  }

  @Test
  void shouldRoundTripEveryEventThroughItsRow() throws URISyntaxException {
    List<EmrEvent> events = fixtureEvents();
    assertThat(events.stream().map(EmrEvent::getKind).distinct()).containsExactlyInAnyOrder(EventKind.values());

    for (EmrEvent event : events) {
      EmrEvent back = EhrRows.toEvent(EhrRows.toRow(event), event.getSource());

      assertThat(back).isEqualTo(event);
    }
  }

  @Test
  void shouldTypeDatesTimestampsAndNumbers() throws URISyntaxException {
    Map<String, EhrRow> byTable = new LinkedHashMap<>();
    for (EmrEvent event : fixtureEvents()) {
      EhrRow row = EhrRows.toRow(event);
      if (row.table().equals("observations") && row.get("value_numeric") == null) {
        continue;
      }
      byTable.putIfAbsent(row.table(), row);
    }

    EhrRow patient = byTable.get("patients");
    assertThat(patient.get("birthdate")).isEqualTo(LocalDate.of(1960, 3, 4));
    assertThat(patient.get("deathdate")).isNull();
    assertThat(patient.get("gender")).isEqualTo("male");
    assertThat(patient.get("race")).isNull();
    assertThat(byTable.get("encounters").get("start_time")).isEqualTo(Instant.parse("2019-02-17T10:06:42Z"));
    assertThat(byTable.get("encounters").get("encounter_class")).isEqualTo("wellness");
    assertThat(byTable.get("conditions").get("start_time")).isEqualTo(Instant.parse("2019-02-17T00:00:00Z"));
    assertThat(byTable.get("observations").get("value_numeric")).isInstanceOf(Double.class);
    assertThat(byTable.get("medications").get("code_system")).isEqualTo("RxNorm");
  }

  @Test
  void shouldMapDeathDateToEndTime() {
    EhrRow row = new EhrRow("patients", new LinkedHashMap<>(Map.of("id", "p-9", "birthdate",
        LocalDate.of(1950, 1, 2), "gender", "female")) {
      {
        put("deathdate", LocalDate.of(2020, 5, 6));
        put("race", null);
        put("ethnicity", null);
      }
    });
    SourceCoordinates source = SourceCoordinates.newBuilder().setSystem("postgres:ehr").setTable("patients").build();

    EmrEvent event = EhrRows.toEvent(row, source);

    assertThat(event.getEventId()).isEqualTo("patients:p-9");
    assertThat(event.getPatientId()).isEqualTo("p-9");
    assertThat(event.getKind()).isEqualTo(EventKind.DEMOGRAPHICS);
    assertThat(event.getEventTime()).isEqualTo(Instant.parse("1950-01-02T00:00:00Z"));
    assertThat(event.getEndTime()).isEqualTo(Instant.parse("2020-05-06T00:00:00Z"));
    assertThat(EhrRows.toRow(event).get("deathdate")).isEqualTo(LocalDate.of(2020, 5, 6));
  }

  @Test
  void shouldRejectAnEventIdOfAnotherTable() throws URISyntaxException {
    EmrEvent diagnosis = fixtureEvents().stream().filter(e -> e.getKind() == EventKind.DIAGNOSIS).findFirst()
        .orElseThrow();
    EmrEvent wrong = EmrEvent.newBuilder(diagnosis).setEventId("observations:123").build();

    assertThatThrownBy(() -> EhrRows.toRow(wrong)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("conditions:");
  }

  @Test
  void shouldRejectARowWithAValueOfTheWrongType() throws URISyntaxException {
    EmrEvent encounter = fixtureEvents().stream().filter(e -> e.getKind() == EventKind.ENCOUNTER).findFirst()
        .orElseThrow();
    Map<String, Object> columns = new LinkedHashMap<>(EhrRows.toRow(encounter).columns());
    columns.put("start_time", "2019-02-17");

    assertThatThrownBy(() -> EhrRows.toEvent(new EhrRow("encounters", columns), encounter.getSource()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("encounters.start_time");
  }

  @Test
  void shouldRejectAnUnknownTable() {
    assertThatThrownBy(() -> EhrRows.kind("claims")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("claims");
  }
}
