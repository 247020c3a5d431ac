package io.riskstream.scoring.tensorrt;

import static org.assertj.core.api.Assertions.assertThat;

import io.riskstream.scoring.model.ModelBundle;
import io.riskstream.scoring.onnx.OnnxRuntimeScorer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The parity gate's inputs from a shipped model bundle (the test-tiny model), on the CPU. */
class BundleParityTest {

  @TempDir
  Path dir;

  private final ModelBundle bundle = ModelBundle.fromClasspath("test-tiny");

  @Test
  void shouldTakeTheShippedValidationSetWithItsMaskedLabels() {
    io.riskstream.scoring.model.ValidationSet shipped = bundle.validation().orElseThrow();

    ValidationSet validation = ValidationSet.of(shipped);

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
  void shouldWriteTheBundlesOnnxOnceWithItsHash() throws Exception {
    Path file = TensorRtBackend.onnxFile(bundle, dir);

    assertThat(Hashing.sha256(file)).isEqualTo(bundle.sha256());
    long written = Files.getLastModifiedTime(file).toMillis();
    assertThat(TensorRtBackend.onnxFile(bundle, dir)).isEqualTo(file);
    assertThat(Files.getLastModifiedTime(file).toMillis()).isEqualTo(written);
    Files.write(file, new byte[] {1});
    assertThat(Hashing.sha256(TensorRtBackend.onnxFile(bundle, dir))).isEqualTo(bundle.sha256());
  }

  @Test
  void shouldPassTheGateBetweenTwoOnnxRuntimeScorersOfTheBundle() {
    ValidationSet validation = ValidationSet.of(bundle.validation().orElseThrow());
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
