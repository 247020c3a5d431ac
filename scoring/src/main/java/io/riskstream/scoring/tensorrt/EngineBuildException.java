package io.riskstream.scoring.tensorrt;

/** An engine cannot be built from a model (parse errors, an unsupported precision, builder failure). Fail fast. */
public final class EngineBuildException extends RuntimeException {

  public EngineBuildException(String message) {
    super(message);
  }

  public EngineBuildException(String message, Throwable cause) {
    super(message, cause);
  }
}
