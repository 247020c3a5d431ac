package io.riskstream.scoring.eval;

import java.util.Arrays;
import java.util.Random;
import java.util.function.BiFunction;

/**
 * Binary classification metrics over scores and 0/1 labels, as scikit-learn defines them: AUROC
 * ({@code roc_auc_score}, ties count one half), AUPRC as average precision ({@code average_precision_score}, a step
 * function over distinct thresholds, no interpolation), the Brier score, and percentile bootstrap intervals.
 *
 * <p>Hand-written: these are a few lines each, and the JVM libraries that have them (Smile, Tribuo) would pull
 * tens of megabytes into the scoring module for four functions.
 */
public final class Metrics {

  private Metrics() {
  }

  /** A point estimate with a 95% percentile bootstrap interval. */
  public record Interval(double estimate, double lower, double upper) {
  }

  /**
   * Area under the ROC curve: the probability that a random positive scores above a random negative, ties counting
   * one half (Mann-Whitney U with mid-ranks). NaN when either class is absent.
   */
  public static double auroc(double[] scores, int[] labels) {
    check(scores, labels);
    int n = scores.length;
    Integer[] order = sortedIndices(scores, false);
    double rankSumPositives = 0;
    long positives = 0;
    int i = 0;
    while (i < n) {
      int j = i;
      while (j + 1 < n && scores[order[j + 1]] == scores[order[i]]) {
        j++;
      }
      double midRank = (i + j) / 2.0 + 1.0;
      for (int k = i; k <= j; k++) {
        if (labels[order[k]] == 1) {
          rankSumPositives += midRank;
          positives++;
        }
      }
      i = j + 1;
    }
    long negatives = n - positives;
    if (positives == 0 || negatives == 0) {
      return Double.NaN;
    }
    return (rankSumPositives - positives * (positives + 1) / 2.0) / ((double) positives * negatives);
  }

  /**
   * Average precision: sum over distinct thresholds, from the highest, of (recall gain) x precision. NaN when there
   * is no positive.
   */
  public static double averagePrecision(double[] scores, int[] labels) {
    check(scores, labels);
    int n = scores.length;
    long positives = Arrays.stream(labels).filter(l -> l == 1).count();
    if (positives == 0) {
      return Double.NaN;
    }
    Integer[] order = sortedIndices(scores, true);
    double ap = 0;
    long tp = 0;
    long seen = 0;
    double previousRecall = 0;
    int i = 0;
    while (i < n) {
      int j = i;
      while (j + 1 < n && scores[order[j + 1]] == scores[order[i]]) {
        j++;
      }
      for (int k = i; k <= j; k++) {
        tp += labels[order[k]];
        seen++;
      }
      double recall = (double) tp / positives;
      double precision = (double) tp / seen;
      ap += (recall - previousRecall) * precision;
      previousRecall = recall;
      i = j + 1;
    }
    return ap;
  }

  /** Mean squared difference between probability and label. */
  public static double brier(double[] scores, int[] labels) {
    check(scores, labels);
    double sum = 0;
    for (int i = 0; i < scores.length; i++) {
      double d = scores[i] - labels[i];
      sum += d * d;
    }
    return scores.length == 0 ? Double.NaN : sum / scores.length;
  }

  /**
   * Percentile bootstrap 95% interval of {@code metric}: {@code resamples} resamples with replacement drawn with
   * {@code new Random(seed)}; resamples where the metric is NaN (one class only) are skipped.
   */
  public static Interval bootstrap(double[] scores, int[] labels, BiFunction<double[], int[], Double> metric,
      int resamples, long seed) {
    check(scores, labels);
    double estimate = metric.apply(scores, labels);
    Random random = new Random(seed);
    int n = scores.length;
    double[] values = new double[resamples];
    int kept = 0;
    double[] s = new double[n];
    int[] l = new int[n];
    for (int b = 0; b < resamples; b++) {
      for (int i = 0; i < n; i++) {
        int k = random.nextInt(n);
        s[i] = scores[k];
        l[i] = labels[k];
      }
      double v = metric.apply(s, l);
      if (!Double.isNaN(v)) {
        values[kept++] = v;
      }
    }
    if (kept == 0) {
      return new Interval(estimate, Double.NaN, Double.NaN);
    }
    double[] sorted = Arrays.copyOf(values, kept);
    Arrays.sort(sorted);
    return new Interval(estimate, percentile(sorted, 2.5), percentile(sorted, 97.5));
  }

  /** Linear-interpolated percentile of sorted values (NumPy's default method). */
  public static double percentile(double[] sorted, double p) {
    double pos = p / 100.0 * (sorted.length - 1);
    int lo = (int) Math.floor(pos);
    int hi = Math.min(sorted.length - 1, lo + 1);
    return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
  }

  private static Integer[] sortedIndices(double[] scores, boolean descending) {
    Integer[] order = new Integer[scores.length];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    Arrays.sort(order, descending ? (a, b) -> Double.compare(scores[b], scores[a])
        : (a, b) -> Double.compare(scores[a], scores[b]));
    return order;
  }

  private static void check(double[] scores, int[] labels) {
    if (scores.length != labels.length) {
      throw new IllegalArgumentException(scores.length + " scores for " + labels.length + " labels");
    }
    for (int i = 0; i < scores.length; i++) {
      if (labels[i] != 0 && labels[i] != 1) {
        throw new IllegalArgumentException("labels must be 0 or 1, found " + labels[i] + " at " + i);
      }
      if (Double.isNaN(scores[i])) {
        throw new IllegalArgumentException("score " + i + " is NaN");
      }
    }
  }
}
