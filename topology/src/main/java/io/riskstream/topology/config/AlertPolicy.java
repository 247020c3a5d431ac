package io.riskstream.topology.config;

import io.riskstream.scoring.model.OperatingPoint;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.config.ConfigException;

/**
 * Alert policy per outcome: warning and critical thresholds, hysteresis margin and cooldown (event time), and what
 * an alert cites as reasons. Outcomes without their own keys ({@code alert.outcome.<name>.warning.threshold},
 * {@code .critical.threshold}, {@code .hysteresis.margin}, {@code .cooldown.hours}) use the defaults
 * ({@code alert.*}).
 *
 * <p>Thresholds come from one place per outcome: the configuration when it sets a threshold for the outcome (its own
 * {@code alert.outcome.<name>.*.threshold} keys, or {@code alert.warning.threshold} / {@code alert.critical.threshold}
 * for all), else the model card's operating point for the outcome ({@link #withOperatingPoints}), else the
 * {@code alert.*} defaults. Explicit configuration always wins, and a model's warning threshold is never mixed with a
 * configured critical one.
 *
 * <p>Population: a model covers patients from a minimum age (its card's {@code population.min_age_years},
 * {@link #withMinimumAge}); below it no alert is raised ({@link #covers}), while scores are still emitted.
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

  /**
   * What alerts cite: the {@code candidates} newest event groups of the input (one per code, over the whole history)
   * are occluded when a score raises an alert, and the alert cites at most {@code count} of them, largest
   * contribution first, each lowering p by at least {@code minContribution} and by at least {@code minShare} of p.
   */
  public record Reasons(int count, int candidates, double minContribution, double minShare, Set<String> excludedCodes) {
    public Reasons {
      excludedCodes = Set.copyOf(excludedCodes);
    }

    /** Event groups occluded per alerting score: none without reasons, else at least {@code count}. */
    public int occluded() {
      return count == 0 ? 0 : Math.max(count, candidates);
    }

    /** The smallest contribution an alert of probability {@code p} cites (always above 0). */
    public double floor(double p) {
      return Math.max(Math.max(minContribution, minShare * p), Double.MIN_VALUE);
    }
  }

  private static final Set<String> FIELDS = Set.of("warning.threshold", "critical.threshold", "hysteresis.margin",
      "cooldown.hours");

  private final Outcome defaults;
  private final boolean thresholdsConfigured;
  private final Map<String, Map<String, String>> configured;
  private final Map<String, OperatingPoint> operatingPoints;
  private final Map<String, Outcome> perOutcome;
  private final Reasons reasons;
  private final double minimumAgeYears;

  /**
   * @param defaults the {@code alert.*} values
   * @param thresholdsConfigured whether {@code alert.warning.threshold} or {@code alert.critical.threshold} was set
   * @param configured per outcome, the fields its {@code alert.outcome.<name>.*} keys set (as text)
   * @param operatingPoints the model's recommended thresholds by outcome
   */
  private AlertPolicy(Outcome defaults, boolean thresholdsConfigured, Map<String, Map<String, String>> configured,
      Map<String, OperatingPoint> operatingPoints, Reasons reasons, double minimumAgeYears) {
    this.defaults = defaults;
    this.minimumAgeYears = minimumAgeYears;
    this.thresholdsConfigured = thresholdsConfigured;
    this.configured = Map.copyOf(configured);
    this.operatingPoints = Map.copyOf(operatingPoints);
    this.reasons = reasons;
    Map<String, Outcome> per = new LinkedHashMap<>();
    Set<String> names = new LinkedHashSet<>(configured.keySet());
    names.addAll(operatingPoints.keySet());
    for (String name : names) {
      per.put(name, resolve(name));
    }
    this.perOutcome = Map.copyOf(per);
  }

  public Outcome forOutcome(String outcome) {
    return perOutcome.getOrDefault(outcome, defaults);
  }

  /** Whether {@code outcome}'s thresholds are the model's operating point (none configured for it). */
  public boolean usesOperatingPoint(String outcome) {
    return operatingPoints.containsKey(outcome) && !thresholdsSetFor(outcome);
  }

  /**
   * This policy with a model's operating points as the thresholds of the outcomes whose thresholds the
   * configuration does not set.
   *
   * @throws ConfigException when an outcome's resulting policy is invalid
   */
  public AlertPolicy withOperatingPoints(Map<String, OperatingPoint> points) {
    return new AlertPolicy(defaults, thresholdsConfigured, configured, points, reasons, minimumAgeYears);
  }

  /**
   * This policy raising no alert for patients younger than {@code years} (the model's population; 0: every age).
   *
   * @throws IllegalArgumentException when {@code years} is negative or not a number
   */
  public AlertPolicy withMinimumAge(double years) {
    if (!(years >= 0)) {
      throw new IllegalArgumentException("the minimum age must be a number of years >= 0, got " + years);
    }
    return new AlertPolicy(defaults, thresholdsConfigured, configured, operatingPoints, reasons, years);
  }

  /** The youngest age (years) at which alerts are raised. */
  public double minimumAgeYears() {
    return minimumAgeYears;
  }

  /**
   * Whether a patient of {@code ageYears} at the score is in the model's population. An unknown age (NaN: the history
   * holds no demographics yet) is covered, as before the floor existed: nothing says the patient is a child.
   */
  public boolean covers(double ageYears) {
    return Double.isNaN(ageYears) || ageYears >= minimumAgeYears;
  }

  /** The most reasons an alert cites. */
  public int reasons() {
    return reasons.count();
  }

  /** What alerts cite. */
  public Reasons reasonRules() {
    return reasons;
  }

  static AlertPolicy fromConfig(RiskStreamConfig c, Map<String, Object> overrides) {
    Outcome d = new Outcome(c.getDouble(RiskStreamConfig.ALERT_WARNING_THRESHOLD_CONFIG),
        c.getDouble(RiskStreamConfig.ALERT_CRITICAL_THRESHOLD_CONFIG),
        c.getDouble(RiskStreamConfig.ALERT_HYSTERESIS_MARGIN_CONFIG),
        Duration.ofHours(c.getLong(RiskStreamConfig.ALERT_COOLDOWN_HOURS_CONFIG)));
    boolean thresholdsConfigured = c.originals().containsKey(RiskStreamConfig.ALERT_WARNING_THRESHOLD_CONFIG)
        || c.originals().containsKey(RiskStreamConfig.ALERT_CRITICAL_THRESHOLD_CONFIG);
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
    byOutcome.forEach((name, f) -> {
      for (String field : f.keySet()) {
        if (!FIELDS.contains(field)) {
          throw new ConfigException("alert.outcome." + name + "." + field, f.get(field),
              "unknown field; use warning.threshold, critical.threshold, hysteresis.margin or cooldown.hours");
        }
      }
    });
    Set<String> excluded = new LinkedHashSet<>();
    for (String code : c.getList(RiskStreamConfig.ALERT_REASONS_EXCLUDED_CODES_CONFIG)) {
      excluded.add(code.trim());
    }
    return new AlertPolicy(d, thresholdsConfigured, byOutcome, Map.of(),
        new Reasons(c.getInt(RiskStreamConfig.ALERT_REASONS_CONFIG),
            c.getInt(RiskStreamConfig.ALERT_REASONS_CANDIDATES_CONFIG),
            c.getDouble(RiskStreamConfig.ALERT_REASONS_MIN_CONTRIBUTION_CONFIG),
            c.getDouble(RiskStreamConfig.ALERT_REASONS_MIN_SHARE_CONFIG), excluded), 0);
  }

  private boolean thresholdsSetFor(String name) {
    Map<String, String> f = configured.getOrDefault(name, Map.of());
    return thresholdsConfigured || f.containsKey("warning.threshold") || f.containsKey("critical.threshold");
  }

  private Outcome resolve(String name) {
    Map<String, String> f = configured.getOrDefault(name, Map.of());
    OperatingPoint point = thresholdsSetFor(name) ? null : operatingPoints.get(name);
    double warning = point != null ? point.warningThreshold() : defaults.warningThreshold();
    double critical = point != null ? point.criticalThreshold() : defaults.criticalThreshold();
    try {
      return new Outcome(parse(f, "warning.threshold", warning), parse(f, "critical.threshold", critical),
          parse(f, "hysteresis.margin", defaults.hysteresisMargin()),
          f.containsKey("cooldown.hours") ? Duration.ofHours(Long.parseLong(f.get("cooldown.hours")))
              : defaults.cooldown());
    } catch (NumberFormatException ex) {
      throw new ConfigException("alert.outcome." + name + " has a value that is not a number");
    }
  }

  private static double parse(Map<String, String> f, String key, double dflt) {
    return f.containsKey(key) ? Double.parseDouble(f.get(key)) : dflt;
  }
}
