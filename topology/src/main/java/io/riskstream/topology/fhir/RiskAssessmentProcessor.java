package io.riskstream.topology.fhir;

import io.riskstream.schemas.RiskAlert;
import io.riskstream.schemas.RiskScore;
import java.time.Instant;
import java.util.List;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * assess: the FHIR R4 RiskAssessment of every score and alert (see {@link RiskAssessments}), forwarded as FHIR JSON
 * keyed by patient id and kept, the newest {@value #RECENT_PER_PATIENT} per patient, in store {@value #STORE} for the
 * FHIR search endpoint and the CDS Hooks cards; alerts are also indexed by id in {@value #ALERT_INDEX}, the newest
 * {@code alertsPerPatient} of each patient (their ids kept with the patient's assessments, so an older one's entry is
 * deleted as a new one is added). {@code meta.lastUpdated} is the record's timestamp.
 */
public final class RiskAssessmentProcessor implements Processor<String, Object, String, String> {

  public static final String STORE = "risk-assessments";
  /**
   * Alert id → {@link AlertRef} of the newest alerts of each patient (feedback names only the alert); bounded by the
   * alerts kept per patient ({@code alert.index.per.patient}).
   */
  public static final String ALERT_INDEX = "alert-index";
  /** Assessments kept per patient in {@value #STORE}. */
  public static final int RECENT_PER_PATIENT = 32;

  private final RiskAssessments assessments;
  private final int alertsPerPatient;
  private ProcessorContext<String, String> context;
  private KeyValueStore<String, RecentAssessments> store;
  private KeyValueStore<String, AlertRef> alertIndex;

  /** @param alertsPerPatient the alerts of each patient kept in {@value #ALERT_INDEX} (the newest; at least 1) */
  public RiskAssessmentProcessor(RiskAssessments assessments, int alertsPerPatient) {
    if (alertsPerPatient < 1) {
      throw new IllegalArgumentException("alertsPerPatient must be at least 1, got " + alertsPerPatient);
    }
    this.assessments = assessments;
    this.alertsPerPatient = alertsPerPatient;
  }

  @Override
  public void init(ProcessorContext<String, String> context) {
    this.context = context;
    this.store = context.getStateStore(STORE);
    this.alertIndex = context.getStateStore(ALERT_INDEX);
  }

  @Override
  public void process(Record<String, Object> record) {
    Instant lastUpdated = Instant.ofEpochMilli(record.timestamp());
    String patient;
    String resourceId;
    String json;
    if (record.value() instanceof RiskScore score) {
      patient = score.getPatientId();
      resourceId = score.getScoreId();
      json = assessments.scoreJson(score, lastUpdated);
    } else if (record.value() instanceof RiskAlert alert) {
      patient = alert.getPatientId();
      resourceId = alert.getAlertId();
      json = assessments.toJson(assessments.ofAlert(alert, lastUpdated));
      alertIndex.put(alert.getAlertId(), new AlertRef(alert.getAlertId(), patient, alert.getOutcome(),
          alert.getSeverity().name(), alert.getAsOf().toEpochMilli()));
    } else {
      throw new IllegalArgumentException("expected a RiskScore or RiskAlert, got "
          + (record.value() == null ? "null" : record.value().getClass().getSimpleName()));
    }
    RecentAssessments stored = store.get(patient);
    RecentAssessments recent = (stored == null ? RecentAssessments.empty() : stored)
        .with(new RecentAssessments.Stored(resourceId, record.timestamp(), json), RECENT_PER_PATIENT);
    if (record.value() instanceof RiskAlert alert) {
      List<String> before = recent.indexedAlerts();
      recent = recent.withIndexedAlert(alert.getAlertId(), alertsPerPatient);
      for (String id : before) {
        if (!recent.indexedAlerts().contains(id)) {
          alertIndex.delete(id);
        }
      }
    }
    store.put(patient, recent);
    context.forward(new Record<>(patient, json, record.timestamp()));
  }
}
