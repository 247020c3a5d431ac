package io.riskstream.http;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.riskstream.scoring.batch.DynamicBatcher;
import org.apache.kafka.streams.KafkaStreams;

/**
 * The Prometheus registry of an instance: every Kafka Streams metric (Micrometer's {@link KafkaStreamsMetrics}, so
 * the dead-letter counters {@code dead-letter-<reason>-total} of group {@code stream-riskstream-metrics} appear as
 * {@code kafka_stream_riskstream_dead_letter_<reason>_total}), the dynamic batcher's counters and JVM memory.
 */
public final class RiskStreamMetrics implements AutoCloseable {

  private final PrometheusMeterRegistry registry;
  private final KafkaStreamsMetrics streamsMetrics;

  private RiskStreamMetrics(PrometheusMeterRegistry registry, KafkaStreamsMetrics streamsMetrics) {
    this.registry = registry;
    this.streamsMetrics = streamsMetrics;
  }

  /** Binds the metrics of {@code streams} and {@code batcher}. */
  public static RiskStreamMetrics bind(KafkaStreams streams, DynamicBatcher batcher) {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    KafkaStreamsMetrics streamsMetrics = new KafkaStreamsMetrics(streams);
    streamsMetrics.bindTo(registry);
    new JvmMemoryMetrics().bindTo(registry);
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
    return new RiskStreamMetrics(registry, streamsMetrics);
  }

  /** The Prometheus text exposition of every metric. */
  public String scrape() {
    return registry.scrape();
  }

  @Override
  public void close() {
    streamsMetrics.close();
    registry.close();
  }
}
