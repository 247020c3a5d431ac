package io.riskstream.topology;

import io.riskstream.schemas.AlertReason;
import io.riskstream.schemas.RiskAlert;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A {@link RiskAlert} as a clinician reads it: the outcome's display name, and each reason as the code's description
 * with its code in brackets, how often it was recorded ("3×") and when last, and its contribution, e.g.
 * {@code Hemoglobin A1c/Hemoglobin.total in Blood [LOINC 4548-4] 3×, latest 2024-05-01 (+0.012)}. Shows codes and
 * descriptions, never values: for consoles and user interfaces, not for logs (a patient's codes are patient data).
 */
public final class AlertText {

  private AlertText() {
  }

  /** The outcome's display name, else its name. */
  public static String outcome(RiskAlert alert) {
    String name = alert.getOutcomeDisplayName();
    return name == null || name.isBlank() ? alert.getOutcome() : name;
  }

  /**
   * What an alert without reasons says instead: no group of the newest events the score occluded lowered the
   * probability by the configured floors (alert.reasons.min.contribution and .min.share of p), so the risk comes from
   * the history as a whole, not from one finding.
   */
  public static final String NO_REASON = "no single recent finding stands out";

  /** The first {@code max} reasons, each as {@link #reason}, or {@link #NO_REASON} when there is none. */
  public static String reasons(RiskAlert alert, int max) {
    List<String> out = new ArrayList<>();
    for (AlertReason r : alert.getReasons()) {
      if (out.size() == max) {
        break;
      }
      out.add(reason(r));
    }
    return out.isEmpty() ? NO_REASON : String.join("; ", out);
  }

  /** One reason: description [system code], count and latest date when grouped, else the date, then contribution. */
  public static String reason(AlertReason r) {
    String code = r.getCode() == null ? null
        : (r.getCodeSystem() == null ? r.getCode() : r.getCodeSystem() + " " + r.getCode());
    String what;
    if (r.getDescription() != null && !r.getDescription().isBlank()) {
      what = r.getDescription().strip() + (code == null ? "" : " [" + code + "]");
    } else {
      what = r.getKind().name().toLowerCase(Locale.ROOT) + (code == null ? "" : " " + code);
    }
    return String.format(Locale.ROOT, "%s %s (%+.3f)", what, when(r), r.getContribution());
  }

  /** How often a reason's events were recorded and when last ("16×, latest 2025-09-21"), or its date when once. */
  public static String when(AlertReason r) {
    String date = r.getEventTime().toString().substring(0, 10);
    return r.getCount() > 1 ? r.getCount() + "×, latest " + date : date;
  }
}
