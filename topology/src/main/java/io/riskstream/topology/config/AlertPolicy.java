package io.riskstream.topology.config;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;

/**
 * Alert policy per outcome: warning and critical thresholds, hysteresis margin and cooldown (event time). Outcomes
 * without their own keys ({@code alert.outcome.<name>.warning.threshold}, {@code .critical.threshold},
 * {@code .hysteresis.margin}, {@code .cooldown.hours}) use the defaults ({@code alert.*}).
 */
public final class AlertPolicy {

  /** The policy of one outcome. */
  public record Outcome(double warningThreshold, double criticalThreshold, double hysteresisMargin, Duration cooldown) {

    public Outcome {
      if (!(warningThreshold >= 0 && warningThreshold <= criticalThreshold && criticalThreshold <= 1)) {
        throw new ConfigException("alert thresholds must satisfy 0 <= warning <= critical <= 1, got "
            + warningThreshold + " and " + criticalThreshold);
      }
      if (hysteresisMargin < 0 || hysteresisMargin > 1 || cooldown.isNegative()) {
        throw new ConfigException("alert hysteresis margin must be in [0,1] and cooldown not negative");
      }
    }
  }

  private final Outcome defaults;
  private final Map<String, Outcome> perOutcome;
  private final int reasons;

  public AlertPolicy(Outcome defaults, Map<String, Outcome> perOutcome, int reasons) {
    this.defaults = defaults;
    this.perOutcome = Map.copyOf(perOutcome);
    this.reasons = reasons;
  }

  public Outcome forOutcome(String outcome) {
    return perOutcome.getOrDefault(outcome, defaults);
  }

  /** Newest events occluded per score to explain alerts. */
  public int reasons() {
    return reasons;
  }

  static AlertPolicy fromConfig(RiskStreamConfig c, Map<String, Object> overrides) {
    Outcome d = new Outcome(c.getDouble(RiskStreamConfig.ALERT_WARNING_THRESHOLD_CONFIG),
        c.getDouble(RiskStreamConfig.ALERT_CRITICAL_THRESHOLD_CONFIG),
        c.getDouble(RiskStreamConfig.ALERT_HYSTERESIS_MARGIN_CONFIG),
        Duration.ofHours(c.getLong(RiskStreamConfig.ALERT_COOLDOWN_HOURS_CONFIG)));
    Map<String, Map<String, String>> byOutcome = new LinkedHashMap<>();
    for (Map.Entry<String, Object> e : overrides.entrySet()) {
      String k = e.getKey();
      int dot = k.indexOf('.');
      if (dot <= 0) {
        throw new ConfigException("alert.outcome." + k, e.getValue(), "expected alert.outcome.<name>.<field>");
      }
      byOutcome.computeIfAbsent(k.substring(0, dot), x -> new LinkedHashMap<>())
          .put(k.substring(dot + 1), String.valueOf(e.getValue()).trim());
    }
    Map<String, Outcome> per = new LinkedHashMap<>();
    byOutcome.forEach((name, f) -> {
      for (String field : f.keySet()) {
        if (!Map.of("warning.threshold", 0, "critical.threshold", 0, "hysteresis.margin", 0, "cooldown.hours", 0).containsKey(field)) {
          throw new ConfigException("alert.outcome." + name + "." + field, f.get(field),
              "unknown field; use warning.threshold, critical.threshold, hysteresis.margin or cooldown.hours");
        }
      }
      try {
        per.put(name, new Outcome(
            parse(f, "warning.threshold", d.warningThreshold()), parse(f, "critical.threshold", d.criticalThreshold()),
            parse(f, "hysteresis.margin", d.hysteresisMargin()),
            f.containsKey("cooldown.hours") ? Duration.ofHours(Long.parseLong(f.get("cooldown.hours"))) : d.cooldown()));
      } catch (NumberFormatException ex) {
        throw new ConfigException("alert.outcome." + name + " has a value that is not a number");
      }
    });
    return new AlertPolicy(d, per, c.getInt(RiskStreamConfig.ALERT_REASONS_CONFIG));
  }

  private static double parse(Map<String, String> f, String key, double dflt) {
    return f.containsKey(key) ? Double.parseDouble(f.get(key)) : dflt;
  }
}
