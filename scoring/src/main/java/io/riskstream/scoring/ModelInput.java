package io.riskstream.scoring;

import java.util.Arrays;

/**
 * One encoded patient history as the model sees it, unpadded, oldest first and newest last.
 * {@code tokens[i]} is a vocabulary id (never 0, which is padding), {@code ages[i]} the patient's age in years
 * at that token's event and {@code recency[i]} a feature of the time from that event to the index time, as the
 * encoder spec defines them. The three arrays have the same length, at least 1 and at most the spec's maximum.
 */
public record ModelInput(long[] tokens, float[] ages, float[] recency) {

  public ModelInput {
    if (tokens.length == 0 || tokens.length != ages.length || tokens.length != recency.length) {
      throw new IllegalArgumentException("tokens, ages and recency must have the same non-zero length, got "
          + tokens.length + ", " + ages.length + ", " + recency.length);
    }
  }

  public int length() {
    return tokens.length;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ModelInput other && Arrays.equals(tokens, other.tokens) && Arrays.equals(ages, other.ages)
        && Arrays.equals(recency, other.recency);
  }

  @Override
  public int hashCode() {
    return 31 * (31 * Arrays.hashCode(tokens) + Arrays.hashCode(ages)) + Arrays.hashCode(recency);
  }

  @Override
  public String toString() {
    return "ModelInput[length=" + tokens.length + "]";
  }
}
