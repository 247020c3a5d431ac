package io.riskstream.connectors;

/**
 * Turns one raw input record (the bytes read from a source topic) into {@link io.riskstream.schemas.EmrEvent}s and
 * rejections, each rejection with a {@link io.riskstream.schemas.DeadLetterReason}. Implementations are pure and
 * thread-safe: the Debezium change-event normalizer and the FHIR R4 normalizer.
 */
public interface RecordNormalizer {

  /** Normalizes the record read at topic/partition/offset; never throws for bad input. */
  Normalized normalize(byte[] key, byte[] value, String topic, int partition, long offset);
}
