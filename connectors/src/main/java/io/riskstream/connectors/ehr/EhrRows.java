package io.riskstream.connectors.ehr;

import io.riskstream.schemas.EmrEvent;
import io.riskstream.schemas.EventKind;
import io.riskstream.schemas.EventOp;
import io.riskstream.schemas.SourceCoordinates;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The mapping between {@link EmrEvent}s and rows of the EHR database ({@code connectors/ehr-db/schema.sql}; its
 * column names are the contract). The row id is the part of the eventId after {@code <table>:}.
 *
 * <p>What the rows hold that events do not: {@code patients.race}, {@code patients.ethnicity} and the
 * {@code reason_code} columns, which are NULL in rows made from events. Patients' birth and death are dates: an
 * event's times are truncated to their UTC date (Synthea's are midnight UTC, so its events round-trip exactly).
 */
public final class EhrRows {

  /** The database schema holding the tables. */
  public static final String SCHEMA = "clinical";

  public static final String PATIENTS = "patients";
  public static final String ENCOUNTERS = "encounters";
  public static final String CONDITIONS = "conditions";
  public static final String OBSERVATIONS = "observations";
  public static final String MEDICATIONS = "medications";
  public static final String PROCEDURES = "procedures";

  /** Columns per table, in the order of schema.sql. */
  public static final Map<String, List<String>> COLUMNS = Map.of(
      PATIENTS, List.of("id", "birthdate", "deathdate", "gender", "race", "ethnicity"),
      ENCOUNTERS, List.of("id", "patient_id", "start_time", "stop_time", "encounter_class", "code_system", "code",
          "description", "reason_code"),
      CONDITIONS, List.of("id", "patient_id", "encounter_id", "start_time", "stop_time", "code_system", "code",
          "description"),
      OBSERVATIONS, List.of("id", "patient_id", "encounter_id", "effective_time", "category", "code_system", "code",
          "description", "value_numeric", "value_text", "unit"),
      MEDICATIONS, List.of("id", "patient_id", "encounter_id", "start_time", "stop_time", "code_system", "code",
          "description", "reason_code"),
      PROCEDURES, List.of("id", "patient_id", "encounter_id", "start_time", "stop_time", "code_system", "code",
          "description", "reason_code"));

  private EhrRows() {
  }

  /** The table that holds events of a kind. */
  public static String table(EventKind kind) {
    switch (Objects.requireNonNull(kind, "kind")) {
      case DEMOGRAPHICS:
        return PATIENTS;
      case ENCOUNTER:
        return ENCOUNTERS;
      case DIAGNOSIS:
        return CONDITIONS;
      case OBSERVATION:
        return OBSERVATIONS;
      case MEDICATION:
        return MEDICATIONS;
      case PROCEDURE:
        return PROCEDURES;
      default:
        throw new IllegalArgumentException("No table for kind " + kind);
    }
  }

  /** The event kind a table's rows are. */
  public static EventKind kind(String table) {
    for (EventKind kind : EventKind.values()) {
      if (table(kind).equals(table)) {
        return kind;
      }
    }
    throw new IllegalArgumentException("Unknown EHR table: " + table);
  }

  /**
   * The row for an event. The eventId must start with {@code <table>:} for the table of the event's kind.
   *
   * @throws IllegalArgumentException if the eventId does not belong to the kind's table, or a NOT NULL column
   *     (id, patient, time, code, gender) would be empty
   */
  public static EhrRow toRow(EmrEvent e) {
    String table = table(e.getKind());
    String prefix = table + ":";
    String eventId = e.getEventId();
    if (eventId == null || !eventId.startsWith(prefix) || eventId.length() == prefix.length()) {
      throw new IllegalArgumentException("eventId of a " + e.getKind() + " event must start with '" + prefix
          + "' and carry an id");
    }
    String id = eventId.substring(prefix.length());
    requirePresent(e.getPatientId(), "patientId");
    requirePresent(e.getEventTime(), "eventTime");
    requirePresent(e.getCode(), "code");
    Map<String, Object> c = new LinkedHashMap<>();
    c.put("id", id);
    switch (table) {
      case PATIENTS:
        if (!id.equals(e.getPatientId())) {
          throw new IllegalArgumentException("A DEMOGRAPHICS event's id must be its patientId");
        }
        c.put("birthdate", date(e.getEventTime()));
        c.put("deathdate", e.getEndTime() == null ? null : date(e.getEndTime()));
        c.put("gender", e.getCode());
        c.put("race", null);
        c.put("ethnicity", null);
        break;
      case ENCOUNTERS:
        c.put("patient_id", e.getPatientId());
        c.put("start_time", e.getEventTime());
        c.put("stop_time", e.getEndTime());
        c.put("encounter_class", e.getCategory());
        c.put("code_system", codeSystem(e, "SNOMED-CT"));
        c.put("code", e.getCode());
        c.put("description", e.getDescription());
        c.put("reason_code", null);
        break;
      case OBSERVATIONS:
        c.put("patient_id", e.getPatientId());
        c.put("encounter_id", e.getEncounterId());
        c.put("effective_time", e.getEventTime());
        c.put("category", e.getCategory());
        c.put("code_system", codeSystem(e, "LOINC"));
        c.put("code", e.getCode());
        c.put("description", e.getDescription());
        c.put("value_numeric", e.getValue());
        c.put("value_text", e.getValueText());
        c.put("unit", e.getUnit());
        break;
      default: // conditions, medications, procedures
        c.put("patient_id", e.getPatientId());
        c.put("encounter_id", e.getEncounterId());
        c.put("start_time", e.getEventTime());
        c.put("stop_time", e.getEndTime());
        c.put("code_system", codeSystem(e, table.equals(MEDICATIONS) ? "RxNorm" : "SNOMED-CT"));
        c.put("code", e.getCode());
        c.put("description", e.getDescription());
        if (!table.equals(CONDITIONS)) {
          c.put("reason_code", null);
        }
        break;
    }
    return new EhrRow(table, c);
  }

