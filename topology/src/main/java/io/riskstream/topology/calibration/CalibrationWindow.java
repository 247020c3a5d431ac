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

  /** Calibration-in-the-large: mean outcome minus mean probability (0 when nothing was labelled). */
  @JsonIgnore
  public double calibrationInTheLarge() {
    return labelled == 0 ? 0.0 : (observed - expected) / labelled;
  }
}
