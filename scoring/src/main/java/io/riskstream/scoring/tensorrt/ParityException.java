package io.riskstream.scoring.tensorrt;

/** An engine failed the parity gate and the configuration says not to serve without it. */
public final class ParityException extends RuntimeException {

  private final ParityReport report;

  public ParityException(ParityReport report) {
    super("TensorRT engine failed the parity gate against ONNX Runtime: " + report.summary()
        + ". Use another precision, widen the tolerances, or serve with onnxruntime");
    this.report = report;
  }

  public ParityReport report() {
    return report;
  }
}
