package io.riskstream.topology;

import io.riskstream.scoring.ModelInput;
import io.riskstream.scoring.Scorer;
import io.riskstream.scoring.ScorerInfo;
import io.riskstream.scoring.ScoringException;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * {@link TokenSumTestScorer}'s probabilities under another engine's backend and precision (e.g. "tensorrt"/"fp16"),
 * throwing {@link ScoringException} as a failed GPU does while {@link #failing} is set: the two sides of a
 * {@code FailoverScorer} in tests.
 */
public final class NamedTestScorer implements Scorer {

  private final ScorerInfo info;
  private final TokenSumTestScorer sums = new TokenSumTestScorer();
  public final AtomicBoolean failing = new AtomicBoolean();

  public NamedTestScorer(String backend, String precision) {
    ScorerInfo t = TokenSumTestScorer.INFO;
    this.info = new ScorerInfo(backend, precision, t.modelId(), t.modelVersion(), t.modelSha256(), t.outcomes());
  }

  @Override
  public ScorerInfo info() {
    return info;
  }

  @Override
  public float[][] score(List<ModelInput> batch) {
    if (failing.get()) {
      throw new ScoringException("CUDA error 700: an illegal memory access was encountered");
    }
    return sums.score(batch);
  }

  @Override
  public void close() {
  }
}
