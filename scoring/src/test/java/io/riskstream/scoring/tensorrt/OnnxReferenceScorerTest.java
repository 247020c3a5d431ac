package io.riskstream.scoring.tensorrt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.riskstream.scoring.ModelInput;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OnnxReferenceScorerTest {

  @TempDir
  static Path dir;
  static Path model;

  @BeforeAll
  static void exportModel() throws Exception {
    Optional<Path> exported = TinyModel.export(dir);
    Assumptions.assumeTrue(exported.isPresent(), "needs python3 with torch to export the test model");
    model = exported.get();
  }

  @Test
  void shouldReturnOneProbabilityPerOutcome() throws Exception {
    try (OnnxReferenceScorer scorer = new OnnxReferenceScorer(model, TinyModel.identity(model), 1)) {
      float[][] out = scorer.score(TinyModel.inputs(5, 40, 3));

      assertThat(out).hasDimensions(5, 3);
      for (float[] row : out) {
        for (float p : row) {
          assertThat(p).isStrictlyBetween(0f, 1f);
        }
      }
      assertThat(scorer.info().backend()).isEqualTo("onnxruntime");
      assertThat(scorer.info().modelSha256()).isEqualTo(Hashing.sha256(model));
    }
  }

  @Test
  void shouldNotDependOnTheOtherInputsOfTheBatchOrOnPadding() throws Exception {
    List<ModelInput> inputs = TinyModel.inputs(6, 50, 4);
    try (OnnxReferenceScorer scorer = new OnnxReferenceScorer(model, TinyModel.identity(model), 1)) {
      float[][] together = scorer.score(inputs);
      for (int i = 0; i < inputs.size(); i++) {
        float[] alone = scorer.score(List.of(inputs.get(i)))[0];
        for (int k = 0; k < alone.length; k++) {
          assertThat(together[i][k]).isCloseTo(alone[k], within(1e-5f));
        }
      }
    }
  }
}
