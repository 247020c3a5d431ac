package io.riskstream.topology.serde;

/**
 * A schema registry refused or failed a request, or could not be reached. The message names {@code registry.url}
 * (without credentials), the operation and the subject or schema id, and the registry's own message; it never holds
 * record contents (no record is ever sent to a registry) nor credentials.
 */
public final class SchemaRegistryException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  /** HTTP status of the registry's answer; 0 when no answer came. */
  private final int httpStatus;
  /** The Confluent API's {@code error_code}; 0 when the answer had none. */
  private final int errorCode;

  SchemaRegistryException(String message, int httpStatus, int errorCode, Throwable cause) {
    super(message, cause);
    this.httpStatus = httpStatus;
    this.errorCode = errorCode;
  }

  /** HTTP status of the registry's answer, 0 when it could not be reached. */
  public int httpStatus() {
    return httpStatus;
  }

  /**
   * The registry's {@code error_code} (e.g. 40401 subject not found, 40403 schema not found, 42201 invalid schema),
   * or 409 for a schema refused as incompatible (by the registry, or by the client's check before registering); 0
   * when there was none.
   */
  public int errorCode() {
    return errorCode;
  }
}
