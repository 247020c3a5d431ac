package io.riskstream.app.replay;

import io.riskstream.schemas.ModelInfo;
import io.riskstream.schemas.RiskAlert;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
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
 * history versions; an alert is raised at a point: patient, {@code asOf} (the newest event of the scored history) and
 * outcome. An alert of one model matches an alert of the other for the same patient and outcome whose asOf lies
 * within {@code window} of it (0: the same history point), one to one, earliest first: matched pairs are "both" (their
 * severity may differ, counted apart), the rest "only production" or "only shadow". An alert at a point the other
 * model never scored (it was not running yet, or skipped that history after a failure) says nothing about agreement:
 * it is left out and counted. Alerts whose asOf lies outside {@code [from, to)} are left out; an alert delivered twice
 * counts once. Agreement = both / (both + only production + only shadow). Examples are alertIds, never patient ids.
 */
public final class ShadowComparison {

  /** How many alertIds of each kind of difference the report lists per outcome. */
  static final int EXAMPLES = 10;

  /**
   * One outcome's comparison.
   *
   * @param production production's alerts (at points the shadow scored)
   * @param shadow the shadow's alerts (at points production scored)
   * @param both matched pairs: both models alerted on the patient and outcome within the window
   * @param onlyProduction production alerts the shadow did not match
   * @param onlyShadow shadow alerts production did not match
   * @param severityDiffers matched pairs with different severities
   * @param agreement both / (both + onlyProduction + onlyShadow); null without any alert
   * @param medianShadowLagDays the median of (shadow's asOf − production's asOf) over matched pairs, in days: negative
   *     when the shadow alerts earlier; null without pairs
   * @param patientsProduction patients production alerted on
   * @param patientsShadow patients the shadow alerted on
   * @param patientsBoth patients both alerted on (at any time)
   * @param examples up to {@value #EXAMPLES} alertIds per kind: onlyProduction (production's ids), onlyShadow (the
   *     shadow's), severityDiffers (production's)
   */
  public record Outcome(int production, int shadow, int both, int onlyProduction, int onlyShadow, int severityDiffers,
      Double agreement, Double medianShadowLagDays, int patientsProduction, int patientsShadow, int patientsBoth,
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
   * @param window how far apart (asOf) two alerts may be and still match
   * @param productionModels the models of production's alerts in the period (one, unless production's model changed)
   * @param shadowModels the models of the shadow's alerts in the period
   * @param notScoredByShadow production alerts at points the shadow did not score (left out)
   * @param notScoredByProduction shadow alerts at points production did not score (left out)
   * @param outcomes per outcome, by name
   * @param total every outcome together
   */
  public record Result(Instant from, Instant to, Duration window, List<Model> productionModels,
      List<Model> shadowModels, int notScoredByShadow, int notScoredByProduction, Map<String, Outcome> outcomes,
      Outcome total) {
    public Result {
      productionModels = List.copyOf(productionModels);
      shadowModels = List.copyOf(shadowModels);
      outcomes = java.util.Collections.unmodifiableMap(new TreeMap<>(outcomes));
    }
  }

  private ShadowComparison() {
  }

  /** The history point of an alert or a score: patient and asOf. */
  public static String scoredPoint(String patientId, Instant asOf) {
    return patientId + '\u0000' + asOf.toEpochMilli();
  }

  /**
   * Compares; {@code from} and {@code to} may be null (unbounded).
   *
   * @param shadowScored whether the shadow scored a {@link #scoredPoint}
   * @param productionScored whether production scored a {@link #scoredPoint}
   * @param window how far apart two alerts may be and match (0: at the same history point)
   */
  public static Result compare(List<RiskAlert> production, List<RiskAlert> shadow, Predicate<String> shadowScored,
      Predicate<String> productionScored, Instant from, Instant to, Duration window) {
    if (window.isNegative()) {
      throw new IllegalArgumentException("the matching window must not be negative, got " + window);
    }
    List<RiskAlert> prod = distinct(production, from, to);
    List<RiskAlert> shad = distinct(shadow, from, to);
    List<Model> prodModels = models(prod);
    List<Model> shadModels = models(shad);
    int notScoredByShadow = dropUnscored(prod, shadowScored);
    int notScoredByProduction = dropUnscored(shad, productionScored);
    Set<String> outcomes = new TreeSet<>();
    prod.forEach(a -> outcomes.add(a.getOutcome()));
    shad.forEach(a -> outcomes.add(a.getOutcome()));
    Map<String, Outcome> per = new LinkedHashMap<>();
    Matches all = new Matches();
    for (String o : outcomes) {
      Map<String, List<RiskAlert>> p = of(prod, o);
      Map<String, List<RiskAlert>> sh = of(shad, o);
      Matches m = new Matches();
      match(p, sh, window.toMillis(), m);
      match(p, sh, window.toMillis(), all);
      per.put(o, m.outcome());
    }
    return new Result(from, to, window, prodModels, shadModels, notScoredByShadow, notScoredByProduction, per,
        all.outcome());
  }

