package io.riskstream.scoring;

import java.util.List;

/**
 * Scores batches of encoded histories with one model. Implementations are thread-safe, and the probabilities of
 * an input never depend on the other inputs of its batch (on the CPU they are bitwise equal; see each backend).
 */
public interface Scorer extends AutoCloseable {

  /** Backend, precision and the model this scorer runs. */
  ScorerInfo info();

  /**
   * Scores a batch.
   *
   * @return {@code result[i][k]} = probability of outcome {@code info().outcomes().get(k)} for {@code batch.get(i)}
   * @throws ScoringException when the backend fails (for example a CUDA error); the batch may be retried elsewhere
   */
  float[][] score(List<ModelInput> batch);

  /**
   * Scores a batch and says which engine computed it: {@link #info()} for a scorer of one engine; a scorer that fails
   * over ({@link FailoverScorer}) names the one that actually served the batch.
   *
   * @throws ScoringException as {@link #score}
   */
  default ScoredBatch scoreBatch(List<ModelInput> batch) {
    return new ScoredBatch(score(batch), info(), false);
  }

  @Override
  void close();
}
