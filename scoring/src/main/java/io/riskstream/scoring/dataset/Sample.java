package io.riskstream.scoring.dataset;

import java.util.Arrays;

/**
 * One training or evaluation example: a patient, an index time, and per outcome (spec order) the label 1 (onset
 * within the horizon after the index time), 0 (no onset, full follow-up) or -1 (masked: onset at or before the
 * index time, or follow-up shorter than the horizon without onset).
 */
public record Sample(String patientId, long indexTimeMillis, float[] labels) {

  public Sample {
    labels = labels.clone();
  }

  @Override
  public float[] labels() {
    return labels.clone();
  }

  public float label(int outcome) {
    return labels[outcome];
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Sample other && patientId.equals(other.patientId) && indexTimeMillis == other.indexTimeMillis
        && Arrays.equals(labels, other.labels);
  }

  @Override
  public int hashCode() {
    return 31 * (31 * patientId.hashCode() + Long.hashCode(indexTimeMillis)) + Arrays.hashCode(labels);
  }

  @Override
  public String toString() {
    return "Sample[indexTime=" + indexTimeMillis + ", labels=" + Arrays.toString(labels) + "]";
  }
}
