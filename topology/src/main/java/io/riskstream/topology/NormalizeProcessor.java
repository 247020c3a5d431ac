package io.riskstream.topology;

import io.riskstream.connectors.Normalized;
import io.riskstream.connectors.RecordNormalizer;
import io.riskstream.schemas.DeadLetterStage;
import io.riskstream.schemas.EmrEvent;
import org.apache.kafka.common.metrics.Sensor;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;

/**
 * normalize (Debezium input) and fhir-normalize (FHIR input): raw bytes → EmrEvents keyed by patient id, and one
 * DeadLetter per rejection, keyed by null (the DLQ sink re-keys it by the original key). The {@link RecordNormalizer}
 * of the input does the work; this processor forwards, dead-letters ({@link DeadLetters}) and counts:
 * {@code <prefix>tombstone-skipped-total} and {@code <prefix>resource-skipped-total} (parts that carry no clinical
 * fact), with prefix {@code ""} for Debezium and {@code "fhir-"} for FHIR input. A rejected record of a source transaction
 * with metadata also gives a {@link TransactionSignal.Counted} without patient, keyed by the transaction metadata id,
 * so that the transaction tracker can still match the transaction's END.
 */
public final class NormalizeProcessor implements Processor<byte[], byte[], String, Object> {

  private final RecordNormalizer normalizer;
  private final String metricPrefix;
  private final DeadLetterCounts deadLetterCounts;
  private ProcessorContext<String, Object> context;
  private DeadLetters deadLetters;
  private Sensor tombstones;
  private Sensor skipped;

  public NormalizeProcessor(RecordNormalizer normalizer, String metricPrefix, DeadLetterCounts deadLetterCounts) {
    this.normalizer = normalizer;
    this.metricPrefix = metricPrefix;
    this.deadLetterCounts = deadLetterCounts;
  }

  @Override
  public void init(ProcessorContext<String, Object> context) {
    this.context = context;
    this.deadLetters = new DeadLetters(context, DeadLetterStage.NORMALIZE, deadLetterCounts);
    String task = context.taskId().toString();
    tombstones = context.metrics().addRateTotalSensor(DeadLetters.METRICS_SCOPE, task,
        metricPrefix + "tombstone-skipped", Sensor.RecordingLevel.INFO);
    skipped = context.metrics().addRateTotalSensor(DeadLetters.METRICS_SCOPE, task,
        metricPrefix + "resource-skipped", Sensor.RecordingLevel.INFO);
  }

  @Override
  public void process(Record<byte[], byte[]> record) {
    RecordMetadata md = context.recordMetadata().orElseThrow();
    Normalized n = normalizer.normalize(record.key(), record.value(), md.topic(), md.partition(), md.offset());
    if (n.tombstone()) {
      tombstones.record();
    }
    for (EmrEvent e : n.events()) {
      context.forward(new Record<>(e.getPatientId(), (Object) e, record.timestamp()));
    }
    for (Normalized.Rejection r : n.rejections()) {
      context.forward(new Record<>((String) null, (Object) deadLetters.deadLetter(r.reason(), r.message(), md,
          record.key(), record.value()), record.timestamp()));
      if (n.transactionId() != null) {
        // a rejected record of a tracked transaction still counts towards its END (TransactionTracker)
        context.forward(new Record<>(n.transactionId(), (Object) new TransactionSignal.Counted(null, null),
            record.timestamp()));
      }
    }
    for (int i = 0; i < n.skipped(); i++) {
      skipped.record();
    }
  }

  @Override
  public void close() {
    if (deadLetters != null) {
      deadLetters.close();
      context.metrics().removeSensor(tombstones);
      context.metrics().removeSensor(skipped);
    }
  }
}
