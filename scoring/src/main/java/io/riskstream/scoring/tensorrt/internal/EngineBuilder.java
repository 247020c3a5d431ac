package io.riskstream.scoring.tensorrt.internal;

import static org.bytedeco.tensorrt.global.nvinfer.createInferBuilder;
import static org.bytedeco.tensorrt.global.nvonnxparser.createParser;

import io.riskstream.scoring.tensorrt.BuildOptions;
import io.riskstream.scoring.tensorrt.BuildReport;
import io.riskstream.scoring.tensorrt.BuiltEngine;
import io.riskstream.scoring.tensorrt.EngineBuildException;
import io.riskstream.scoring.tensorrt.ProfileSpec;
import io.riskstream.scoring.tensorrt.TensorRtException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.tensorrt.global.nvinfer.BuilderFlag;
import org.bytedeco.tensorrt.global.nvinfer.LayerType;
import org.bytedeco.tensorrt.global.nvinfer.MemoryPoolType;
import org.bytedeco.tensorrt.global.nvinfer.OptProfileSelector;
import org.bytedeco.tensorrt.global.nvinfer.ProfilingVerbosity;
import org.bytedeco.tensorrt.nvinfer.Dims64;
import org.bytedeco.tensorrt.nvinfer.IBuilder;
import org.bytedeco.tensorrt.nvinfer.IBuilderConfig;
import org.bytedeco.tensorrt.nvinfer.IHostMemory;
import org.bytedeco.tensorrt.nvinfer.ILogger;
import org.bytedeco.tensorrt.nvinfer.INetworkDefinition;
import org.bytedeco.tensorrt.nvinfer.IOptimizationProfile;
import org.bytedeco.tensorrt.nvinfer.ITimingCache;
import org.bytedeco.tensorrt.nvonnxparser.IParser;
import org.bytedeco.tensorrt.nvonnxparser.IParserError;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds a serialized TensorRT engine from a model's ONNX file: FP32 (TF32 off, so it matches ONNX Runtime), FP16,
 * or INT8 for graphs that carry Q/DQ nodes; one static optimization profile per (execution context, length bucket,
 * batch size) of the {@link ProfileSpec}; the
 * configured workspace; a timing cache read from and written back to disk.
 */
final class EngineBuilder {

  /** The model contract's inputs ({@code [batch, length]}) and output ({@code [batch, outcomes]}). */
  static final List<String> INPUTS = List.of("tokens", "ages", "recency");
  static final String OUTPUT = "risk";

  private static final Logger LOG = LoggerFactory.getLogger(EngineBuilder.class);
  private static final Set<Integer> QDQ = Set.of(LayerType.kQUANTIZE.value, LayerType.kDEQUANTIZE.value);

  private EngineBuilder() {
  }

  static BuiltEngine build(Path onnxModel, BuildOptions options, int device) {
    Cuda.useDevice(device);
    long start = System.nanoTime();
    TrtLogger logger = new TrtLogger();
    try (Owned<IBuilder> builder = Owned.of(createInferBuilder(logger), "createInferBuilder");
        Owned<INetworkDefinition> network = Owned.of(builder.get().createNetworkV2(0), "createNetworkV2");
        Owned<IParser> parser = Owned.of(createParser(network.get(), logger), "createParser");
        Owned<IBuilderConfig> config = Owned.of(builder.get().createBuilderConfig(), "createBuilderConfig")) {
      parse(parser.get(), onnxModel);
      checkContract(network.get());
      List<String> flags = configure(config.get(), network.get(), options);
      addProfiles(builder.get(), config.get(), options.profiles());
      try (Owned<ITimingCache> timingCache = Owned.of(
          config.get().createTimingCache(readTimingCache(options), timingCacheSize(options)), "createTimingCache")) {
        Cuda.require(config.get().setTimingCache(timingCache.get(), false), "IBuilderConfig.setTimingCache");
        byte[] plan;
        try (Owned<IHostMemory> serialized = Owned.of(
            builder.get().buildSerializedNetwork(network.get(), config.get()), "buildSerializedNetwork")) {
          plan = bytesOf(serialized.get());
        }
        writeTimingCache(timingCache.get(), options);
        long millis = (System.nanoTime() - start) / 1_000_000;
        LOG.info("Built {} engine from {}: {} bytes, {} profiles, {} ms", options.precision().label(),
            onnxModel.getFileName(), plan.length, options.profiles().profileCount(), millis);
        return new BuiltEngine(plan, new BuildReport(flags, options.workspaceBytes(), millis));
      }
    } finally {
      logger.deallocate();
    }
  }

  private static void parse(IParser parser, Path onnxModel) {
    if (!Files.isRegularFile(onnxModel)) {
      throw new EngineBuildException("ONNX model " + onnxModel + " does not exist");
    }
    if (!parser.parseFromFile(onnxModel.toString(), ILogger.Severity.kWARNING.value)) {
      List<String> errors = new ArrayList<>();
      for (int i = 0; i < parser.getNbErrors(); i++) {
        IParserError error = parser.getError(i);
        errors.add("node " + error.node() + " (" + error.nodeOperator() + "): " + error.desc());
      }
      throw new EngineBuildException("TensorRT cannot parse " + onnxModel + ": " + String.join("; ", errors));
    }
  }

