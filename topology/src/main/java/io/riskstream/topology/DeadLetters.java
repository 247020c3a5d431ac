package io.riskstream.topology;

import io.riskstream.schemas.DeadLetter;
import io.riskstream.schemas.DeadLetterReason;
import java.nio.ByteBuffer;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import org.apache.kafka.common.metrics.Sensor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one way a stage turns a record it cannot process into a {@link DeadLetter}: reason, message without patient
 * data, source coordinates, original key and value. One instance per processor: it counts dead letters per reason in
 * sensors {@code dead-letter-<reason>-total} (group {@code stream-riskstream-metrics}, tag {@code task-id}).
 */
public final class DeadLetters {

  /** Scope of RiskStream's own Kafka Streams sensors. */
  public static final String METRICS_SCOPE = "riskstream";
  private static final Logger LOG = LoggerFactory.getLogger(DeadLetters.class);

  private final ProcessorContext<?, ?> context;
  private final Map<DeadLetterReason, Sensor> counts = new EnumMap<>(DeadLetterReason.class);

  /** Registers the per-reason sensors of {@code context}'s task. */
  public DeadLetters(ProcessorContext<?, ?> context) {
    this.context = context;
    String task = context.taskId().toString();
    for (DeadLetterReason r : DeadLetterReason.values()) {
      counts.put(r, context.metrics().addRateTotalSensor(METRICS_SCOPE, task, metricOperation(r),
          Sensor.RecordingLevel.INFO));
    }
  }

  /** Name of the per-reason count metric ({@code <name>-total}). */
  public static String metricOperation(DeadLetterReason reason) {
    return "dead-letter-" + reason.name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  /** Counts and builds the dead letter of the record at {@code source}. */
  public DeadLetter deadLetter(DeadLetterReason reason, String message, RecordMetadata source, byte[] key,
      byte[] value) {
    counts.get(reason).record();
    LOG.debug("dead letter {} at {}-{}@{}", reason, source.topic(), source.partition(), source.offset());
    return build(reason, message, source.topic(), source.partition(), source.offset(), key, value);
  }

  /** The dead letter of a record; an oversized value is left out (it would not fit the topic either). */
  public static DeadLetter build(DeadLetterReason reason, String message, String topic, int partition, long offset,
      byte[] key, byte[] value) {
    return DeadLetter.newBuilder().setReason(reason.name()).setReasonCode(reason).setMessage(message)
        .setSourceTopic(topic).setSourcePartition(partition).setSourceOffset(offset)
        .setOriginalKey(key == null ? null : ByteBuffer.wrap(key))
        .setOriginalValue(value == null || reason == DeadLetterReason.OVERSIZED_RECORD ? null : ByteBuffer.wrap(value))
        .build();
  }

  /** Removes the sensors (processor close). */
  public void close() {
    counts.values().forEach(s -> context.metrics().removeSensor(s));
  }
}
