package io.riskstream.scoring.eval;

import java.util.Arrays;
import java.util.List;

/**
 * Chooses an outcome's alert thresholds on held-out, labelled index times for a stated target, and reports what
 * they achieve on patients the choice did not see.
 *
 * <p>Unit: index times sampled at most one per {@code minDaysBetween} (365: about one per patient-year of care) with
 * a 365-day label horizon, so "flags per 100 patient-years" is the share of index times at or above the threshold,
 * times 100: the alert rate of a policy that alerts at most once a year per outcome. PPV = positives among the flagged;
 * sensitivity = flagged among the positives (onset within the horizon).
 * <ul>
 *   <li>warning: the lowest threshold flagging at most {@code warningPer100} per 100 patient-years;</li>
 *   <li>critical: the lowest threshold at or above the warning's flagging at most {@code criticalPer100} per 100
 *       patient-years whose PPV reaches {@code criticalPpvFloor} with at least {@code minTruePositives} onsets among the
 *       flagged (fewer make the PPV noise); when none does, the lowest one within the rate, and {@code ppvFloorMet} is false.</li>
 * </ul>
 * Thresholds are rounded up to 4 decimals (so a rounded threshold never flags more). Written by hand: the search
 * over one outcome's sorted scores is a few lines, and no library states these targets.
 */
public final class OperatingPoints {

  /** What the thresholds aim at. */
  public record Target(double warningPer100, double criticalPer100, double criticalPpvFloor, int minTruePositives) {
    public Target {
      if (!(warningPer100 > 0 && criticalPer100 > 0 && criticalPer100 <= warningPer100 && criticalPpvFloor >= 0
          && criticalPpvFloor <= 1 && minTruePositives >= 1)) {
        throw new IllegalArgumentException("target needs 0 < critical rate <= warning rate, PPV floor in [0,1] and"
            + " minTruePositives >= 1");
      }
    }

    /** Warning at most 5 per 100 patient-years; critical at most 1, with PPV at least 10% from 5 onsets flagged. */
    public static Target defaults() {
      return new Target(5, 1, 0.10, 5);
    }
  }

  /** What a threshold gives on a set of labelled index times. */
  public record Achieved(double threshold, int n, int positives, int flagged, int truePositives, double per100,
      double ppv, double sensitivity) {
  }

  /** One outcome's thresholds, as chosen on the selection patients and as checked on the others. */
  public record Outcome(String name, double warningThreshold, double criticalThreshold, boolean ppvFloorMet,
      Achieved warningSelection, Achieved criticalSelection, Achieved warningCheck, Achieved criticalCheck) {
  }

  private OperatingPoints() {
  }

  /**
   * Chooses on ({@code scores}, {@code labels}) where {@code selection} is true, checks where it is false.
   *
   * @param labels 1 = onset within the horizon, 0 = none (masked index times left out by the caller)
   */
  public static Outcome choose(String name, double[] scores, int[] labels, boolean[] selection, Target target) {
    if (scores.length != labels.length || scores.length != selection.length) {
      throw new IllegalArgumentException("scores, labels and selection must have the same length");
    }
    int[] sel = where(selection, true);
    int[] check = where(selection, false);
    double[] selScores = Arrays.stream(sel).mapToDouble(i -> scores[i]).toArray();
    int[] selLabels = Arrays.stream(sel).map(i -> labels[i]).toArray();
    if (selScores.length == 0) {
      throw new IllegalArgumentException("no index times of " + name + " to choose its thresholds on");
    }
    double[] desc = selScores.clone();
    Arrays.sort(desc);
    reverse(desc);
    double warning = lowestWithin(desc, target.warningPer100());
    double critical = Double.NaN;
    double withinRate = Math.max(warning, lowestWithin(desc, target.criticalPer100()));
    for (double t : distinctAtOrAbove(desc, withinRate)) {  // ascending: the lowest that meets the floor wins
      Achieved a = achieved(roundUp(t), selScores, selLabels);
      if (a.truePositives() >= target.minTruePositives() && a.ppv() >= target.criticalPpvFloor()) {
        critical = roundUp(t);
        break;
      }
    }
    boolean met = !Double.isNaN(critical);
    if (!met) {
      critical = withinRate;
    }
    double[] checkScores = Arrays.stream(check).mapToDouble(i -> scores[i]).toArray();
    int[] checkLabels = Arrays.stream(check).map(i -> labels[i]).toArray();
    return new Outcome(name, warning, critical, met, achieved(warning, selScores, selLabels),
        achieved(critical, selScores, selLabels), achieved(warning, checkScores, checkLabels),
        achieved(critical, checkScores, checkLabels));
  }

  /** What {@code threshold} gives on these index times. */
  public static Achieved achieved(double threshold, double[] scores, int[] labels) {
    int flagged = 0;
    int tp = 0;
    int positives = 0;
    for (int i = 0; i < scores.length; i++) {
      positives += labels[i];
      if (scores[i] >= threshold) {
        flagged++;
        tp += labels[i];
      }
    }
    int n = scores.length;
    return new Achieved(threshold, n, positives, flagged, tp, n == 0 ? Double.NaN : 100.0 * flagged / n,
        flagged == 0 ? Double.NaN : (double) tp / flagged, positives == 0 ? Double.NaN : (double) tp / positives);
  }

  /** The lowest 4-decimal threshold that flags at most {@code per100} per 100 of {@code desc} (sorted descending). */
  static double lowestWithin(double[] desc, double per100) {
    int allowed = (int) Math.floor(per100 / 100.0 * desc.length);
    if (allowed >= desc.length) {
      return roundUp(desc[desc.length - 1]);
    }
    // the smallest 4-decimal threshold above the first score left out: flags the top `allowed`, ties kept out
    double t = (Math.floor(desc[allowed] * 10_000 + 1e-9) + 1) / 10_000;
    return Math.min(1.0, t);
  }

  private static List<Double> distinctAtOrAbove(double[] desc, double from) {
    return Arrays.stream(desc).filter(s -> s >= from).map(OperatingPoints::roundUp).distinct().sorted().boxed()
        .toList();
  }

  static double roundUp(double t) {
    return Math.ceil(t * 10_000 - 1e-9) / 10_000;
  }

  /** The indexes {@code i} where {@code keep[i] == value}. */
  private static int[] where(boolean[] keep, boolean value) {
    return java.util.stream.IntStream.range(0, keep.length).filter(i -> keep[i] == value).toArray();
  }

  private static void reverse(double[] a) {
    for (int i = 0, j = a.length - 1; i < j; i++, j--) {
      double x = a[i];
      a[i] = a[j];
      a[j] = x;
    }
  }
}
