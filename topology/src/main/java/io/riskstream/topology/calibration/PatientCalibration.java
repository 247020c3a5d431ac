package io.riskstream.topology.calibration;

import com.fasterxml.jackson.annotation.JsonIgnore;
import java.util.List;

/**
 * What calibration keeps of one patient until the patient's scores are labelled (value of the store
 * {@value CalibrationLabelProcessor#PENDING_STORE}): the known onsets and the pending scores. Immutable.
 */
public record PatientCalibration(List<Onset> onsets, List<Pending> pending) {

  /**
   * An onset event of outcome {@code outcome} (index in the model's outcomes) at event time {@code time}, with the
   * patient's event time just after it arrived and (null while not deleted) just after it was deleted.
   */
  public record Onset(int outcome, String eventId, long time, long patientTime, Long deletedPatientTime) {
  }

  /**
   * A score waiting for its labels: asOf, the probability of every outcome (model order), and the bit set of the
   * outcomes already labelled (or excluded).
   */
  public record Pending(long asOf, double[] probabilities, int closedOutcomes) {
  }

  public PatientCalibration {
    onsets = List.copyOf(onsets);
    pending = List.copyOf(pending);
  }

  public static PatientCalibration empty() {
    return new PatientCalibration(List.of(), List.of());
  }

  /** Nothing worth keeping. */
  @JsonIgnore
  public boolean isEmpty() {
    return onsets.isEmpty() && pending.isEmpty();
  }
}
