package io.riskstream.topology;

import java.util.HashMap;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;

/**
 * Whether a stream task's input may still hold records it has not seen: its own partition, or any other topic this
 * client reads, has records that the client's consumers have not fetched. Read from the stream threads' consumers'
 * {@code records-lag} per partition (the last fetch's high watermark, or last stable offset under read_committed,
 * minus the consumer's position), at most every {@link #REFRESH_MS} of the caller's clock.
 *
 * <p>The trigger's idle flush asks it: a task that received no record for {@code trigger.idle.flush.ms} may have a
 * quiet input (close its open transactions) or a client that has not got to its records yet: one thread over many
 * partitions with a backlog (after a restart, in an audit replay, behind a burst) reaches some partitions late, and
 * the rest of a transaction may still wait in the CDC source topic, not yet normalized into emr-events. Only the
 * first is idle; closing in the second splits transactions (measured on the H100 host: one stream thread over 16
 * partitions gave 8 and 40 extra scores of 91,024). So a backlog on the task's own partition, or on any other topic
 * the client reads (the source topics upstream of emr-events among them), holds the idle flush back; other
 * partitions of the task's own topic feed other tasks and do not. The source partitions other instances normalize
 * are not in this client's metrics: {@link #alsoFrom} adds the consumer group's backlog over all instances (the
 * application reads it with an admin client).
 *
 * <p>Written by hand: Kafka Streams gives a processor no view of its input's lag, and its client's metrics are the one
 * place that has it. Safe for several stream threads at once.
 */
public final class InputBacklog {

  /** How long one reading of the metrics is used. */
  public static final long REFRESH_MS = 100;

  private volatile Supplier<? extends Map<MetricName, ? extends Metric>> metrics = Map::of;
  private volatile BooleanSupplier group = () -> false;
  private Map<String, Map<Integer, Double>> lags = Map.of();
  private long readAtMs = Long.MIN_VALUE;

  /** A backlog that never reports one (no client metrics: e.g. a TopologyTestDriver) until {@link #readFrom}. */
  public InputBacklog() {
  }

  /** Reads the lags from {@code clientMetrics} from now on (e.g. {@code KafkaStreams::metrics} once it exists). */
  public void readFrom(Supplier<? extends Map<MetricName, ? extends Metric>> clientMetrics) {
    this.metrics = clientMetrics;
    synchronized (this) {
      readAtMs = Long.MIN_VALUE;
    }
  }

  /**
   * Also asks {@code groupBehind} whether the application's consumer group, over all its instances, has records of
   * the upstream topics it has not processed yet (answered from its own last reading: cheap, never blocking).
   */
  public void alsoFrom(BooleanSupplier groupBehind) {
    this.group = groupBehind;
  }

  /**
   * Whether the client's consumers last saw records beyond their position in {@code topic}'s {@code partition} or in
   * any partition of another topic, or the consumer group ({@link #alsoFrom}) has records it has not processed.
   *
   * @param nowMs the caller's wall clock (a punctuation's time), which decides when the metrics are read again
   */
  public synchronized boolean behind(String topic, int partition, long nowMs) {
    if (readAtMs == Long.MIN_VALUE || nowMs - readAtMs >= REFRESH_MS || nowMs < readAtMs) {
      lags = read(metrics.get());
      readAtMs = nowMs;
    }
    String own = name(topic);
    for (Map.Entry<String, Map<Integer, Double>> e : lags.entrySet()) {
      boolean ownTopic = e.getKey().equals(own);
      for (Map.Entry<Integer, Double> lag : e.getValue().entrySet()) {
        if (lag.getValue() > 0 && (!ownTopic || lag.getKey() == partition)) {
          return true;
        }
      }
    }
    return group.getAsBoolean();
  }

  /** A topic's name as both metric namings have it (the clients' older names replace the dots with underscores). */
  private static String name(String topic) {
    return topic.replace('.', '_');
  }

  /** The stream threads' consumers' lag per topic and partition (their restore consumers read changelogs only). */
  private static Map<String, Map<Integer, Double>> read(Map<MetricName, ? extends Metric> all) {
    Map<String, Map<Integer, Double>> out = new HashMap<>();
    all.forEach((name, metric) -> {
      Map<String, String> tags = name.tags();
      String topic = tags.get("topic");
      String partition = tags.get("partition");
      if (topic != null && partition != null && name.name().equals("records-lag")
          && name.group().equals("consumer-fetch-manager-metrics")
          && !tags.getOrDefault("client-id", "").endsWith("restore-consumer")
          && metric.metricValue() instanceof Double lag && !lag.isNaN()) {
        try {
          out.computeIfAbsent(name(topic), t -> new HashMap<>()).merge(Integer.parseInt(partition), lag, Math::max);
        } catch (NumberFormatException notAPartition) {
          // not a partition tag of this metric's kind: nothing to read
        }
      }
    });
    return out;
  }
}
