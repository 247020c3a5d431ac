package io.riskstream.cli;

import io.riskstream.scoring.tensorrt.CachedEngine;
import io.riskstream.scoring.tensorrt.EngineBuildException;
import io.riskstream.scoring.tensorrt.EngineCache;
import io.riskstream.scoring.tensorrt.EngineCacheException;
import io.riskstream.scoring.tensorrt.ParityTolerances;
import io.riskstream.scoring.tensorrt.Precision;
import io.riskstream.scoring.tensorrt.ProfileSpec;
import io.riskstream.scoring.tensorrt.TensorRt;
import io.riskstream.scoring.tensorrt.TensorRtBackend;
import io.riskstream.scoring.tensorrt.TensorRtOptions;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code riskstream build-engine}: prebuilds (or verifies) the TensorRT engines of a model into an engine cache, for
 * CI/CD and container images. Needs a GPU and TensorRT; the engine is specific to this GPU model and TensorRT version.
 */
@Command(name = "build-engine", mixinStandardHelpOptions = true,
    description = "Build (or verify) TensorRT engines of an ONNX model into an engine cache directory.")
public final class BuildEngineCommand implements Callable<Integer> {

  static final int EXIT_UNAVAILABLE = 3;
  static final int EXIT_FAILED = 4;

  @Spec
  CommandSpec spec;

  @Option(names = "--model", required = true, description = "The model's ONNX file (model.onnx).")
  Path model;

  @Option(names = "--sha256", description = "The model's sha256; default: the first word of <model>.sha256.")
  String sha256;

  @Option(names = "--precision", split = ",", defaultValue = "fp16",
      description = "Engine precisions, comma-separated: fp32, fp16, int8 (int8 needs Q/DQ nodes). Default: fp16.")
  List<String> precisions;

  @Option(names = "--max-batch", defaultValue = "256", description = "Largest batch of the profiles. Default: 256.")
  int maxBatch;

  @Option(names = "--opt-batch", description = "Batch size the builder tunes for. Default: the largest batch.")
  Integer optBatch;

  @Option(names = "--buckets", split = ",", defaultValue = "64,128,256",
      description = "Length buckets (upper bounds, increasing; the last is the model's maximum length).")
  List<Integer> buckets;

  @Option(names = "--contexts", defaultValue = "2", description = "Execution contexts per length bucket. Default: 2.")
  int contexts;

  @Option(names = "--workspace-gib", defaultValue = "8", description = "Builder workspace limit in GiB. Default: 8.")
  long workspaceGib;

  @Option(names = "--cache-dir", required = true, description = "Engine cache directory.")
  Path cacheDir;

  @Option(names = "--device", defaultValue = "0", description = "CUDA device index. Default: 0.")
  int device;

  @Override
  public Integer call() throws IOException {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    String modelSha = sha256 != null ? sha256 : readShaFile(model);
    ProfileSpec profiles = new ProfileSpec(maxBatch, optBatch == null ? maxBatch : optBatch, buckets, contexts);
    Optional<String> unavailable = TensorRt.unavailableReason();
    if (unavailable.isPresent()) {
      err.println("build-engine: TensorRT cannot run here: " + unavailable.get()
          + ". Run it on a host with an NVIDIA GPU, TensorRT 10.6 and CUDA 12 libraries (LD_LIBRARY_PATH).");
      return EXIT_UNAVAILABLE;
    }
    for (String label : precisions) {
      TensorRtOptions options = new TensorRtOptions(Precision.parse(label), profiles, workspaceGib << 30, cacheDir,
          true, ParityTolerances.DEFAULTS, TensorRtOptions.ParityFailurePolicy.FAIL, device, 3);
      try {
        CachedEngine engine = TensorRtBackend.engine(model, modelSha, options);
        out.printf("%s engine %s: %s (%d bytes, key %s)%n", label, engine.built() ? "built in "
                + engine.sidecar().buildMillis() + " ms" : "verified in the cache",
            new EngineCache(cacheDir)
                .enginePath(TensorRtBackend.cacheKey(modelSha, options)),
            engine.plan().length, engine.sidecar().keyDigest().substring(0, 16));
      } catch (EngineBuildException | EngineCacheException e) {
        err.println("build-engine: " + label + ": " + e.getMessage());
        return EXIT_FAILED;
      }
    }
    return 0;
  }

  static String readShaFile(Path model) throws IOException {
    Path file = model.resolveSibling(model.getFileName() + ".sha256");
    if (!Files.isRegularFile(file)) {
      throw new IllegalArgumentException("no --sha256 given and no " + file + " beside the model");
    }
    String[] words = Files.readString(file).trim().split("\\s+");
    return words[0];
  }
}
