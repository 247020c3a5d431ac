package io.riskstream.scoring.tensorrt;

import io.riskstream.scoring.ModelInput;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * A small real ONNX model with the RiskStream contract for tests: exported by src/test/python/tiny_risk_model.py
 * with PyTorch (system property {@code riskstream.test.python}, default /usr/bin/python3), or taken from the
 * file named by system property {@code riskstream.test.model} (hosts without PyTorch). Plus seeded inputs.
 */
final class TinyModel {

  static final List<String> OUTCOMES = List.of("t2d", "ckd", "mi");
  static final int VOCAB = 512;

  private TinyModel() {
  }

  /** The model file, or empty when neither a given file nor PyTorch is available. */
  static Optional<Path> export(Path dir) throws IOException, InterruptedException {
    String given = System.getProperty("riskstream.test.model");
    if (given != null && !given.isBlank()) {
      return Optional.of(Path.of(given));
    }
    String python = System.getProperty("riskstream.test.python", "/usr/bin/python3");
    Path script = Path.of(System.getProperty("riskstream.test.script", "src/test/python/tiny_risk_model.py"));
    if (!Files.isRegularFile(script) || !Files.isExecutable(Path.of(python))) {
      return Optional.empty();
    }
    Path out = dir.resolve("tiny.onnx");
    Process p = new ProcessBuilder(python, script.toString(), out.toString(), "--outcomes",
        String.valueOf(OUTCOMES.size())).redirectErrorStream(true).redirectOutput(dir.resolve("export.log").toFile())
        .start();
    if (!p.waitFor(120, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      return Optional.empty();
    }
    return p.exitValue() == 0 && Files.isRegularFile(out) ? Optional.of(out) : Optional.empty();
  }

  static ModelIdentity identity(Path onnx) throws IOException {
    return new ModelIdentity("tiny-risk", "test", Hashing.sha256(onnx), OUTCOMES);
  }

  /** {@code n} histories of lengths 1..maxLength, with increasing ages and recency in [0, 1]. */
  static List<ModelInput> inputs(int n, int maxLength, long seed) {
    Random random = new Random(seed);
    List<ModelInput> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      int len = 1 + random.nextInt(maxLength);
      long[] tokens = new long[len];
      float[] ages = new float[len];
      float[] recency = new float[len];
      float age = 18 + random.nextFloat() * 60;
      for (int j = 0; j < len; j++) {
        tokens[j] = 1 + random.nextInt(VOCAB - 1);
        age += random.nextFloat() * 0.5f;
        ages[j] = age;
        recency[j] = (float) (len - j) / len;
      }
      out.add(new ModelInput(tokens, ages, recency));
    }
    return out;
  }

  /** Labels drawn as Bernoulli(probability) with a fixed seed, so AUROC on them is informative. */
  static int[][] labels(float[][] probabilities, long seed) {
    Random random = new Random(seed);
    int[][] labels = new int[probabilities.length][];
    for (int i = 0; i < probabilities.length; i++) {
      labels[i] = new int[probabilities[i].length];
      for (int k = 0; k < probabilities[i].length; k++) {
        labels[i][k] = random.nextFloat() < probabilities[i][k] ? 1 : 0;
      }
    }
    return labels;
  }
}
