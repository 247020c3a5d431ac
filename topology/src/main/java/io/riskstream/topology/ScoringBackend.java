package io.riskstream.topology;

import io.riskstream.scoring.ModelInput;
import io.riskstream.scoring.ScorerInfo;
import io.riskstream.scoring.model.OperatingPoint;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The one per-JVM scoring service the score processors share: what runs ({@link ScorerInfo}), each outcome's
 * horizon in days and display name (in {@code info.outcomes()} order), a non-blocking submit, e.g. scoring's
 * {@code DynamicBatcher::submit}, and the model card's operating points by outcome (the alert thresholds used where
 * the configuration sets none; may be empty).
 */
public record ScoringBackend(ScorerInfo info, List<Integer> horizonDays, Submitter submitter,
    List<String> displayNames, Map<String, OperatingPoint> operatingPoints) {

  /** A backend whose outcomes are shown by name and whose model recommends no thresholds. */
  public ScoringBackend(ScorerInfo info, List<Integer> horizonDays, Submitter submitter) {
    this(info, horizonDays, submitter, info.outcomes(), Map.of());
  }

  /** Submits one input; the future completes with one probability per outcome. Must not block for long. */
  @FunctionalInterface
  public interface Submitter {
    CompletableFuture<float[]> submit(ModelInput input);
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
    operatingPoints = Map.copyOf(operatingPoints);
  }

  /** The display name of {@code outcome}, else the outcome itself. */
  public String displayName(String outcome) {
    int k = info.outcomes().indexOf(outcome);
    return k < 0 ? outcome : displayNames.get(k);
  }
}
