package io.riskstream.scoring.tensorrt;

import io.riskstream.scoring.ScoringException;

/** A TensorRT or CUDA call failed at run time (a checked return code, a null object): the batch may go elsewhere. */
public final class TensorRtException extends ScoringException {

  public TensorRtException(String message) {
    super(message);
  }

  public TensorRtException(String message, Throwable cause) {
    super(message, cause);
  }
}
