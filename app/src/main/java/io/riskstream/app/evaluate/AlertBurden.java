package io.riskstream.app.evaluate;

import io.riskstream.scoring.eval.Metrics;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * The alert-level figures of one outcome under one policy over a set of patients, with percentile-bootstrap 95%
 * intervals that resample patients (a patient's alerts and onset stay together; hand-written: the resampling unit is
 * the patient, which no bootstrap at hand does over these counts):
 * <ul>
 *   <li>alerts per 100 patient-years (all, warning, critical): alerts / years of scored follow-up x 100;</li>
 *   <li>sensitivity: onsets with an alert in the window before them / onsets after the patient's first score;</li>
 *   <li>PPV: alerts followed by the onset within the horizon / alerts (all; and critical alone);</li>
 *   <li>median lead time: days from the first alert in the window to the onset, over the detected onsets.</li>
 * </ul>
 */
public record AlertBurden(int patients, double patientYears, int alerts, int warnings, int criticals,
    int alertsFollowedByOnset, int criticalsFollowedByOnset, int alertsAfterOnset, int onsets, int detected,
    int detectedCritical, Metrics.Interval alertsPer100PatientYears, Metrics.Interval warningsPer100PatientYears,
    Metrics.Interval criticalsPer100PatientYears, Metrics.Interval sensitivity, Metrics.Interval ppv,
    Metrics.Interval criticalPpv, Metrics.Interval medianLeadDays) {

  /** One patient's part: years of follow-up and the counts of the outcome. */
  public record Part(double years, OutcomeCounts counts) {
  }

  /** The figures of {@code parts}; {@code resamples} 0: estimates only (NaN bounds). */
  public static AlertBurden of(List<Part> parts, int resamples, long seed) {
    int n = parts.size();
    double[] stats = statistics(parts, null);
    double[][] draws = new double[STATS][resamples];
    if (resamples > 0 && n > 0) {
      Random random = new Random(seed);
      int[] pick = new int[n];
      for (int b = 0; b < resamples; b++) {
        for (int i = 0; i < n; i++) {
          pick[i] = random.nextInt(n);
        }
        double[] s = statistics(parts, pick);
        for (int j = 0; j < STATS; j++) {
          draws[j][b] = s[j];
        }
      }
    }
    Metrics.Interval[] intervals = new Metrics.Interval[STATS];
    for (int j = 0; j < STATS; j++) {
      intervals[j] = interval(stats[j], resamples > 0 && n > 0 ? draws[j] : new double[0]);
    }
    Totals all = totals(parts, null);
    return new AlertBurden(n, all.years(), (int) (all.warnings() + all.criticals()), (int) all.warnings(),
        (int) all.criticals(), (int) all.truePositives(), (int) all.criticalTruePositives(), (int) all.afterOnset(),
        (int) all.onsets(), all.leadCount(), (int) all.detectedCritical(), intervals[0], intervals[1], intervals[2],
        intervals[3], intervals[4], intervals[5], intervals[6]);
  }

  private static final int STATS = 7;

  /** Sums over the parts {@code pick} selects (null: each part once), and the lead times of the detected onsets. */
  private record Totals(double years, long warnings, long criticals, long truePositives, long criticalTruePositives,
      long afterOnset, long onsets, long detectedCritical, double[] leads, int leadCount) {
  }

  private static Totals totals(List<Part> parts, int[] pick) {
    int n = pick == null ? parts.size() : pick.length;
    double years = 0;
    long[] sums = new long[7];
    double[] leads = new double[n];
    int leadCount = 0;
    for (int i = 0; i < n; i++) {
      Part p = parts.get(pick == null ? i : pick[i]);
      OutcomeCounts c = p.counts();
      years += p.years();
      sums[0] += c.warnings();
      sums[1] += c.criticals();
      sums[2] += c.warningsBeforeOnset() + c.criticalsBeforeOnset();
      sums[3] += c.criticalsBeforeOnset();
      sums[4] += c.alertsAfterOnset();
      sums[5] += c.onset() ? 1 : 0;
      sums[6] += c.detectedCritical() ? 1 : 0;
      if (c.detected()) {
        leads[leadCount++] = c.leadDays();
      }
    }
    return new Totals(years, sums[0], sums[1], sums[2], sums[3], sums[4], sums[5], sums[6], leads, leadCount);
  }

  /** The seven statistics over the parts {@code pick} selects (null: each part once). */
  private static double[] statistics(List<Part> parts, int[] pick) {
    Totals t = totals(parts, pick);
    long alerts = t.warnings() + t.criticals();
    double[] s = new double[STATS];
    s[0] = t.years() == 0 ? Double.NaN : 100.0 * alerts / t.years();
    s[1] = t.years() == 0 ? Double.NaN : 100.0 * t.warnings() / t.years();
    s[2] = t.years() == 0 ? Double.NaN : 100.0 * t.criticals() / t.years();
    s[3] = t.onsets() == 0 ? Double.NaN : (double) t.leadCount() / t.onsets();
    s[4] = alerts == 0 ? Double.NaN : (double) t.truePositives() / alerts;
    s[5] = t.criticals() == 0 ? Double.NaN : (double) t.criticalTruePositives() / t.criticals();
    if (t.leadCount() == 0) {
      s[6] = Double.NaN;
    } else {
      double[] sorted = Arrays.copyOf(t.leads(), t.leadCount());
      Arrays.sort(sorted);
      s[6] = Metrics.percentile(sorted, 50);
    }
    return s;
  }

  private static Metrics.Interval interval(double estimate, double[] draws) {
    double[] kept = Arrays.stream(draws).filter(x -> !Double.isNaN(x)).sorted().toArray();
    if (kept.length == 0) {
      return new Metrics.Interval(estimate, Double.NaN, Double.NaN);
    }
    return new Metrics.Interval(estimate, Metrics.percentile(kept, 2.5), Metrics.percentile(kept, 97.5));
  }
}
