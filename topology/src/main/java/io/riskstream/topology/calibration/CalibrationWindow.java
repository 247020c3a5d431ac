package io.riskstream.topology.calibration;

import com.fasterxml.jackson.annotation.JsonIgnore;

/**
 * The labelled scores of one outcome in one event-time window (value of the window store
 * {@value CalibrationTopology#WINDOW_STORE}): how many, how many were followed by an onset (observed) and the sum of
 * their probabilities (expected). Immutable.
 */
public record CalibrationWindow(long labelled, long observed, double expected) {

  public static CalibrationWindow empty() {
    return new CalibrationWindow(0, 0, 0.0);
  }

  public CalibrationWindow add(CalibrationLabeller.Label label) {
    return new CalibrationWindow(labelled + 1, observed + (label.positive() ? 1 : 0), expected + label.probability());
  }

  /** observed / expected, or null when nothing was expected. */
  @JsonIgnore
  public Double ratio() {
    return expected > 0 ? observed / expected : null;
  }

  /**
   * The 95% confidence interval of observed / expected, treating observed as a Poisson count: {@code {lower, upper}},
   * or null when nothing was expected. Byar's approximation of the exact Poisson limits (Rothman and Boice, 1979),
   * written here because it is three lines and needs no distribution library: the upper limit within 1% of the exact
   * one from 0 observed on (3.67 vs 3.69 for 0), the lower within 1% from 5 observed on and below the exact one under
   * that (0.22 vs 0.24 for 2), which only makes a drift upwards harder to raise.
   */
  @JsonIgnore
  public double[] ratioInterval() {
    if (!(expected > 0)) {
      return null;
    }
    double z = 1.959964;
    double lower = observed == 0 ? 0.0
        : observed * Math.pow(1 - 1.0 / (9 * observed) - z / (3 * Math.sqrt(observed)), 3);
    long o1 = observed + 1;
    double upper = o1 * Math.pow(1 - 1.0 / (9 * o1) + z / (3 * Math.sqrt(o1)), 3);
    return new double[] {lower / expected, upper / expected};
  }

  /** Calibration-in-the-large: mean outcome minus mean probability (0 when nothing was labelled). */
  @JsonIgnore
  public double calibrationInTheLarge() {
    return labelled == 0 ? 0.0 : (observed - expected) / labelled;
  }
}
