package io.riskstream.app.replay;

import io.riskstream.schemas.AlertReason;
import io.riskstream.schemas.OutcomeProbability;
import io.riskstream.schemas.RiskAlert;
import io.riskstream.schemas.RiskScore;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.function.ToDoubleBiFunction;

/**
 * Compares the scores and alerts a period produced with those its replay produced, record by record, keyed by the
 * deterministic scoreId and alertId. Two records match when every field is equal and their probabilities (and, for
 * alerts, previous probabilities and reason contributions) differ by at most {@code tolerance}: 0 on the CPU, where
 * a replay is bit-identical; a stated tolerance for the GPU. Records of another model than the replay's, and records
 * whose {@code asOf} lies outside {@code [from, to)}, are left out and counted.
 */
public final class ReplayComparison {

  /** How many ids of each kind of difference a report lists. */
  static final int EXAMPLES = 10;

  /**
   * One record type's comparison.
   *
   * @param production records of the period in production (the replay's model)
   * @param replay records of the period in the replay
   * @param matched ids in both, equal within the tolerance
   * @param onlyInProduction ids produced but not reproduced
   * @param onlyInReplay ids reproduced but never produced
   * @param differing ids in both with different contents (or with several different records under the id)
   * @param maxProbabilityDifference the largest probability difference between a production and a replay record of
   *     one id whose other fields are equal
   * @param examples up to {@value #EXAMPLES} ids per kind of difference
   */
  public record Counts(int production, int replay, int matched, int onlyInProduction, int onlyInReplay, int differing,
      double maxProbabilityDifference, Map<String, List<String>> examples) {
    public Counts {
      examples = Map.copyOf(examples);
    }

    public boolean identical() {
      return onlyInProduction == 0 && onlyInReplay == 0 && differing == 0;
    }
  }

  /**
   * The whole comparison.
   *
   * @param modelSha256 the replay's model: production records of other models are not compared
   * @param otherModelScores production scores of other models in the period, left out
   * @param otherModelAlerts production alerts of other models in the period, left out
   */
  public record Result(String modelSha256, Instant from, Instant to, double tolerance, int otherModelScores,
      int otherModelAlerts, Counts scores, Counts alerts) {
    public boolean identical() {
      return scores.identical() && alerts.identical();
    }
  }

  private ReplayComparison() {
  }

  /** Compares; {@code from} and {@code to} may be null (unbounded). */
  public static Result compare(List<RiskScore> productionScores, List<RiskAlert> productionAlerts,
      List<RiskScore> replayScores, List<RiskAlert> replayAlerts, String modelSha256, Instant from, Instant to,
      double tolerance) {
    if (!(tolerance >= 0)) {
      throw new IllegalArgumentException("tolerance must be >= 0, got " + tolerance);
    }
    int[] otherScores = {0};
    List<RiskScore> ps = ofModel(productionScores, RiskScore::getAsOf, x -> x.getModel().getSha256(), modelSha256,
        from, to, otherScores);
    int[] otherAlerts = {0};
    List<RiskAlert> pa = ofModel(productionAlerts, RiskAlert::getAsOf, x -> x.getModel().getSha256(), modelSha256,
        from, to, otherAlerts);
    List<RiskScore> rs = replayScores.stream().filter(s -> inPeriod(s.getAsOf(), from, to)).toList();
    List<RiskAlert> ra = replayAlerts.stream().filter(a -> inPeriod(a.getAsOf(), from, to)).toList();
    return new Result(modelSha256, from, to, tolerance, otherScores[0], otherAlerts[0],
        counts(ps, rs, RiskScore::getScoreId, ReplayComparison::difference, tolerance),
        counts(pa, ra, RiskAlert::getAlertId, ReplayComparison::difference, tolerance));
  }

  /** The records of the period that {@code modelSha256} produced; those of other models are counted in {@code others}. */
  private static <T> List<T> ofModel(List<T> records, Function<T, Instant> asOf, Function<T, String> sha,
      String modelSha256, Instant from, Instant to, int[] others) {
    List<T> out = new ArrayList<>();
    for (T r : records) {
      if (inPeriod(asOf.apply(r), from, to)) {
        if (sha.apply(r).equals(modelSha256)) {
          out.add(r);
        } else {
          others[0]++;
        }
      }
    }
    return out;
  }

  private static boolean inPeriod(Instant asOf, Instant from, Instant to) {
    return (from == null || !asOf.isBefore(from)) && (to == null || asOf.isBefore(to));
  }

