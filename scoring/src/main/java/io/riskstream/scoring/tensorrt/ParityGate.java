package io.riskstream.scoring.tensorrt;

import io.riskstream.scoring.ModelInput;
import io.riskstream.scoring.Scorer;
import io.riskstream.scoring.eval.Metrics;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Decides whether an engine may serve: runs the model's validation inputs through the engine and the reference
 * runtime (ONNX Runtime) and compares the probabilities (max abs difference) and each outcome's AUROC on the
 * validation labels.
 */
public final class ParityGate {

  private final ParityTolerances tolerances;
  private final int batchSize;

  public ParityGate(ParityTolerances tolerances, int batchSize) {
    if (batchSize < 1) {
      throw new IllegalArgumentException("batch size must be positive");
    }
    this.tolerances = tolerances;
    this.batchSize = batchSize;
  }

  /**
   * @param labels {@code labels[i][k]} = 1 when validation sample {@code i} has outcome {@code k}, 0 when not, -1
   *     when unknown (masked: left out of that outcome's AUROC)
   */
  public ParityReport check(Scorer engine, Scorer reference, Precision precision, List<ModelInput> inputs,
      int[][] labels) {
    if (inputs.isEmpty() || inputs.size() != labels.length) {
      throw new IllegalArgumentException("need a non-empty validation set with one label row per input, got "
          + inputs.size() + " inputs and " + labels.length + " label rows");
    }
    return compare(precision, scoreAll(engine, inputs), scoreAll(reference, inputs), labels);
  }

  /** Compares two sets of probabilities already computed ({@code [sample][outcome]}). */
  public ParityReport compare(Precision precision, float[][] engine, float[][] reference, int[][] labels) {
    int n = reference.length;
    if (engine.length != n || labels.length != n || n == 0) {
      throw new IllegalArgumentException("engine, reference and labels must have the same non-zero number of rows");
    }
    int outcomes = reference[0].length;
    double maxAbs = 0;
    for (int i = 0; i < n; i++) {
      if (engine[i].length != outcomes || reference[i].length != outcomes || labels[i].length != outcomes) {
        throw new IllegalArgumentException("row " + i + " has the wrong number of outcomes");
      }
      for (int k = 0; k < outcomes; k++) {
        double d = Math.abs((double) engine[i][k] - reference[i][k]);
        if (Double.isNaN(d)) {
          d = Double.POSITIVE_INFINITY;
        }
        maxAbs = Math.max(maxAbs, d);
      }
    }
    List<Double> engineAuroc = new ArrayList<>();
    List<Double> referenceAuroc = new ArrayList<>();
    boolean aurocOk = true;
    for (int k = 0; k < outcomes; k++) {
      int known = 0;
      for (int i = 0; i < n; i++) {
        known += labels[i][k] >= 0 ? 1 : 0;
      }
      double[] e = new double[known];
      double[] r = new double[known];
      int[] y = new int[known];
      for (int i = 0, j = 0; i < n; i++) {
        if (labels[i][k] >= 0) {
          e[j] = engine[i][k];
          r[j] = reference[i][k];
          y[j++] = labels[i][k];
        }
      }
      double ae = auroc(e, y);
      double ar = auroc(r, y);
      engineAuroc.add(ae);
      referenceAuroc.add(ar);
      if (!Double.isNaN(ar) && !(Math.abs(ae - ar) <= tolerances.aurocDelta())) {
        aurocOk = false;
      }
    }
    double limit = tolerances.maxAbsFor(precision);
    boolean passed = maxAbs <= limit && aurocOk;
    String summary = String.format(Locale.ROOT, "%s parity %s on %d samples: max abs diff %.3g (limit %.3g), "
        + "AUROC engine %s vs reference %s (limit %.3g)", precision.label(), passed ? "passed" : "FAILED", n, maxAbs,
        limit, format(engineAuroc), format(referenceAuroc), tolerances.aurocDelta());
    return new ParityReport(precision, n, maxAbs, limit, engineAuroc, referenceAuroc, tolerances.aurocDelta(), passed,
        summary);
  }

  private float[][] scoreAll(Scorer scorer, List<ModelInput> inputs) {
    float[][] out = new float[inputs.size()][];
    for (int from = 0; from < inputs.size(); from += batchSize) {
      int to = Math.min(inputs.size(), from + batchSize);
      float[][] part = scorer.score(inputs.subList(from, to));
      System.arraycopy(part, 0, out, from, to - from);
    }
    return out;
  }

  private static String format(List<Double> values) {
    StringBuilder sb = new StringBuilder("[");
    for (int i = 0; i < values.size(); i++) {
      sb.append(i == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%.4f", values.get(i)));
    }
    return sb.append(']').toString();
  }

  /** AUROC, or NaN when a score is NaN (a broken engine): such an engine never passes. */
  private static double auroc(double[] scores, int[] labels) {
    for (double v : scores) {
      if (Double.isNaN(v)) {
        return Double.NaN;
      }
    }
    return Metrics.auroc(scores, labels);
  }
}
