package io.riskstream.scoring.tensorrt;

/**
 * A cached engine cannot be used: it is missing, built for something else, or its bytes do not match its sidecar
 * (tampered with or damaged). Thrown at start-up; the message says what to fix.
 */
public final class EngineCacheException extends RuntimeException {

  /** Why the cached engine was not used. */
  public enum Reason { MISSING, SIDECAR_UNREADABLE, KEY_MISMATCH, ENGINE_TAMPERED, REBUILD_DISABLED }

  private final Reason reason;

  public EngineCacheException(Reason reason, String message) {
    super(message);
    this.reason = reason;
  }

  public EngineCacheException(Reason reason, String message, Throwable cause) {
    super(message, cause);
    this.reason = reason;
  }

  public Reason reason() {
    return reason;
  }
}
