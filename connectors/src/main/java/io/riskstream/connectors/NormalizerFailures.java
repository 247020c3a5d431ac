package io.riskstream.connectors;

import io.riskstream.schemas.DeadLetterReason;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last line of {@link RecordNormalizer#normalize}: a runtime exception there is a bug of the normalizer (bad input
 * is a {@link RejectedInputException}), and one record must not stop the stream (the application would restart at the
 * same offset and fail again). The record becomes one PROCESSING_ERROR dead letter (original bytes kept, so the bug can
 * be reproduced), counted like every reason, and the failure is logged at ERROR with its class and stack trace but
 * without the exception's message, which may quote the input. Errors ({@link OutOfMemoryError},
 * {@link StackOverflowError}) are not caught.
 */
public final class NormalizerFailures {

  private static final Logger LOG = LoggerFactory.getLogger(NormalizerFailures.class);

  private NormalizerFailures() {
  }

  /** Logs {@code bug} (message redacted) and returns the record's PROCESSING_ERROR rejection. */
  public static Normalized unexpected(RuntimeException bug, String normalizer, String topic, int partition,
      long offset) {
    LOG.error("{} failed unexpectedly on the record at {}-{}@{}; dead-lettered as PROCESSING_ERROR (a bug: please"
        + " report it with the dead letter's original value)", normalizer, topic, partition, offset, redacted(bug, 0));
    return Normalized.rejected(DeadLetterReason.PROCESSING_ERROR, normalizer + " failed unexpectedly ("
        + bug.getClass().getSimpleName() + "); see the application log");
  }

  /** {@code t} with its class and stack trace but without messages, causes likewise (at most 8 deep). */
  static Throwable redacted(Throwable t, int depth) {
    Throwable cause = t.getCause() == null || t.getCause() == t || depth >= 8 ? null : redacted(t.getCause(), depth + 1);
    Redacted r = new Redacted(t.getClass().getName() + " (message redacted)", cause);
    r.setStackTrace(t.getStackTrace());
    return r;
  }

  /** A stand-in for an exception whose message is not logged. */
  static final class Redacted extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Redacted(String message, Throwable cause) {
      super(message, cause, false, true);
    }
  }
}
