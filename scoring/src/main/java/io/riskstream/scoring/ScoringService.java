package io.riskstream.scoring;

import io.riskstream.scoring.batch.DynamicBatcher;
import io.riskstream.scoring.model.ModelBundle;
import java.util.concurrent.CompletableFuture;

/**
 * The scoring of one JVM, as {@link Scoring#start} started it: the model, its scorer and the {@link DynamicBatcher}
 * every caller submits to. Owns the scorer and the batcher: {@link #close()} drains the batcher, then closes the
 * scorer.
 */
public final class ScoringService implements AutoCloseable {

  private final ModelBundle model;
  private final Scorer scorer;
  private final DynamicBatcher batcher;

  /** Takes ownership of {@code scorer} and {@code batcher}, which must batch for that scorer. */
  ScoringService(ModelBundle model, Scorer scorer, DynamicBatcher batcher) {
    this.model = model;
    this.scorer = scorer;
    this.batcher = batcher;
  }

  /** The model being served. */
  public ModelBundle model() {
    return model;
  }

  /** Backend, precision and model of the scorer that serves now. */
  public ScorerInfo info() {
    return scorer.info();
  }

  /**
   * Queues one input for the next batch; the future completes with one probability per outcome (order of
   * {@code info().outcomes()}). Never blocks on the scorer.
   */
  public CompletableFuture<Scored> submit(ModelInput input) {
    return batcher.submit(input);
  }

  /** The batcher, for its counters (batches, requests, queue length). */
  public DynamicBatcher batcher() {
    return batcher;
  }

  @Override
  public void close() {
    try {
      batcher.close();
    } finally {
      scorer.close();
    }
  }
}
