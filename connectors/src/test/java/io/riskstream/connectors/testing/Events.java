package io.riskstream.connectors.testing;

import io.riskstream.schemas.EmrEvent;
import io.riskstream.schemas.EventKind;
import io.riskstream.schemas.EventOp;
import io.riskstream.schemas.SourceCoordinates;
import java.time.Instant;

/** Hand-made EmrEvents for tests. */
public final class Events {

  private Events() {
  }

  public static SourceCoordinates source(String table) {
    return SourceCoordinates.newBuilder().setSystem("test").setTable(table).build();
  }

  public static EmrEvent patient(String patientId, String birth, String gender) {
    return EmrEvent.newBuilder().setPatientId(patientId).setEventId("patients:" + patientId).setOp(EventOp.UPSERT)
        .setKind(EventKind.DEMOGRAPHICS).setEventTime(Instant.parse(birth + "T00:00:00Z"))
        .setCodeSystem("administrative-gender").setCode(gender).setSource(source("patients")).build();
  }

  public static EmrEvent encounter(String patientId, String encounterId, String start, String code) {
    return EmrEvent.newBuilder().setPatientId(patientId).setEventId("encounters:" + encounterId)
        .setOp(EventOp.UPSERT).setKind(EventKind.ENCOUNTER).setEventTime(Instant.parse(start))
        .setEndTime(Instant.parse(start).plusSeconds(900)).setCodeSystem("SNOMED-CT").setCode(code)
        .setDescription("encounter").setCategory("ambulatory").setEncounterId(encounterId)
        .setSource(source("encounters")).build();
  }

  public static EmrEvent condition(String patientId, String encounterId, String id, String start, String code) {
    return EmrEvent.newBuilder().setPatientId(patientId).setEventId("conditions:" + id).setOp(EventOp.UPSERT)
        .setKind(EventKind.DIAGNOSIS).setEventTime(Instant.parse(start)).setCodeSystem("SNOMED-CT").setCode(code)
        .setDescription("condition").setEncounterId(encounterId).setSource(source("conditions")).build();
  }

  public static EmrEvent observation(String patientId, String encounterId, String id, String time, String loinc,
                                     double value, String unit) {
    return EmrEvent.newBuilder().setPatientId(patientId).setEventId("observations:" + id).setOp(EventOp.UPSERT)
        .setKind(EventKind.OBSERVATION).setEventTime(Instant.parse(time)).setCodeSystem("LOINC").setCode(loinc)
        .setDescription("lab").setCategory("laboratory").setValue(value).setUnit(unit).setEncounterId(encounterId)
        .setSource(source("observations")).build();
  }

  public static EmrEvent medication(String patientId, String encounterId, String id, String start, String rxnorm) {
    return EmrEvent.newBuilder().setPatientId(patientId).setEventId("medications:" + id).setOp(EventOp.UPSERT)
        .setKind(EventKind.MEDICATION).setEventTime(Instant.parse(start)).setCodeSystem("RxNorm").setCode(rxnorm)
        .setDescription("drug").setEncounterId(encounterId).setSource(source("medications")).build();
  }

  public static EmrEvent procedure(String patientId, String encounterId, String id, String start, String code) {
    return EmrEvent.newBuilder().setPatientId(patientId).setEventId("procedures:" + id).setOp(EventOp.UPSERT)
        .setKind(EventKind.PROCEDURE).setEventTime(Instant.parse(start)).setCodeSystem("SNOMED-CT").setCode(code)
        .setDescription("procedure").setEncounterId(encounterId).setSource(source("procedures")).build();
  }

  public static EmrEvent deleted(EmrEvent event) {
    return EmrEvent.newBuilder(event).setOp(EventOp.DELETE).build();
  }
}
