package io.riskstream.app.replay;

import io.riskstream.schemas.ModelInfo;
import io.riskstream.schemas.RiskAlert;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Predicate;

/**
 * Compares production's alerts with the shadow model's would-be alerts, per outcome. The two models score the same
 * history versions, so an alert of either is placed by its point: patient, {@code asOf} (the newest event the scored
 * history held) and outcome. A point both alerted on is "both" (its severity may differ, counted apart); a point only
 * one alerted on is "only production" or "only shadow". A point the other model never scored (it was not running yet,
 * or skipped that history version after a failure) says nothing about agreement: it is left out and counted. Records
 * whose asOf lies outside {@code [from, to)} are left out; an alert delivered twice counts once.
 * Agreement = both / (both + only production + only shadow). Examples are alertIds, never patient ids.
 */
public final class ShadowComparison {

  /** How many alertIds of each kind of difference the report lists per outcome. */
  static final int EXAMPLES = 10;

  /**
   * One outcome's comparison.
   *
   * @param production production's alerts at points the shadow scored
   * @param shadow the shadow's alerts at points production scored
   * @param both points both alerted on
   * @param onlyProduction points only production alerted on
   * @param onlyShadow points only the shadow alerted on
   * @param severityDiffers points both alerted on with different severities
   * @param agreement both / (both + onlyProduction + onlyShadow); null without any alert
   * @param patientsProduction patients production alerted on
   * @param patientsShadow patients the shadow alerted on
   * @param patientsBoth patients both alerted on (at any point)
   * @param examples up to {@value #EXAMPLES} alertIds per kind: onlyProduction (production's ids), onlyShadow (the
   *     shadow's), severityDiffers (production's)
   */
  public record Outcome(int production, int shadow, int both, int onlyProduction, int onlyShadow, int severityDiffers,
      Double agreement, int patientsProduction, int patientsShadow, int patientsBoth,
      Map<String, List<String>> examples) {
    public Outcome {
      examples = Map.copyOf(examples);
    }
  }

  /** A model whose alerts were read, and how many of them (in the period). */
  public record Model(String id, String version, String sha256, int alerts) {
  }

  /**
   * The whole comparison.
   *
   * @param productionModels the models of production's alerts in the period (one, unless production's model changed)
   * @param shadowModels the models of the shadow's alerts in the period
   * @param notScoredByShadow production alerts at points the shadow did not score (left out)
   * @param notScoredByProduction shadow alerts at points production did not score (left out)
   * @param outcomes per outcome, by name
   * @param total every outcome together
   */
  public record Result(Instant from, Instant to, List<Model> productionModels, List<Model> shadowModels,
      int notScoredByShadow, int notScoredByProduction, Map<String, Outcome> outcomes, Outcome total) {
    public Result {
      productionModels = List.copyOf(productionModels);
      shadowModels = List.copyOf(shadowModels);
      outcomes = java.util.Collections.unmodifiableMap(new TreeMap<>(outcomes));
    }
  }

  private ShadowComparison() {
  }

  /** The point an alert was raised at, without its outcome: patient and asOf (also a score's, {@link #scoredPoint}). */
  public static String scoredPoint(String patientId, Instant asOf) {
    return patientId + '\u0000' + asOf.toEpochMilli();
  }

  /**
   * Compares; {@code from} and {@code to} may be null (unbounded).
   *
   * @param shadowScored whether the shadow scored a {@link #scoredPoint}
   * @param productionScored whether production scored a {@link #scoredPoint}
   */
  public static Result compare(List<RiskAlert> production, List<RiskAlert> shadow, Predicate<String> shadowScored,
      Predicate<String> productionScored, Instant from, Instant to) {
    Map<String, RiskAlert> prod = byPoint(production, from, to);
    Map<String, RiskAlert> shad = byPoint(shadow, from, to);
    List<Model> prodModels = models(prod.values());
    List<Model> shadModels = models(shad.values());
    int notScoredByShadow = dropUnscored(prod, shadowScored);
    int notScoredByProduction = dropUnscored(shad, productionScored);
    Set<String> outcomes = new TreeSet<>();
    prod.values().forEach(a -> outcomes.add(a.getOutcome()));
    shad.values().forEach(a -> outcomes.add(a.getOutcome()));
    Map<String, Outcome> per = new LinkedHashMap<>();
    for (String o : outcomes) {
      per.put(o, outcome(only(prod, o), only(shad, o)));
    }
    return new Result(from, to, prodModels, shadModels, notScoredByShadow, notScoredByProduction, per,
        outcome(prod, shad));
  }

