package io.riskstream.app.http;

import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.riskstream.schemas.DeadLetterReason;
import io.riskstream.schemas.DeadLetterStage;
import io.riskstream.app.runtime.ScoringRuntime;
import io.riskstream.scoring.ScorerInfo;
import io.riskstream.scoring.batch.DynamicBatcher;
import io.riskstream.topology.AlertDecision;
import io.riskstream.topology.DeadLetterCounts;
import io.riskstream.topology.WithheldAlertCounts;
import io.riskstream.topology.calibration.CalibrationStatus;
import io.riskstream.topology.ScoringBackend;
import io.riskstream.topology.ShadowCounts;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.streams.KafkaStreams;

/**
 * The Prometheus registry of an instance: every Kafka Streams metric (Micrometer's {@link KafkaStreamsMetrics}, so
 * the dead-letter counters {@code dead-letter-<reason>-total} of group {@code stream-riskstream-metrics} appear as
 * {@code kafka_stream_riskstream_dead_letter_<reason>_total} per task), every dead letter of the instance by stage and
 * reason ({@code riskstream_dead_letters_total{stage,reason}}, also those Kafka Streams' error handlers write), the
 * alerts withheld by reason ({@code riskstream_alerts_withheld_total{reason}}: diagnosed, an outcome the patient
 * already has; deceased, a patient who has died; per task also {@code kafka_stream_riskstream_alerts_withheld_*}), the
 * dynamic batcher's counters, the scoring histograms Triton users know (per input the queue wait, per batch the compute
 * time and size, per score the event-to-score latency: {@code riskstream_batcher_queue_wait_seconds},
 * {@code riskstream_batcher_compute_seconds}, {@code riskstream_batcher_batch_size},
 * {@code riskstream_event_to_score_seconds}, each with {@code _bucket}s), the failovers to the CPU
 * ({@code riskstream_scorer_failovers_total}), the engine in use ({@code riskstream_scorer_engine{backend,precision}}:
 * 1 for the engine of the last batch, 0 for another seen before) and JVM memory. With a shadow model: what it
 * scored, would have alerted and skipped ({@code riskstream_shadow_requests_total}, {@code _scores_total},
 * {@code _alerts_total}, {@code riskstream_shadow_failures_total{reason}}) and its batcher's queue
 * ({@code riskstream_shadow_batcher_queued}, {@code riskstream_shadow_batcher_failed_requests_total}).
 *
 * <p>The Kafka Streams metrics are bound at the first scrape that finds the client RUNNING: task-level sensors such
 * as the dead-letter counters only exist once tasks are assigned, and Micrometer's binder looks for new Kafka metrics
 * only once a minute after binding.
 */
public final class RiskStreamMetrics implements AutoCloseable {

  private final PrometheusMeterRegistry registry;
  private final KafkaStreams streams;
  private final KafkaStreamsMetrics streamsMetrics;
  private final AtomicBoolean streamsBound = new AtomicBoolean();

  private RiskStreamMetrics(PrometheusMeterRegistry registry, KafkaStreams streams) {
    this.registry = registry;
    this.streams = streams;
    this.streamsMetrics = new KafkaStreamsMetrics(streams);
  }

  /**
   * Binds the metrics of {@code streams}, {@code scoring}, the instance's {@code deadLetters}, the alerts it withheld
   * ({@code withheldAlerts}) and the calibration of the outcomes it aggregates ({@link #bindCalibration}).
   */
  public static RiskStreamMetrics bind(KafkaStreams streams, ScoringRuntime scoring, DeadLetterCounts deadLetters,
      WithheldAlertCounts withheldAlerts, CalibrationStatus calibration) {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    new JvmMemoryMetrics().bindTo(registry);
    bindWithheldAlerts(registry, withheldAlerts);
    for (DeadLetterStage stage : DeadLetterStage.values()) {
      for (DeadLetterReason reason : DeadLetterReason.values()) {
        FunctionCounter.builder("riskstream.dead.letters", deadLetters, c -> c.get(stage, reason))
            .description("Records dead-lettered by this instance, by stage and reason")
            .tag("stage", stage.name().toLowerCase(Locale.ROOT)).tag("reason", reason.name().toLowerCase(Locale.ROOT))
            .register(registry);
      }
    }
    scoring.addScoreLatencyListener(bindScoring(registry, scoring.batcher()));
    bindCalibration(registry, calibration, scoring.backend().info().outcomes());
    scoring.shadow().ifPresent(shadow -> bindShadow(registry, shadow.counts()));
    scoring.shadowBatcher().ifPresent(batcher -> {
      Gauge.builder("riskstream.shadow.batcher.queued", batcher, DynamicBatcher::queued)
          .description("Inputs of the shadow model waiting in its batcher queue").register(registry);
      FunctionCounter.builder("riskstream.shadow.batcher.failed.requests", batcher, DynamicBatcher::failedRequests)
          .description("Inputs whose scoring by the shadow model failed").register(registry);
    });
    return new RiskStreamMetrics(registry, streams);
  }

