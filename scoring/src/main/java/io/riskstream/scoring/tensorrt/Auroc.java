package io.riskstream.scoring.tensorrt;

import java.util.Arrays;
import java.util.Comparator;

/**
 * Area under the ROC curve as the Mann-Whitney U statistic, with tied scores sharing their average rank.
 * Hand-written: it is a dozen lines, and none of the scoring module's dependencies provides it.
 */
public final class Auroc {

  private Auroc() {
  }

  /**
   * @param scores predicted probabilities
   * @param labels 1 for positive, 0 for negative, same length as {@code scores}
   * @return the AUROC, or NaN when the labels hold only one class
   */
  public static double of(float[] scores, int[] labels) {
    if (scores.length != labels.length) {
      throw new IllegalArgumentException(scores.length + " scores but " + labels.length + " labels");
    }
    int n = scores.length;
    Integer[] order = new Integer[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    Arrays.sort(order, Comparator.comparingDouble(i -> scores[i]));
    double positiveRankSum = 0;
    long positives = 0;
    int i = 0;
    while (i < n) {
      int j = i;
      while (j + 1 < n && scores[order[j + 1]] == scores[order[i]]) {
        j++;
      }
      double averageRank = (i + j) / 2.0 + 1.0;
      for (int k = i; k <= j; k++) {
        int label = labels[order[k]];
        if (label != 0 && label != 1) {
          throw new IllegalArgumentException("labels must be 0 or 1, got " + label);
        }
        if (label == 1) {
          positiveRankSum += averageRank;
          positives++;
        }
      }
      i = j + 1;
    }
    long negatives = n - positives;
    if (positives == 0 || negatives == 0) {
      return Double.NaN;
    }
    return (positiveRankSum - positives * (positives + 1) / 2.0) / ((double) positives * negatives);
  }
}
