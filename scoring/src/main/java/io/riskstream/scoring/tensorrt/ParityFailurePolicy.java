package io.riskstream.scoring.tensorrt;

/** What happens when a TensorRT engine fails the parity gate against ONNX Runtime. */
public enum ParityFailurePolicy {
  /** Serve with ONNX Runtime on the CPU, logging an error. */
  FALLBACK,
  /** Refuse to start: {@link ParityException}. */
  FAIL
}
