package io.riskstream.app.runtime;

import io.riskstream.topology.RequestEncoder;
import io.riskstream.topology.ScoringBackend;
import io.riskstream.topology.HistoryEncoderAdapter;
import io.riskstream.topology.config.RiskStreamConfig;
import io.riskstream.scoring.Scorer;
import io.riskstream.scoring.batch.DynamicBatcher;
import io.riskstream.scoring.encoder.HistoryEncoder;
import io.riskstream.scoring.encoder.OutcomeSpec;
import io.riskstream.scoring.model.ModelBundle;
import io.riskstream.scoring.onnx.OnnxRuntimeScorer;
import io.riskstream.scoring.tensorrt.Precision;
import io.riskstream.scoring.tensorrt.ProfileSpec;
import io.riskstream.scoring.tensorrt.TensorRt;
import io.riskstream.scoring.tensorrt.TensorRtBackend;
import io.riskstream.scoring.tensorrt.TensorRtOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one scoring service of a JVM: the configured model, its scorer and the dynamic batcher every stream thread
 * and task submits to. Owns them all: {@link #close()} drains the batcher and frees the scorer.
 */
public final class ScoringRuntime implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(ScoringRuntime.class);

  private final ModelBundle model;
  private final Scorer scorer;
  private final DynamicBatcher batcher;
  private final RequestEncoder encoder;
  private final ScoringBackend backend;

  private ScoringRuntime(ModelBundle model, Scorer scorer, DynamicBatcher batcher) {
    this.model = model;
    this.scorer = scorer;
    this.batcher = batcher;
    this.encoder = new HistoryEncoderAdapter(new HistoryEncoder(model.spec()));
    this.backend = new ScoringBackend(scorer.info(),
        model.spec().outcomes().stream().map(OutcomeSpec::horizonDays).toList(), batcher::submit);
  }

  /** Loads {@code model.name} and starts the scorer {@code scorer} selects, behind one batcher. */
  public static ScoringRuntime start(RiskStreamConfig config) {
    ModelBundle model = ModelBundle.load(config.getString(RiskStreamConfig.MODEL_NAME_CONFIG));
    Scorer scorer = startScorer(config, model);
    DynamicBatcher batcher = new DynamicBatcher(scorer,
        config.getInt(RiskStreamConfig.BATCHER_MAX_BATCH_SIZE_CONFIG),
        Duration.ofMillis(config.getLong(RiskStreamConfig.BATCHER_MAX_QUEUE_DELAY_MS_CONFIG)));
    LOG.info("scoring with model {} {} (sha256 {}) on {} {}", model.name(), model.version(),
        model.sha256().substring(0, 12), scorer.info().backend(), scorer.info().precision());
    return new ScoringRuntime(model, scorer, batcher);
  }

  /**
   * {@code onnxruntime}: the CPU scorer. {@code tensorrt}: a verified (or newly built) engine that passed the parity
   * gate, failing over to ONNX Runtime at run time; start-up fails when TensorRT cannot load. {@code auto}: TensorRT
   * when a GPU and TensorRT load, else ONNX Runtime.
   */
  private static Scorer startScorer(RiskStreamConfig config, ModelBundle model) {
    String kind = config.getString(RiskStreamConfig.SCORER_CONFIG);
    OnnxRuntimeScorer cpu = new OnnxRuntimeScorer(model, OnnxRuntimeScorer.Options.defaults());
    if (kind.equals("onnxruntime")) {
      return cpu;
    }
    Optional<String> unavailable = TensorRt.unavailableReason();
    if (unavailable.isPresent()) {
      if (kind.equals("tensorrt")) {
        cpu.close();
        throw new IllegalStateException("scorer=tensorrt, but TensorRT cannot run here: " + unavailable.get()
            + ". Use scorer=auto or onnxruntime, or run on a host with an NVIDIA GPU and TensorRT 10.6.");
      }
      LOG.info("scorer=auto: TensorRT unavailable ({}), scoring with ONNX Runtime on the CPU", unavailable.get());
      return cpu;
    }
    return TensorRtBackend.start(model, cpu, tensorRtOptions(config, model)).serving();
  }

  /**
   * The TensorRT options serving uses for {@code model} under {@code config} (and {@code riskstream build-engine}
   * prebuilds): batch sizes 1..tensorrt.max.batch, length buckets doubling from 32 to the model's maximum length,
   * tensorrt.contexts execution contexts per shape (the batcher's single worker is the only caller; with more than
   * one context each of its calls runs parts of a chunk at once).
   */
  public static TensorRtOptions tensorRtOptions(RiskStreamConfig config, ModelBundle model) {
    String dir = config.getString(RiskStreamConfig.TENSORRT_ENGINE_CACHE_DIR_CONFIG);
    Path cacheDir = dir.isEmpty()
        ? Path.of(config.getString(RiskStreamConfig.STATE_DIR_CONFIG), "tensorrt-engines") : Path.of(dir);
    ProfileSpec profiles = ProfileSpec.doubling(config.getInt(RiskStreamConfig.TENSORRT_MAX_BATCH_CONFIG),
        Math.min(32, model.spec().maxLength()), model.spec().maxLength(),
        config.getInt(RiskStreamConfig.TENSORRT_CONTEXTS_CONFIG));
    return TensorRtOptions.defaults(cacheDir,
            Precision.parse(config.getString(RiskStreamConfig.TENSORRT_PRECISION_CONFIG)), profiles)
        .withOnParityFailure(config.getString(RiskStreamConfig.TENSORRT_PARITY_FAILURE_CONFIG).equals("fail")
            ? TensorRtOptions.ParityFailurePolicy.FAIL : TensorRtOptions.ParityFailurePolicy.FALLBACK);
  }

  public ModelBundle model() {
    return model;
  }

  public RequestEncoder encoder() {
    return encoder;
  }

  public ScoringBackend backend() {
    return backend;
  }

  public DynamicBatcher batcher() {
    return batcher;
  }

  @Override
  public void close() {
    try {
      batcher.close();
    } finally {
      scorer.close();
    }
  }
}
