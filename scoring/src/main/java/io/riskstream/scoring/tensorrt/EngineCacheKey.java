package io.riskstream.scoring.tensorrt;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * What an engine was built for. An engine is only valid for the same model file, TensorRT version, GPU model and
 * compute capability, precision and optimization profiles; any difference means a different engine file.
 */
public record EngineCacheKey(String modelSha256, String tensorrtVersion, String gpuName, String computeCapability,
    Precision precision, String profileSpec) {

  private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

  public EngineCacheKey {
    Objects.requireNonNull(precision, "precision");
    if (modelSha256 == null || !SHA256.matcher(modelSha256).matches()) {
      throw new IllegalArgumentException("model sha256 must be 64 lowercase hex digits");
    }
    requireText(tensorrtVersion, "tensorrtVersion");
    requireText(gpuName, "gpuName");
    requireText(computeCapability, "computeCapability");
    requireText(profileSpec, "profileSpec");
  }

  public static EngineCacheKey of(String modelSha256, String tensorrtVersion, GpuDescription gpu, Precision precision,
      ProfileSpec profiles) {
    return new EngineCacheKey(modelSha256, tensorrtVersion, gpu.name(), gpu.computeCapability(), precision,
        profiles.canonical());
  }

  /** One line with every field, in a fixed order; the digest of this is the key's identity. */
  public String canonical() {
    return String.join("\n", "model=" + modelSha256, "tensorrt=" + tensorrtVersion, "gpu=" + gpuName,
        "sm=" + computeCapability, "precision=" + precision.label(), "profiles=" + profileSpec);
  }

  /** SHA-256 of {@link #canonical()}. */
  public String digest() {
    return Hashing.sha256(canonical());
  }

  /** File name stem: the model hash prefix, precision and the key digest prefix, e.g. {@code 3fa9c1d2e4b5-fp16-9c1e0a77b2d4f611}. */
  public String fileStem() {
    return modelSha256.substring(0, 12) + "-" + precision.label() + "-" + digest().substring(0, 16);
  }

  private static void requireText(String value, String name) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException(name + " must not be blank");
    }
  }
}
