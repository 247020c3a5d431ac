package io.riskstream.topology.calibration;

/**
 * A patient's calibration clock (value of the store {@value CalibrationLabelProcessor#CLOCK_STORE}, written on every
 * event of the patient, so kept small): the newest event time seen, and the earliest asOf + horizon of the patient's
 * pending scores ({@link Long#MAX_VALUE} when none), before which an event need not read the pending scores.
 */
public record PatientClock(long eventTime, long deadline) {

  public static PatientClock initial() {
    return new PatientClock(Long.MIN_VALUE, Long.MAX_VALUE);
  }
}
