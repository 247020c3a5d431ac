package io.riskstream.topology;

import io.riskstream.schemas.AlertSeverity;
import io.riskstream.topology.config.AlertPolicy;
import java.util.Locale;

/**
 * The alert policy's decision for one outcome of one score, as a pure function of the outcome's policy, its state
 * before the score, the probability and the score's event time:
 * <ul>
 *   <li>hysteresis: a severity that fired is disarmed and re-arms only once p &lt; its threshold − margin;</li>
 *   <li>p ≥ critical and critical armed → CRITICAL (disarms critical and warning); else p ≥ warning and warning
 *       armed → WARNING (disarms warning);</li>
 *   <li>cooldown (event time): within {@code cooldown} after the last alert of the outcome, an alert of the same or a
 *       lower severity is suppressed (and stays armed); an escalation WARNING → CRITICAL is never suppressed.</li>
 *   <li>population: a patient the model does not cover (below the model card's minimum age,
 *       {@link AlertPolicy#covers}) gets no alert; the severities stay armed and the cooldown clock does not move.</li>
 *   <li>withheld ({@link Withheld}): an alert the rules above raise for an outcome the patient already has (its onset
 *       event is in the history at or before the score's asOf), or for a patient who died at or before it, is not
 *       raised. The outcome's state moves as if it had been (severity disarmed, cooldown from its time), so
 *       withholding only takes alerts away: every alert raised is one the policy raises without the rule, and the
 *       alerts withheld plus those raised are what it raises without it. (Were a withheld outcome left armed, it would
 *       be withheld again at every later score above the threshold; the count would say nothing.)</li>
 * </ul>
 *
 * @param severity the alert to raise, or null for none
 * @param threshold the threshold crossed (0 when none)
 * @param next the outcome's state after the score
 * @param withheld why the alert the policy raised was withheld, or null when none was
 */
public record AlertDecision(AlertSeverity severity, double threshold, AlertState.Outcome next, Withheld withheld) {

  /** Why an alert that the thresholds, hysteresis and cooldown raise is withheld. */
  public enum Withheld {
    /** The patient already has the outcome: its onset event is in the history at or before the score's asOf. */
    DIAGNOSED,
    /** The patient died at or before the score's asOf (checked first: it withholds every outcome). */
    DECEASED;

    /** The reason to withhold an outcome's alert, or null for none. */
    public static Withheld of(boolean deceased, boolean diagnosed) {
      return deceased ? DECEASED : diagnosed ? DIAGNOSED : null;
    }

    /** The reason to withhold outcome {@code k}'s alert for the score of {@code request}, or null for none. */
    public static Withheld of(ScoringRequest request, int k) {
      return of(request.diagnosed(), k, request.deathTime(), request.asOf());
    }

    /**
     * The reason to withhold outcome {@code k}'s alert for a score at {@code asOf} of a patient with the outcomes
     * {@code diagnosed} (bit k = outcome k) and the death time {@code deathTime} (null: none), or null for none.
     */
    public static Withheld of(long diagnosed, int k, Long deathTime, long asOf) {
      return of(ScoringRequest.deceased(deathTime, asOf), ScoringRequest.diagnosed(diagnosed, k));
    }

    /** Name of the per-task count metric ({@code <name>-total}), e.g. {@code alerts-withheld-diagnosed}. */
    public String metricOperation() {
      return "alerts-withheld-" + name().toLowerCase(Locale.ROOT);
    }
  }

  /** Decides for probability {@code p} at event time {@code eventTime} (epoch ms) of a patient the model covers. */
  public static AlertDecision decide(AlertPolicy.Outcome policy, AlertState.Outcome previous, double p,
      long eventTime) {
    return decide(policy, previous, p, eventTime, true, null);
  }

  /**
   * Decides for probability {@code p} at event time {@code eventTime} (epoch ms); {@code covered}: whether the patient
   * is in the model's population at that time (false: no alert, see the class comment); {@code withhold}: why an
   * alert would be withheld ({@link Withheld#of}), null when none would.
   */
  public static AlertDecision decide(AlertPolicy.Outcome policy, AlertState.Outcome previous, double p,
      long eventTime, boolean covered, Withheld withhold) {
    boolean warnArmed = previous.warningArmed() || p < policy.warningThreshold() - policy.hysteresisMargin();
    boolean critArmed = previous.criticalArmed() || p < policy.criticalThreshold() - policy.hysteresisMargin();
    AlertSeverity severity = null;
    double threshold = 0;
    if (covered && p >= policy.criticalThreshold() && critArmed) {
      severity = AlertSeverity.CRITICAL;
      threshold = policy.criticalThreshold();
    } else if (covered && p >= policy.warningThreshold() && warnArmed) {
      severity = AlertSeverity.WARNING;
      threshold = policy.warningThreshold();
    }
    Long lastAt = previous.lastAlertAt();
    String lastSeverity = previous.lastSeverity();
    if (severity != null) {
      boolean coolingDown = lastAt != null && eventTime - lastAt < policy.cooldown().toMillis()
          && AlertSeverity.valueOf(lastSeverity).ordinal() >= severity.ordinal();
      if (coolingDown) {
        severity = null;
        threshold = 0;
      } else {
        lastAt = eventTime;
        lastSeverity = severity.name();
        warnArmed = false;
        if (severity == AlertSeverity.CRITICAL) {
          critArmed = false;
        }
      }
    }
    AlertState.Outcome next = new AlertState.Outcome(p, warnArmed, critArmed, lastAt, lastSeverity);
    if (severity != null && withhold != null) {
      return new AlertDecision(null, 0, next, withhold);
    }
    return new AlertDecision(severity, threshold, next, null);
  }
}