  /** Binds the counts of alerts withheld, by reason, to {@code registry}. */
  static void bindWithheldAlerts(MeterRegistry registry, WithheldAlertCounts counts) {
    for (AlertDecision.Withheld w : AlertDecision.Withheld.values()) {
      FunctionCounter.builder("riskstream.alerts.withheld", counts, c -> c.get(w))
          .description("Alerts the policy raised and this instance withheld: the outcome already diagnosed, or the"
              + " patient deceased")
          .tag("reason", w.name().toLowerCase(Locale.ROOT)).register(registry);
    }
  }

  /** Binds the shadow model's counts to {@code registry}. */
  static void bindShadow(MeterRegistry registry, ShadowCounts counts) {
    FunctionCounter.builder("riskstream.shadow.requests", counts, ShadowCounts::requests)
        .description("History versions encoded for the shadow model").register(registry);
    FunctionCounter.builder("riskstream.shadow.scores", counts, ShadowCounts::scores)
        .description("Scores of the shadow model written to its own topic").register(registry);
    FunctionCounter.builder("riskstream.shadow.alerts", counts, ShadowCounts::alerts)
        .description("Would-be alerts of the shadow model written to its internal topic, never published")
        .register(registry);
    for (ShadowCounts.Failure f : ShadowCounts.Failure.values()) {
      FunctionCounter.builder("riskstream.shadow.failures", counts, c -> c.failures(f))
          .description("History versions the shadow model skipped, by why; production is not affected")
          .tag("reason", f.name().toLowerCase(Locale.ROOT)).register(registry);
    }
  }

  /**
   * Per outcome, gauges of its newest closed calibration window on this instance (NaN until one closed, and on the
   * instances whose tasks do not aggregate the outcome): {@code riskstream_calibration_observed},
   * {@code _expected}, {@code _ratio} (observed/expected), {@code _labelled} (labelled scores),
   * {@code _window_end_seconds} (event time) and {@code _drifted} (1 while the ratio is outside the band); and
   * counters of the labels this instance's labellers forwarded, whose rates give a sliding O/E in PromQL:
   * {@code riskstream_calibration_labels_total}, {@code _labels_observed_total}, {@code _labels_expected_total}.
   */
  public static void bindCalibration(MeterRegistry registry, CalibrationStatus calibration, List<String> outcomes) {
    for (String outcome : outcomes) {
      calibrationGauge(registry, calibration, outcome, "observed", "Onsets that followed the window's labelled scores",
          l -> l.window().observed());
      calibrationGauge(registry, calibration, outcome, "expected", "Sum of the window's labelled probabilities",
          l -> l.window().expected());
      calibrationGauge(registry, calibration, outcome, "ratio", "Observed / expected of the window",
          l -> l.window().ratio() == null ? Double.NaN : l.window().ratio());
      calibrationGauge(registry, calibration, outcome, "labelled", "Labelled scores in the window",
          l -> l.window().labelled());
      calibrationGauge(registry, calibration, outcome, "window.end.seconds", "Event-time end of the window",
          l -> l.windowEnd() / 1000.0);
      calibrationGauge(registry, calibration, outcome, "drifted", "1 while the outcome's ratio is outside the band",
          l -> l.drifted() ? 1 : 0);
      FunctionCounter.builder("riskstream.calibration.labels", calibration, c -> c.totals(outcome).labelled())
          .description("Scores labelled by this instance").tag("outcome", outcome).register(registry);
      FunctionCounter.builder("riskstream.calibration.labels.observed", calibration,
          c -> c.totals(outcome).observed())
          .description("Labelled scores followed by an onset within the horizon").tag("outcome", outcome)
          .register(registry);
      FunctionCounter.builder("riskstream.calibration.labels.expected", calibration,
          c -> c.totals(outcome).expected())
          .description("Sum of the labelled scores' probabilities").tag("outcome", outcome).register(registry);
    }
  }

