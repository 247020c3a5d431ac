package io.riskstream.app.demo;

import io.riskstream.topology.AlertDecision;
import io.riskstream.topology.TriggerProcessor;
import io.riskstream.topology.calibration.CalibrationStatus;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a demo run did.
 *
 * @param patients patients fed
 * @param eventsProduced CDC change events the demo produced
 * @param transactions source transactions produced
 * @param rejected events of the cohort the EHR row mapping could not represent (not produced)
 * @param eventsConsumed change events the application had consumed (its committed source offsets) at the end
 * @param emrEvents EmrEvents the demo read from the emr-events topic (read_committed)
 * @param scores RiskScores read
 * @param distinctScores distinct scoreIds among them
 * @param alerts RiskAlerts read
 * @param alertsByOutcome alerts per outcome (its display name) and severity
 * @param deadLetters DeadLetters read
 * @param maxProbability the highest probability per outcome among the scores read (to choose alert thresholds)
 * @param latencySamples scores whose trigger transaction the demo produced in this run (the latency samples)
 * @param p50LatencyMs median latency from producing a transaction's last change event to receiving its score
 * @param p99LatencyMs 99th percentile of that latency
 * @param firstAlertSeconds seconds from the start of the demo to the first alert, or -1 when none arrived
 * @param feedSeconds seconds spent feeding
 * @param wallSeconds seconds from start to the end of the drain
 * @param peakRssKb this JVM's peak resident set size (VmHWM), or -1 where unknown
 * @param interrupted whether the run was stopped (Ctrl-C) before the feed was done and drained
 * @param transactionCloses the trigger's close counters by rule (per-event scorings included), at the end
 * @param calibration per outcome, the newest closed calibration window (observed vs expected) at the end
 * @param labels the calibration labels of all outcomes at the end: positive, negative, excluded, late
 * @param labelTotals per outcome, every label of the run (not windowed): labelled, observed, expected
 * @param shadowReport with a shadow model, the summary of its scores and of the shadow report; else empty
 * @param alertsWithheld alerts the policy raised and the application withheld, by reason, at the end
 */
public record DemoSummary(long patients, long eventsProduced, long transactions, long rejected, long eventsConsumed,
    long emrEvents, long scores, long distinctScores, long alerts, Map<String, Map<String, Long>> alertsByOutcome,
    long deadLetters, Map<String, Double> maxProbability, long latencySamples, double p50LatencyMs, double p99LatencyMs, double firstAlertSeconds,
    double feedSeconds, double wallSeconds, long peakRssKb, boolean interrupted,
    Map<TriggerProcessor.CloseRule, Long> transactionCloses, Map<String, CalibrationStatus.Latest> calibration,
    Labels labels, Map<String, CalibrationStatus.Totals> labelTotals, java.util.List<String> shadowReport,
    Map<AlertDecision.Withheld, Long> alertsWithheld) {

  /**
   * Calibration labels of all outcomes: scores followed by an onset within the horizon, scores without, scores of
   * patients who already had the outcome, and labels that reached an already closed window (Kafka Streams'
   * {@code dropped-records-total}, which counts nothing else in the demo while it has no dead letters).
   */
  public record Labels(long positive, long negative, long excluded, long late) {
    public static final Labels NONE = new Labels(0, 0, 0, 0);
  }

  /** A summary without calibration windows and without a shadow model. */
  public DemoSummary(long patients, long eventsProduced, long transactions, long rejected, long eventsConsumed,
      long emrEvents, long scores, long distinctScores, long alerts, Map<String, Map<String, Long>> alertsByOutcome,
      long deadLetters, Map<String, Double> maxProbability, long latencySamples, double p50LatencyMs,
      double p99LatencyMs, double firstAlertSeconds, double feedSeconds, double wallSeconds, long peakRssKb,
      boolean interrupted, Map<TriggerProcessor.CloseRule, Long> transactionCloses) {
    this(patients, eventsProduced, transactions, rejected, eventsConsumed, emrEvents, scores, distinctScores, alerts,
        alertsByOutcome, deadLetters, maxProbability, latencySamples, p50LatencyMs, p99LatencyMs, firstAlertSeconds,
        feedSeconds, wallSeconds, peakRssKb, interrupted, transactionCloses, Map.of(), Labels.NONE, Map.of(),
        java.util.List.of(), Map.of());
  }

  public DemoSummary {
    calibration = new TreeMap<>(calibration);
    labelTotals = new TreeMap<>(labelTotals);
    Map<String, Map<String, Long>> copy = new TreeMap<>();
    alertsByOutcome.forEach((k, v) -> copy.put(k, Map.copyOf(v)));
    alertsByOutcome = Map.copyOf(copy);
    maxProbability = Map.copyOf(maxProbability);
    Map<TriggerProcessor.CloseRule, Long> closes = new EnumMap<>(TriggerProcessor.CloseRule.class);
    closes.putAll(transactionCloses);
    transactionCloses = Collections.unmodifiableMap(closes);
    shadowReport = java.util.List.copyOf(shadowReport);
    Map<AlertDecision.Withheld, Long> withheld = new EnumMap<>(AlertDecision.Withheld.class);
    for (AlertDecision.Withheld w : AlertDecision.Withheld.values()) {
      withheld.put(w, alertsWithheld.getOrDefault(w, 0L));
    }
    alertsWithheld = Collections.unmodifiableMap(withheld);
  }

  /** Change events the application consumed per second of wall time (start to the end of the drain). */
  public double eventsPerSecond() {
    return wallSeconds <= 0 ? 0 : eventsConsumed / wallSeconds;
  }

  /** Scores per second of wall time from start to the end of the drain. */
  public double scoresPerSecond() {
    return wallSeconds <= 0 ? 0 : scores / wallSeconds;
  }
}
