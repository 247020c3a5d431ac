package io.riskstream.topology;

import io.riskstream.config.RiskStreamConfig;
import io.riskstream.scoring.Scorer;
import io.riskstream.scoring.batch.DynamicBatcher;
import io.riskstream.scoring.encoder.HistoryEncoder;
import io.riskstream.scoring.encoder.OutcomeSpec;
import io.riskstream.scoring.model.ModelBundle;
import io.riskstream.scoring.onnx.OnnxRuntimeScorer;
import java.time.Duration;
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
    Scorer scorer = startScorer(config.getString(RiskStreamConfig.SCORER_CONFIG), model);
    DynamicBatcher batcher = new DynamicBatcher(scorer,
        config.getInt(RiskStreamConfig.BATCHER_MAX_BATCH_SIZE_CONFIG),
        Duration.ofMillis(config.getLong(RiskStreamConfig.BATCHER_MAX_QUEUE_DELAY_MS_CONFIG)));
    LOG.info("scoring with model {} {} (sha256 {}) on {} {}", model.name(), model.version(),
        model.sha256().substring(0, 12), scorer.info().backend(), scorer.info().precision());
    return new ScoringRuntime(model, scorer, batcher);
  }

  private static Scorer startScorer(String kind, ModelBundle model) {
    return switch (kind) {
      case "onnxruntime", "auto" -> new OnnxRuntimeScorer(model, OnnxRuntimeScorer.Options.defaults());
      default -> throw new IllegalArgumentException("scorer '" + kind + "' is not available in this build");
    };
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
