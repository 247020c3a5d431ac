package io.riskstream.scoring.tensorrt;

import static org.assertj.core.api.Assertions.assertThat;

import io.riskstream.scoring.model.ModelBundle;
import io.riskstream.scoring.model.ValidationSet;
import io.riskstream.scoring.onnx.OnnxRuntimeScorer;
import org.junit.jupiter.api.Test;

/** The parity gate's inputs from a shipped model bundle (the test-tiny model), on the CPU. */
class BundleParityTest {

  private final ModelBundle bundle = ModelBundle.fromClasspath("test-tiny");

  @Test
  void shouldTakeTheShippedValidationSetWithItsMaskedLabels() {
    ValidationSet shipped = bundle.validation().orElseThrow();

    ParitySet validation = ParitySet.of(shipped);

    assertThat(validation.inputs()).hasSize(shipped.size()).isEqualTo(shipped.inputs());
    float[][] rows = shipped.labelRows();
    int[][] labels = validation.labels();
    for (int i = 0; i < rows.length; i++) {
      for (int k = 0; k < rows[i].length; k++) {
        assertThat(labels[i][k]).isEqualTo((int) rows[i][k]).isBetween(-1, 1);
      }
    }
    assertThat(ModelIdentity.of(bundle).outcomes()).hasSize(rows[0].length);
  }

  @Test
  void shouldPassTheGateBetweenTwoOnnxRuntimeScorersOfTheBundle() {
    ParitySet validation = ParitySet.of(bundle.validation().orElseThrow());
    try (OnnxRuntimeScorer reference = new OnnxRuntimeScorer(bundle, new OnnxRuntimeScorer.Options(1, 16, 1));
        OnnxRuntimeScorer module = new OnnxRuntimeScorer(bundle, OnnxRuntimeScorer.Options.defaults())) {
      ParityReport report = new ParityGate(ParityTolerances.DEFAULTS, 32)
          .check(module, reference, Precision.FP32, validation.inputs(), validation.labels());

      assertThat(report.passed()).as(report.summary()).isTrue();
      assertThat(report.maxAbsDiff()).isLessThan(1e-5);
      assertThat(report.samples()).isEqualTo(validation.inputs().size());
    }
  }
}
