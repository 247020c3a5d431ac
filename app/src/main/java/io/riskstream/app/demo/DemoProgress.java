package io.riskstream.app.demo;

import java.util.Locale;
import java.util.OptionalDouble;

/** The texts of the demo's progress line, as pure functions of what they show. */
public final class DemoProgress {

  private DemoProgress() {
  }

  /**
   * Seconds until {@code done} reaches {@code total} at the rate since the first observation ({@code firstDone} done
   * {@code secondsSinceFirst} ago); empty while there is no rate yet.
   */
  public static OptionalDouble secondsLeft(long done, long total, long firstDone, double secondsSinceFirst) {
    if (done >= total) {
      return OptionalDouble.of(0);
    }
    if (done <= firstDone || !(secondsSinceFirst > 0)) {
      return OptionalDouble.empty();
    }
    double perSecond = (done - firstDone) / secondsSinceFirst;
    return OptionalDouble.of((total - done) / perSecond);
  }

  /** An estimate of the time left, rounded as far as it deserves: "~45 s left", "~3 min left", "~1 h 5 min left". */
  public static String timeLeft(double seconds) {
    long fives = 5 * Math.round(seconds / 5);
    if (fives < 60) {
      return "~" + Math.max(5, fives) + " s left";
    }
    long minutes = Math.round(seconds / 60);
    return minutes < 60 ? "~" + minutes + " min left" : "~" + minutes / 60 + " h " + minutes % 60 + " min left";
  }

  /** The cohort's part of the progress line while Synthea generates it: "cohort 57/200 generated, ~1 min left". */
  public static String generating(long done, long total, OptionalDouble secondsLeft) {
    return String.format(Locale.ROOT, "cohort %,d/%,d generated%s", done, total,
        secondsLeft.isPresent() ? ", " + timeLeft(secondsLeft.getAsDouble()) : "");
  }

  /**
   * The progress line: {@code [  37.9s] feeding part-1 | cohort 57/200 generated, ~1 min left | fed 21 patients,
   * 13,859 events | 89 scores, 3 alerts | lag 9,728}; dead letters only when there are some, lag "?" when unknown.
   */
  public static String line(double seconds, String stage, String cohort, long patientsFed, long events, long scores,
      long alerts, long deadLetters, long lag) {
    return String.format(Locale.ROOT, "[%6.1fs] %s | %s | fed %,d patients, %,d events | %,d scores, %,d alerts%s"
            + " | lag %s", seconds, stage, cohort, patientsFed, events, scores, alerts,
        deadLetters > 0 ? String.format(Locale.ROOT, ", %,d dead letters", deadLetters) : "",
        lag < 0 ? "?" : String.format(Locale.ROOT, "%,d", lag));
  }

  /** A duration in milliseconds as people read it: "850 ms", "66.0 s", "1,234.5 s". */
  public static String millis(double ms) {
    if (Double.isNaN(ms)) {
      return "-";
    }
    return ms < 1000 ? String.format(Locale.ROOT, "%,.0f ms", ms) : String.format(Locale.ROOT, "%,.1f s", ms / 1000);
  }
}
