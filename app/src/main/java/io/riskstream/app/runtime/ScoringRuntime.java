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
import io.riskstream.topology.config.RiskStreamConfig;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The one scoring service of a JVM ({@link Scoring#start}) as the topology sees it: a {@link RequestEncoder} and a
 * {@link ScoringBackend} every stream thread and task submits to. Owns the service: {@link #close()} drains its
 * batcher and frees its scorer.
 */
public final class ScoringRuntime implements AutoCloseable {

  private final ScoringService service;
  private final RequestEncoder encoder;
  private final ScoringBackend backend;
  private final List<ScoringBackend.ScoreLatencyListener> latencyListeners = new CopyOnWriteArrayList<>();

  private ScoringRuntime(ScoringService service) {
    this.service = service;
    ModelBundle model = service.model();
    this.encoder = new HistoryEncoderAdapter(new HistoryEncoder(model.spec()));
    this.backend = new ScoringBackend(service.info(),
        model.spec().outcomes().stream().map(OutcomeSpec::horizonDays).toList(), service::submit,
        model.spec().outcomes().stream().map(OutcomeSpec::label).toList(), model.operatingPoints(), millis -> {
          for (ScoringBackend.ScoreLatencyListener l : latencyListeners) {
            l.scored(millis);
          }
        }, model.spec().outcomes().stream().map(OutcomeSpec::snomedCodes).toList());
  }

  /** Starts scoring as {@code config} says ({@link #options}). */
  public static ScoringRuntime start(RiskStreamConfig config) {
    ScoringService service = Scoring.start(options(config));
    try {
      return new ScoringRuntime(service);
    } catch (RuntimeException e) {
      service.close();
      throw e;
    }
  }

  /**
   * The scoring options of {@code config}: {@code scorer}, {@code model.name}, {@code batcher.*} and
   * {@code tensorrt.*}; an empty {@code tensorrt.engine.cache.dir} means {@code <state.dir>/tensorrt-engines}.
   */
  public static ScoringOptions options(RiskStreamConfig config) {
    String dir = config.getString(RiskStreamConfig.TENSORRT_ENGINE_CACHE_DIR_CONFIG);
    Path cacheDir = dir.isEmpty()
        ? Path.of(config.getString(RiskStreamConfig.STATE_DIR_CONFIG), "tensorrt-engines") : Path.of(dir);
    return new ScoringOptions(config.scorer(), config.getString(RiskStreamConfig.MODEL_NAME_CONFIG),
        config.getInt(RiskStreamConfig.BATCHER_MAX_BATCH_SIZE_CONFIG), config.batcherMaxQueueDelay(),
        new ScoringOptions.TensorRtSettings(config.tensorRtPrecision(), cacheDir,
            config.getInt(RiskStreamConfig.TENSORRT_MAX_BATCH_CONFIG),
            config.getInt(RiskStreamConfig.TENSORRT_CONTEXTS_CONFIG), config.tensorRtOnParityFailure()));
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

  /** Tells {@code listener} the event-to-score latency of every score the topology forwards from now on. */
  public void addScoreLatencyListener(ScoringBackend.ScoreLatencyListener listener) {
    latencyListeners.add(listener);
  }

  @Override
  public void close() {
    service.close();
  }
}
