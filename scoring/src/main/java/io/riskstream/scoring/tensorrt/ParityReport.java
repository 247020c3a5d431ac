package io.riskstream.scoring.tensorrt;

import java.util.List;

/**
 * The result of comparing an engine with the reference runtime on a validation set: the largest absolute
 * difference of any probability, the AUROC of each outcome under both runtimes (NaN where the labels hold one
 * class), the limits applied and the verdict. Holds aggregates only, never inputs.
 */
public record ParityReport(Precision precision, int samples, double maxAbsDiff, double maxAbsLimit,
    List<Double> engineAuroc, List<Double> referenceAuroc, double aurocLimit, boolean passed, String summary) {

  public ParityReport {
    engineAuroc = List.copyOf(engineAuroc);
    referenceAuroc = List.copyOf(referenceAuroc);
  }
}
