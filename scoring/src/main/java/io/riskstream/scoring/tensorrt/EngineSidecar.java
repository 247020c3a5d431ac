package io.riskstream.scoring.tensorrt;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The JSON file beside an engine: what it was built for (the cache key's fields), how (builder flags, workspace,
 * build time) and the engine file's own sha256, checked before the engine is loaded.
 */
public record EngineSidecar(
    @JsonProperty("formatVersion") int formatVersion,
    @JsonProperty("keyDigest") String keyDigest,
    @JsonProperty("modelSha256") String modelSha256,
    @JsonProperty("tensorrtVersion") String tensorrtVersion,
    @JsonProperty("gpuName") String gpuName,
    @JsonProperty("computeCapability") String computeCapability,
    @JsonProperty("precision") String precision,
    @JsonProperty("profileSpec") String profileSpec,
    @JsonProperty("builderFlags") List<String> builderFlags,
    @JsonProperty("workspaceBytes") long workspaceBytes,
    @JsonProperty("builtAt") String builtAt,
    @JsonProperty("buildMillis") long buildMillis,
    @JsonProperty("engineSha256") String engineSha256,
    @JsonProperty("engineBytes") long engineBytes) {

  public static final int FORMAT_VERSION = 1;

  private static final ObjectMapper JSON = new ObjectMapper()
      .enable(SerializationFeature.INDENT_OUTPUT)
      .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);

  public EngineSidecar {
    builderFlags = builderFlags == null ? List.of() : List.copyOf(builderFlags);
  }

  public static EngineSidecar describe(EngineCacheKey key, BuildReport build, String builtAt, String engineSha256,
      long engineBytes) {
    return new EngineSidecar(FORMAT_VERSION, key.digest(), key.modelSha256(), key.tensorrtVersion(), key.gpuName(),
        key.computeCapability(), key.precision().label(), key.profileSpec(), build.builderFlags(),
        build.workspaceBytes(), builtAt, build.buildMillis(), engineSha256, engineBytes);
  }

  public byte[] toJson() {
    try {
      return JSON.writeValueAsBytes(this);
    } catch (IOException e) {
      throw new IllegalStateException("cannot write an engine sidecar", e);
    }
  }

  /** Parses a sidecar; a malformed one is reported as {@link EngineCacheException.Reason#SIDECAR_UNREADABLE}. */
  public static EngineSidecar fromJson(byte[] json) {
    try {
      return JSON.readValue(json, EngineSidecar.class);
    } catch (JacksonException e) {
      throw new EngineCacheException(EngineCacheException.Reason.SIDECAR_UNREADABLE,
          "engine sidecar is not valid JSON of format " + FORMAT_VERSION + ": " + e.getOriginalMessage());
    } catch (IOException e) {
      throw new EngineCacheException(EngineCacheException.Reason.SIDECAR_UNREADABLE,
          "engine sidecar cannot be read: " + e.getMessage(), e);
    }
  }

  /**
   * The fields of this sidecar that differ from what {@code expected} requires (empty when the sidecar matches).
   * Names the field and both values; none of them is patient data.
   */
  public List<String> mismatches(EngineCacheKey expected) {
    List<String> out = new ArrayList<>();
    compare(out, "formatVersion", String.valueOf(FORMAT_VERSION), String.valueOf(formatVersion));
    compare(out, "modelSha256", expected.modelSha256(), modelSha256);
    compare(out, "tensorrtVersion", expected.tensorrtVersion(), tensorrtVersion);
    compare(out, "gpuName", expected.gpuName(), gpuName);
    compare(out, "computeCapability", expected.computeCapability(), computeCapability);
    compare(out, "precision", expected.precision().label(), precision);
    compare(out, "profileSpec", expected.profileSpec(), profileSpec);
    compare(out, "keyDigest", expected.digest(), keyDigest);
    return out;
  }

  private static void compare(List<String> out, String field, String expected, String actual) {
    if (!expected.equals(actual)) {
      out.add(field + ": expected '" + expected + "', sidecar has '" + actual + "'");
    }
  }
}
