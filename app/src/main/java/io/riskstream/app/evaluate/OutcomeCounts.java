package io.riskstream.app.evaluate;

import io.riskstream.schemas.AlertSeverity;
import java.util.List;

/**
 * What one patient's alerts of one outcome amount to, against the outcome's first onset:
 * <ul>
 *   <li>{@code warnings}, {@code criticals}: alerts raised, by severity;</li>
 *   <li>{@code warningsBeforeOnset}, {@code criticalsBeforeOnset}: alerts followed by the onset within the horizon
 *       (at &lt; onset &le; at + horizon): the true positives of the PPV;</li>
 *   <li>{@code alertsAfterOnset}: alerts at or after the onset (the condition is already there; counted as false);</li>
 *   <li>{@code onset}: the patient has an onset after the first score (one the stream could have warned of);</li>
 *   <li>{@code detected} / {@code detectedCritical}: an alert (of any severity / critical) in the {@code window}
 *       before that onset (onset - window &le; at &lt; onset);</li>
 *   <li>{@code leadDays}: days from the first such alert to the onset (NaN when not detected).</li>
 * </ul>
 */
public record OutcomeCounts(int warnings, int criticals, int warningsBeforeOnset, int criticalsBeforeOnset,
    int alertsAfterOnset, boolean onset, boolean detected, boolean detectedCritical, double leadDays) {

  static final double MILLIS_PER_DAY = 86_400_000.0;

  /**
   * @param onset the first onset (epoch ms) or null
   * @param firstScore asOf of the patient's first score
   * @param horizonMillis the outcome's horizon (PPV)
   * @param windowMillis how long before an onset an alert counts as preceding it (sensitivity, lead time)
   */
  public static OutcomeCounts of(List<AlertReplay.Alert> alerts, Long onset, long firstScore, long horizonMillis,
      long windowMillis) {
    int warnings = 0;
    int criticals = 0;
    int warningsTp = 0;
    int criticalsTp = 0;
    int after = 0;
    Long firstInWindow = null;
    boolean critInWindow = false;
    for (AlertReplay.Alert a : alerts) {
      boolean critical = a.severity() == AlertSeverity.CRITICAL;
      if (critical) {
        criticals++;
      } else {
        warnings++;
      }
      if (onset == null) {
        continue;
      }
      if (a.at() >= onset) {
        after++;
        continue;
      }
      if (onset - a.at() <= horizonMillis) {
        if (critical) {
          criticalsTp++;
        } else {
          warningsTp++;
        }
      }
      if (onset - a.at() <= windowMillis) {
        if (firstInWindow == null) {
          firstInWindow = a.at();
        }
        critInWindow |= critical;
      }
    }
    boolean counted = onset != null && onset > firstScore;
    boolean detected = counted && firstInWindow != null;
    return new OutcomeCounts(warnings, criticals, warningsTp, criticalsTp, after, counted, detected,
        counted && critInWindow, detected ? (onset - firstInWindow) / MILLIS_PER_DAY : Double.NaN);
  }

  public int alerts() {
    return warnings + criticals;
  }
}
