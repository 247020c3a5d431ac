package io.riskstream.app.evaluate;

import io.riskstream.scoring.encoder.OutcomeSpec;
import io.riskstream.topology.config.AlertPolicy;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The alert-level figures ({@link AlertBurden}) of each outcome under one alert policy, over scored timelines. */
public final class AlertEvaluation {

  /** How many days before an onset an alert counts as preceding it (sensitivity, lead time). */
  public static final int WINDOW_DAYS = 365;

  /** One outcome's policy as applied. */
  public record Rule(double warningThreshold, double criticalThreshold, double hysteresisMargin, long cooldownHours) {
    static Rule of(AlertPolicy.Outcome o) {
      return new Rule(o.warningThreshold(), o.criticalThreshold(), o.hysteresisMargin(), o.cooldown().toHours());
    }
  }

  /** A policy's name, where it came from, its rules and its figures per outcome (model order). */
  public record PolicyResult(String name, String source, double minimumAgeYears, Map<String, Rule> rules,
      Map<String, AlertBurden> outcomes) {
  }

  private AlertEvaluation() {
  }

  /** Every outcome of {@code outcomes} under {@code policy}. */
  public static PolicyResult evaluate(String name, String source, AlertPolicy policy, List<PatientTimeline> timelines,
      List<OutcomeSpec> outcomes, int resamples, long seed) {
    Map<String, Rule> rules = new LinkedHashMap<>();
    Map<String, AlertBurden> results = new LinkedHashMap<>();
    for (int k = 0; k < outcomes.size(); k++) {
      OutcomeSpec o = outcomes.get(k);
      AlertPolicy.Outcome rule = policy.forOutcome(o.name());
      rules.put(o.name(), Rule.of(rule));
      results.put(o.name(), burden(timelines, k, o, rule, policy, resamples, seed + k));
    }
    return new PolicyResult(name, source, policy.minimumAgeYears(), rules, results);
  }

  /** Outcome {@code k}'s figures under {@code rule} with {@code population}'s age floor. */
  public static AlertBurden burden(List<PatientTimeline> timelines, int k, OutcomeSpec outcome,
      AlertPolicy.Outcome rule, AlertPolicy population, int resamples, long seed) {
    List<AlertBurden.Part> parts = new ArrayList<>(timelines.size());
    long horizon = outcome.horizonDays() * 86_400_000L;
    long window = WINDOW_DAYS * 86_400_000L;
    for (PatientTimeline t : timelines) {
      if (t.size() == 0) {
        continue;
      }
      List<AlertReplay.Alert> alerts = AlertReplay.alerts(t, k, rule, population);
      parts.add(new AlertBurden.Part(t.years(), OutcomeCounts.of(alerts, t.onsets()[k], t.asOf()[0], horizon,
          window)));
    }
    return AlertBurden.of(parts, resamples, seed);
  }
}
