package io.riskstream.scoring.tensorrt;

/** How close an engine must come to ONNX Runtime: max abs difference per precision, and AUROC difference per outcome. */
public record ParityTolerances(double maxAbsFp32, double maxAbsFp16, double maxAbsInt8, double aurocDelta) {

  /** FP32 1e-4, FP16 2e-3, INT8 5e-2 (quantized graphs differ more), AUROC 0.005. */
  public static final ParityTolerances DEFAULTS = new ParityTolerances(1e-4, 2e-3, 5e-2, 0.005);

  public ParityTolerances {
    if (!(maxAbsFp32 > 0 && maxAbsFp16 > 0 && maxAbsInt8 > 0 && aurocDelta > 0)) {
      throw new IllegalArgumentException("parity tolerances must be positive");
    }
  }

  public double maxAbsFor(Precision precision) {
    return switch (precision) {
      case FP32 -> maxAbsFp32;
      case FP16 -> maxAbsFp16;
      case INT8 -> maxAbsInt8;
    };
  }
}
