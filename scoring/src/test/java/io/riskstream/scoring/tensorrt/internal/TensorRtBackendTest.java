package io.riskstream.scoring.tensorrt.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.riskstream.scoring.ModelInput;
import io.riskstream.scoring.Scorer;
import io.riskstream.scoring.ScorerInfo;
import io.riskstream.scoring.model.ModelBundle;
import io.riskstream.scoring.tensorrt.Hashing;
import io.riskstream.scoring.tensorrt.Precision;
import io.riskstream.scoring.tensorrt.ProfileSpec;
import io.riskstream.scoring.tensorrt.TensorRtOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the GPU scorer's start-up does before it touches the GPU, on the CPU (the rest: TensorRtGpuIT). */
class TensorRtBackendTest {

  @TempDir
  Path dir;

  private final ModelBundle bundle = ModelBundle.fromClasspath("test-tiny");

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
  void shouldCloseTheReferenceWhenTheProfilesDoNotCoverTheModel() {
    ClosingScorer reference = new ClosingScorer();
    TensorRtOptions options = TensorRtOptions.defaults(dir, Precision.FP32,
        new ProfileSpec(1, 8, List.of(bundle.spec().maxLength() / 2), 1));

    assertThatThrownBy(() -> TensorRtBackend.start(bundle, reference, options))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("engine profiles end at length");
    assertThat(reference.closed).isTrue();
  }

  /** A reference scorer that only records whether it was closed. */
  private static final class ClosingScorer implements Scorer {
    private final AtomicBoolean closed = new AtomicBoolean();

    @Override
    public ScorerInfo info() {
      return new ScorerInfo("onnxruntime", "fp32", "m", "1", "0".repeat(64), List.of("x"));
    }

    @Override
    public float[][] score(List<ModelInput> batch) {
      throw new UnsupportedOperationException("not scored in this test");
    }

    @Override
    public void close() {
      closed.set(true);
    }
  }
}
