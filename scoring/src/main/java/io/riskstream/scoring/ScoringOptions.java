package io.riskstream.scoring;

import io.riskstream.scoring.model.ModelBundle;
import io.riskstream.scoring.tensorrt.ParityFailurePolicy;
import io.riskstream.scoring.tensorrt.Precision;
import io.riskstream.scoring.tensorrt.ProfileSpec;
import io.riskstream.scoring.tensorrt.TensorRtOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * What {@link Scoring#start} starts.
 *
 * @param backend which scorer serves
 * @param model a bundled model's name (e.g. {@code emr-risk-small}) or a model directory
 * @param batcherMaxBatchSize largest batch the dynamic batcher sends to the scorer
 * @param batcherMaxQueueDelay longest time a request waits in the batcher for a fuller batch
 * @param tensorRt the TensorRT engine, used unless the backend is {@code ONNXRUNTIME}
 * @param onnxRuntimeThreads ONNX Runtime's intra-op threads per scoring call (the CPU scorer, and TensorRT's
 *     fallback); 1 or more
 * @param batcherInstances batches the dynamic batcher scores at once (Triton's instance count), 1 or more
 */
public record ScoringOptions(Backend backend, String model, int batcherMaxBatchSize, Duration batcherMaxQueueDelay,
    TensorRtSettings tensorRt, int onnxRuntimeThreads, int batcherInstances) {

  /** Options with one batch scored at a time. */
  public ScoringOptions(Backend backend, String model, int batcherMaxBatchSize, Duration batcherMaxQueueDelay,
      TensorRtSettings tensorRt, int onnxRuntimeThreads) {
    this(backend, model, batcherMaxBatchSize, batcherMaxQueueDelay, tensorRt, onnxRuntimeThreads, 1);
  }

  /** Options with one ONNX Runtime thread per scoring call. */
  public ScoringOptions(Backend backend, String model, int batcherMaxBatchSize, Duration batcherMaxQueueDelay,
      TensorRtSettings tensorRt) {
    this(backend, model, batcherMaxBatchSize, batcherMaxQueueDelay, tensorRt, 1);
  }

  public ScoringOptions {
    Objects.requireNonNull(backend, "backend");
    Objects.requireNonNull(tensorRt, "tensorRt");
    if (model == null || model.isBlank()) {
      throw new IllegalArgumentException("a model name or directory is required");
    }
    if (batcherMaxBatchSize < 1) {
      throw new IllegalArgumentException("batcher max batch size must be positive, got " + batcherMaxBatchSize);
    }
    if (batcherMaxQueueDelay == null || batcherMaxQueueDelay.isNegative()) {
      throw new IllegalArgumentException("batcher max queue delay must not be negative, got " + batcherMaxQueueDelay);
    }
    if (onnxRuntimeThreads < 1) {
      throw new IllegalArgumentException("ONNX Runtime needs at least one thread, got " + onnxRuntimeThreads);
    }
    if (batcherInstances < 1) {
      throw new IllegalArgumentException("the batcher needs at least one instance, got " + batcherInstances);
    }
  }

  /**
   * The TensorRT engine serving builds (or finds in its cache) and the parity policy it starts under.
   *
   * @param precision engine precision
   * @param engineCacheDir directory of verified engines, their sidecars and the timing cache
   * @param maxBatch largest engine batch size, a power of two: the engine runs at 1, 2, 4, ... up to it
   * @param contexts execution contexts per shape (batch size and length bucket)
   * @param onParityFailure what happens when the engine fails the parity gate against ONNX Runtime
   */
  public record TensorRtSettings(Precision precision, Path engineCacheDir, int maxBatch, int contexts,
      ParityFailurePolicy onParityFailure) {

    public TensorRtSettings {
      Objects.requireNonNull(precision, "precision");
      Objects.requireNonNull(engineCacheDir, "engineCacheDir");
      Objects.requireNonNull(onParityFailure, "onParityFailure");
      if (maxBatch < 1 || Integer.bitCount(maxBatch) != 1) {
        throw new IllegalArgumentException("TensorRT max batch must be a power of two, got " + maxBatch);
      }
      if (contexts < 1) {
        throw new IllegalArgumentException("TensorRT needs at least one execution context per shape, got "
            + contexts);
      }
    }

    /**
     * The engine options serving uses for {@code model} (and {@code riskstream build-engine} prebuilds): batch sizes
     * 1..maxBatch, length buckets doubling from 32 to the model's maximum length, {@code contexts} execution
     * contexts per shape (with one batcher instance its worker is the only caller; with more than one context each
     * of its calls runs parts of a chunk at once); default workspace and tolerances, device 0, rebuilding allowed.
     */
    public TensorRtOptions engineOptions(ModelBundle model) {
      int maxLength = model.spec().maxLength();
      ProfileSpec profiles = ProfileSpec.doubling(maxBatch, Math.min(32, maxLength), maxLength, contexts);
      return TensorRtOptions.defaults(engineCacheDir, precision, profiles).withOnParityFailure(onParityFailure);
    }
  }
}
