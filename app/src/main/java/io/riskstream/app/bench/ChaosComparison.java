package io.riskstream.app.bench;

import io.riskstream.schemas.RiskAlert;
import io.riskstream.schemas.RiskScore;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;

/**
 * Compares the committed scores and alerts of a run with faults against those of a fault-free reference run of the
 * same input, by the deterministic scoreId and alertId. Unlike an audit replay's comparison, every record counts: a
 * second record under one id is a duplicate (exactly-once forbids it) even when it is equal to the first.
 *
 * <p>A transaction (patient and trigger transaction id) that the two runs scored under different sets of scoreIds was
 * <em>split</em> in one of them: scored in two parts, where the part closed early has a history version of its own, so
 * a scoreId of its own, and the rest gets the whole transaction's scoreId with only the later offsets in its
 * provenance. The idle flush (a wall-clock rule) does that when the input pauses for its duration in the middle of a
 * transaction, in either run; nothing else should. Lost and extra scores of such transactions, and alerts on those
 * scores, are counted apart ({@code lostFromSplits}, {@code extraFromSplits}).
 */
public final class ChaosComparison {

  /** How many ids of each kind of difference the result lists. */
  static final int EXAMPLES = 10;

  /**
   * One record type's comparison.
   *
   * @param reference records of the reference run
   * @param records records of the run with faults, duplicates included
   * @param matched ids in both whose run record equals the reference record
   * @param lost reference ids the run never committed
   * @param duplicated run records beyond the first of their id
   * @param extra ids of the run that the reference does not have
   * @param differing ids in both whose (first) run record differs from the reference record
   * @param differingProbabilities of {@code differing}: ids whose probabilities differ (not only provenance)
   * @param lostFromSplits of {@code lost}: scores of a split transaction (or alerts on them) that the run scored
   *     otherwise
   * @param extraFromSplits of {@code extra}: scores of a split transaction (or alerts on them) that the reference
   *     scored otherwise
   * @param examples up to {@value #EXAMPLES} ids per kind of difference
   */
  public record Counts(int reference, int records, int matched, int lost, int duplicated, int extra, int differing,
      int differingProbabilities, int lostFromSplits, int extraFromSplits, Map<String, List<String>> examples) {
    public Counts {
      examples = Map.copyOf(examples);
    }

    public boolean identical() {
      return lost == 0 && duplicated == 0 && extra == 0 && differing == 0;
    }
  }

  /**
   * The whole comparison.
   *
   * @param splitTransactions (patient, transaction) pairs that the two runs scored under different scoreIds
   * @param splitPositions where in the run's committed scores (0-based, in the order read) its scores of split
   *     transactions that the reference lacks are, ascending (at most 100): the faults' points tell what preceded them
   */
  public record Result(Counts scores, Counts alerts, int splitTransactions, List<Integer> splitPositions) {
    public Result {
      splitPositions = List.copyOf(splitPositions);
    }

    public boolean identical() {
      return scores.identical() && alerts.identical();
    }
  }

  private ChaosComparison() {
  }

