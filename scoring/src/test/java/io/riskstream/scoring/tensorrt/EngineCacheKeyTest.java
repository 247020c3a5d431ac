package io.riskstream.scoring.tensorrt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class EngineCacheKeyTest {

  static final String MODEL = "a".repeat(64);
  static final EngineCacheKey KEY = new EngineCacheKey(MODEL, "10.6.0", "NVIDIA H200", "9.0", Precision.FP16,
      "b1-256@256;L16,32;k2");

  @Test
  void shouldGiveADifferentDigestWhenAnyFieldChanges() {
    List<EngineCacheKey> variants = List.of(KEY,
        new EngineCacheKey("b".repeat(64), "10.6.0", "NVIDIA H200", "9.0", Precision.FP16, "b1-256@256;L16,32;k2"),
        new EngineCacheKey(MODEL, "10.7.0", "NVIDIA H200", "9.0", Precision.FP16, "b1-256@256;L16,32;k2"),
        new EngineCacheKey(MODEL, "10.6.0", "NVIDIA H100 80GB HBM3", "9.0", Precision.FP16, "b1-256@256;L16,32;k2"),
        new EngineCacheKey(MODEL, "10.6.0", "NVIDIA H200", "8.9", Precision.FP16, "b1-256@256;L16,32;k2"),
        new EngineCacheKey(MODEL, "10.6.0", "NVIDIA H200", "9.0", Precision.FP32, "b1-256@256;L16,32;k2"),
        new EngineCacheKey(MODEL, "10.6.0", "NVIDIA H200", "9.0", Precision.FP16, "b1-256@256;L16,32;k1"));
    Set<String> digests = new java.util.HashSet<>();
    variants.forEach(k -> digests.add(k.digest()));
    assertThat(digests).hasSize(variants.size());
  }

  @Test
  void shouldBeStableForEqualFields() {
    EngineCacheKey same = new EngineCacheKey(MODEL, "10.6.0", "NVIDIA H200", "9.0", Precision.FP16,
        "b1-256@256;L16,32;k2");
    assertThat(same.digest()).isEqualTo(KEY.digest()).hasSize(64);
    assertThat(same.fileStem()).isEqualTo(KEY.fileStem());
  }

  @Test
  void shouldNameTheFileAfterModelPrecisionAndDigest() {
    assertThat(KEY.fileStem()).isEqualTo("aaaaaaaaaaaa-fp16-" + KEY.digest().substring(0, 16));
  }

  @Test
  void shouldRejectAMalformedModelHash() {
    assertThatThrownBy(() -> new EngineCacheKey("ABC", "10.6.0", "g", "9.0", Precision.FP32, "p"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("sha256");
    assertThatThrownBy(() -> new EngineCacheKey(MODEL, " ", "g", "9.0", Precision.FP32, "p"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("tensorrtVersion");
  }

  @Test
  void shouldComposeTheKeyFromGpuAndProfiles() {
    EngineCacheKey key = EngineCacheKey.of(MODEL, "10.6.0", new GpuDescription(0, "NVIDIA H200", "9.0", 1L << 37),
        Precision.FP32, new ProfileSpec(1, 64, List.of(8, 16), 2));
    assertThat(key.gpuName()).isEqualTo("NVIDIA H200");
    assertThat(key.computeCapability()).isEqualTo("9.0");
    assertThat(key.profileSpec()).isEqualTo("b1-64;L8,16;k2;static");
    assertThat(key.canonical()).contains("precision=fp32", "sm=9.0", "tensorrt=10.6.0");
  }
}
