package io.riskstream.scoring.dataset;

/**
 * How index times are sampled: at the end of encounters (encounter endTime, else its start), when the patient is at
 * least {@code minAgeYears} old and the time is not after the data end, at most one per {@code minDaysBetween} days
 * (greedy from the oldest: among the candidates within {@code minDaysBetween} days of the first one left, one is
 * drawn at random; the next window starts {@code minDaysBetween} days after it). Draws use a
 * {@code java.util.Random} seeded with {@code seed} and the patient id, so sampling is deterministic.
 */
public record SamplingOptions(long seed, int minAgeYears, int minDaysBetween) {

  public SamplingOptions {
    if (minAgeYears < 0 || minDaysBetween < 1) {
      throw new IllegalArgumentException("minAgeYears must be >= 0 and minDaysBetween >= 1");
    }
  }

  public static SamplingOptions defaults() {
    return new SamplingOptions(42L, 18, 180);
  }
}