  public static Result compare(List<RiskScore> referenceScores, List<RiskAlert> referenceAlerts,
      List<RiskScore> runScores, List<RiskAlert> runAlerts) {
    Map<String, RiskScore> referenceById = byId(referenceScores, RiskScore::getScoreId);
    Map<String, RiskScore> runById = byId(runScores, RiskScore::getScoreId);
    Set<String> referenceTransactions = new HashSet<>();
    referenceScores.forEach(s -> referenceTransactions.add(transaction(s)));
    Set<String> runTransactions = new HashSet<>();
    runScores.forEach(s -> runTransactions.add(transaction(s)));
    // scores of one run only, of a transaction the other run scored too (under other ids)
    Set<String> splitScoreIds = new HashSet<>();
    Set<String> splitTransactions = new HashSet<>();
    referenceById.forEach((id, s) -> {
      if (!runById.containsKey(id) && runTransactions.contains(transaction(s))) {
        splitScoreIds.add(id);
        splitTransactions.add(transaction(s));
      }
    });
    runById.forEach((id, s) -> {
      if (!referenceById.containsKey(id) && referenceTransactions.contains(transaction(s))) {
        splitScoreIds.add(id);
        splitTransactions.add(transaction(s));
      }
    });
    Counts scores = counts(referenceScores, runScores, RiskScore::getScoreId,
        (a, b) -> !a.getOutcomes().equals(b.getOutcomes()), s -> splitScoreIds.contains(s.getScoreId()));
    Counts alerts = counts(referenceAlerts, runAlerts, RiskAlert::getAlertId,
        (a, b) -> a.getProbability() != b.getProbability()
            || !Objects.equals(a.getPreviousProbability(), b.getPreviousProbability()),
        a -> splitScoreIds.contains(a.getScoreId()));
    List<Integer> positions = new ArrayList<>();
    for (int i = 0; i < runScores.size() && positions.size() < 100; i++) {
      String id = runScores.get(i).getScoreId();
      if (!referenceById.containsKey(id) && splitScoreIds.contains(id)) {
        positions.add(i);
      }
    }
    return new Result(scores, alerts, splitTransactions.size(), positions);
  }

  /** The patient and trigger transaction of a score (one score per pair when no transaction is split). */
  private static String transaction(RiskScore s) {
    return s.getPatientId() + '\u0000' + s.getProvenance().getTriggerTxId();
  }

  private static <T> Map<String, T> byId(List<T> records, Function<T, String> id) {
    Map<String, T> out = new LinkedHashMap<>();
    records.forEach(r -> out.putIfAbsent(id.apply(r), r));
    return out;
  }

  private interface Differs<T> {
    boolean test(T a, T b);
  }

  private static <T> Counts counts(List<T> reference, List<T> run, Function<T, String> id,
      Differs<T> probabilitiesDiffer, java.util.function.Predicate<T> fromSplit) {
    Map<String, T> ref = byId(reference, id);
    Map<String, T> actual = byId(run, id);
    List<String> lost = new ArrayList<>();
    List<String> extra = new ArrayList<>();
    List<String> differing = new ArrayList<>();
    int differingProbabilities = 0;
    int matched = 0;
    int lostFromSplits = 0;
    for (Map.Entry<String, T> e : ref.entrySet()) {
      T r = actual.get(e.getKey());
      if (r == null) {
        lost.add(e.getKey());
        if (fromSplit.test(e.getValue())) {
          lostFromSplits++;
        }
      } else if (r.equals(e.getValue())) {
        matched++;
      } else {
        differing.add(e.getKey());
        if (probabilitiesDiffer.test(e.getValue(), r)) {
          differingProbabilities++;
        }
      }
    }
    int extraFromSplits = 0;
    for (Map.Entry<String, T> e : actual.entrySet()) {
      if (!ref.containsKey(e.getKey())) {
        extra.add(e.getKey());
        if (fromSplit.test(e.getValue())) {
          extraFromSplits++;
        }
      }
    }
    List<String> duplicated = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    for (T r : run) {
      if (!seen.add(id.apply(r))) {
        duplicated.add(id.apply(r));
      }
    }
    Map<String, List<String>> examples = new LinkedHashMap<>();
    examples.put("lost", first(lost));
    examples.put("duplicated", first(duplicated));
    examples.put("extra", first(extra));
    examples.put("differing", first(differing));
    return new Counts(ref.size(), run.size(), matched, lost.size(), duplicated.size(), extra.size(), differing.size(),
        differingProbabilities, lostFromSplits, extraFromSplits, examples);
  }

  private static List<String> first(List<String> ids) {
    return List.copyOf(ids.subList(0, Math.min(EXAMPLES, ids.size())));
  }
}