  /** The alerts of the period, one per point (patient, asOf, outcome): of several, the first read. */
  private static List<RiskAlert> distinct(List<RiskAlert> alerts, Instant from, Instant to) {
    Map<String, RiskAlert> out = new LinkedHashMap<>();
    for (RiskAlert a : alerts) {
      Instant t = a.getAsOf();
      if ((from == null || !t.isBefore(from)) && (to == null || t.isBefore(to))) {
        out.putIfAbsent(scoredPoint(a.getPatientId(), t) + '\u0000' + a.getOutcome(), a);
      }
    }
    return new ArrayList<>(out.values());
  }

  /** Removes the alerts at points the other model did not score; returns how many. */
  private static int dropUnscored(List<RiskAlert> alerts, Predicate<String> otherScored) {
    int before = alerts.size();
    alerts.removeIf(a -> !otherScored.test(scoredPoint(a.getPatientId(), a.getAsOf())));
    return before - alerts.size();
  }

  /** The alerts of {@code outcome} by patient, each patient's in asOf order. */
  private static Map<String, List<RiskAlert>> of(List<RiskAlert> alerts, String outcome) {
    Map<String, List<RiskAlert>> out = new TreeMap<>();
    for (RiskAlert a : alerts) {
      if (a.getOutcome().equals(outcome)) {
        out.computeIfAbsent(a.getPatientId(), k -> new ArrayList<>()).add(a);
      }
    }
    out.values().forEach(l -> l.sort(Comparator.comparing(RiskAlert::getAsOf)));
    return out;
  }

  /**
   * Matches each patient's alerts of both models one to one, in asOf order: the earliest unmatched alerts of both are
   * a pair when they lie within the window, else the earlier one stays unmatched (on a line with a fixed window this
   * greedy pairing finds the most pairs; written by hand, no library does it).
   */
  private static void match(Map<String, List<RiskAlert>> prod, Map<String, List<RiskAlert>> shad, long windowMs,
      Matches m) {
    Set<String> patients = new TreeSet<>(prod.keySet());
    patients.addAll(shad.keySet());
    for (String patient : patients) {
      List<RiskAlert> p = prod.getOrDefault(patient, List.of());
      List<RiskAlert> s = shad.getOrDefault(patient, List.of());
      m.patient(!p.isEmpty(), !s.isEmpty(), patient);
      int i = 0;
      int j = 0;
      while (i < p.size() || j < s.size()) {
        if (j == s.size()) {
          m.onlyProduction(p.get(i++));
        } else if (i == p.size()) {
          m.onlyShadow(s.get(j++));
        } else {
          long d = s.get(j).getAsOf().toEpochMilli() - p.get(i).getAsOf().toEpochMilli();
          if (Math.abs(d) <= windowMs) {
            m.both(p.get(i++), s.get(j++), d);
          } else if (d > 0) {
            m.onlyProduction(p.get(i++));
          } else {
            m.onlyShadow(s.get(j++));
          }
        }
      }
    }
  }

  /** The tallies of one comparison. */
  private static final class Matches {
    private final List<String> onlyProduction = new ArrayList<>();
    private final List<String> onlyShadow = new ArrayList<>();
    private final List<String> severityDiffers = new ArrayList<>();
    private final List<Long> lags = new ArrayList<>();
    private final Set<String> patientsProduction = new HashSet<>();
    private final Set<String> patientsShadow = new HashSet<>();
    private final Set<String> patientsBoth = new HashSet<>();

    void patient(boolean inProduction, boolean inShadow, String patient) {
      if (inProduction) {
        patientsProduction.add(patient);
      }
      if (inShadow) {
        patientsShadow.add(patient);
      }
      if (inProduction && inShadow) {
        patientsBoth.add(patient);
      }
    }

    void onlyProduction(RiskAlert a) {
      onlyProduction.add(a.getAlertId());
    }

    void onlyShadow(RiskAlert a) {
      onlyShadow.add(a.getAlertId());
    }

    void both(RiskAlert production, RiskAlert shadow, long lagMs) {
      lags.add(lagMs);
      if (production.getSeverity() != shadow.getSeverity()) {
        severityDiffers.add(production.getAlertId());
      }
    }

    Outcome outcome() {
      int both = lags.size();
      int union = both + onlyProduction.size() + onlyShadow.size();
      Map<String, List<String>> examples = new LinkedHashMap<>();
      examples.put("onlyProduction", first(onlyProduction));
      examples.put("onlyShadow", first(onlyShadow));
      examples.put("severityDiffers", first(severityDiffers));
      return new Outcome(both + onlyProduction.size(), both + onlyShadow.size(), both, onlyProduction.size(),
          onlyShadow.size(), severityDiffers.size(), union == 0 ? null : (double) both / union, medianDays(lags),
          patientsProduction.size(), patientsShadow.size(), patientsBoth.size(), examples);
    }

    private static Double medianDays(List<Long> millis) {
      if (millis.isEmpty()) {
        return null;
      }
      List<Long> sorted = new ArrayList<>(millis);
      sorted.sort(null);
      int n = sorted.size();
      double median = n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2.0;
      return median / 86_400_000.0;
    }

    private static List<String> first(List<String> ids) {
      List<String> sorted = new ArrayList<>(ids);
      sorted.sort(null);
      return List.copyOf(sorted.subList(0, Math.min(EXAMPLES, sorted.size())));
    }
  }

  private static List<Model> models(List<RiskAlert> alerts) {
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
}
