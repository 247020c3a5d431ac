package io.riskstream.scoring.model;

import io.riskstream.scoring.ModelInput;
import io.riskstream.scoring.npy.Npy.NpyArray;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A model's shipped validation batch: right-padded inputs {@code tokens} int64 [N,L], {@code ages} and
 * {@code recency} float32 [N,L], {@code labels} float32 [N,K] (1/0/-1) and the reference runtime's {@code expected}
 * probabilities float32 [N,K], for parity checks of other runtimes.
 */
public record ValidationSet(NpyArray tokens, NpyArray ages, NpyArray recency, NpyArray labels, NpyArray expected) {

  public ValidationSet {
    int[] shape = tokens.shape();
    if (shape.length != 2 || !Arrays.equals(shape, ages.shape()) || !Arrays.equals(shape, recency.shape())) {
      throw new IllegalArgumentException("validation tokens, ages and recency must share one [N,L] shape");
    }
    if (labels.shape()[0] != shape[0] || expected.shape()[0] != shape[0]
        || !Arrays.equals(labels.shape(), expected.shape())) {
      throw new IllegalArgumentException("validation labels and expected must be [N,K] with N = " + shape[0]);
    }
  }

  public int size() {
    return tokens.shape()[0];
  }

  /** The rows as unpadded inputs (length = number of leading non-zero tokens). */
  public List<ModelInput> inputs() {
    int n = tokens.shape()[0];
    int length = tokens.shape()[1];
    long[] t = tokens.asLongs();
    float[] a = ages.asFloats();
    float[] r = recency.asFloats();
    List<ModelInput> inputs = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      int from = i * length;
      int len = 0;
      while (len < length && t[from + len] != 0) {
        len++;
      }
      if (len == 0) {
        throw new IllegalArgumentException("validation row " + i + " is all padding");
      }
      inputs.add(new ModelInput(Arrays.copyOfRange(t, from, from + len), Arrays.copyOfRange(a, from, from + len),
          Arrays.copyOfRange(r, from, from + len)));
    }
    return inputs;
  }

  /** Reference probabilities, row-major [N,K]. */
  public float[][] expectedRows() {
    return rows(expected);
  }

  /** Labels, row-major [N,K]: 1, 0, or -1 (masked). */
  public float[][] labelRows() {
    return rows(labels);
  }

  private static float[][] rows(NpyArray array) {
    int n = array.shape()[0];
    int k = array.shape()[1];
    float[] flat = array.asFloats();
    float[][] out = new float[n][];
    for (int i = 0; i < n; i++) {
      out[i] = Arrays.copyOfRange(flat, i * k, (i + 1) * k);
    }
    return out;
  }
}
