package io.riskstream.app.demo;

import io.riskstream.topology.TriggerProcessor;
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
 * @param shadowReport with a shadow model, the summary of its scores and of the shadow report; else empty
 */
public record DemoSummary(long patients, long eventsProduced, long transactions, long rejected, long eventsConsumed,
    long emrEvents, long scores, long distinctScores, long alerts, Map<String, Map<String, Long>> alertsByOutcome,
    long deadLetters, Map<String, Double> maxProbability, long latencySamples, double p50LatencyMs, double p99LatencyMs, double firstAlertSeconds,
    double feedSeconds, double wallSeconds, long peakRssKb, boolean interrupted,
    Map<TriggerProcessor.CloseRule, Long> transactionCloses, java.util.List<String> shadowReport) {

  public DemoSummary {
    Map<String, Map<String, Long>> copy = new TreeMap<>();
    alertsByOutcome.forEach((k, v) -> copy.put(k, Map.copyOf(v)));
    alertsByOutcome = Map.copyOf(copy);
    maxProbability = Map.copyOf(maxProbability);
    Map<TriggerProcessor.CloseRule, Long> closes = new EnumMap<>(TriggerProcessor.CloseRule.class);
    closes.putAll(transactionCloses);
    transactionCloses = Collections.unmodifiableMap(closes);
    shadowReport = java.util.List.copyOf(shadowReport);
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