  /**
   * The UPSERT event for a row, with the given source coordinates (e.g. system {@code postgres:ehr}, the table and
   * the CDC coordinates). Inverse of {@link #toRow} for the fields a row holds.
   *
   * @throws IllegalArgumentException for an unknown table, a missing column, or a value of the wrong type
   */
  public static EmrEvent toEvent(EhrRow row, SourceCoordinates source) {
    Objects.requireNonNull(source, "source");
    String table = row.table();
    EventKind kind = kind(table);
    List<String> expected = COLUMNS.get(table);
    if (!row.columns().keySet().containsAll(expected)) {
      throw new IllegalArgumentException("Row of " + table + " lacks columns; expected " + expected);
    }
    String id = required(row, "id", String.class);
    EmrEvent.Builder b = EmrEvent.newBuilder()
        .setEventId(table + ":" + id)
        .setOp(EventOp.UPSERT)
        .setKind(kind)
        .setSource(source);
    switch (table) {
      case PATIENTS:
        b.setPatientId(id)
            .setEventTime(required(row, "birthdate", LocalDate.class).atStartOfDay(ZoneOffset.UTC).toInstant())
            .setEndTime(optionalDate(row, "deathdate"))
            .setCodeSystem("administrative-gender")
            .setCode(required(row, "gender", String.class));
        break;
      case ENCOUNTERS:
        b.setPatientId(required(row, "patient_id", String.class))
            .setEventTime(required(row, "start_time", Instant.class))
            .setEndTime(optional(row, "stop_time", Instant.class))
            .setCategory(optional(row, "encounter_class", String.class))
            .setCodeSystem(required(row, "code_system", String.class))
            .setCode(required(row, "code", String.class))
            .setDescription(optional(row, "description", String.class))
            .setEncounterId(id);
        break;
      case OBSERVATIONS:
        b.setPatientId(required(row, "patient_id", String.class))
            .setEncounterId(optional(row, "encounter_id", String.class))
            .setEventTime(required(row, "effective_time", Instant.class))
            .setCategory(optional(row, "category", String.class))
            .setCodeSystem(required(row, "code_system", String.class))
            .setCode(required(row, "code", String.class))
            .setDescription(optional(row, "description", String.class))
            .setValue(optional(row, "value_numeric", Double.class))
            .setValueText(optional(row, "value_text", String.class))
            .setUnit(optional(row, "unit", String.class));
        break;
      default:
        b.setPatientId(required(row, "patient_id", String.class))
            .setEncounterId(optional(row, "encounter_id", String.class))
            .setEventTime(required(row, "start_time", Instant.class))
            .setEndTime(optional(row, "stop_time", Instant.class))
            .setCodeSystem(required(row, "code_system", String.class))
            .setCode(required(row, "code", String.class))
            .setDescription(optional(row, "description", String.class));
        break;
    }
    return b.build();
  }

  private static LocalDate date(Instant instant) {
    return LocalDate.ofInstant(instant, ZoneOffset.UTC);
  }

  private static String codeSystem(EmrEvent e, String fallback) {
    return e.getCodeSystem() == null ? fallback : e.getCodeSystem();
  }

  private static void requirePresent(Object value, String field) {
    if (value == null || (value instanceof String && ((String) value).isEmpty())) {
      throw new IllegalArgumentException("Event has no " + field + " (NOT NULL in the EHR schema)");
    }
  }

  private static <T> T required(EhrRow row, String column, Class<T> type) {
    T value = optional(row, column, type);
    if (value == null) {
      throw new IllegalArgumentException("Column " + row.table() + "." + column + " is NULL");
    }
    return value;
  }

  private static <T> T optional(EhrRow row, String column, Class<T> type) {
    Object value = row.get(column);
    if (value != null && !type.isInstance(value)) {
      throw new IllegalArgumentException("Column " + row.table() + "." + column + " holds a "
          + value.getClass().getSimpleName() + ", expected " + type.getSimpleName());
    }
    return type.cast(value);
  }

  private static Instant optionalDate(EhrRow row, String column) {
    LocalDate date = optional(row, column, LocalDate.class);
    return date == null ? null : date.atStartOfDay(ZoneOffset.UTC).toInstant();
  }
}
