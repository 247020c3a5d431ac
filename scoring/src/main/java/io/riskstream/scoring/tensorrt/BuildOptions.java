package io.riskstream.scoring.tensorrt;

import java.nio.file.Path;
import java.util.Optional;

/**
 * How to build an engine: precision, optimization profiles, the builder's workspace limit (an FP32 transformer
 * probe needed 3.1 GB; default 8 GiB), where the timing cache persists (optional), TensorRT's builder optimization
 * level (0-5; 3 is TensorRT's default, higher levels search more tactics for longer) and whether the engine keeps
 * detailed layer information (layer names, tactics and kernels in the TensorRT scorer's layer report;
 * otherwise only layer names).
 */
public record BuildOptions(Precision precision, ProfileSpec profiles, long workspaceBytes, Optional<Path> timingCache,
    int optimizationLevel, boolean detailedLayers) {

  public static final long DEFAULT_WORKSPACE_BYTES = 8L << 30;
  /** TensorRT's own default builder optimization level. */
  public static final int DEFAULT_OPTIMIZATION_LEVEL = 3;

  public BuildOptions {
    if (workspaceBytes < (1L << 20)) {
      throw new IllegalArgumentException("builder workspace must be at least 1 MiB, got " + workspaceBytes);
    }
    if (optimizationLevel < 0 || optimizationLevel > 5) {
      throw new IllegalArgumentException("builder optimization level must be 0..5, got " + optimizationLevel);
    }
  }

  /** TensorRT's default optimization level, layer names only. */
  public BuildOptions(Precision precision, ProfileSpec profiles, long workspaceBytes, Optional<Path> timingCache) {
    this(precision, profiles, workspaceBytes, timingCache, DEFAULT_OPTIMIZATION_LEVEL, false);
  }
}
