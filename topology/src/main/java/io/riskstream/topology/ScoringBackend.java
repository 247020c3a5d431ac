package io.riskstream.topology;

import io.riskstream.scoring.ModelInput;
import io.riskstream.scoring.Scored;
import io.riskstream.scoring.ScorerInfo;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The one per-JVM scoring service the score processors share: the model and outcomes it serves ({@link ScorerInfo};
 * the engine of each score comes from its result, {@link Scored}), each outcome's horizon in days (in
 * {@code info.outcomes()} order), a non-blocking submit, e.g. scoring's {@code DynamicBatcher::submit}, and where the
 * score processors report each score's event-to-score latency.
 */
public record ScoringBackend(ScorerInfo info, List<Integer> horizonDays, Submitter submitter,
    ScoreLatencyListener latencyListener) {

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
  }

  /** A backend whose latencies nobody records. */
  public ScoringBackend(ScorerInfo info, List<Integer> horizonDays, Submitter submitter) {
    this(info, horizonDays, submitter, millis -> { });
  }
}
