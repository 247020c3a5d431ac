package io.riskstream.scoring.tensorrt;

import java.nio.file.Path;
import java.util.Optional;

/**
 * Configuration of the TensorRT backend.
 *
 * @param precision engine precision
 * @param profiles batch range, length buckets and the number of execution contexts
 * @param workspaceBytes builder workspace limit ({@link BuildOptions#DEFAULT_WORKSPACE_BYTES} = 8 GiB)
 * @param cacheDirectory where engines, sidecars and the timing cache live
 * @param rebuildAllowed whether a missing, mismatched or tampered engine is rebuilt (else start-up is refused)
 * @param tolerances parity limits against ONNX Runtime
 * @param onParityFailure what to do when the engine fails the parity gate
 * @param device CUDA device index
 * @param abandonAfter consecutive GPU failures after which the failover scorer stops trying the GPU
 */
public record TensorRtOptions(Precision precision, ProfileSpec profiles, long workspaceBytes, Path cacheDirectory,
    boolean rebuildAllowed, ParityTolerances tolerances, ParityFailurePolicy onParityFailure, int device,
    int abandonAfter) {

  public TensorRtOptions {
    if (device < 0 || abandonAfter < 1) {
      throw new IllegalArgumentException("device must be >= 0 and abandonAfter >= 1");
    }
  }

  public static TensorRtOptions defaults(Path cacheDirectory, Precision precision, ProfileSpec profiles) {
    return new TensorRtOptions(precision, profiles, BuildOptions.DEFAULT_WORKSPACE_BYTES, cacheDirectory, true,
        ParityTolerances.DEFAULTS, ParityFailurePolicy.FALLBACK, 0, 3);
  }

  public TensorRtOptions withRebuildAllowed(boolean allowed) {
    return new TensorRtOptions(precision, profiles, workspaceBytes, cacheDirectory, allowed, tolerances,
        onParityFailure, device, abandonAfter);
  }

  public TensorRtOptions withOnParityFailure(ParityFailurePolicy policy) {
    return new TensorRtOptions(precision, profiles, workspaceBytes, cacheDirectory, rebuildAllowed, tolerances,
        policy, device, abandonAfter);
  }

  public TensorRtOptions withTolerances(ParityTolerances newTolerances) {
    return new TensorRtOptions(precision, profiles, workspaceBytes, cacheDirectory, rebuildAllowed, newTolerances,
        onParityFailure, device, abandonAfter);
  }

  public BuildOptions buildOptions() {
    return new BuildOptions(precision, profiles, workspaceBytes, Optional.of(timingCachePath()));
  }

  /** One timing cache per cache directory; TensorRT keys its entries by GPU and layer, so sharing it is safe. */
  public Path timingCachePath() {
    return cacheDirectory.resolve("timing.cache");
  }
}
