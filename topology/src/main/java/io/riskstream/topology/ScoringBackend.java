package io.riskstream.topology;

import io.riskstream.scoring.ModelInput;
import io.riskstream.scoring.ScorerInfo;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The one per-JVM scoring service the score processors share: what runs ({@link ScorerInfo}), each outcome's
 * horizon in days (in {@code info.outcomes()} order) and a non-blocking submit, e.g. scoring's
 * {@code DynamicBatcher::submit}.
 */
public record ScoringBackend(ScorerInfo info, List<Integer> horizonDays, Submitter submitter) {

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
  }
}
