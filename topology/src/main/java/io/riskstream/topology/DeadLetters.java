package io.riskstream.topology;

import io.riskstream.schemas.DeadLetter;
import io.riskstream.schemas.DeadLetterReason;
import io.riskstream.schemas.DeadLetterStage;
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
 * The one way a stage turns a record it cannot process into a {@link DeadLetter}: stage, reason, message without
 * patient data, source coordinates, original key and value. A dead letter always fits the topic: the original key and
 * value are cut to {@link #MAX_ORIGINAL_BYTES} each (flagged, with the original size) and the message to
 * {@link #MAX_MESSAGE_CHARS}. One instance per processor: it counts dead letters per reason in sensors
 * {@code dead-letter-<reason>-total} (group {@code stream-riskstream-metrics}, tag {@code task-id}).
 */
public final class DeadLetters {

  /** Scope of RiskStream's own Kafka Streams sensors. */
  public static final String METRICS_SCOPE = "riskstream";
  private static final Logger LOG = LoggerFactory.getLogger(DeadLetters.class);

  /** Most bytes of the original key and of the original value a dead letter carries. */
  public static final int MAX_ORIGINAL_BYTES = 64 * 1024;
  /** Most characters of a dead letter's message. */
  public static final int MAX_MESSAGE_CHARS = 1024;

  private final ProcessorContext<?, ?> context;
  private final DeadLetterStage stage;
  private final DeadLetterCounts instanceCounts;
  private final Map<DeadLetterReason, Sensor> sensors = new EnumMap<>(DeadLetterReason.class);

  /**
   * Registers the per-reason sensors of {@code context}'s task, for dead letters of {@code stage}, which are also
   * counted in {@code instanceCounts}.
   */
  public DeadLetters(ProcessorContext<?, ?> context, DeadLetterStage stage, DeadLetterCounts instanceCounts) {
    this.context = context;
    this.stage = stage;
    this.instanceCounts = instanceCounts;
    String task = context.taskId().toString();
    for (DeadLetterReason r : DeadLetterReason.values()) {
      sensors.put(r, context.metrics().addRateTotalSensor(METRICS_SCOPE, task, metricOperation(r),
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
    count(reason);
    LOG.debug("dead letter {} {} at {}-{}@{}", stage, reason, source.topic(), source.partition(), source.offset());
    return build(stage, reason, message, source.topic(), source.partition(), source.offset(), key, value);
  }

  /**
   * Counts and builds the dead letter of a record that is not the one being processed (e.g. a scoring request that
   * the scorer rejected in a punctuation): its coordinates are given.
   */
  public DeadLetter deadLetter(DeadLetterReason reason, String message, String topic, int partition, long offset,
      byte[] key, byte[] value) {
    count(reason);
    LOG.debug("dead letter {} {} at {}-{}@{}", stage, reason, topic, partition, offset);
    return build(stage, reason, message, topic, partition, offset, key, value);
  }

  private void count(DeadLetterReason reason) {
    sensors.get(reason).record();
    instanceCounts.add(stage, reason);
  }

  /** The dead letter of a record, its key and value cut to {@link #MAX_ORIGINAL_BYTES}. */
  public static DeadLetter build(DeadLetterStage stage, DeadLetterReason reason, String message, String topic,
      int partition, long offset, byte[] key, byte[] value) {
    String text = message.length() <= MAX_MESSAGE_CHARS ? message : message.substring(0, MAX_MESSAGE_CHARS - 1) + "…";
    return DeadLetter.newBuilder().setStage(stage).setReason(reason.name()).setReasonCode(reason).setMessage(text)
        .setSourceTopic(topic).setSourcePartition(partition).setSourceOffset(offset)
        .setOriginalKey(cut(key)).setOriginalValue(cut(value))
        .setOriginalValueTruncated(value != null && value.length > MAX_ORIGINAL_BYTES)
        .setOriginalValueBytes(value == null ? null : value.length)
        .build();
  }

  /**
   * The key a dead letter is written with: the original key, cut like {@link DeadLetter#getOriginalKey()} (a key near
   * the producer's limit would not fit the dead-letter topic either).
   */
  public static byte[] key(DeadLetter deadLetter) {
    ByteBuffer b = deadLetter.getOriginalKey();
    if (b == null) {
      return null;
    }
    byte[] out = new byte[b.remaining()];
    b.duplicate().get(out);
    return out;
  }

  private static ByteBuffer cut(byte[] bytes) {
    if (bytes == null) {
      return null;
    }
    return ByteBuffer.wrap(bytes, 0, Math.min(bytes.length, MAX_ORIGINAL_BYTES)).slice();
  }

  /** Removes the sensors (processor close). */
  public void close() {
    sensors.values().forEach(s -> context.metrics().removeSensor(s));
  }
}
