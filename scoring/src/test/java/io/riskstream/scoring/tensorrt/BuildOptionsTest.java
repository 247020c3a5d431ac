package io.riskstream.scoring.tensorrt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class BuildOptionsTest {

  private static final ProfileSpec SPEC = ProfileSpec.doubling(64, 16, 128, 1);

  @Test
  void defaultsToTensorRtsOptimizationLevelWithoutDetailedLayers() {
    BuildOptions o = new BuildOptions(Precision.FP16, SPEC, BuildOptions.DEFAULT_WORKSPACE_BYTES, Optional.empty());
    assertThat(o.optimizationLevel()).isEqualTo(3);
    assertThat(o.detailedLayers()).isFalse();
  }

  @Test
  void refusesOptimizationLevelsTensorRtDoesNotHave() {
    assertThatThrownBy(() -> new BuildOptions(Precision.FP16, SPEC, BuildOptions.DEFAULT_WORKSPACE_BYTES,
        Optional.empty(), 6, false)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("0..5");
    assertThatThrownBy(() -> new BuildOptions(Precision.FP16, SPEC, BuildOptions.DEFAULT_WORKSPACE_BYTES,
        Optional.empty(), -1, true)).isInstanceOf(IllegalArgumentException.class);
    assertThat(new BuildOptions(Precision.FP32, SPEC, 1L << 20, Optional.empty(), 5, true).optimizationLevel())
        .isEqualTo(5);
  }

  @Test
  void refusesATinyWorkspace() {
    assertThatThrownBy(() -> new BuildOptions(Precision.FP16, SPEC, 1024, Optional.empty()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("1 MiB");
  }
}
