package io.riskstream.scoring.tensorrt;

import io.riskstream.scoring.ModelInput;
import io.riskstream.scoring.model.ValidationSet;
import java.util.List;

/**
 * The inputs and integer labels the {@link ParityGate} compares an engine with the reference runtime on
 * ({@code labels[i][k]} = 1 when sample i has outcome k, 0 when not, -1 when unknown), taken from a model's shipped
 * {@link ValidationSet}.
 */
public record ParitySet(List<ModelInput> inputs, int[][] labels) {

  /** From the validation set a {@link io.riskstream.scoring.model.ModelBundle} ships ({@code validation/*.npy}). */
  public static ParitySet of(ValidationSet shipped) {
    float[][] rows = shipped.labelRows();
    int[][] labels = new int[rows.length][];
    for (int i = 0; i < rows.length; i++) {
      labels[i] = new int[rows[i].length];
      for (int k = 0; k < rows[i].length; k++) {
        float v = rows[i][k];
        if (v != 0f && v != 1f && v != -1f) {
          throw new IllegalArgumentException("validation label [" + i + "][" + k + "] is " + v + ", expected 1, 0 or -1");
        }
        labels[i][k] = (int) v;
      }
    }
    return new ParitySet(shipped.inputs(), labels);
  }

  public ParitySet {
    inputs = List.copyOf(inputs);
    labels = labels.clone();
    if (inputs.isEmpty() || inputs.size() != labels.length) {
      throw new IllegalArgumentException("a validation set needs one label row per input, got " + inputs.size()
          + " inputs and " + labels.length + " label rows");
    }
  }

  @Override
  public int[][] labels() {
    return labels.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ParitySet other && inputs.equals(other.inputs)
        && java.util.Arrays.deepEquals(labels, other.labels);
  }

  @Override
  public int hashCode() {
    return 31 * inputs.hashCode() + java.util.Arrays.deepHashCode(labels);
  }

  @Override
  public String toString() {
    return "ParitySet[" + inputs.size() + " samples]";
  }
}
