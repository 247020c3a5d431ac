package io.riskstream.topology;

import io.riskstream.scoring.ModelInput;
import io.riskstream.scoring.Scored;
import io.riskstream.scoring.Scorer;
import io.riskstream.scoring.ScorerInfo;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Deterministic test scorer with outcomes "a" and "b": p(a) = min(1, Σ (t − 100) / 100 over tokens t in [100, 199]),
 * p(b) the same over [200, 299]. So a condition coded "150" adds 0.5 to outcome a.
 */
public final class TokenSumTestScorer implements Scorer {

  static final ScorerInfo INFO = new ScorerInfo("test", "fp32", "token-sum", "1", "0123abcd", List.of("a", "b"));

  @Override
  public ScorerInfo info() {
    return INFO;
  }

  @Override
  public float[][] score(List<ModelInput> batch) {
    float[][] out = new float[batch.size()][2];
    for (int i = 0; i < batch.size(); i++) {
      for (long t : batch.get(i).tokens()) {
        if (t >= 100 && t < 200) {
          out[i][0] += (t - 100) / 100f;
        } else if (t >= 200 && t < 300) {
          out[i][1] += (t - 200) / 100f;
        }
      }
      out[i][0] = Math.min(1f, out[i][0]);
      out[i][1] = Math.min(1f, out[i][1]);
    }
    return out;
  }

  @Override
  public void close() {
  }

  /** {@code probabilities} as this scorer's engine computed them. */
  static Scored scored(float[] probabilities) {
    return new Scored(probabilities, INFO.backend(), INFO.precision());
  }

  /** A backend that scores each submission at once (batch of one). */
  public static ScoringBackend synchronousBackend() {
    TokenSumTestScorer s = new TokenSumTestScorer();
    return new ScoringBackend(INFO, List.of(365, 365), in -> CompletableFuture.completedFuture(scored(s.score(List.of(in))[0])));
  }
}
