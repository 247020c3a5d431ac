package io.riskstream.app.replay;

import io.riskstream.schemas.FeedbackAction;
import io.riskstream.schemas.RiskAlert;
import io.riskstream.schemas.RiskAlertFeedback;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * How clinicians answered a period's alerts, per outcome: alerts, answered ones (by their latest feedback, CDS Hooks
 * or inbox), accepted, overridden and the override rate (overridden / answered; null when none was answered).
 * Feedback on alerts outside the period is left out.
 */
public final class FeedbackRates {

  /** One outcome's answers. */
  public record Outcome(long alerts, long answered, long accepted, long overridden, Double overrideRate) {
  }

  private FeedbackRates() {
  }

  /** Per outcome (sorted by name) of {@code alerts}, their answers in {@code feedback}. */
  public static Map<String, Outcome> of(List<RiskAlert> alerts, List<RiskAlertFeedback> feedback) {
    Map<String, RiskAlertFeedback> latest = new HashMap<>();
    feedback.stream().sorted(Comparator.comparing(RiskAlertFeedback::getOutcomeTimestamp))
        .forEach(f -> latest.put(f.getAlertId(), f));
    Map<String, long[]> counts = new TreeMap<>();
    for (RiskAlert a : alerts) {
      long[] c = counts.computeIfAbsent(a.getOutcome(), k -> new long[3]);
      c[0]++;
      RiskAlertFeedback f = latest.get(a.getAlertId());
      if (f != null) {
        c[f.getAction() == FeedbackAction.ACCEPTED ? 1 : 2]++;
      }
    }
    Map<String, Outcome> out = new TreeMap<>();
    counts.forEach((outcome, c) -> {
      long answered = c[1] + c[2];
      out.put(outcome, new Outcome(c[0], answered, c[1], c[2], answered == 0 ? null : (double) c[2] / answered));
    });
    return out;
  }
}
