package io.riskstream.app.evaluate;

import io.riskstream.scoring.encoder.OutcomeSpec;
import io.riskstream.scoring.eval.OperatingPoints;
import io.riskstream.topology.config.AlertPolicy;
import java.util.List;
import java.util.TreeSet;
import java.util.function.IntPredicate;

/**
 * Chooses an outcome's warning and critical thresholds for the streaming alert policy: the real policy
 * ({@link AlertReplay}: hysteresis, cooldown, age floor, with the base policy's margin and cooldown) over scored
 * timelines, chosen on one set of patients and checked on another. Thresholds are on a 4-decimal grid.
 * <ul>
 *   <li>warning: among the thresholds whose alerts (critical off) stay within {@code warningPer100} per 100
 *       patient-years, the lowest with the highest sensitivity (onsets with an alert in the 365 days before; without
 *       onsets, the lowest within the rate). Not simply the lowest within the rate: the policy re-arms a severity only
 *       once p falls below its threshold minus the hysteresis margin, which for thresholds below the margin (the
 *       calibrated one-year probabilities here) never happens, so each patient alerts at most once per severity; the
 *       rate then stays within the target at any threshold, and the lowest one alerts at the first adult score, years
 *       before an onset;</li>
 *   <li>critical (with that warning): the lowest threshold whose critical alerts stay within {@code criticalPer100}
 *       per 100 patient-years and whose critical PPV reaches {@code criticalPpvFloor} with at least
 *       {@code minTruePositives} critical alerts followed by the onset; when none does, the lowest within the rate
 *       ({@code ppvFloorMet} false).</li>
 * </ul>
 * The rates are found by bisection: alerts fall as a threshold rises, except where hysteresis and cooldown make a
 * lower threshold fire earlier and so once less; bisection then returns a threshold at a boundary of the target, not
 * necessarily the lowest. Written by hand: the search over the policy's replays is specific to this policy.
 */
public final class StreamingOperatingPoints {

  static final int GRID = 10_000;

  /** One outcome's thresholds and what they give on the selection and the check patients. */
  public record Choice(String outcome, double warningThreshold, double criticalThreshold, boolean ppvFloorMet,
      AlertBurden selection, AlertBurden check) {
  }

  private StreamingOperatingPoints() {
  }

  public static Choice choose(List<PatientTimeline> selection, List<PatientTimeline> check, int k, OutcomeSpec outcome,
      AlertPolicy base, OperatingPoints.Target target, int resamples, long seed) {
    AlertPolicy.Outcome defaults = base.forOutcome(outcome.name());
    IntPredicate warningWithin = g -> rate(selection, k, outcome, rule(defaults, g, GRID), base, false)
        <= target.warningPer100();
    int lowestWithin = lowest(warningWithin, 1, GRID);
    int w = lowestWithin;
    double best = sensitivity(selection, k, outcome, rule(defaults, lowestWithin, GRID), base);
    if (!Double.isNaN(best)) {
      for (int g : candidates(selection, k, lowestWithin)) {  // ascending: a higher sensitivity wins, ties the lowest
        AlertBurden b = AlertEvaluation.burden(selection, k, outcome, rule(defaults, g, GRID), base, 0, 0);
        if (b.alertsPer100PatientYears().estimate() <= target.warningPer100()
            && b.sensitivity().estimate() > best) {
          best = b.sensitivity().estimate();
          w = g;
        }
      }
    }
    int chosenWarning = w;
    IntPredicate criticalWithin = g -> rate(selection, k, outcome, rule(defaults, chosenWarning, g), base, true)
        <= target.criticalPer100();
    int c0 = lowest(criticalWithin, w, GRID);
    int critical = -1;
    for (int g : candidates(selection, k, c0)) {  // ascending: the lowest that meets the PPV floor wins
      AlertBurden b = AlertEvaluation.burden(selection, k, outcome, rule(defaults, w, g), base, 0, seed);
      if (b.criticalsFollowedByOnset() >= target.minTruePositives() && b.criticalPpv().estimate()
          >= target.criticalPpvFloor()) {
        critical = g;
        break;
      }
    }
    boolean met = critical >= 0;
    int c = met ? critical : c0;
    AlertPolicy.Outcome chosen = rule(defaults, w, c);
    return new Choice(outcome.name(), w / (double) GRID, c / (double) GRID, met,
        AlertEvaluation.burden(selection, k, outcome, chosen, base, resamples, seed),
        AlertEvaluation.burden(check, k, outcome, chosen, base, resamples, seed));
  }

  private static AlertPolicy.Outcome rule(AlertPolicy.Outcome defaults, int warning, int critical) {
    return new AlertPolicy.Outcome(warning / (double) GRID, critical / (double) GRID, defaults.hysteresisMargin(),
        defaults.cooldown());
  }

  private static double sensitivity(List<PatientTimeline> timelines, int k, OutcomeSpec outcome,
      AlertPolicy.Outcome rule, AlertPolicy population) {
    return AlertEvaluation.burden(timelines, k, outcome, rule, population, 0, 0).sensitivity().estimate();
  }

  /** Alerts (or critical alerts) per 100 patient-years of {@code timelines} under {@code rule}. */
  private static double rate(List<PatientTimeline> timelines, int k, OutcomeSpec outcome, AlertPolicy.Outcome rule,
      AlertPolicy population, boolean criticalOnly) {
    AlertBurden b = AlertEvaluation.burden(timelines, k, outcome, rule, population, 0, 0);
    return (criticalOnly ? b.criticalsPer100PatientYears() : b.alertsPer100PatientYears()).estimate();
  }

  /** The lowest g in [lo, hi] where {@code within} holds, by bisection (hi when it holds nowhere below). */
  static int lowest(IntPredicate within, int lo, int hi) {
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (within.test(mid)) {
        hi = mid;
      } else {
        lo = mid + 1;
      }
    }
    return hi;
  }

  /**
   * Grid thresholds from {@code from} up at which the alerts can change: at and just above each score of the outcome
   * (the grid point at or below it, which flags it, and the next, which does not); at most 800, evenly thinned.
   */
  private static List<Integer> candidates(List<PatientTimeline> timelines, int k, int from) {
    TreeSet<Integer> values = new TreeSet<>();
    values.add(from);
    for (PatientTimeline t : timelines) {
      for (float[] p : t.probabilities()) {
        int g = (int) Math.floor(p[k] * (double) GRID);
        for (int v = g; v <= g + 1; v++) {
          if (v >= from && v <= GRID) {
            values.add(v);
          }
        }
      }
    }
    List<Integer> all = List.copyOf(values);
    if (all.size() <= 800) {
      return all;
    }
    int step = (all.size() + 799) / 800;
    java.util.ArrayList<Integer> thinned = new java.util.ArrayList<>();
    for (int i = 0; i < all.size(); i += step) {
      thinned.add(all.get(i));
    }
    return thinned;
  }
}
