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

  @Override
  void close();
}
