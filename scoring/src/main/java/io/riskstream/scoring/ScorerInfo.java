package io.riskstream.scoring;

import java.util.List;

/**
 * What a scorer runs: backend ({@code onnxruntime}, {@code tensorrt}), precision ({@code fp32}, {@code fp16},
 * {@code int8}), the model's id, version and ONNX sha256, and the outcome names in output order.
 */
public record ScorerInfo(String backend, String precision, String modelId, String modelVersion, String modelSha256,
    List<String> outcomes) {

  public ScorerInfo {
    outcomes = List.copyOf(outcomes);
  }
}
