package io.riskstream.scoring;

import io.riskstream.scoring.batch.DynamicBatcher;
import io.riskstream.scoring.model.ModelBundle;
import io.riskstream.scoring.onnx.OnnxRuntimeScorer;
import io.riskstream.scoring.tensorrt.CachedEngine;
import io.riskstream.scoring.tensorrt.EngineCache;
import io.riskstream.scoring.tensorrt.TensorRtOptions;
import io.riskstream.scoring.tensorrt.internal.TensorRt;
import io.riskstream.scoring.tensorrt.internal.TensorRtBackend;
import java.nio.file.Path;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The entry point of scoring: starts a {@link ScoringService} from {@link ScoringOptions}, and prepares TensorRT
 * engines ahead of serving ({@code riskstream build-engine}).
 */
public final class Scoring {

  private static final Logger LOG = LoggerFactory.getLogger(Scoring.class);

  private Scoring() {
  }

  /**
   * Loads the model and starts the scorer {@code options.backend()} selects, behind one dynamic batcher.
   * {@code ONNXRUNTIME}: the CPU scorer. {@code TENSORRT}: a verified (or newly built) engine that passed the parity
   * gate, failing over to ONNX Runtime at run time. {@code AUTO}: TensorRT when a GPU and TensorRT load, else ONNX
   * Runtime.
   *
   * @throws IllegalStateException when the backend is {@code TENSORRT} and TensorRT cannot run here
   * @throws io.riskstream.scoring.model.ModelBundleException when the model is missing or damaged
   * @throws io.riskstream.scoring.tensorrt.ParityException when the engine fails the parity gate under
   *     {@link io.riskstream.scoring.tensorrt.ParityFailurePolicy#FAIL}
   * @throws io.riskstream.scoring.tensorrt.EngineCacheException when the cached engine is unusable
   */
  public static ScoringService start(ScoringOptions options) {
    ModelBundle model = ModelBundle.load(options.model());
    Scorer scorer = startScorer(options, model);
    DynamicBatcher batcher = new DynamicBatcher(scorer, options.batcherMaxBatchSize(),
        options.batcherMaxQueueDelay(), options.batcherInstances());
    LOG.info("scoring with model {} {} (sha256 {}) on {} {}", model.name(), model.version(),
        model.sha256().substring(0, 12), scorer.info().backend(), scorer.info().precision());
    return new ScoringService(model, scorer, batcher);
  }

  /**
   * Why TensorRT cannot run in this process (its native libraries do not load, or no CUDA GPU is visible), or empty
   * when it can. Never throws.
   */
  public static Optional<String> tensorRtUnavailableReason() {
    return TensorRt.unavailableReason();
  }

  /**
   * The verified engine of {@code model} for {@code options} on this host's GPU, from the engine cache, or built and
   * cached when it is missing, built for something else or damaged and {@code options.rebuildAllowed()}. Needs
   * TensorRT and a GPU.
   *
   * @throws io.riskstream.scoring.tensorrt.EngineCacheException when the cached engine is unusable and rebuilding
   *     is not allowed
   * @throws io.riskstream.scoring.tensorrt.EngineBuildException when the engine cannot be built
   */
  public static CachedEngine prepareEngine(ModelBundle model, TensorRtOptions options) {
    return TensorRtBackend.engine(model, options);
  }

  /** The file {@link #prepareEngine} caches {@code model}'s engine in for {@code options} on this host's GPU. */
  public static Path enginePath(ModelBundle model, TensorRtOptions options) {
    return new EngineCache(options.cacheDirectory()).enginePath(TensorRtBackend.cacheKey(model.sha256(), options));
  }

  private static Scorer startScorer(ScoringOptions options, ModelBundle model) {
    OnnxRuntimeScorer cpu = new OnnxRuntimeScorer(model,
        OnnxRuntimeScorer.Options.defaults().withIntraOpThreads(options.onnxRuntimeThreads()));
    if (options.backend() == Backend.ONNXRUNTIME) {
      return cpu;
    }
    Optional<String> unavailable = TensorRt.unavailableReason();
    if (unavailable.isPresent()) {
      if (options.backend() == Backend.TENSORRT) {
        cpu.close();
        throw new IllegalStateException("scorer=tensorrt, but TensorRT cannot run here: " + unavailable.get()
            + ". Use scorer=auto or onnxruntime, or run on a host with an NVIDIA GPU and TensorRT 10.6.");
      }
      LOG.info("scorer=auto: TensorRT unavailable ({}), scoring with ONNX Runtime on the CPU", unavailable.get());
      return cpu;
    }
    return TensorRtBackend.start(model, cpu, options.tensorRt().engineOptions(model)).serving();
  }
}
