package io.riskstream.scoring;

import java.util.Locale;

/**
 * Which scorer serves: ONNX Runtime on the CPU, TensorRT on a GPU (failing over to ONNX Runtime), or {@code AUTO}:
 * TensorRT when a GPU and TensorRT load, else ONNX Runtime.
 */
public enum Backend {
  AUTO, ONNXRUNTIME, TENSORRT;

  /** The lower-case name the configuration uses: {@code auto}, {@code onnxruntime}, {@code tensorrt}. */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }
}
