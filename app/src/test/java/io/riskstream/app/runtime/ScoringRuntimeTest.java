package io.riskstream.app.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.riskstream.topology.config.RiskStreamConfig;
import io.riskstream.scoring.model.ModelBundle;
import io.riskstream.scoring.tensorrt.Precision;
import io.riskstream.scoring.tensorrt.ProfileSpec;
import io.riskstream.scoring.tensorrt.TensorRtOptions;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The TensorRT options serving derives from the configuration (the GPU itself is exercised by TensorRtGpuIT). */
class ScoringRuntimeTest {

  private static final ModelBundle SMALL = ModelBundle.load("emr-risk-small");

  private static RiskStreamConfig config(Map<String, String> overrides) {
    Map<String, String> props = new HashMap<>(Map.of("state.dir", "/var/lib/riskstream"));
    props.putAll(overrides);
    return new RiskStreamConfig(props);
  }

  @Test
  void shouldServeOneContextPerShapeAtBatchSizesUpToTheMaximumByDefault() {
    TensorRtOptions options = ScoringRuntime.tensorRtOptions(config(Map.of()), SMALL);
    ProfileSpec profiles = options.profiles();
    assertThat(profiles.contexts()).isEqualTo(1);
    assertThat(profiles.minBatch()).isEqualTo(1);
    assertThat(profiles.maxBatch()).isEqualTo(64);
    assertThat(profiles.lengthBuckets()).containsExactly(32, 64, SMALL.spec().maxLength());
    assertThat(options.precision()).isEqualTo(Precision.FP16);
    assertThat(options.cacheDirectory()).isEqualTo(Path.of("/var/lib/riskstream", "tensorrt-engines"));
    assertThat(options.onParityFailure()).isEqualTo(TensorRtOptions.ParityFailurePolicy.FALLBACK);
  }

  @Test
  void shouldGiveEveryShapeTheConfiguredContextsSoThatACallSplitsItsChunks() {
    TensorRtOptions options = ScoringRuntime.tensorRtOptions(config(Map.of("tensorrt.contexts", "2",
        "tensorrt.max.batch", "256", "tensorrt.precision", "fp32", "tensorrt.on.parity.failure", "fail",
        "tensorrt.engine.cache.dir", "/cache/engines")), SMALL);
    ProfileSpec profiles = options.profiles();
    assertThat(profiles.contexts()).isEqualTo(2);
    assertThat(profiles.maxBatch()).isEqualTo(256);
    assertThat(profiles.profileCount()).isEqualTo(2 * profiles.shapeCount());
    assertThat(profiles.chunks(256, profiles.contexts())).isEqualTo(List.of(128, 128));
    assertThat(options.precision()).isEqualTo(Precision.FP32);
    assertThat(options.cacheDirectory()).isEqualTo(Path.of("/cache/engines"));
    assertThat(options.onParityFailure()).isEqualTo(TensorRtOptions.ParityFailurePolicy.FAIL);
  }
}
