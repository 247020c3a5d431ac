package io.riskstream.topology;

import io.riskstream.connectors.fhir.FhirNormalizationException;
import io.riskstream.connectors.fhir.FhirNormalizer;
import io.riskstream.schemas.DeadLetter;
import io.riskstream.schemas.EmrEvent;
import io.riskstream.schemas.SourceCoordinates;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
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
 * fhir-normalize: a FHIR R4 JSON resource or Bundle (any key) → EmrEvents keyed by patient id (connectors'
 * {@link FhirNormalizer}), or DeadLetters keyed by null (the DLQ sink re-keys them by the original key).
 *
 * <p>Every event of one record gets the record's coordinates (topic, partition, offset) and a source transaction id
 * {@code fhir:<topic>-<partition>@<offset>}, so the trigger scores a patient once per record (one Bundle = one
 * transaction), like one Debezium transaction. A document that cannot be read at all is one DeadLetter with the
 * normalizer's reason; each entry of a Bundle that the normalizer rejects is one DeadLetter (reason of the entry,
 * message naming the entry index and fields, original value = the whole Bundle) while the other entries still
 * become events. Null values (tombstones) are skipped and counted. Counts per reason share the sensors
 * {@code dead-letter-<reason>-total} of {@link NormalizeProcessor}; {@code fhir-tombstone-skipped-total} and
 * {@code fhir-resource-skipped-total} (Bundle entries of types that carry no clinical fact) count the rest.
 */
public final class FhirNormalizeProcessor implements Processor<byte[], byte[], String, SpecificRecord> {

  private static final Logger LOG = LoggerFactory.getLogger(FhirNormalizeProcessor.class);
  /** Prefix of the transaction id the events of one FHIR record share. */
  public static final String TX_PREFIX = "fhir:";

  private final FhirNormalizer normalizer;
  private final int maxRecordBytes;
  private ProcessorContext<String, SpecificRecord> context;
  private final Map<DeadLetterReason, Sensor> deadLetters = new EnumMap<>(DeadLetterReason.class);
  private Sensor tombstones;
  private Sensor skippedResources;

  public FhirNormalizeProcessor(FhirNormalizer normalizer, int maxRecordBytes) {
    this.normalizer = normalizer;
    this.maxRecordBytes = maxRecordBytes;
  }

  /** The DeadLetter reason of a FHIR normalizer reason (same names). */
  public static DeadLetterReason reason(FhirNormalizationException.Reason reason) {
    return DeadLetterReason.valueOf(reason.name());
  }

  @Override
  public void init(ProcessorContext<String, SpecificRecord> context) {
    this.context = context;
    String task = context.taskId().toString();
    for (DeadLetterReason r : DeadLetterReason.values()) {
      deadLetters.put(r, context.metrics().addRateTotalSensor(NormalizeProcessor.METRICS_SCOPE, task,
          NormalizeProcessor.metricOperation(r), Sensor.RecordingLevel.INFO));
    }
    tombstones = context.metrics().addRateTotalSensor(NormalizeProcessor.METRICS_SCOPE, task, "fhir-tombstone-skipped",
        Sensor.RecordingLevel.INFO);
    skippedResources = context.metrics().addRateTotalSensor(NormalizeProcessor.METRICS_SCOPE, task,
        "fhir-resource-skipped", Sensor.RecordingLevel.INFO);
  }

  @Override
  public void process(Record<byte[], byte[]> record) {
    RecordMetadata md = context.recordMetadata().orElseThrow();
    byte[] value = record.value();
    if (value == null) {
      tombstones.record();
      return;
    }
    int size = value.length + (record.key() == null ? 0 : record.key().length);
    if (size > maxRecordBytes) {
      deadLetter(record, md, DeadLetterReason.OVERSIZED_RECORD,
          "record of " + size + " bytes exceeds " + maxRecordBytes);
      return;
    }
    FhirNormalizer.Result result;
    try {
      result = normalizer.normalize(utf8(value));
    } catch (FhirNormalizationException e) {
      deadLetter(record, md, reason(e.reason()), e.getMessage());
      return;
    } catch (CharacterCodingException e) {
      deadLetter(record, md, DeadLetterReason.MALFORMED_JSON, "not UTF-8 text");
      return;
    }
    String txId = TX_PREFIX + md.topic() + "-" + md.partition() + "@" + md.offset();
    for (EmrEvent e : result.events()) {
      SourceCoordinates source = SourceCoordinates.newBuilder(e.getSource()).setTxId(txId).setTopic(md.topic())
          .setPartition(md.partition()).setOffset(md.offset()).build();
      EmrEvent located = EmrEvent.newBuilder(e).setSource(source).build();
      context.forward(new Record<>(located.getPatientId(), (SpecificRecord) located, record.timestamp()));
    }
    for (FhirNormalizer.Rejection r : result.rejected()) {
      deadLetter(record, md, reason(r.reason()), "Bundle.entry[" + r.entry() + "] (" + r.resourceType() + "): "
          + r.message());
    }
    int skipped = result.skipped().values().stream().mapToInt(Integer::intValue).sum();
    for (int i = 0; i < skipped; i++) {
      skippedResources.record();
    }
  }

  /** Strict UTF-8 decoding: invalid bytes are bad input, not silently replaced. */
  private static String utf8(byte[] value) throws CharacterCodingException {
    return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(value)).toString();
  }

  private void deadLetter(Record<byte[], byte[]> record, RecordMetadata md, DeadLetterReason reason, String message) {
    deadLetters.get(reason).record();
    LOG.debug("dead letter {} at {}-{}@{}", reason, md.topic(), md.partition(), md.offset());
    DeadLetter dl = DeadLetter.newBuilder().setReason(reason.name()).setMessage(message)
        .setSourceTopic(md.topic()).setSourcePartition(md.partition()).setSourceOffset(md.offset())
        .setOriginalKey(record.key() == null ? null : ByteBuffer.wrap(record.key()))
        // an oversized value would not fit the DLQ either: its coordinates identify it
        .setOriginalValue(reason == DeadLetterReason.OVERSIZED_RECORD ? null : ByteBuffer.wrap(record.value()))
        .build();
    context.forward(new Record<>((String) null, (SpecificRecord) dl, record.timestamp()));
  }

  @Override
  public void close() {
    deadLetters.values().forEach(s -> context.metrics().removeSensor(s));
    if (tombstones != null) {
      context.metrics().removeSensor(tombstones);
      context.metrics().removeSensor(skippedResources);
    }
  }
}
