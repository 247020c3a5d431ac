package io.riskstream.app.cli;

import io.riskstream.app.evaluate.AlertBurden;
import io.riskstream.app.evaluate.StreamingOperatingPoints;
import io.riskstream.scoring.eval.Metrics;
import io.riskstream.scoring.eval.OperatingPoints;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The model card's "## Operating points" section for thresholds chosen for the streaming alert policy. */
final class StreamingCardSection {

  private StreamingCardSection() {
  }

  @SuppressWarnings("unchecked")
  static String section(Map<String, Object> block, List<StreamingOperatingPoints.Choice> choices,
      OperatingPoints.Target target) {
    Map<String, Object> data = (Map<String, Object>) block.get("data");
    StringBuilder s = new StringBuilder(ModelCardOperatingPoints.SECTION).append(" (default alert thresholds)\n\n");
    s.append(String.format(Locale.ROOT, "The alert thresholds `run` and `demo` use for an outcome when the"
        + " configuration sets none (`alert.warning.threshold`, `alert.critical.threshold`,"
        + " `alert.outcome.<name>.*.threshold` win), chosen for the streaming alert policy: the stream's own"
        + " AlertDecision (hysteresis, cooldown, no alert below the minimum age, none for an outcome already diagnosed"
        + " or after death) over every patient's timeline scored"
        + " at each source transaction, as `riskstream evaluate --alerts` replays it. Target: warning at most %s alerts"
        + " per 100 patient-years, and among those thresholds the lowest with the most onsets alerted in the 365 days"
        + " before; critical (at or above the warning) at most %s critical alerts per 100 patient-years with a"
        + " critical PPV of at least %s from at least %d critical alerts followed by the onset (when no threshold"
        + " reaches that PPV: the lowest within the rate, marked below). Why not simply the lowest warning within the"
        + " rate: the policy re-arms a severity only once p falls below its threshold minus the hysteresis margin"
        + " (0.05 by default), which no threshold here allows, so each patient alerts at most once per outcome and"
        + " severity; every threshold is then within the rate, and the lowest alerts at the first adult score, years"
        + " before an onset.%n%n", EvaluateCommand.fmt(target.warningPer100()),
        EvaluateCommand.fmt(target.criticalPer100()), EvaluateCommand.fmt(target.criticalPpvFloor()),
        target.minTruePositives()));
    s.append("Data: ").append(data.getOrDefault("cohort_command", data.get("cohort"))).append(" (")
        .append(data.get("patients")).append(" patient records, ").append(data.get("scores")).append(" scores, ")
        .append(String.format(Locale.ROOT, "%.0f", ((Number) data.get("patient_years")).doubleValue()))
        .append(" patient-years). ").append(data.get("selection")).append(". Command: `").append(data.get("command"))
        .append("`.\n\n");
    s.append("Check patients (95% bootstrap intervals over patients); per 100 patient-years of scored follow-up, all"
        + " ages; sensitivity: onsets with an alert in the 365 days before; PPV: alerts followed by the onset within"
        + " the horizon; lead: median days from the first such alert to the onset.\n\n");
    s.append("| outcome | warning | critical | alerts per 100 py (choice / check) | warning / critical per 100 py |"
        + " sensitivity | PPV | critical PPV | lead days |\n");
    s.append("|---|---|---|---|---|---|---|---|---|\n");
    for (StreamingOperatingPoints.Choice c : choices) {
      AlertBurden k = c.check();
      s.append(String.format(Locale.ROOT, "| %s | %.4f | %.4f%s | %.2f / %s | %.2f / %.2f | %s (%d of %d) | %s (%d of"
              + " %d) | %s (%d of %d) | %s |%n", c.outcome(), c.warningThreshold(), c.criticalThreshold(),
          c.ppvFloorMet() ? "" : " (PPV floor not reached)", c.selection().alertsPer100PatientYears().estimate(),
          interval(k.alertsPer100PatientYears(), "%.2f"), k.warningsPer100PatientYears().estimate(),
          k.criticalsPer100PatientYears().estimate(), interval(k.sensitivity(), "%.3f"), k.detected(), k.onsets(),
          interval(k.ppv(), "%.3f"), k.alertsFollowedByOnset(), k.alerts(), interval(k.criticalPpv(), "%.3f"),
          k.criticalsFollowedByOnset(), k.criticals(), interval(k.medianLeadDays(), "%.0f")));
    }
    s.append("\n");
    return s.toString();
  }

  private static String interval(Metrics.Interval i, String format) {
    if (Double.isNaN(i.estimate())) {
      return "-";
    }
    String e = String.format(Locale.ROOT, format, i.estimate());
    if (Double.isNaN(i.lower())) {
      return e;
    }
    return e + " (" + String.format(Locale.ROOT, format, i.lower()) + "–" + String.format(Locale.ROOT, format,
        i.upper()) + ")";
  }
}
