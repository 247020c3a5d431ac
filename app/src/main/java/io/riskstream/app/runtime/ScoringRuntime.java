package io.riskstream.app.runtime;

import io.riskstream.scoring.Scoring;
import io.riskstream.scoring.ScoringOptions;
import io.riskstream.scoring.ScoringService;
import io.riskstream.scoring.batch.DynamicBatcher;
import io.riskstream.scoring.encoder.HistoryEncoder;
import io.riskstream.scoring.encoder.OutcomeSpec;
import io.riskstream.scoring.model.ModelBundle;
import io.riskstream.topology.HistoryEncoderAdapter;
import io.riskstream.topology.RequestEncoder;
import io.riskstream.topology.ScoringBackend;
import io.riskstream.topology.ShadowCounts;
import io.riskstream.topology.ShadowModel;
import io.riskstream.topology.config.RiskStreamConfig;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.common.config.ConfigException;

/**
 * The one scoring service of a JVM ({@link Scoring#start}) as the topology sees it: a {@link RequestEncoder} and a
 * {@link ScoringBackend} every stream thread and task submits to. Owns the service: {@link #close()} drains its
 * batcher and frees its scorer. With {@code shadow.model}, a second service scores the shadow model with the same
 * scorer settings (its own batcher: one per model per JVM), and {@link #shadow()} is what the topology needs of it.
 */
public final class ScoringRuntime implements AutoCloseable {

  private final ScoringService service;
  private final RequestEncoder encoder;
  private final ScoringBackend backend;
  private final List<ScoringBackend.ScoreLatencyListener> latencyListeners = new CopyOnWriteArrayList<>();
  /** The shadow model's service, or null. */
  private final ScoringService shadowService;
  private final ShadowModel shadow;

  private ScoringRuntime(ScoringService service, ScoringService shadowService) {
    this.service = service;
    this.shadowService = shadowService;
    ModelBundle model = service.model();
    this.encoder = new HistoryEncoderAdapter(new HistoryEncoder(model.spec()));
    this.backend = backend(service, millis -> {
      for (ScoringBackend.ScoreLatencyListener l : latencyListeners) {
        l.scored(millis);
      }
    });
    if (shadowService == null) {
      this.shadow = null;
    } else {
      ModelBundle shadowModel = shadowService.model();
      if (shadowService.info().modelSha256().equals(service.info().modelSha256())) {
        throw new ConfigException(RiskStreamConfig.SHADOW_MODEL_CONFIG, shadowModel.name(),
            "the shadow model is the production model (same sha256); name another model or leave it empty");
      }
      // the shadow's scores do not count in production's event-to-score latency
      this.shadow = new ShadowModel(new HistoryEncoderAdapter(new HistoryEncoder(shadowModel.spec())),
          backend(shadowService, millis -> { }), new ShadowCounts());
    }
  }

  /**
   * What the topology needs of {@code service}'s model: outcomes with horizons, display names and condition codes
   * from its encoder spec, its card's operating points and minimum age.
   */
  private static ScoringBackend backend(ScoringService service, ScoringBackend.ScoreLatencyListener latency) {
    ModelBundle model = service.model();
    List<OutcomeSpec> outcomes = model.spec().outcomes();
    return new ScoringBackend(service.info(), outcomes.stream().map(OutcomeSpec::horizonDays).toList(),
        service::submit, outcomes.stream().map(OutcomeSpec::label).toList(),
        outcomes.stream().map(OutcomeSpec::snomedCodes).toList(), model.operatingPoints(), latency,
        model.minimumAgeYears());
  }

  /** Starts scoring as {@code config} says ({@link #options}), and the shadow model's when it names one. */
  public static ScoringRuntime start(RiskStreamConfig config) {
    ScoringService service = Scoring.start(options(config));
    ScoringService shadowService = null;
    try {
      if (config.shadowEnabled()) {
        shadowService = Scoring.start(options(config, config.getString(RiskStreamConfig.SHADOW_MODEL_CONFIG)));
      }
      return new ScoringRuntime(service, shadowService);
    } catch (RuntimeException e) {
      if (shadowService != null) {
        shadowService.close();
      }
      service.close();
      throw e;
    }
  }

  /**
   * The scoring options of {@code config}: {@code scorer}, {@code model.name}, {@code batcher.*} and
   * {@code tensorrt.*}; an empty {@code tensorrt.engine.cache.dir} means {@code <state.dir>/tensorrt-engines}.
   */
  public static ScoringOptions options(RiskStreamConfig config) {
    return options(config, config.getString(RiskStreamConfig.MODEL_NAME_CONFIG));
  }

  /** The scoring options of {@code config} for {@code model} (e.g. the shadow model). */
  static ScoringOptions options(RiskStreamConfig config, String model) {
    String dir = config.getString(RiskStreamConfig.TENSORRT_ENGINE_CACHE_DIR_CONFIG);
    Path cacheDir = dir.isEmpty()
        ? Path.of(config.getString(RiskStreamConfig.STATE_DIR_CONFIG), "tensorrt-engines") : Path.of(dir);
    return new ScoringOptions(config.scorer(), model,
        config.getInt(RiskStreamConfig.BATCHER_MAX_BATCH_SIZE_CONFIG), config.batcherMaxQueueDelay(),
        new ScoringOptions.TensorRtSettings(config.tensorRtPrecision(), cacheDir,
            config.getInt(RiskStreamConfig.TENSORRT_MAX_BATCH_CONFIG),
            config.getInt(RiskStreamConfig.TENSORRT_CONTEXTS_CONFIG), config.tensorRtOnParityFailure()),
        config.getInt(RiskStreamConfig.ONNXRUNTIME_THREADS_CONFIG),
        config.getInt(RiskStreamConfig.BATCHER_INSTANCES_CONFIG));
  }

  public ModelBundle model() {
    return service.model();
  }

  public RequestEncoder encoder() {
    return encoder;
  }

  public ScoringBackend backend() {
    return backend;
  }

  public DynamicBatcher batcher() {
    return service.batcher();
  }

  /** The shadow model as the topology takes it, when {@code shadow.model} names one. */
  public Optional<ShadowModel> shadow() {
    return Optional.ofNullable(shadow);
  }

  /** The shadow model's batcher, when there is a shadow model. */
  public Optional<DynamicBatcher> shadowBatcher() {
    return Optional.ofNullable(shadowService).map(ScoringService::batcher);
  }

  /** Tells {@code listener} the event-to-score latency of every score the topology forwards from now on. */
  public void addScoreLatencyListener(ScoringBackend.ScoreLatencyListener listener) {
    latencyListeners.add(listener);
  }

  @Override
  public void close() {
    try {
      if (shadowService != null) {
        shadowService.close();
      }
    } finally {
      service.close();
    }
  }
}
