package io.riskstream.app.cli;

import io.riskstream.app.runtime.ScoringRuntime;
import io.riskstream.scoring.Scoring;
import io.riskstream.scoring.model.ModelBundle;
import io.riskstream.scoring.tensorrt.CachedEngine;
import io.riskstream.scoring.tensorrt.EngineBuildException;
import io.riskstream.scoring.tensorrt.EngineCacheException;
import io.riskstream.scoring.tensorrt.ParityFailurePolicy;
import io.riskstream.scoring.tensorrt.Precision;
import io.riskstream.scoring.tensorrt.TensorRtOptions;
import io.riskstream.topology.config.RiskStreamConfig;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code riskstream build-engine}: prebuilds (or verifies) the TensorRT engines a model is served with into an engine
 * cache, for CI/CD and container images. The profiles come from the same configuration {@code riskstream run} reads
 * (tensorrt.max.batch, the model's maximum length), so the runtime finds exactly these engines in its cache. Needs a
 * GPU and TensorRT; an engine is specific to the GPU model and TensorRT version it was built with.
 */
@Command(name = "build-engine", mixinStandardHelpOptions = true,
    description = {"Build (or verify) the TensorRT engines of a model, as riskstream run would use them, into an engine"
        + " cache directory.",
        "Exit status: 0 built or verified, 2 bad options, configuration or model, 3 TensorRT cannot run here, 4 the"
            + " build or its verification failed."})
public final class BuildEngineCommand implements Callable<Integer> {

  static final int EXIT_UNAVAILABLE = 3;
  static final int EXIT_FAILED = 4;

  @Spec
  CommandSpec spec;

  @Option(names = "--model", description = "A bundled model name (e.g. emr-risk-small) or a model directory"
      + " (model.onnx, model.onnx.sha256, encoder-spec.json, validation/). Default: the config's model.name.")
  String model;

  @Option(names = "--config", description = "The properties file riskstream run uses (tensorrt.* keys); default:"
      + " the defaults.")
  Path config;

  @Option(names = "--precision", split = ",",
      description = "Engine precisions, comma-separated: fp32, fp16, int8 (int8 needs Q/DQ nodes). Default: the"
          + " config's tensorrt.precision.")
  List<String> precisions;

  @Option(names = "--workspace-gib", defaultValue = "8", description = "Builder workspace limit in GiB. Default: 8.")
  long workspaceGib;

  @Option(names = "--cache-dir", description = "Engine cache directory. Default: where riskstream run with this"
      + " config looks (tensorrt.engine.cache.dir, else <state.dir>/tensorrt-engines), so a Helm init container or Job"
      + " builds exactly what the pod then loads.")
  Path cacheDir;

  @Option(names = "--device", defaultValue = "0", description = "CUDA device index. Default: 0.")
  int device;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    // a config file it cannot read or a bad model: exit status 2 (RiskstreamCli.withBadInputHandling)
    RiskStreamConfig cfg = RiskstreamCli.loadConfig(config);
    ModelBundle bundle = ModelBundle.load(model != null ? model : cfg.getString(RiskStreamConfig.MODEL_NAME_CONFIG));
    TensorRtOptions served = ScoringRuntime.options(cfg).tensorRt().engineOptions(bundle);
    Path engines = cacheDir != null ? cacheDir : served.cacheDirectory();
    List<String> labels = precisions != null ? precisions : List.of(served.precision().label());
    for (String label : labels) {
      try {
        Precision.parse(label);
      } catch (IllegalArgumentException e) {
        throw new BadInputException("--precision: " + e.getMessage());
      }
    }
    Optional<String> unavailable = Scoring.tensorRtUnavailableReason();
    if (unavailable.isPresent()) {
      err.println("riskstream build-engine: TensorRT cannot run here: " + unavailable.get()
          + ". Run it on a host with an NVIDIA GPU, TensorRT 10.6 and CUDA 12 libraries (LD_LIBRARY_PATH); the engines"
          + " of " + bundle.name() + " would go to " + engines + ".");
      return EXIT_UNAVAILABLE;
    }
    for (String label : labels) {
      TensorRtOptions options = new TensorRtOptions(Precision.parse(label), served.profiles(), workspaceGib << 30,
          engines, true, served.tolerances(), ParityFailurePolicy.FAIL, device, 3);
      try {
        CachedEngine engine = Scoring.prepareEngine(bundle, options);
        out.printf("%s %s engine %s: %s (%d bytes, profiles %s, key %s)%n", bundle.name(), label, engine.built()
                ? "built in " + engine.sidecar().buildMillis() + " ms" : "verified in the cache",
            Scoring.enginePath(bundle, options),
            engine.plan().length, options.profiles().canonical(), engine.sidecar().keyDigest().substring(0, 16));
      } catch (EngineBuildException | EngineCacheException e) {
        err.println("riskstream build-engine: " + label + ": " + e.getMessage());
        return EXIT_FAILED;
      }
    }
    return 0;
  }
}
