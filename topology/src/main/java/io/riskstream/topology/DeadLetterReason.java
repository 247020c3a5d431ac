package io.riskstream.topology;

/**
 * Why an input record went to the dead-letter topic (the DeadLetter.reason codes of the Debezium and FHIR
 * normalizers; the FHIR normalizer's reasons carry the same names).
 */
public enum DeadLetterReason {
  /** The value is not JSON, or not a JSON object. */
  MALFORMED_JSON,
  /** A required envelope field or mapped column is absent or null. */
  MISSING_FIELD,
  /** A field has the wrong JSON type or an unknown value (e.g. op "x"). */
  INVALID_FIELD,
  /** The record's table has no source mapping (Debezium input). */
  UNKNOWN_TABLE,
  /** A time column could not be parsed as ISO-8601 or as the mapped numeric unit. */
  UNPARSEABLE_TIME,
  /** Key plus value exceed source.max.record.bytes (fhir.max.record.bytes for FHIR input). */
  OVERSIZED_RECORD,
  /** FHIR: a resource type other than Patient, Encounter, Condition, Observation, MedicationRequest, Procedure, Bundle. */
  UNSUPPORTED_RESOURCE
}