  private static void checkContract(INetworkDefinition network) {
    List<String> inputs = new ArrayList<>();
    for (int i = 0; i < network.getNbInputs(); i++) {
      inputs.add(network.getInput(i).getName());
    }
    if (!Set.copyOf(inputs).equals(Set.copyOf(INPUTS)) || network.getNbOutputs() != 1
        || !OUTPUT.equals(network.getOutput(0).getName())) {
      throw new EngineBuildException("model does not follow the contract: inputs " + inputs + " (expected " + INPUTS
          + "), " + network.getNbOutputs() + " outputs (expected one named '" + OUTPUT + "')");
    }
  }

  private static boolean hasQdq(INetworkDefinition network) {
    for (int i = 0; i < network.getNbLayers(); i++) {
      if (QDQ.contains(network.getLayer(i).getType().value)) {
        return true;
      }
    }
    return false;
  }

  private static List<String> configure(IBuilderConfig config, INetworkDefinition network, BuildOptions options) {
    List<String> flags = new ArrayList<>();
    config.setMemoryPoolLimit(MemoryPoolType.kWORKSPACE, options.workspaceBytes());
    // TF32 is on by default; it changes FP32 results by ~1e-3, more than the FP32 parity tolerance allows
    config.clearFlag(BuilderFlag.kTF32);
    flags.add("-TF32");
    if (options.optimizationLevel() != BuildOptions.DEFAULT_OPTIMIZATION_LEVEL) {
      config.setBuilderOptimizationLevel(options.optimizationLevel());
      flags.add("optimizationLevel=" + options.optimizationLevel());
    }
    if (options.detailedLayers()) {
      config.setProfilingVerbosity(ProfilingVerbosity.kDETAILED);
      flags.add("profilingVerbosity=detailed");
    }
    switch (options.precision()) {
      case FP32 -> { }
      case FP16 -> {
        config.setFlag(BuilderFlag.kFP16);
        flags.add("FP16");
      }
      case INT8 -> {
        if (!hasQdq(network)) {
          throw new EngineBuildException("INT8 needs a model with explicit quantization (Q/DQ nodes); this graph has"
              + " none. Use fp16 or fp32, or export a quantized model");
        }
        config.setFlag(BuilderFlag.kINT8);
        config.setFlag(BuilderFlag.kFP16);
        flags.add("INT8");
        flags.add("FP16");
      }
      default -> throw new IllegalStateException("unknown precision " + options.precision());
    }
    return flags;
  }

  /** One static profile ({@code min = opt = max}) per (context, length bucket, batch size), in profileIndex order. */
  private static void addProfiles(IBuilder builder, IBuilderConfig config, ProfileSpec spec) {
    for (int c = 0; c < spec.contexts(); c++) {
      for (int b = 0; b < spec.bucketCount(); b++) {
        for (int size : spec.batchSizes()) {
          IOptimizationProfile profile = builder.createOptimizationProfile();  // owned by the builder
          if (profile == null || profile.isNull()) {
            throw new TensorRtException("createOptimizationProfile failed");
          }
          for (String input : INPUTS) {
            try (Dims64 shape = dims(size, spec.lengthBuckets().get(b))) {
              Cuda.require(profile.setDimensions(input, OptProfileSelector.kMIN, shape)
                  && profile.setDimensions(input, OptProfileSelector.kOPT, shape)
                  && profile.setDimensions(input, OptProfileSelector.kMAX, shape), "setDimensions(" + input + ")");
            }
          }
          int index = config.addOptimizationProfile(profile);
          if (index != spec.profileIndex(c, b, size)) {
            throw new TensorRtException("addOptimizationProfile returned " + index + ", expected "
                + spec.profileIndex(c, b, size));
          }
        }
      }
    }
  }

  static Dims64 dims(long batch, long length) {
    Dims64 d = new Dims64();
    d.nbDims(2);
    d.d(0, batch);
    d.d(1, length);
    return d;
  }

  static byte[] bytesOf(IHostMemory memory) {
    long size = memory.size();
    if (size > Integer.MAX_VALUE - 8) {
      throw new TensorRtException("serialized object of " + size + " bytes is too large");
    }
    byte[] out = new byte[(int) size];
    new BytePointer(memory.data()).capacity(size).get(out);
    return out;
  }

  private static Pointer readTimingCache(BuildOptions options) {
    if (options.timingCache().isEmpty() || !Files.isRegularFile(options.timingCache().get())) {
      return new Pointer();
    }
    try {
      return new BytePointer(Files.readAllBytes(options.timingCache().get()));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read timing cache " + options.timingCache().get(), e);
    }
  }

  private static long timingCacheSize(BuildOptions options) {
    try {
      return options.timingCache().isPresent() && Files.isRegularFile(options.timingCache().get())
          ? Files.size(options.timingCache().get()) : 0;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read timing cache " + options.timingCache().get(), e);
    }
  }

  private static void writeTimingCache(ITimingCache cache, BuildOptions options) {
    if (options.timingCache().isEmpty()) {
      return;
    }
    Path target = options.timingCache().get();
    try (Owned<IHostMemory> serialized = Owned.of(cache.serialize(), "ITimingCache.serialize")) {
      Path dir = target.toAbsolutePath().getParent();
      Files.createDirectories(dir);
      Path tmp = Files.createTempFile(dir, target.getFileName().toString(), ".tmp");
      Files.write(tmp, bytesOf(serialized.get()));
      Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write timing cache " + target, e);
    }
  }
}