  /** Removes the alerts at points the other model did not score; returns how many. */
  private static int dropUnscored(Map<String, RiskAlert> alerts, Predicate<String> otherScored) {
    int before = alerts.size();
    alerts.values().removeIf(a -> !otherScored.test(scoredPoint(a.getPatientId(), a.getAsOf())));
    return before - alerts.size();
  }

  private static Map<String, RiskAlert> only(Map<String, RiskAlert> alerts, String outcome) {
    Map<String, RiskAlert> out = new TreeMap<>();
    alerts.forEach((k, a) -> {
      if (a.getOutcome().equals(outcome)) {
        out.put(k, a);
      }
    });
    return out;
  }

  /** The alerts of the period by point (patient, asOf, outcome); of several at one point, the first read. */
  private static Map<String, RiskAlert> byPoint(List<RiskAlert> alerts, Instant from, Instant to) {
    Map<String, RiskAlert> out = new TreeMap<>();
    for (RiskAlert a : alerts) {
      Instant t = a.getAsOf();
      if ((from == null || !t.isBefore(from)) && (to == null || t.isBefore(to))) {
        out.putIfAbsent(scoredPoint(a.getPatientId(), t) + '\u0000' + a.getOutcome(), a);
      }
    }
    return out;
  }

  private static List<Model> models(Iterable<RiskAlert> alerts) {
    Map<String, ModelInfo> info = new TreeMap<>();
    Map<String, Integer> counts = new HashMap<>();
    for (RiskAlert a : alerts) {
      info.putIfAbsent(a.getModel().getSha256(), a.getModel());
      counts.merge(a.getModel().getSha256(), 1, Integer::sum);
    }
    List<Model> out = new ArrayList<>();
    info.forEach((sha, m) -> out.add(new Model(m.getId(), m.getVersion(), sha, counts.get(sha))));
    return out;
  }

  private static Outcome outcome(Map<String, RiskAlert> prod, Map<String, RiskAlert> shad) {
    List<String> onlyProd = new ArrayList<>();
    List<String> onlyShadow = new ArrayList<>();
    List<String> severity = new ArrayList<>();
    int both = 0;
    for (Map.Entry<String, RiskAlert> e : prod.entrySet()) {
      RiskAlert s = shad.get(e.getKey());
      if (s == null) {
        onlyProd.add(e.getValue().getAlertId());
      } else {
        both++;
        if (s.getSeverity() != e.getValue().getSeverity()) {
          severity.add(e.getValue().getAlertId());
        }
      }
    }
    shad.forEach((k, a) -> {
      if (!prod.containsKey(k)) {
        onlyShadow.add(a.getAlertId());
      }
    });
    Set<String> patientsProd = patients(prod);
    Set<String> patientsShadow = patients(shad);
    Set<String> patientsBoth = new HashSet<>(patientsProd);
    patientsBoth.retainAll(patientsShadow);
    int union = both + onlyProd.size() + onlyShadow.size();
    Map<String, List<String>> examples = new LinkedHashMap<>();
    examples.put("onlyProduction", first(onlyProd));
    examples.put("onlyShadow", first(onlyShadow));
    examples.put("severityDiffers", first(severity));
    return new Outcome(prod.size(), shad.size(), both, onlyProd.size(), onlyShadow.size(), severity.size(),
        union == 0 ? null : (double) both / union, patientsProd.size(), patientsShadow.size(), patientsBoth.size(),
        examples);
  }

  private static Set<String> patients(Map<String, RiskAlert> alerts) {
    Set<String> out = new HashSet<>();
    alerts.values().forEach(a -> out.add(a.getPatientId()));
    return out;
  }

  private static List<String> first(List<String> ids) {
    List<String> sorted = new ArrayList<>(ids);
    java.util.Collections.sort(sorted);
    return List.copyOf(sorted.subList(0, Math.min(EXAMPLES, sorted.size())));
  }
}
