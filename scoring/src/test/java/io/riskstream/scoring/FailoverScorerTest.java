package io.riskstream.scoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class FailoverScorerTest {

  private static final List<ModelInput> BATCH = TinyModel.inputs(3, 8, 1);

  /** A scorer that returns {@code value} for every input and outcome, or throws while {@code failing} is set. */
  private static final class ConstantScorer implements Scorer {
    private final ScorerInfo info;
    private final float value;
    private final AtomicBoolean failing = new AtomicBoolean();
    private final AtomicInteger calls = new AtomicInteger();
    private final AtomicBoolean closed = new AtomicBoolean();

    ConstantScorer(String backend, float value) {
      this(backend, value, List.of("x", "y"));
    }

    ConstantScorer(String backend, float value, List<String> outcomes) {
      this.info = new ScorerInfo(backend, "fp32", "m", "1", "a".repeat(64), outcomes);
      this.value = value;
    }

    @Override
    public ScorerInfo info() {
      return info;
    }

    @Override
    public float[][] score(List<ModelInput> batch) {
      calls.incrementAndGet();
      if (failing.get()) {
        throw new ScoringException("CUDA error 700: an illegal memory access was encountered");
      }
      float[][] out = new float[batch.size()][];
      for (int i = 0; i < out.length; i++) {
        out[i] = new float[] {value, value};
      }
      return out;
    }

    @Override
    public void close() {
      closed.set(true);
    }
  }

  private final ConstantScorer gpu = new ConstantScorer("tensorrt", 0.25f);
  private final ConstantScorer cpu = new ConstantScorer("onnxruntime", 0.75f);

  @Test
  void shouldServeFromThePrimaryWhileItWorks() {
    FailoverScorer scorer = new FailoverScorer(gpu, cpu, 3);

    assertThat(scorer.score(BATCH)[0][0]).isEqualTo(0.25f);
    assertThat(scorer.failovers()).isZero();
    assertThat(cpu.calls).hasValue(0);
    assertThat(scorer.info().backend()).isEqualTo("tensorrt");
  }

  @Test
  void shouldScoreTheSameBatchOnTheFallbackAndCountTheFailover() {
    FailoverScorer scorer = new FailoverScorer(gpu, cpu, 3);
    gpu.failing.set(true);

    float[][] out = scorer.score(BATCH);

    assertThat(out).hasDimensions(3, 2);
    assertThat(out[2][1]).isEqualTo(0.75f);
    assertThat(scorer.failovers()).isEqualTo(1);
    assertThat(scorer.primaryAbandoned()).isFalse();
  }

  @Test
  void shouldReturnToThePrimaryAfterATransientFailure() {
    FailoverScorer scorer = new FailoverScorer(gpu, cpu, 3);
    gpu.failing.set(true);
    scorer.score(BATCH);
    gpu.failing.set(false);

    assertThat(scorer.score(BATCH)[0][0]).isEqualTo(0.25f);
    assertThat(scorer.failovers()).isEqualTo(1);
  }

  @Test
  void shouldAbandonThePrimaryAfterConsecutiveFailures() {
    FailoverScorer scorer = new FailoverScorer(gpu, cpu, 2);
    gpu.failing.set(true);
    scorer.score(BATCH);
    scorer.score(BATCH);
    gpu.failing.set(false);

    assertThat(scorer.score(BATCH)[0][0]).isEqualTo(0.75f);
    assertThat(scorer.primaryAbandoned()).isTrue();
    assertThat(gpu.calls).hasValue(2);
    assertThat(scorer.failovers()).isEqualTo(2);
    assertThat(scorer.info().backend()).isEqualTo("onnxruntime");
  }

  @Test
  void shouldPropagateAFailureOfTheFallback() {
    FailoverScorer scorer = new FailoverScorer(gpu, cpu, 3);
    gpu.failing.set(true);
    cpu.failing.set(true);

    assertThatThrownBy(() -> scorer.score(BATCH)).isInstanceOf(ScoringException.class);
  }

  @Test
  void shouldRefuseScorersWithDifferentOutcomes() {
    Scorer other = new ConstantScorer("onnxruntime", 0f, List.of("x"));

    assertThatThrownBy(() -> new FailoverScorer(gpu, other, 1)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("different outcomes");
  }

  @Test
  void shouldCloseBothScorers() {
    new FailoverScorer(gpu, cpu, 1).close();

    assertThat(gpu.closed).isTrue();
    assertThat(cpu.closed).isTrue();
  }
}
