package io.riskstream.connectors.fhir;

/**
 * A FHIR resource that cannot become {@link io.riskstream.schemas.EmrEvent}s. The {@link #reason()} is a DeadLetter
 * reason code; the message names resource types and fields, never values.
 */
public final class FhirNormalizationException extends Exception {

  private static final long serialVersionUID = 1L;

  /** Reason codes, a subset of the DeadLetter reasons. */
  public enum Reason {
    /** Not JSON, or not a JSON object. */
    MALFORMED_JSON,
    /** A resource type other than Patient, Encounter, Condition, Observation, MedicationRequest, Procedure, Bundle. */
    UNSUPPORTED_RESOURCE,
    /** A field the event needs is absent (id, subject, code, time). */
    MISSING_FIELD,
    /** A field has the wrong JSON type or an unusable value (e.g. a subject that is not a Patient reference). */
    INVALID_FIELD,
    /** A date or dateTime that is not valid FHIR. */
    UNPARSEABLE_TIME
  }

  private final Reason reason;

  public FhirNormalizationException(Reason reason, String message) {
    super(reason + ": " + message, null, false, false);
    this.reason = reason;
  }

  public Reason reason() {
    return reason;
  }
}
