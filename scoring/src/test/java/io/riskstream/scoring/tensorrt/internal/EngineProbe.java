package io.riskstream.scoring.tensorrt.internal;

import io.riskstream.scoring.ModelInput;
import io.riskstream.scoring.model.ModelBundle;
import io.riskstream.scoring.tensorrt.BuildOptions;
import io.riskstream.scoring.tensorrt.BuiltEngine;
import io.riskstream.scoring.tensorrt.ModelIdentity;
import io.riskstream.scoring.tensorrt.Precision;
import io.riskstream.scoring.tensorrt.ProfileSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * GPU diagnostic, not a test (run by hand on the GPU host): builds an engine for one static shape {@code [batch,
 * length]} from an ONNX file (a shipped model's, or a variant of it with the same inputs and outputs) with detailed
 * layer information, writes TensorRT's layer report ({@code <label>-layers.json}) and times full-length batches.
 * It answers "which kernels does this graph get and how fast is that shape", e.g. whether attention is fused.
 *
 * <p>usage: {@code EngineProbe MODEL ONNX LABEL BATCH LENGTH PRECISION OPT_LEVEL ITERATIONS OUT_DIR}
 */
public final class EngineProbe {

  private EngineProbe() {
  }

  public static void main(String[] args) throws Exception {
    if (args.length != 9) {
      throw new IllegalArgumentException("usage: EngineProbe MODEL ONNX LABEL BATCH LENGTH PRECISION OPT_LEVEL "
          + "ITERATIONS OUT_DIR");
    }
    ModelBundle bundle = ModelBundle.load(args[0]);
    Path onnx = Path.of(args[1]);
    String label = args[2];
    int batch = Integer.parseInt(args[3]);
    int length = Integer.parseInt(args[4]);
    Precision precision = Precision.parse(args[5]);
    int level = Integer.parseInt(args[6]);
    int iterations = Integer.parseInt(args[7]);
    Path out = Files.createDirectories(Path.of(args[8]));

    ProfileSpec spec = new ProfileSpec(batch, batch, List.of(length), 1);
    BuiltEngine built = EngineBuilder.build(onnx, new BuildOptions(precision, spec,
        BuildOptions.DEFAULT_WORKSPACE_BYTES, Optional.empty(), level, true), 0);
    try (TensorRtScorer scorer = TensorRtScorer.load(built.plan(), ModelIdentity.of(bundle), precision, spec, 0)) {
      Files.writeString(out.resolve(label + "-layers.json"), scorer.layerInformation());
      int vocab = bundle.spec().vocabularySize();
      List<ModelInput> inputs = new ArrayList<>(batch);
      for (int i = 0; i < batch; i++) {
        long[] tokens = new long[length];
        float[] ages = new float[length];
        float[] recency = new float[length];
        for (int j = 0; j < length; j++) {
          tokens[j] = 1 + (31L * i + 7L * j) % (vocab - 1);
          ages[j] = 0.5f + 0.001f * j;
          recency[j] = 0.01f * (length - j);
        }
        inputs.add(new ModelInput(tokens, ages, recency));
      }
      for (int i = 0; i < 20; i++) {
        scorer.score(inputs);
      }
      double[] ms = new double[iterations];
      for (int i = 0; i < iterations; i++) {
        long t0 = System.nanoTime();
        scorer.score(inputs);
        ms[i] = (System.nanoTime() - t0) / 1e6;
      }
      double mean = Arrays.stream(ms).average().orElseThrow();
      Arrays.sort(ms);
      String line = String.format(Locale.ROOT, "{\"label\":\"%s\",\"batch\":%d,\"length\":%d,\"precision\":\"%s\","
              + "\"optimizationLevel\":%d,\"buildMillis\":%d,\"meanMs\":%.4f,\"p50Ms\":%.4f,\"sequencesPerSecond\":%.0f}",
          label, batch, length, precision.label(), level, built.report().buildMillis(), mean, ms[iterations / 2],
          batch * 1000.0 / mean);
      Files.writeString(out.resolve(label + ".json"), line + "\n");
      System.out.println("PROBE " + line);
    }
  }
}
