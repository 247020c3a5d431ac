package io.riskstream.scoring.model;

/** A model bundle is missing, incomplete or corrupt: a configuration error to fix before start-up. */
public class ModelBundleException extends RuntimeException {

  public ModelBundleException(String message) {
    super(message);
  }

  public ModelBundleException(String message, Throwable cause) {
    super(message, cause);
  }
}
