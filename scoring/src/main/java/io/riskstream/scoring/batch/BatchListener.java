package io.riskstream.scoring.batch;

import io.riskstream.scoring.ScorerInfo;

/**
 * Told about every batch the {@link DynamicBatcher} scored, on the worker thread that scored it (so it must be quick,
 * and thread-safe: with several batcher instances, workers call it at once): e.g.
 * the app's Prometheus histograms of queue wait, compute time and batch size.
 */
@FunctionalInterface
public interface BatchListener {

  /**
   * One scored batch (also one that failed: its inputs' futures completed exceptionally).
   *
   * @param queueWaitNanos per input of the batch, the time from its submission to the start of the batch's scoring
   * @param computeNanos time the scorer took for the batch (with a failed batch's one-by-one retries)
   * @param engine the scorer that computed it (after a failover: the fallback)
   * @param failedOver whether the primary scorer failed on this batch and the fallback scored it
   */
  void batchScored(long[] queueWaitNanos, long computeNanos, ScorerInfo engine, boolean failedOver);
}
