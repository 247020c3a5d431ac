package io.riskstream.scoring.tensorrt;

import java.nio.file.Path;
import java.util.Optional;

/**
 * How to build an engine: precision, optimization profiles, the builder's workspace limit (an FP32 transformer
 * probe needed 3.1 GB; default 8 GiB) and where the timing cache persists (optional).
 */
public record BuildOptions(Precision precision, ProfileSpec profiles, long workspaceBytes, Optional<Path> timingCache) {

  public static final long DEFAULT_WORKSPACE_BYTES = 8L << 30;

  public BuildOptions {
    if (workspaceBytes < (1L << 20)) {
      throw new IllegalArgumentException("builder workspace must be at least 1 MiB, got " + workspaceBytes);
    }
  }
}
