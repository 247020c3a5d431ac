package io.riskstream.scoring.tensorrt;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ParityGateTest {

  private final ParityGate gate = new ParityGate(ParityTolerances.DEFAULTS, 64);
  private final float[][] reference = {{0.1f, 0.7f}, {0.4f, 0.2f}, {0.8f, 0.6f}, {0.3f, 0.9f}};
  private final int[][] labels = {{0, 1}, {1, 0}, {1, 0}, {0, 1}};

  @Test
  void shouldPassWithinTheFp32Tolerance() {
    ParityReport report = gate.compare(Precision.FP32, shift(reference, 5e-5f), reference, labels);

    assertThat(report.passed()).isTrue();
    assertThat(report.maxAbsDiff()).isBetween(4e-5, 6e-5);
    assertThat(report.samples()).isEqualTo(4);
    assertThat(report.engineAuroc()).isEqualTo(report.referenceAuroc());
  }

  @Test
  void shouldFailFp32ButPassFp16ForADifferenceOfOneThousandth() {
    float[][] engine = shift(reference, 1e-3f);

    assertThat(gate.compare(Precision.FP32, engine, reference, labels).passed()).isFalse();
    assertThat(gate.compare(Precision.FP16, engine, reference, labels).passed()).isTrue();
  }

  @Test
  void shouldFailWhenTheAurocMovesEvenIfDifferencesAreSmall() {
    ParityGate loose = new ParityGate(new ParityTolerances(1.0, 1.0, 1.0, 0.005), 64);
    float[][] swapped = {{0.1f, 0.7f}, {0.8f, 0.2f}, {0.4f, 0.6f}, {0.3f, 0.9f}};
    float[][] ranked = {{0.1f, 0.7f}, {0.4f, 0.2f}, {0.3f, 0.6f}, {0.8f, 0.9f}};

    ParityReport report = loose.compare(Precision.FP16, ranked, swapped, labels);

    assertThat(report.passed()).isFalse();
    assertThat(report.summary()).contains("FAILED");
  }

  @Test
  void shouldLeaveMaskedLabelsOutOfTheAuroc() {
    int[][] masked = {{0, 1}, {1, -1}, {1, -1}, {0, 1}};
    float[][] engine = {{0.1f, 0.7f}, {0.4f, 0.9f}, {0.8f, 0.95f}, {0.3f, 0.9f}};

    ParityReport report = new ParityGate(new ParityTolerances(1.0, 1.0, 1.0, 0.005), 64)
        .compare(Precision.FP16, engine, reference, masked);

    assertThat(report.passed()).isTrue();
    assertThat(report.referenceAuroc().get(1)).isNaN();
  }

  @Test
  void shouldFailOnNaN() {
    float[][] engine = shift(reference, 0f);
    engine[2][1] = Float.NaN;

    assertThat(gate.compare(Precision.FP16, engine, reference, labels).passed()).isFalse();
  }

  private static float[][] shift(float[][] values, float delta) {
    float[][] out = new float[values.length][];
    for (int i = 0; i < values.length; i++) {
      out[i] = values[i].clone();
      for (int k = 0; k < out[i].length; k++) {
        out[i][k] += (i % 2 == 0 ? delta : -delta);
      }
    }
    return out;
  }
}
