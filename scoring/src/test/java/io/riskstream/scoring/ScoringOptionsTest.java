package io.riskstream.scoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.riskstream.scoring.model.ModelBundle;
import io.riskstream.scoring.tensorrt.ParityFailurePolicy;
import io.riskstream.scoring.tensorrt.Precision;
import io.riskstream.scoring.tensorrt.ProfileSpec;
import io.riskstream.scoring.tensorrt.TensorRtOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The TensorRT engine options serving derives from the scoring options (the GPU itself: TensorRtGpuIT). */
class ScoringOptionsTest {

  private static final ModelBundle SMALL = ModelBundle.load("emr-risk-small");
  private static final Path CACHE = Path.of("/var/lib/riskstream/tensorrt-engines");

  @Test
  void shouldServeOneContextPerShapeAtBatchSizesUpToTheMaximum() {
    TensorRtOptions options = new ScoringOptions.TensorRtSettings(Precision.FP16, CACHE, 64, 1,
        ParityFailurePolicy.FALLBACK).engineOptions(SMALL);

    ProfileSpec profiles = options.profiles();
    assertThat(profiles.contexts()).isEqualTo(1);
    assertThat(profiles.minBatch()).isEqualTo(1);
    assertThat(profiles.maxBatch()).isEqualTo(64);
    assertThat(profiles.lengthBuckets()).containsExactly(32, 64, SMALL.spec().maxLength());
    assertThat(options.precision()).isEqualTo(Precision.FP16);
    assertThat(options.cacheDirectory()).isEqualTo(CACHE);
    assertThat(options.onParityFailure()).isEqualTo(ParityFailurePolicy.FALLBACK);
    assertThat(options.rebuildAllowed()).isTrue();
    assertThat(options.device()).isZero();
  }

  @Test
  void shouldGiveEveryShapeTheConfiguredContextsSoThatACallSplitsItsChunks() {
    TensorRtOptions options = new ScoringOptions.TensorRtSettings(Precision.FP32, Path.of("/cache/engines"), 256, 2,
        ParityFailurePolicy.FAIL).engineOptions(SMALL);

    ProfileSpec profiles = options.profiles();
    assertThat(profiles.contexts()).isEqualTo(2);
    assertThat(profiles.maxBatch()).isEqualTo(256);
    assertThat(profiles.profileCount()).isEqualTo(2 * profiles.shapeCount());
    assertThat(profiles.chunks(256, profiles.contexts())).isEqualTo(List.of(128, 128));
    assertThat(options.precision()).isEqualTo(Precision.FP32);
    assertThat(options.cacheDirectory()).isEqualTo(Path.of("/cache/engines"));
    assertThat(options.onParityFailure()).isEqualTo(ParityFailurePolicy.FAIL);
  }

  @Test
  void shouldRefuseOptionsNoScorerCanStartFrom() {
    ScoringOptions.TensorRtSettings tensorRt = new ScoringOptions.TensorRtSettings(Precision.FP16, CACHE, 64, 1,
        ParityFailurePolicy.FALLBACK);

    assertThatThrownBy(() -> new ScoringOptions.TensorRtSettings(Precision.FP16, CACHE, 48, 1,
        ParityFailurePolicy.FALLBACK)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("power of two");
    assertThatThrownBy(() -> new ScoringOptions.TensorRtSettings(Precision.FP16, CACHE, 64, 0,
        ParityFailurePolicy.FALLBACK)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new ScoringOptions(Backend.AUTO, " ", 64, Duration.ZERO, tensorRt))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new ScoringOptions(Backend.AUTO, "emr-risk-small", 0, Duration.ZERO, tensorRt))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new ScoringOptions(Backend.AUTO, "emr-risk-small", 64, Duration.ofMillis(-1), tensorRt))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new ScoringOptions(Backend.AUTO, "emr-risk-small", 64, Duration.ZERO, tensorRt, 0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least one thread");
    assertThat(new ScoringOptions(Backend.AUTO, "emr-risk-small", 64, Duration.ZERO, tensorRt).onnxRuntimeThreads())
        .isEqualTo(1);
    assertThat(new ScoringOptions(Backend.AUTO, "emr-risk-small", 64, Duration.ZERO, tensorRt, 2).batcherInstances())
        .isEqualTo(1);
    assertThatThrownBy(() -> new ScoringOptions(Backend.AUTO, "emr-risk-small", 64, Duration.ZERO, tensorRt, 1, 0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least one instance");
  }

  @Test
  void shouldNameEachBackendAsTheConfigurationDoes() {
    assertThat(List.of(Backend.values())).extracting(Backend::label)
        .containsExactly("auto", "onnxruntime", "tensorrt");
  }
}
