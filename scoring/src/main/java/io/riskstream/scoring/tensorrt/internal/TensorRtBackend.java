package io.riskstream.scoring.tensorrt.internal;

import io.riskstream.scoring.FailoverScorer;
import io.riskstream.scoring.Scorer;
import io.riskstream.scoring.model.ModelBundle;
import io.riskstream.scoring.tensorrt.CachedEngine;
import io.riskstream.scoring.tensorrt.EngineBuildException;
import io.riskstream.scoring.tensorrt.EngineCache;
import io.riskstream.scoring.tensorrt.EngineCacheException;
import io.riskstream.scoring.tensorrt.EngineCacheKey;
import io.riskstream.scoring.tensorrt.Hashing;
import io.riskstream.scoring.tensorrt.ModelIdentity;
import io.riskstream.scoring.tensorrt.ParityException;
import io.riskstream.scoring.tensorrt.ParityFailurePolicy;
import io.riskstream.scoring.tensorrt.ParityGate;
import io.riskstream.scoring.tensorrt.ParityReport;
import io.riskstream.scoring.tensorrt.ParitySet;
import io.riskstream.scoring.tensorrt.TensorRtOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Start-up of the GPU scorer: engine from the cache (verified) or built, then the parity gate against the
 * reference scorer (ONNX Runtime) on the model's validation set, then serving through a {@link FailoverScorer}
 * (GPU first, the reference on failure). When parity fails: the reference alone serves (logged as an error), or
 * start-up fails, as configured.
 */
public final class TensorRtBackend {

  private static final Logger LOG = LoggerFactory.getLogger(TensorRtBackend.class);

  private TensorRtBackend() {
  }

  /**
   * What start-up produced: the scorer to serve with, the engine the cache gave (or built), and the parity
   * report; {@code gpu} is empty when parity failed and the reference serves alone.
   */
  public record Startup(Scorer serving, Optional<FailoverScorer> gpu, CachedEngine engine, ParityReport parity) {
  }

  /** The cache key of {@code model}'s engine on this host's GPU with {@code options}. */
  public static EngineCacheKey cacheKey(String modelSha256, TensorRtOptions options) {
    return EngineCacheKey.of(modelSha256, TensorRt.version(), TensorRt.gpu(options.device()), options.precision(),
        options.profiles());
  }

  /**
   * Returns the verified cached engine for the model, building (and caching) it when it is missing, built for
   * something else or tampered with and {@code options.rebuildAllowed()}; else {@link EngineCacheException}.
   */
  static CachedEngine engine(Path onnxModel, String modelSha256, TensorRtOptions options) {
    verifyModelHash(onnxModel, modelSha256);
    EngineCacheKey key = cacheKey(modelSha256, options);
    return new EngineCache(options.cacheDirectory()).loadOrBuild(key, options.rebuildAllowed(),
        () -> EngineBuilder.build(onnxModel, options.buildOptions(), options.device()));
  }

  /** As {@link #engine(Path, String, TensorRtOptions)} for a shipped model bundle (its ONNX file under the cache). */
  public static CachedEngine engine(ModelBundle bundle, TensorRtOptions options) {
    return engine(onnxFile(bundle, options.cacheDirectory()), bundle.sha256(), options);
  }

  /**
   * Starts the GPU scorer. Takes ownership of {@code reference}: it is closed with the returned scorer, or before
   * this method throws.
   *
   * @throws ParityException when parity fails and the policy is FAIL
   * @throws EngineCacheException when the cached engine is unusable and rebuilding is disabled
   */
  static Startup start(Path onnxModel, ModelIdentity model, ParitySet validation, Scorer reference,
      TensorRtOptions options) {
    try {
      CachedEngine cached = engine(onnxModel, model.sha256(), options);
      TensorRtScorer gpu = TensorRtScorer.load(cached.plan(), model, options.precision(), options.profiles(),
          options.device());
      ParityReport report;
      try {
        report = new ParityGate(options.tolerances(), options.profiles().maxBatch())
            .check(gpu, reference, options.precision(), validation.inputs(), validation.labels());
      } catch (RuntimeException e) {
        gpu.close();
        throw e;
      }
      if (report.passed()) {
        LOG.info("TensorRT engine {} serves: {}", cached.sidecar().keyDigest().substring(0, 16), report.summary());
        FailoverScorer serving = new FailoverScorer(gpu, reference, options.abandonAfter());
        return new Startup(serving, Optional.of(serving), cached, report);
      }
      gpu.close();
      if (options.onParityFailure() == ParityFailurePolicy.FAIL) {
        throw new ParityException(report);
      }
      LOG.error("TensorRT engine does NOT serve, falling back to ONNX Runtime on the CPU: {}", report.summary());
      return new Startup(reference, Optional.empty(), cached, report);
    } catch (RuntimeException e) {
      reference.close();
      throw e;
    }
  }

  /**
   * Starts the GPU scorer for a shipped model: its ONNX bytes (written once to {@code <cache>/models/<sha256>.onnx}
   * for the TensorRT parser), its validation set for the parity gate and {@code reference} (normally the
   * {@link io.riskstream.scoring.onnx.OnnxRuntimeScorer} of the same bundle; owned from here on, closed when this
   * method throws).
   *
   * @throws IllegalArgumentException when the model ships no validation set or the profiles do not cover its
   *     maximum length
   */
  public static Startup start(ModelBundle bundle, Scorer reference, TensorRtOptions options) {
    ParitySet validation;
    ModelIdentity identity;
    Path onnx;
    try {
      validation = ParitySet.of(bundle.validation().orElseThrow(() -> new IllegalArgumentException(
          "model " + bundle.name() + " " + bundle.version() + " ships no validation set; the parity gate needs one")));
      if (options.profiles().maxLength() < bundle.spec().maxLength()) {
        throw new IllegalArgumentException("engine profiles end at length " + options.profiles().maxLength()
            + " but model " + bundle.name() + " takes up to " + bundle.spec().maxLength());
      }
      identity = ModelIdentity.of(bundle);
      onnx = onnxFile(bundle, options.cacheDirectory());
    } catch (RuntimeException e) {
      reference.close();
      throw e;
    }
    return start(onnx, identity, validation, reference, options);
  }

  /** The bundle's ONNX model as a file under {@code <cache>/models/}, written (atomically) when missing or stale. */
  static Path onnxFile(ModelBundle bundle, Path cacheDirectory) {
    Path file = cacheDirectory.resolve("models").resolve(bundle.sha256() + ".onnx");
    try {
      if (Files.isRegularFile(file) && Hashing.sha256(file).equals(bundle.sha256())) {
        return file;
      }
      Files.createDirectories(file.getParent());
      Path tmp = Files.createTempFile(file.getParent(), bundle.sha256(), ".tmp");
      Files.write(tmp, bundle.onnxBytes());
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write model " + bundle.name() + " to " + file, e);
    }
  }

  private static void verifyModelHash(Path onnxModel, String expected) {
    String actual;
    try {
      actual = Hashing.sha256(onnxModel);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read model " + onnxModel, e);
    }
    if (!actual.equals(expected)) {
      throw new EngineBuildException("model file " + onnxModel + " has sha256 " + actual + ", but " + expected
          + " was expected: the model was changed or its .sha256 is stale");
    }
  }
}
