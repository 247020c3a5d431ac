package io.riskstream.scoring;

/** A scorer backend failed at run time (not bad input): the caller may retry or fail over. */
public class ScoringException extends RuntimeException {

  public ScoringException(String message) {
    super(message);
  }

  public ScoringException(String message, Throwable cause) {
    super(message, cause);
  }
}
