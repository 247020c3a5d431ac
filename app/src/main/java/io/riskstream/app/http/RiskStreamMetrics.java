package io.riskstream.app.http;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.riskstream.schemas.DeadLetterReason;
import io.riskstream.schemas.DeadLetterStage;
import io.riskstream.scoring.batch.DynamicBatcher;
import io.riskstream.topology.DeadLetterCounts;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.streams.KafkaStreams;

/**
 * The Prometheus registry of an instance: every Kafka Streams metric (Micrometer's {@link KafkaStreamsMetrics}, so
 * the dead-letter counters {@code dead-letter-<reason>-total} of group {@code stream-riskstream-metrics} appear as
 * {@code kafka_stream_riskstream_dead_letter_<reason>_total} per task), every dead letter of the instance by stage and
 * reason ({@code riskstream_dead_letters_total{stage,reason}}, also those Kafka Streams' error handlers write), the
 * dynamic batcher's counters and JVM memory.
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

  /** Binds the metrics of {@code streams}, {@code batcher} and the instance's {@code deadLetters}. */
  public static RiskStreamMetrics bind(KafkaStreams streams, DynamicBatcher batcher, DeadLetterCounts deadLetters) {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    new JvmMemoryMetrics().bindTo(registry);
    for (DeadLetterStage stage : DeadLetterStage.values()) {
      for (DeadLetterReason reason : DeadLetterReason.values()) {
        FunctionCounter.builder("riskstream.dead.letters", deadLetters, c -> c.get(stage, reason))
            .description("Records dead-lettered by this instance, by stage and reason")
            .tag("stage", stage.name().toLowerCase(Locale.ROOT)).tag("reason", reason.name().toLowerCase(Locale.ROOT))
            .register(registry);
      }
    }
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
    return new RiskStreamMetrics(registry, streams);
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
