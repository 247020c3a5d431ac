package io.riskstream.scoring;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Seeded model inputs for tests of the scorers. */
public final class TinyModel {

  public static final int VOCAB = 64;

  private TinyModel() {
  }

  /** {@code n} histories of lengths 1..maxLength, tokens 1..VOCAB-1, with increasing ages and recency in [0, 1]. */
  public static List<ModelInput> inputs(int n, int maxLength, long seed) {
    return inputs(n, maxLength, seed, VOCAB);
  }

  /** {@code n} histories of lengths 1..maxLength, tokens 1..vocab-1, with increasing ages and recency in [0, 1]. */
  public static List<ModelInput> inputs(int n, int maxLength, long seed, int vocab) {
    Random random = new Random(seed);
    List<ModelInput> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      int len = 1 + random.nextInt(maxLength);
      long[] tokens = new long[len];
      float[] ages = new float[len];
      float[] recency = new float[len];
      float age = 18 + random.nextFloat() * 60;
      for (int j = 0; j < len; j++) {
        tokens[j] = 1 + random.nextInt(vocab - 1);
        age += random.nextFloat() * 0.5f;
        ages[j] = age;
        recency[j] = (float) (len - j) / len;
      }
      out.add(new ModelInput(tokens, ages, recency));
    }
    return out;
  }
}
