package io.riskstream.connectors.ehr;

import io.riskstream.schemas.EmrEvent;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The EHR database's representation of an {@link EmrEvent}: kind → table, {@code eventId = '<table>:<id>'} → primary
 * key, and the columns of {@code connectors/ehr-db/schema.sql}. Fields the event does not carry (race, ethnicity,
 * reason codes) stay null.
 */
public final class DefaultEhrRowMapping implements EhrRowMapping {

  @Override
  public EhrRow toRow(EmrEvent event) {
    String table = tableOf(event);
    Map<String, Object> c = new LinkedHashMap<>();
    c.put("id", idOf(event, table));
    switch (event.getKind()) {
      case DEMOGRAPHICS -> {
        c.put("birthdate", date(event.getEventTime()));
        c.put("deathdate", date(event.getEndTime()));
        c.put("gender", required(event.getCode(), "code (gender)", event));
        c.put("race", null);
        c.put("ethnicity", null);
      }
      case ENCOUNTER -> {
        c.put("patient_id", event.getPatientId());
        c.put("start_time", time(event.getEventTime()));
        c.put("stop_time", time(event.getEndTime()));
        c.put("encounter_class", event.getCategory());
        c.put("code_system", codeSystem(event, "SNOMED-CT"));
        c.put("code", required(event.getCode(), "code", event));
        c.put("description", event.getDescription());
        c.put("reason_code", null);
      }
      case DIAGNOSIS -> {
        c.put("patient_id", event.getPatientId());
        c.put("encounter_id", event.getEncounterId());
        c.put("start_time", time(event.getEventTime()));
        c.put("stop_time", time(event.getEndTime()));
        c.put("code_system", codeSystem(event, "SNOMED-CT"));
        c.put("code", required(event.getCode(), "code", event));
        c.put("description", event.getDescription());
      }
      case OBSERVATION -> {
        c.put("patient_id", event.getPatientId());
        c.put("encounter_id", event.getEncounterId());
        c.put("effective_time", time(event.getEventTime()));
        c.put("category", event.getCategory());
        c.put("code_system", codeSystem(event, "LOINC"));
        c.put("code", required(event.getCode(), "code", event));
        c.put("description", event.getDescription());
        c.put("value_numeric", event.getValue());
        c.put("value_text", event.getValueText());
        c.put("unit", event.getUnit());
      }
      case MEDICATION, PROCEDURE -> {
        c.put("patient_id", event.getPatientId());
        c.put("encounter_id", event.getEncounterId());
        c.put("start_time", time(event.getEventTime()));
        c.put("stop_time", time(event.getEndTime()));
        c.put("code_system", codeSystem(event, table.equals("medications") ? "RxNorm" : "SNOMED-CT"));
        c.put("code", required(event.getCode(), "code", event));
        c.put("description", event.getDescription());
        c.put("reason_code", null);
      }
      default -> throw new IllegalArgumentException("unsupported event kind " + event.getKind());
    }
    return new EhrRow(table, c);
  }

  /** The table that holds events of this kind. */
  public static String tableOf(EmrEvent event) {
    return switch (event.getKind()) {
      case DEMOGRAPHICS -> "patients";
      case ENCOUNTER -> "encounters";
      case DIAGNOSIS -> "conditions";
      case OBSERVATION -> "observations";
      case MEDICATION -> "medications";
      case PROCEDURE -> "procedures";
    };
  }

  private static String idOf(EmrEvent event, String table) {
    String eventId = event.getEventId();
    String prefix = table + ":";
    if (eventId.startsWith(prefix) && eventId.length() > prefix.length()) {
      return eventId.substring(prefix.length());
    }
    if (table.equals("patients") && eventId.equals(event.getPatientId())) {
      return eventId;
    }
    throw new IllegalArgumentException("eventId of a " + event.getKind() + " event does not start with '" + prefix
        + "'");
  }

  private static String required(String value, String field, EmrEvent event) {
    if (value == null || value.isEmpty()) {
      throw new IllegalArgumentException(event.getKind() + " event has no " + field);
    }
    return value;
  }

  private static String codeSystem(EmrEvent event, String fallback) {
    return event.getCodeSystem() == null ? fallback : event.getCodeSystem();
  }

  private static OffsetDateTime time(Instant instant) {
    return instant == null ? null : instant.atOffset(ZoneOffset.UTC);
  }

  private static LocalDate date(Instant instant) {
    return instant == null ? null : LocalDate.ofInstant(instant, ZoneOffset.UTC);
  }
}
