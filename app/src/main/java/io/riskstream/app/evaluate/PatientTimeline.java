package io.riskstream.app.evaluate;

import io.riskstream.topology.AlertDecision;
import java.util.Arrays;
import java.util.Objects;

/**
 * One patient's scores as the stream produces them: per score (one per source transaction that changed the history,
 * in feed order) its {@code asOf} (epoch ms), the patient's age then (years; NaN when the history holds no
 * demographics), the probability of each outcome (model order) and the outcomes whose onset events the stream's
 * history held then ({@code diagnosed}: bit k = outcome k, as {@code ScoringRequest.diagnosed()}); per outcome the time
 * of the first onset in the whole record (null: none); the end of the patient's data (death, else the newest event or
 * encounter end); and the death time the stream's history held (null: none). Holds no events, so a cohort's timelines
 * are a few MB. The arrays are not copied: a timeline is built once and only read.
 */
public record PatientTimeline(String patientId, long[] asOf, double[] ageYears, float[][] probabilities,
    long[] diagnosed, Long[] onsets, long dataEnd, Long deathTime) {

  private static final double MILLIS_PER_YEAR = 365.25 * 86_400_000.0;

  public PatientTimeline {
    Objects.requireNonNull(patientId, "patientId");
    if (asOf.length != ageYears.length || asOf.length != probabilities.length || asOf.length != diagnosed.length) {
      throw new IllegalArgumentException("asOf, ageYears, probabilities and diagnosed must have one entry per score");
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

  /** Why an alert of outcome {@code k} at score {@code i} is withheld, or null: the stream's rule, from the same data. */
  public AlertDecision.Withheld withheld(int i, int k) {
    return AlertDecision.Withheld.of(diagnosed[i], k, deathTime, asOf[i]);
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
