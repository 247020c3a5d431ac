package io.riskstream.app.evaluate;

import java.util.Arrays;
import java.util.Objects;

/**
 * One patient's scores as the stream produces them: per score (one per source transaction that changed the history,
 * in feed order) its {@code asOf} (epoch ms), the patient's age then (years; NaN when the history holds no
 * demographics) and the probability of each outcome (model order); per outcome the time of the first onset (null:
 * none); and the end of the patient's data (death, else the newest event or encounter end). Holds no events, so a
 * cohort's timelines are a few MB. The arrays are not copied: a timeline is built once and only read.
 */
public record PatientTimeline(String patientId, long[] asOf, double[] ageYears, float[][] probabilities, Long[] onsets,
    long dataEnd) {

  private static final double MILLIS_PER_YEAR = 365.25 * 86_400_000.0;

  public PatientTimeline {
    Objects.requireNonNull(patientId, "patientId");
    if (asOf.length != ageYears.length || asOf.length != probabilities.length) {
      throw new IllegalArgumentException("asOf, ageYears and probabilities must have one entry per score");
    }
    for (int i = 1; i < asOf.length; i++) {
      if (asOf[i] < asOf[i - 1]) {
        throw new IllegalArgumentException("scores must be in event-time order");
      }
    }
  }

  public int size() {
    return asOf.length;
  }

  /** Years of follow-up the stream scored: from the first score to the end of the data (0 without scores). */
  public double years() {
    return asOf.length == 0 ? 0 : Math.max(0, dataEnd - asOf[0]) / MILLIS_PER_YEAR;
  }

  @Override
  public String toString() {
    return "PatientTimeline[" + asOf.length + " scores, onsets " + Arrays.toString(onsets) + "]";
  }
}
