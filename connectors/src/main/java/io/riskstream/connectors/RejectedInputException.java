package io.riskstream.connectors;

import io.riskstream.schemas.DeadLetterReason;

/**
 * Input that cannot become an EmrEvent, with the dead-letter reason. The message names fields and types, never values.
 * Thrown inside the normalizers; {@link RecordNormalizer#normalize} turns it into a {@link Normalized.Rejection}.
 */
public final class RejectedInputException extends Exception {

  private static final long serialVersionUID = 1L;

  private final DeadLetterReason reason;

  public RejectedInputException(DeadLetterReason reason, String message) {
    super(message, null, false, false);
    this.reason = reason;
  }

  public DeadLetterReason reason() {
    return reason;
  }
}
