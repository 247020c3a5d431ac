package io.riskstream.topology;

import io.riskstream.schemas.DeadLetter;
import java.nio.ByteBuffer;
import java.util.EnumMap;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.metrics.Sensor;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * normalize: Debezium JSON → EmrEvent keyed by patient id, or DeadLetter (keyed by null; the DLQ sink re-keys it by
 * the original key). Tombstones are skipped and counted. Per dead-letter reason a sensor
 * {@code dead-letter-<reason>-total} (group {@code stream-riskstream-metrics}) counts records.
 */
public final class NormalizeProcessor implements Processor<byte[], byte[], String, SpecificRecord> {

  public static final String METRICS_SCOPE = "riskstream";
  private static final Logger LOG = LoggerFactory.getLogger(NormalizeProcessor.class);

  private final DebeziumNormalizer normalizer;
  private ProcessorContext<String, SpecificRecord> context;
  private final Map<DeadLetterReason, Sensor> deadLetters = new EnumMap<>(DeadLetterReason.class);
  private Sensor tombstones;

  public NormalizeProcessor(DebeziumNormalizer normalizer) {
    this.normalizer = normalizer;
  }

  /** Name of the per-reason count metric ({@code <name>-total}). */
  public static String metricOperation(DeadLetterReason reason) {
    return "dead-letter-" + reason.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
  }

  @Override
  public void init(ProcessorContext<String, SpecificRecord> context) {
    this.context = context;
    String task = context.taskId().toString();
    for (DeadLetterReason r : DeadLetterReason.values()) {
      deadLetters.put(r, context.metrics().addRateTotalSensor(METRICS_SCOPE, task, metricOperation(r),
          Sensor.RecordingLevel.INFO));
    }
    tombstones = context.metrics().addRateTotalSensor(METRICS_SCOPE, task, "tombstone-skipped", Sensor.RecordingLevel.INFO);
  }

  @Override
  public void process(Record<byte[], byte[]> record) {
    RecordMetadata md = context.recordMetadata().orElseThrow();
    DebeziumNormalizer.Result r = normalizer.normalize(record.key(), record.value(), md.topic(), md.partition(), md.offset());
    if (r instanceof DebeziumNormalizer.Event e) {
      context.forward(new Record<>(e.event().getPatientId(), (SpecificRecord) e.event(), record.timestamp()));
    } else if (r instanceof DebeziumNormalizer.Skip) {
      tombstones.record();
    } else if (r instanceof DebeziumNormalizer.Dead d) {
      deadLetters.get(d.reason()).record();
      LOG.debug("dead letter {} at {}-{}@{}", d.reason(), md.topic(), md.partition(), md.offset());
      DeadLetter dl = DeadLetter.newBuilder().setReason(d.reason().name()).setMessage(d.message())
          .setSourceTopic(md.topic()).setSourcePartition(md.partition()).setSourceOffset(md.offset())
          .setOriginalKey(record.key() == null ? null : ByteBuffer.wrap(record.key()))
          // an oversized value would not fit the DLQ either: its coordinates identify it
          .setOriginalValue(record.value() == null || d.reason() == DeadLetterReason.OVERSIZED_RECORD ? null
              : ByteBuffer.wrap(record.value())).build();
      context.forward(new Record<>((String) null, (SpecificRecord) dl, record.timestamp()));
    }
  }

  @Override
  public void close() {
    deadLetters.values().forEach(s -> context.metrics().removeSensor(s));
    if (tombstones != null) {
      context.metrics().removeSensor(tombstones);
    }
  }
}