  private static void calibrationGauge(MeterRegistry registry, CalibrationStatus calibration, String outcome,
      String name, String description, java.util.function.ToDoubleFunction<CalibrationStatus.Latest> value) {
    Gauge.builder("riskstream.calibration." + name, calibration,
            c -> c.latest(outcome).map(value::applyAsDouble).orElse(Double.NaN))
        .description(description + " (newest closed calibration window)").tag("outcome", outcome).register(registry);
  }

  /**
   * Binds the batcher's counters, gauges and histograms to {@code registry}; returns the listener that records
   * event-to-score latencies.
   */
  static ScoringBackend.ScoreLatencyListener bindScoring(MeterRegistry registry, DynamicBatcher batcher) {
    FunctionCounter.builder("riskstream.batcher.batches", batcher, DynamicBatcher::batches)
        .description("Batches the dynamic batcher sent to the scorer").register(registry);
    FunctionCounter.builder("riskstream.batcher.requests", batcher, DynamicBatcher::requests)
        .description("Inputs submitted to the dynamic batcher").register(registry);
    FunctionCounter.builder("riskstream.batcher.failed.requests", batcher, DynamicBatcher::failedRequests)
        .description("Inputs whose scoring failed").register(registry);
    Gauge.builder("riskstream.batcher.mean.batch.size", batcher, DynamicBatcher::meanBatchSize)
        .description("Mean size of the batches sent so far").register(registry);
    Gauge.builder("riskstream.batcher.queued", batcher, DynamicBatcher::queued)
        .description("Inputs waiting in the batcher queue").register(registry);
    FunctionCounter.builder("riskstream.scorer.failovers", batcher, DynamicBatcher::failovers)
        .description("Batches the GPU scorer failed on and ONNX Runtime on the CPU scored instead").register(registry);
    Timer queueWait = Timer.builder("riskstream.batcher.queue.wait")
        .description("Time an input waited in the batcher queue before its batch started scoring")
        .publishPercentileHistogram().minimumExpectedValue(Duration.ofNanos(10_000))
        .maximumExpectedValue(Duration.ofSeconds(30)).register(registry);
    Timer compute = Timer.builder("riskstream.batcher.compute")
        .description("Time the scorer took for one batch").publishPercentileHistogram()
        .minimumExpectedValue(Duration.ofNanos(10_000)).maximumExpectedValue(Duration.ofSeconds(30)).register(registry);
    DistributionSummary batchSize = DistributionSummary.builder("riskstream.batcher.batch.size")
        .description("Inputs per batch sent to the scorer")
        .serviceLevelObjectives(1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096).register(registry);
    Set<ScorerInfo> engines = ConcurrentHashMap.newKeySet();
    batcher.engines().forEach(e -> registerEngine(registry, batcher, engines, e));
    batcher.addListener((waits, computeNanos, engine, failedOver) -> {
      for (long w : waits) {
        queueWait.record(w, TimeUnit.NANOSECONDS);
      }
      compute.record(computeNanos, TimeUnit.NANOSECONDS);
      batchSize.record(waits.length);
      if (!engines.contains(engine)) {
        registerEngine(registry, batcher, engines, engine);
      }
    });
    Timer eventToScore = Timer.builder("riskstream.event.to.score")
        .description("Wall-clock time from the record timestamp of a transaction's last change event to its score")
        .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(1))
        .maximumExpectedValue(Duration.ofMinutes(10)).register(registry);
    return millis -> eventToScore.record(Math.max(0, millis), TimeUnit.MILLISECONDS);
  }

  private static void registerEngine(MeterRegistry registry, DynamicBatcher batcher, Set<ScorerInfo> engines,
      ScorerInfo engine) {
    engines.add(engine);
    Gauge.builder("riskstream.scorer.engine", batcher, b -> isServing(b.engine(), engine) ? 1 : 0)
        .description("1 for the scoring engine (backend, precision) that scored the last batch, 0 for one seen before")
        .tag("backend", engine.backend()).tag("precision", engine.precision()).register(registry);
  }

  private static boolean isServing(ScorerInfo serving, ScorerInfo engine) {
    return serving.backend().equals(engine.backend()) && serving.precision().equals(engine.precision());
  }

  /** The registry, for meters that other parts of the instance register (e.g. the clinicians' alert feedback). */
  public io.micrometer.core.instrument.MeterRegistry registry() {
    return registry;
  }

  /** The Prometheus text exposition of every metric. */
  public String scrape() {
    if (!streamsBound.get() && streams.state() == KafkaStreams.State.RUNNING && streamsBound.compareAndSet(false, true)) {
      streamsMetrics.bindTo(registry);
    }
    return registry.scrape();
  }

  @Override
  public void close() {
    streamsMetrics.close();
    registry.close();
  }
}
