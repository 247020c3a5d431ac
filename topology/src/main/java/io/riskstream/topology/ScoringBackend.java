package io.riskstream.topology;

import io.riskstream.scoring.ModelInput;
import io.riskstream.scoring.Scored;
import io.riskstream.scoring.ScorerInfo;
import io.riskstream.scoring.model.OperatingPoint;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The one per-JVM scoring service the score processors share: the model and outcomes it serves ({@link ScorerInfo};
 * the engine of each score comes from its result, {@link Scored}), each outcome's horizon in days, display name and
 * SNOMED CT condition codes (in {@code info.outcomes()} order; from the model's encoder spec: the diagnoses whose
 * first occurrence is the outcome's onset, which FHIR and CDS Hooks name and calibration labels scores with; an outcome
 * without codes is not labelled), a non-blocking submit,
 * e.g. scoring's {@code DynamicBatcher::submit}, the model card's operating points by outcome (the alert thresholds
 * used where the configuration sets none; may be empty), where the score processors report each score's
 * event-to-score latency, and the youngest age the model covers (the card's population; no alert below it; 0 for a
 * backend without a card).
 */
public record ScoringBackend(ScorerInfo info, List<Integer> horizonDays, Submitter submitter,
    List<String> displayNames, List<List<String>> conditionCodes, Map<String, OperatingPoint> operatingPoints,
    ScoreLatencyListener latencyListener, double minimumAgeYears) {

  /** A backend whose model covers every age. */
  public ScoringBackend(ScorerInfo info, List<Integer> horizonDays, Submitter submitter,
      List<String> displayNames, List<List<String>> conditionCodes, Map<String, OperatingPoint> operatingPoints,
      ScoreLatencyListener latencyListener) {
    this(info, horizonDays, submitter, displayNames, conditionCodes, operatingPoints, latencyListener, 0);

  }

  /** A backend whose outcomes are shown by name, whose model recommends no thresholds and whose latencies nobody records. */
  public ScoringBackend(ScorerInfo info, List<Integer> horizonDays, Submitter submitter) {
    this(info, horizonDays, submitter, info.outcomes(), noCodes(info), Map.of(), millis -> { });
  }

  /** A backend whose outcomes are shown by name and whose model recommends no thresholds. */
  public ScoringBackend(ScorerInfo info, List<Integer> horizonDays, Submitter submitter,
      ScoreLatencyListener latencyListener) {
    this(info, horizonDays, submitter, info.outcomes(), noCodes(info), Map.of(), latencyListener);
  }

  /** A backend whose outcomes carry no condition codes and whose latencies nobody records. */
  public ScoringBackend(ScorerInfo info, List<Integer> horizonDays, Submitter submitter, List<String> displayNames,
      Map<String, OperatingPoint> operatingPoints) {
    this(info, horizonDays, submitter, displayNames, noCodes(info), operatingPoints, millis -> { });
  }

  private static List<List<String>> noCodes(ScorerInfo info) {
    return info.outcomes().stream().map(o -> List.<String>of()).toList();
  }

  /** Submits one input; the future completes with one probability per outcome and the engine that computed them. */
  @FunctionalInterface
  public interface Submitter {
    CompletableFuture<Scored> submit(ModelInput input);
  }

  /** Told, on a stream thread, about every score forwarded; must be quick (e.g. a histogram's record). */
  @FunctionalInterface
  public interface ScoreLatencyListener {
    /**
     * @param eventToScoreMillis wall-clock time of the score's forward minus the record timestamp of the newest change
     *     event of the transaction that triggered it (for CDC input: when the change reached Kafka)
     */
    void scored(long eventToScoreMillis);
  }

  public ScoringBackend {
    horizonDays = List.copyOf(horizonDays);
    if (horizonDays.size() != info.outcomes().size()) {
      throw new IllegalArgumentException("one horizon per outcome expected: " + info.outcomes().size()
          + " outcomes, " + horizonDays.size() + " horizons");
    }
    displayNames = List.copyOf(displayNames);
    if (displayNames.size() != info.outcomes().size()) {
      throw new IllegalArgumentException("one display name per outcome expected: " + info.outcomes().size()
          + " outcomes, " + displayNames.size() + " names");
    }
    conditionCodes = conditionCodes.stream().map(List::copyOf).toList();
    if (conditionCodes.size() != info.outcomes().size()) {
      throw new IllegalArgumentException("one list of condition codes per outcome expected: " + info.outcomes().size()
          + " outcomes, " + conditionCodes.size() + " lists");
    }
    operatingPoints = Map.copyOf(operatingPoints);
    if (!(minimumAgeYears >= 0)) {
      throw new IllegalArgumentException("the minimum age must be >= 0 years, got " + minimumAgeYears);
    }

  }

  /** The same backend with these condition codes per outcome (in {@code info.outcomes()} order). */
  public ScoringBackend withOnsetCodes(List<List<String>> codes) {
    return new ScoringBackend(info, horizonDays, submitter, displayNames, codes, operatingPoints, latencyListener,
        minimumAgeYears);
  }

  /** Each outcome's onset codes: its condition codes. */
  public List<List<String>> onsetCodes() {
    return conditionCodes;
  }

  /** The display name of {@code outcome}, else the outcome itself. */
  public String displayName(String outcome) {
    int k = info.outcomes().indexOf(outcome);
    return k < 0 ? outcome : displayNames.get(k);
  }

}
