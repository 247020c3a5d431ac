package io.riskstream.app.evaluate;

import io.riskstream.schemas.AlertSeverity;
import io.riskstream.topology.AlertDecision;
import io.riskstream.topology.AlertState;
import io.riskstream.topology.config.AlertPolicy;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs the stream's alert policy over a scored timeline: {@link AlertDecision#decide} per score and outcome, in
 * score order, with the state the alert processor keeps, the score's asOf as event time, the population check of
 * {@link AlertPolicy#covers} at the patient's age then and the alerts withheld for an outcome already diagnosed or a
 * patient who has died ({@link PatientTimeline#withheld}, {@link AlertDecision.Withheld}). Nothing of the policy is
 * re-implemented here.
 */
public final class AlertReplay {

  /** An alert the stream would raise: the score's index in the timeline, its asOf and the severity. */
  public record Alert(int score, long at, AlertSeverity severity) {
  }

  private AlertReplay() {
  }

  /** The alerts of outcome {@code k} (model order) under {@code policy}. */
  public static List<Alert> alerts(PatientTimeline t, int k, String outcome, AlertPolicy policy) {
    return alerts(t, k, policy.forOutcome(outcome), policy);
  }

  /** The alerts of outcome {@code k} under the outcome policy {@code rule}, with {@code population}'s age floor. */
  public static List<Alert> alerts(PatientTimeline t, int k, AlertPolicy.Outcome rule, AlertPolicy population) {
    List<Alert> out = new ArrayList<>(2);
    AlertState.Outcome state = AlertState.Outcome.initial();
    for (int i = 0; i < t.size(); i++) {
      AlertDecision d = AlertDecision.decide(rule, state, t.probabilities()[i][k], t.asOf()[i],
          population.covers(t.ageYears()[i]), t.withheld(i, k));
      if (d.severity() != null) {
        out.add(new Alert(i, t.asOf()[i], d.severity()));
      }
      state = d.next();
    }
    return out;
  }
}
