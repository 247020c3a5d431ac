package io.riskstream.app.replay;

import io.riskstream.schemas.RiskAlert;
import io.riskstream.schemas.RiskScore;
import io.riskstream.topology.config.RiskStreamConfig;
import io.riskstream.topology.config.Topics;
import io.riskstream.topology.serde.AvroSerdes;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.TopicPartition;

/**
 * Where the shadow model's would-be alerts differ from production's ({@link ShadowComparison}): reads risk-alerts and
 * the shadow's alert topic, each up to its end offsets when the report starts (records appended later are not read,
 * so a live stream does not move the comparison), and the scores of both models at the alerts' points, to leave out
 * alerts at points the other model never scored. Only reads; nothing is written to Kafka.
 */
public final class ShadowReport {

  /**
   * The report.
   *
   * @param productionAlertsTopic where production's alerts were read
   * @param shadowAlertsTopic where the shadow's would-be alerts were read
   * @param productionAlertsRead alerts read from it (of every period)
   * @param shadowAlertsRead would-be alerts read (of every period)
   * @param comparison the comparison of the period
   */
  public record Report(String productionAlertsTopic, String shadowAlertsTopic, int productionAlertsRead,
      int shadowAlertsRead, ShadowComparison.Result comparison) {
  }

  private ShadowReport() {
  }

  /** Reads both models' alerts (and the scores at their points) as {@code config} names the topics, and compares. */
  public static Report run(RiskStreamConfig config, AvroSerdes serdes, Instant from, Instant to,
      java.time.Duration window) {
    Topics topics = config.topics();
    Map<String, Map<TopicPartition, Long>> ends = new java.util.HashMap<>();
    for (String t : List.of(topics.riskAlerts().name(), topics.riskAlertsShadow().name(), topics.riskScores().name(),
        topics.riskScoresShadow().name())) {
      ends.put(t, AuditReplay.committedEnds(config, t));
    }
    List<RiskAlert> production = AuditReplay.readAll(config, topics.riskAlerts().name(),
        serdes.value(RiskAlert.class).deserializer(), a -> true, ends.get(topics.riskAlerts().name()));
    List<RiskAlert> shadow = AuditReplay.readAll(config, topics.riskAlertsShadow().name(),
        serdes.value(RiskAlert.class).deserializer(), a -> true, ends.get(topics.riskAlertsShadow().name()));
    Set<String> points = new HashSet<>();
    production.forEach(a -> points.add(ShadowComparison.scoredPoint(a.getPatientId(), a.getAsOf())));
    shadow.forEach(a -> points.add(ShadowComparison.scoredPoint(a.getPatientId(), a.getAsOf())));
    Set<String> shadowScored = scoredPoints(config, serdes, topics.riskScoresShadow().name(), points, ends);
    Set<String> productionScored = scoredPoints(config, serdes, topics.riskScores().name(), points, ends);
    return new Report(topics.riskAlerts().name(), topics.riskAlertsShadow().name(), production.size(), shadow.size(),
        ShadowComparison.compare(production, shadow, shadowScored::contains, productionScored::contains, from, to,
            window));
  }

  /**
   * The report in a few lines: the models, then per outcome and in all the alerts only production raised, only the
   * shadow raised and both raised, with the agreement rate (no patient ids).
   */
  public static List<String> summary(Report r) {
    ShadowComparison.Result c = r.comparison();
    List<String> out = new java.util.ArrayList<>();
    out.add("shadow report: production " + models(c.productionModels()) + " vs shadow " + models(c.shadowModels())
        + " (" + r.productionAlertsTopic() + " vs " + r.shadowAlertsTopic() + "; alerts of a patient and outcome"
        + " match within " + c.window().toDays() + " days)");
    c.outcomes().forEach((name, o) -> out.add(line(name, o)));
    out.add(line("all", c.total()));
    if (c.notScoredByShadow() + c.notScoredByProduction() > 0) {
      out.add(String.format(java.util.Locale.ROOT, "  not compared: %,d production alerts at histories the shadow did"
          + " not score, %,d shadow alerts at histories production did not score", c.notScoredByShadow(),
          c.notScoredByProduction()));
    }
    return out;
  }

  private static String line(String outcome, ShadowComparison.Outcome o) {
    return String.format(java.util.Locale.ROOT, "  %-24s production %,d, shadow %,d: both %,d (severity differs %,d;"
        + " shadow lag median %s), only production %,d, only shadow %,d; agreement %s; patients %,d / %,d / both %,d",
        outcome, o.production(), o.shadow(), o.both(), o.severityDiffers(),
        o.medianShadowLagDays() == null ? "-" : String.format(java.util.Locale.ROOT, "%+.0f d", o.medianShadowLagDays()),
        o.onlyProduction(), o.onlyShadow(),
        o.agreement() == null ? "-" : String.format(java.util.Locale.ROOT, "%.1f%%", o.agreement() * 100),
        o.patientsProduction(), o.patientsShadow(), o.patientsBoth());
  }

  private static String models(List<ShadowComparison.Model> models) {
    if (models.isEmpty()) {
      return "(no alerts)";
    }
    return String.join(" + ", models.stream().map(m -> m.id() + " " + m.version() + " ("
        + m.sha256().substring(0, Math.min(12, m.sha256().length())) + ")").toList());
  }

  /** Of {@code points}, those that a score on {@code topic} was computed at. */
  private static Set<String> scoredPoints(RiskStreamConfig config, AvroSerdes serdes, String topic, Set<String> points,
      Map<String, Map<TopicPartition, Long>> ends) {
    Set<String> out = new HashSet<>();
    AuditReplay.readAll(config, topic, serdes.value(RiskScore.class).deserializer(),
        s -> points.contains(ShadowComparison.scoredPoint(s.getPatientId(), s.getAsOf())), ends.get(topic))
        .forEach(s -> out.add(ShadowComparison.scoredPoint(s.getPatientId(), s.getAsOf())));
    return out;
  }
}
