package io.riskstream.scoring;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Scores with a primary scorer (the GPU) and, when it throws {@link ScoringException}, scores the same batch with
 * the fallback (ONNX Runtime on the CPU), counting each failover. After {@code abandonAfter} consecutive primary
 * failures (a CUDA error usually leaves the GPU context unusable) the primary is no longer tried. Thread-safe.
 * The fallback's own failure propagates.
 */
public final class FailoverScorer implements Scorer {

  private static final Logger LOG = LoggerFactory.getLogger(FailoverScorer.class);

  private final Scorer primary;
  private final Scorer fallback;
  private final int abandonAfter;
  private final AtomicLong failovers = new AtomicLong();
  private final AtomicInteger consecutiveFailures = new AtomicInteger();

  /**
   * @param abandonAfter consecutive primary failures after which only the fallback is used (at least 1)
   */
  public FailoverScorer(Scorer primary, Scorer fallback, int abandonAfter) {
    if (abandonAfter < 1) {
      throw new IllegalArgumentException("abandonAfter must be at least 1, got " + abandonAfter);
    }
    if (!primary.info().outcomes().equals(fallback.info().outcomes())) {
      throw new IllegalArgumentException("primary and fallback scorers have different outcomes: "
          + primary.info().outcomes() + " vs " + fallback.info().outcomes());
    }
    this.primary = primary;
    this.fallback = fallback;
    this.abandonAfter = abandonAfter;
  }

  /** The scorer that serves now: the primary's info until it is abandoned, then the fallback's. */
  @Override
  public ScorerInfo info() {
    return primaryAbandoned() ? fallback.info() : primary.info();
  }

  @Override
  public float[][] score(List<ModelInput> batch) {
    return scoreBatch(batch).probabilities();
  }

  /** As {@link #score}, naming the scorer that computed the batch and whether the primary failed on it first. */
  @Override
  public ScoredBatch scoreBatch(List<ModelInput> batch) {
    if (primaryAbandoned()) {
      return new ScoredBatch(fallback.score(batch), fallback.info(), false);
    }
    try {
      float[][] out = primary.score(batch);
      consecutiveFailures.set(0);
      return new ScoredBatch(out, primary.info(), false);
    } catch (ScoringException e) {
      long n = failovers.incrementAndGet();
      int consecutive = consecutiveFailures.incrementAndGet();
      LOG.warn("Scorer {} failed on a batch of {} ({}); failing over to {} (failover #{}, {} in a row{})",
          primary.info().backend(), batch.size(), e.getMessage(), fallback.info().backend(), n, consecutive,
          consecutive >= abandonAfter ? ": primary abandoned" : "");
    }
    return new ScoredBatch(fallback.score(batch), fallback.info(), true);
  }

  /** Batches scored by the fallback because the primary failed on them. */
  public long failovers() {
    return failovers.get();
  }

  public boolean primaryAbandoned() {
    return consecutiveFailures.get() >= abandonAfter;
  }

  @Override
  public void close() {
    try {
      primary.close();
    } finally {
      fallback.close();
    }
  }
}
