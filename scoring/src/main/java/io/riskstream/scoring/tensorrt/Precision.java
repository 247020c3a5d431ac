package io.riskstream.scoring.tensorrt;

import java.util.Locale;

/** Precision of a TensorRT engine. INT8 needs a graph with explicit quantize/dequantize (Q/DQ) nodes. */
public enum Precision {
  FP32, FP16, INT8;

  /** The lowercase label used in {@code ScorerInfo}, cache keys and sidecars: {@code fp32}, {@code fp16}, {@code int8}. */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Parses a label such as {@code fp16} (case-insensitive). */
  public static Precision parse(String label) {
    for (Precision p : values()) {
      if (p.label().equalsIgnoreCase(label.trim())) {
        return p;
      }
    }
    throw new IllegalArgumentException("unknown precision '" + label + "': expected fp32, fp16 or int8");
  }
}