  private static <T> Counts counts(List<T> production, List<T> replay, Function<T, String> id,
      ToDoubleBiFunction<T, T> difference, double tolerance) {
    // the distinct records per id: several equal ones are one (an at-least-once redelivery); several different ones
    // under one id make it differ
    Map<String, List<T>> prod = distinct(production, id, difference);
    Map<String, List<T>> rep = distinct(replay, id, difference);
    List<String> onlyProd = new ArrayList<>();
    List<String> onlyReplay = new ArrayList<>();
    List<String> differing = new ArrayList<>();
    int matched = 0;
    double maxDiff = 0;
    for (Map.Entry<String, List<T>> e : prod.entrySet()) {
      List<T> others = rep.get(e.getKey());
      if (others == null) {
        onlyProd.add(e.getKey());
        continue;
      }
      double d = 0;
      for (T p : e.getValue()) {
        for (T r : others) {
          d = Math.max(d, difference.applyAsDouble(p, r));
        }
      }
      if (Double.isFinite(d)) {
        maxDiff = Math.max(maxDiff, d);
      }
      if (d <= tolerance && e.getValue().size() == 1 && others.size() == 1) {
        matched++;
      } else {
        differing.add(e.getKey());
      }
    }
    for (String k : rep.keySet()) {
      if (!prod.containsKey(k)) {
        onlyReplay.add(k);
      }
    }
    Map<String, List<String>> examples = new LinkedHashMap<>();
    examples.put("onlyInProduction", List.copyOf(onlyProd.subList(0, Math.min(EXAMPLES, onlyProd.size()))));
    examples.put("onlyInReplay", List.copyOf(onlyReplay.subList(0, Math.min(EXAMPLES, onlyReplay.size()))));
    examples.put("differing", List.copyOf(differing.subList(0, Math.min(EXAMPLES, differing.size()))));
    return new Counts(prod.size(), rep.size(), matched, onlyProd.size(), onlyReplay.size(), differing.size(), maxDiff,
        examples);
  }

  private static <T> Map<String, List<T>> distinct(List<T> records, Function<T, String> id,
      ToDoubleBiFunction<T, T> difference) {
    Map<String, List<T>> out = new TreeMap<>();
    for (T r : records) {
      List<T> same = out.computeIfAbsent(id.apply(r), k -> new ArrayList<>());
      if (same.stream().noneMatch(x -> difference.applyAsDouble(x, r) == 0)) {
        same.add(r);
      }
    }
    return out;
  }

  /** The largest probability difference of two scores, or +infinity when any other field differs. */
  static double difference(RiskScore a, RiskScore b) {
    if (a.getOutcomes().size() != b.getOutcomes().size() || !withoutProbabilities(a).equals(withoutProbabilities(b))) {
      return Double.POSITIVE_INFINITY;
    }
    double max = 0;
    for (int i = 0; i < a.getOutcomes().size(); i++) {
      max = Math.max(max, Math.abs(a.getOutcomes().get(i).getProbability() - b.getOutcomes().get(i).getProbability()));
    }
    return max;
  }

  /** The largest probability (or contribution) difference of two alerts, or +infinity when any other field differs. */
  static double difference(RiskAlert a, RiskAlert b) {
    if (a.getReasons().size() != b.getReasons().size()
        || (a.getPreviousProbability() == null) != (b.getPreviousProbability() == null)
        || !withoutProbabilities(a).equals(withoutProbabilities(b))) {
      return Double.POSITIVE_INFINITY;
    }
    double max = Math.abs(a.getProbability() - b.getProbability());
    if (a.getPreviousProbability() != null) {
      max = Math.max(max, Math.abs(a.getPreviousProbability() - b.getPreviousProbability()));
    }
    for (int i = 0; i < a.getReasons().size(); i++) {
      max = Math.max(max, Math.abs(a.getReasons().get(i).getContribution() - b.getReasons().get(i).getContribution()));
    }
    return max;
  }

  private static RiskScore withoutProbabilities(RiskScore s) {
    List<OutcomeProbability> outcomes = s.getOutcomes().stream()
        .map(o -> OutcomeProbability.newBuilder(o).setProbability(0).build()).toList();
    return RiskScore.newBuilder(s).setOutcomes(outcomes).build();
  }

  private static RiskAlert withoutProbabilities(RiskAlert a) {
    List<AlertReason> reasons = a.getReasons().stream()
        .map(r -> AlertReason.newBuilder(r).setContribution(0).build()).toList();
    return RiskAlert.newBuilder(a).setProbability(0).setPreviousProbability(a.getPreviousProbability() == null ? null : 0.0)
        .setReasons(reasons).build();
  }
}
