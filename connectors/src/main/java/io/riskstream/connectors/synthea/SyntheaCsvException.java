package io.riskstream.connectors.synthea;

/** A Synthea CSV export that cannot be read at all: a missing folder or patients.csv, a bad header, broken CSV. */
public final class SyntheaCsvException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public SyntheaCsvException(String message) {
    super(message);
  }

  public SyntheaCsvException(String message, Throwable cause) {
    super(message, cause);
  }
}
