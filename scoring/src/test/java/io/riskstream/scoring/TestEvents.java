package io.riskstream.scoring;

import io.riskstream.schemas.EmrEvent;
import io.riskstream.schemas.EventKind;
import io.riskstream.schemas.EventOp;
import io.riskstream.schemas.SourceCoordinates;
import java.time.Instant;

/** Hand-built EmrEvents for tests. Times are in days since 1970-01-01 (the epoch). */
public final class TestEvents {

  public static final long DAY = 86_400_000L;

  private TestEvents() {
  }

  public static EmrEvent.Builder event(String patientId, String eventId, EventKind kind, double day) {
    return EmrEvent.newBuilder()
        .setPatientId(patientId)
        .setEventId(eventId)
        .setOp(EventOp.UPSERT)
        .setKind(kind)
        .setEventTime(Instant.ofEpochMilli(Math.round(day * DAY)))
        .setSource(SourceCoordinates.newBuilder().setSystem("test").setTable(kind.name().toLowerCase()).build());
  }

  public static EmrEvent demographics(String patientId, double birthDay, String sex) {
    return event(patientId, "patients:" + patientId, EventKind.DEMOGRAPHICS, birthDay)
        .setCodeSystem("administrative-gender").setCode(sex).build();
  }

  public static EmrEvent coded(String patientId, String eventId, EventKind kind, double day, String system,
      String code) {
    return event(patientId, eventId, kind, day).setCodeSystem(system).setCode(code).build();
  }

  public static EmrEvent encounter(String patientId, String eventId, double day, double endDay, String category,
      String code) {
    return event(patientId, eventId, EventKind.ENCOUNTER, day).setCodeSystem("SNOMED-CT").setCode(code)
        .setCategory(category).setEndTime(Instant.ofEpochMilli(Math.round(endDay * DAY))).build();
  }

  public static EmrEvent observation(String patientId, String eventId, double day, String loinc, Double value,
      String text) {
    return event(patientId, eventId, EventKind.OBSERVATION, day).setCodeSystem("LOINC").setCode(loinc)
        .setValue(value).setValueText(text).build();
  }

  public static EmrEvent diagnosis(String patientId, String eventId, double day, String code) {
    return coded(patientId, eventId, EventKind.DIAGNOSIS, day, "SNOMED-CT", code);
  }
}
