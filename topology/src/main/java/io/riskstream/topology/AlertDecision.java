package io.riskstream.topology;

import io.riskstream.schemas.AlertSeverity;
import io.riskstream.topology.config.AlertPolicy;

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
 * </ul>
 *
 * @param severity the alert to raise, or null for none
 * @param threshold the threshold crossed (0 when none)
 * @param next the outcome's state after the score
 */
public record AlertDecision(AlertSeverity severity, double threshold, AlertState.Outcome next) {

  /** Decides for probability {@code p} at event time {@code eventTime} (epoch ms) of a patient the model covers. */
  public static AlertDecision decide(AlertPolicy.Outcome policy, AlertState.Outcome previous, double p,
      long eventTime) {
    return decide(policy, previous, p, eventTime, true);
  }

  /**
   * Decides for probability {@code p} at event time {@code eventTime} (epoch ms); {@code covered}: whether the patient
   * is in the model's population at that time (false: no alert, see the class comment).
   */
  public static AlertDecision decide(AlertPolicy.Outcome policy, AlertState.Outcome previous, double p,
      long eventTime, boolean covered) {
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
    return new AlertDecision(severity, threshold, new AlertState.Outcome(p, warnArmed, critArmed, lastAt,
        lastSeverity));
  }
}
