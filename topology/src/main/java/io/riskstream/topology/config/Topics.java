package io.riskstream.topology.config;

import io.riskstream.schemas.DeadLetter;
import io.riskstream.schemas.EmrEvent;
import io.riskstream.schemas.RiskAlert;
import io.riskstream.schemas.RiskAlertFeedback;
import io.riskstream.schemas.RiskScore;
import java.util.List;
import java.util.Objects;
import org.apache.avro.specific.SpecificRecord;

/**
 * The topics RiskStream writes, each Avro one with the record type of its values, as the configuration names them
 * ({@code topic.*} keys). The topology, the commands and the tests take names from here, never from literals.
 *
 * @param emrEvents normalized events keyed by patient id (the contract topic and the re-keying topic)
 * @param riskScores scores keyed by patient id
 * @param riskAlerts alerts keyed by patient id
 * @param deadLetters records no stage could process, keyed by the original key
 * @param riskAssessments FHIR R4 RiskAssessment resources (JSON, not Avro) of every score and alert, keyed by patient id
 * @param alertFeedback clinicians' answers to alerts (CDS Hooks feedback, the alert inbox), keyed by patient id
 * @param riskScoresShadow the shadow model's scores keyed by patient id (only with {@code shadow.model})
 * @param riskAlertsShadow the shadow model's would-be alerts keyed by patient id, never published to clinicians (only
 *     with {@code shadow.model})
 */
public record Topics(Topic<EmrEvent> emrEvents, Topic<RiskScore> riskScores, Topic<RiskAlert> riskAlerts,
    Topic<DeadLetter> deadLetters, String riskAssessments, Topic<RiskAlertFeedback> alertFeedback,
    Topic<RiskScore> riskScoresShadow, Topic<RiskAlert> riskAlertsShadow) {

  /** One topic: its name and the Avro record type of its values. */
  public record Topic<V extends SpecificRecord>(String name, Class<V> valueType) {
    public Topic {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(valueType, "valueType");
    }
  }

  public Topics {
    Objects.requireNonNull(riskAssessments, "riskAssessments");
  }

  /**
   * The topics with their default names (emr-events, risk-scores, risk-alerts, riskstream-dlq, risk-assessments,
   * risk-alert-feedback, risk-scores-shadow, risk-alerts-shadow).
   */
  public static final Topics DEFAULTS = named("emr-events", "risk-scores", "risk-alerts", "riskstream-dlq",
      "risk-assessments", "risk-alert-feedback", "risk-scores-shadow", "risk-alerts-shadow");

  /** The four Avro topics as named, the others with their default names. */
  public static Topics named(String emrEvents, String riskScores, String riskAlerts, String deadLetters) {
    return named(emrEvents, riskScores, riskAlerts, deadLetters, "risk-assessments", "risk-alert-feedback",
        "risk-scores-shadow", "risk-alerts-shadow");
  }

  public static Topics named(String emrEvents, String riskScores, String riskAlerts, String deadLetters,
      String riskAssessments, String alertFeedback, String riskScoresShadow, String riskAlertsShadow) {
    return new Topics(new Topic<>(emrEvents, EmrEvent.class), new Topic<>(riskScores, RiskScore.class),
        new Topic<>(riskAlerts, RiskAlert.class), new Topic<>(deadLetters, DeadLetter.class), riskAssessments,
        new Topic<>(alertFeedback, RiskAlertFeedback.class), new Topic<>(riskScoresShadow, RiskScore.class),
        new Topic<>(riskAlertsShadow, RiskAlert.class));
  }

  /** The topics as {@code config} names them. */
  public static Topics of(RiskStreamConfig config) {
    return named(config.getString(RiskStreamConfig.TOPIC_EMR_EVENTS_CONFIG),
        config.getString(RiskStreamConfig.TOPIC_RISK_SCORES_CONFIG),
        config.getString(RiskStreamConfig.TOPIC_RISK_ALERTS_CONFIG),
        config.getString(RiskStreamConfig.TOPIC_DLQ_CONFIG),
        config.getString(RiskStreamConfig.TOPIC_RISK_ASSESSMENTS_CONFIG),
        config.getString(RiskStreamConfig.TOPIC_ALERT_FEEDBACK_CONFIG),
        config.getString(RiskStreamConfig.TOPIC_RISK_SCORES_SHADOW_CONFIG),
        config.getString(RiskStreamConfig.TOPIC_RISK_ALERTS_SHADOW_CONFIG));
  }

  /** Every name but the shadow topics', in the order above (the topics RiskStream creates when they are missing). */
  public List<String> names() {
    return List.of(emrEvents.name(), riskScores.name(), riskAlerts.name(), deadLetters.name(), riskAssessments,
        alertFeedback.name());
  }

  /** The shadow model's topics (created when missing while a shadow model runs). */
  public List<String> shadowNames() {
    return List.of(riskScoresShadow.name(), riskAlertsShadow.name());
  }
}
