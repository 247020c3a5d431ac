package io.riskstream.scoring.tensorrt.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.riskstream.scoring.FailoverScorer;
import io.riskstream.scoring.ModelInput;
import io.riskstream.scoring.ScoringException;
import io.riskstream.scoring.model.ModelBundle;
import io.riskstream.scoring.onnx.OnnxRuntimeScorer;
import io.riskstream.scoring.tensorrt.CachedEngine;
import io.riskstream.scoring.tensorrt.EngineBuildException;
import io.riskstream.scoring.tensorrt.EngineCache;
import io.riskstream.scoring.tensorrt.EngineCacheException;
import io.riskstream.scoring.tensorrt.EngineCacheException.Reason;
import io.riskstream.scoring.tensorrt.GpuDescription;
import io.riskstream.scoring.tensorrt.ModelIdentity;
import io.riskstream.scoring.tensorrt.ParityException;
import io.riskstream.scoring.tensorrt.ParityFailurePolicy;
import io.riskstream.scoring.tensorrt.ParitySet;
import io.riskstream.scoring.tensorrt.ParityTolerances;
import io.riskstream.scoring.tensorrt.Precision;
import io.riskstream.scoring.tensorrt.ProfileSpec;
import io.riskstream.scoring.tensorrt.TensorRtOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * On a GPU host with TensorRT (skipped elsewhere), with the shipped default model {@code emr-risk-small} and its
 * validation set: engine builds, the parity gate against the ONNX Runtime scorer, the engine cache with tamper
 * detection, fixed-shape execution slots replaying CUDA graphs, concurrent scoring and failover. Prints what it
 * measured, for the record.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TensorRtGpuIT {

  /** Batch sizes 8..64, two length buckets, two contexts per shape: 16 static profiles. */
  private static final ProfileSpec PROFILES = new ProfileSpec(8, 64, List.of(64, 128), 2);

  @TempDir
  static Path dir;
  static ModelBundle bundle;
  static Path model;
  static ModelIdentity identity;
  static ParitySet validation;
  static OnnxRuntimeScorer reference;

  @BeforeAll
  static void setUp() throws Exception {
    Optional<String> unavailable = TensorRt.unavailableReason();
    Assumptions.assumeTrue(unavailable.isEmpty(), () -> "TensorRT GPU tests skipped: " + unavailable.orElse(""));
    bundle = ModelBundle.fromClasspath("emr-risk-small");
    model = TensorRtBackend.onnxFile(bundle, dir);
    identity = ModelIdentity.of(bundle);
    reference = cpu();
    validation = ParitySet.of(bundle.validation().orElseThrow());
    GpuDescription gpu = TensorRt.gpu(0);
    System.out.printf(Locale.ROOT, "GPU: %s, sm %s, %.1f GiB; TensorRT %s%n", gpu.name(), gpu.computeCapability(),
        gpu.totalMemoryBytes() / (double) (1L << 30), TensorRt.version());
  }

  @AfterAll
  static void tearDown() {
    if (reference != null) {
      reference.close();
    }
  }

  private static OnnxRuntimeScorer cpu() {
    return new OnnxRuntimeScorer(bundle, new OnnxRuntimeScorer.Options(4, 16, 8));
  }

  private static float[][] scoreAll(io.riskstream.scoring.Scorer scorer, List<ModelInput> inputs) {
    float[][] out = new float[inputs.size()][];
    for (int from = 0; from < inputs.size(); from += 64) {
      int to = Math.min(inputs.size(), from + 64);
      System.arraycopy(scorer.score(inputs.subList(from, to)), 0, out, from, to - from);
    }
    return out;
  }

  private static TensorRtOptions options(Precision precision) {
    return new TensorRtOptions(precision, PROFILES, 2L << 30, dir.resolve("engines"), true, ParityTolerances.DEFAULTS,
        ParityFailurePolicy.FAIL, 0, 3);
  }

  /** Starts with a reference of its own (start-up takes ownership of the reference). */
  private static TensorRtBackend.Startup start(TensorRtOptions options) {
    return TensorRtBackend.start(model, identity, validation, cpu(), options);
  }

  @Test
  @Order(1)
  void shouldBuildAnFp32EngineThatMatchesOnnxRuntime() {
    TensorRtBackend.Startup startup = start(options(Precision.FP32));
    try {
      System.out.println("FP32: " + startup.parity().summary() + "; build " + startup.engine().sidecar().buildMillis()
          + " ms, " + startup.engine().plan().length + " bytes");
      assertThat(startup.engine().built()).isTrue();
      assertThat(startup.parity().passed()).isTrue();
      assertThat(startup.parity().maxAbsDiff()).isLessThanOrEqualTo(1e-4);
      assertThat(startup.gpu()).isPresent();
      assertThat(startup.serving().info().backend()).isEqualTo("tensorrt");
      assertThat(startup.serving().info().precision()).isEqualTo("fp32");
      assertThat(startup.engine().sidecar().gpuName()).isEqualTo(TensorRt.gpu(0).name());
      assertThat(startup.engine().sidecar().builderFlags()).contains("-TF32");
      assertThat(Files.isRegularFile(options(Precision.FP32).timingCachePath())).isTrue();
      assertThat(startup.engine().sidecar().profileSpec()).isEqualTo(PROFILES.canonical());
    } finally {
      startup.serving().close();
    }
  }

  @Test
  @Order(2)
  void shouldBuildAnFp16EngineWithinTheFp16Tolerance() {
    TensorRtBackend.Startup startup = start(options(Precision.FP16));
    try {
      System.out.println("FP16: " + startup.parity().summary() + "; build " + startup.engine().sidecar().buildMillis()
          + " ms, " + startup.engine().plan().length + " bytes");
      assertThat(startup.parity().passed()).isTrue();
      assertThat(startup.parity().maxAbsDiff()).isLessThanOrEqualTo(2e-3);
      assertThat(startup.serving().info().precision()).isEqualTo("fp16");
    } finally {
      startup.serving().close();
    }
  }

  @Test
  @Order(3)
  void shouldReuseTheCachedEngineAndRebuildOrRefuseATamperedOne() throws Exception {
    TensorRtOptions options = options(Precision.FP32);
    CachedEngine cached = TensorRtBackend.engine(model, identity.sha256(), options);
    assertThat(cached.built()).isFalse();

    Path engineFile = new EngineCache(options.cacheDirectory()).enginePath(TensorRtBackend.cacheKey(identity.sha256(),
        options));
    byte[] bytes = Files.readAllBytes(engineFile);
    bytes[bytes.length / 2] ^= 0x5a;
    Files.write(engineFile, bytes);
    assertThatThrownBy(() -> TensorRtBackend.engine(model, identity.sha256(), options.withRebuildAllowed(false)))
        .isInstanceOf(EngineCacheException.class)
        .satisfies(e -> assertThat(((EngineCacheException) e).reason()).isEqualTo(Reason.REBUILD_DISABLED))
        .hasMessageContaining("does not match its sidecar");

    CachedEngine rebuilt = TensorRtBackend.engine(model, identity.sha256(), options);
    System.out.println("tampered FP32 engine rebuilt in " + rebuilt.sidecar().buildMillis() + " ms (timing cache warm)");
    assertThat(rebuilt.built()).isTrue();
    assertThat(TensorRtBackend.engine(model, identity.sha256(), options).built()).isFalse();
  }

  @Test
  @Order(4)
  void shouldScoreCorrectlyFromManyThreadsAtOnce() throws Exception {
    TensorRtOptions options = options(Precision.FP32);
    CachedEngine cached = TensorRtBackend.engine(model, identity.sha256(), options);
    List<ModelInput> inputs = validation.inputs();
    float[][] expected = scoreAll(reference, inputs);
    ExecutorService pool = Executors.newFixedThreadPool(16);
    try (TensorRtScorer gpu = TensorRtScorer.load(cached.plan(), identity, Precision.FP32, PROFILES, 0)) {
      List<Future<Double>> results = new ArrayList<>();
      for (int t = 0; t < 16; t++) {
        long seed = t;
        results.add(pool.submit(() -> {
          Random random = new Random(seed);
          double worst = 0;
          for (int round = 0; round < 25; round++) {
            int from = random.nextInt(inputs.size() - 150);
            int size = 1 + random.nextInt(150);  // up to 150: larger than maxBatch 64, so split
            float[][] got = gpu.score(inputs.subList(from, from + size));
            for (int i = 0; i < size; i++) {
              for (int k = 0; k < got[i].length; k++) {
                worst = Math.max(worst, Math.abs(got[i][k] - expected[from + i][k]));
              }
            }
          }
          return worst;
        }));
      }
      double worst = 0;
      for (Future<Double> f : results) {
        worst = Math.max(worst, f.get(5, TimeUnit.MINUTES));
      }
      System.out.printf(Locale.ROOT, "16 threads x 25 batches (1..150 inputs): max abs diff vs ORT %.3g%n", worst);
      assertThat(worst).isLessThanOrEqualTo(1e-4);
      printThroughput(gpu, inputs);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  @Order(5)
  void shouldReplayACudaGraphPerShapeAndScoreAnInputAlikeInEveryBatchSize() {
    TensorRtOptions options = options(Precision.FP32);
    CachedEngine cached = TensorRtBackend.engine(model, identity.sha256(), options);
    try (TensorRtScorer gpu = TensorRtScorer.load(cached.plan(), identity, Precision.FP32, PROFILES, 0)) {
      assertThat(gpu.slots()).isEqualTo(PROFILES.profileCount());
      assertThat(gpu.slotsWithGraphs()).isEqualTo(gpu.slots());
      List<ModelInput> inputs = validation.inputs();
      float[][] alone = new float[64][];
      for (int i = 0; i < 64; i++) {
        alone[i] = gpu.score(List.of(inputs.get(i)))[0];  // batch size 8 (the smallest), 7 rows unused
      }
      double worst = 0;
      for (int size : new int[] {3, 7, 17, 64}) {
        for (int from = 0; from + size <= 64; from += size) {
          float[][] got = gpu.score(inputs.subList(from, from + size));
          for (int i = 0; i < size; i++) {
            for (int k = 0; k < got[i].length; k++) {
              worst = Math.max(worst, Math.abs(got[i][k] - alone[from + i][k]));
            }
          }
        }
      }
      System.out.printf(Locale.ROOT, "%d slots, all with CUDA graphs; one input alone vs in batches of 3, 7, 17, 64:"
          + " max abs diff %.3g%n", gpu.slots(), worst);
      assertThat(worst).isLessThanOrEqualTo(1e-5);
    }
  }

  @Test
  @Order(6)
  void shouldScoreAlikeWhetherACallSplitsItsChunksOverTheContextsOrNot() {
    TensorRtOptions options = options(Precision.FP32);
    CachedEngine cached = TensorRtBackend.engine(model, identity.sha256(), options);
    List<ModelInput> inputs = validation.inputs();
    try (TensorRtScorer split = TensorRtScorer.load(cached.plan(), identity, Precision.FP32, PROFILES, 0);
        TensorRtScorer whole = TensorRtScorer.load(cached.plan(), identity, Precision.FP32, PROFILES, 1, 0)) {
      assertThat(split.parallelChunks()).isEqualTo(2);
      assertThat(PROFILES.chunks(64, 2)).as("a full batch runs as two parts").containsExactly(32, 32);
      double worst = 0;
      for (int size : new int[] {64, 100, 128, 150}) {
        for (int from = 0; from + size <= inputs.size(); from += size) {
          float[][] a = split.score(inputs.subList(from, from + size));
          float[][] b = whole.score(inputs.subList(from, from + size));
          for (int i = 0; i < size; i++) {
            for (int k = 0; k < a[i].length; k++) {
              worst = Math.max(worst, Math.abs(a[i][k] - b[i][k]));
            }
          }
        }
      }
      System.out.printf(Locale.ROOT, "chunks split over 2 contexts vs whole: max abs diff %.3g%n", worst);
      assertThat(worst).isLessThanOrEqualTo(1e-5);
    }
  }

  /** Prints sequences/s for a few batch sizes (recorded, never asserted). */
  private static void printThroughput(TensorRtScorer gpu, List<ModelInput> inputs) {
    for (int batch : new int[] {1, 16, 64}) {
      List<ModelInput> b = inputs.subList(0, batch);
      for (int i = 0; i < 20; i++) {
        gpu.score(b);
      }
      int rounds = 200;
      long t0 = System.nanoTime();
      for (int i = 0; i < rounds; i++) {
        gpu.score(b);
      }
      double seconds = (System.nanoTime() - t0) / 1e9;
      System.out.printf(Locale.ROOT, "FP32 single thread, batch %d (validation inputs): %.3f ms/batch, %.0f seq/s%n",
          batch, seconds * 1000 / rounds, rounds * batch / seconds);
    }
  }

  @Test
  @Order(7)
  void shouldFailOverToOnnxRuntimeWhenTheGpuScorerFails() {
    TensorRtOptions options = options(Precision.FP32);
    CachedEngine cached = TensorRtBackend.engine(model, identity.sha256(), options);
    TensorRtScorer gpu = TensorRtScorer.load(cached.plan(), identity, Precision.FP32, PROFILES, 0);
    OnnxRuntimeScorer cpu = cpu();
    List<ModelInput> batch = validation.inputs().subList(0, 10);
    try (FailoverScorer scorer = new FailoverScorer(gpu, cpu, 1)) {
      scorer.score(batch);
      assertThat(scorer.failovers()).isZero();

      gpu.close();  // the GPU scorer now throws ScoringException, as after a CUDA failure
      assertThatThrownBy(() -> gpu.score(batch)).isInstanceOf(ScoringException.class);
      float[][] out = scorer.score(batch);

      assertThat(scorer.failovers()).isEqualTo(1);
      assertThat(scorer.info().backend()).isEqualTo("onnxruntime");
      assertThat(out).isDeepEqualTo(cpu.score(batch));
    }
  }

  @Test
  @Order(8)
  void shouldFallBackOrRefuseWhenParityFails() {
    ParityTolerances impossible = new ParityTolerances(1e-12, 1e-12, 1e-12, 1e-12);
    TensorRtOptions strict = options(Precision.FP16).withTolerances(impossible);

    assertThatThrownBy(() -> start(strict)).isInstanceOf(ParityException.class).hasMessageContaining("FAILED");

    TensorRtBackend.Startup fallback = start(strict.withOnParityFailure(ParityFailurePolicy.FALLBACK));
    try {
      assertThat(fallback.gpu()).isEmpty();
      assertThat(fallback.parity().passed()).isFalse();
      assertThat(fallback.serving().info().backend()).isEqualTo("onnxruntime");
    } finally {
      fallback.serving().close();
    }
  }

  @Test
  @Order(10)
  void shouldStartFromAShippedModelBundleAgainstTheOnnxRuntimeScorer() {
    ModelBundle tiny = ModelBundle.fromClasspath("test-tiny");
    ProfileSpec profiles = new ProfileSpec(4, 32, List.of(32, tiny.spec().maxLength()), 1);
    TensorRtOptions options = new TensorRtOptions(Precision.FP32, profiles, 2L << 30, dir.resolve("bundle-engines"),
        true, ParityTolerances.DEFAULTS, ParityFailurePolicy.FAIL, 0, 3);
    TensorRtBackend.Startup startup = TensorRtBackend.start(tiny,
        new OnnxRuntimeScorer(tiny, OnnxRuntimeScorer.Options.defaults()), options);
    try {
      System.out.println("bundle " + tiny.name() + ": " + startup.parity().summary());
      assertThat(startup.parity().passed()).isTrue();
      assertThat(startup.serving().info().modelSha256()).isEqualTo(tiny.sha256());
      assertThat(startup.serving().info().backend()).isEqualTo("tensorrt");
    } finally {
      startup.serving().close();
    }
  }

  @Test
  @Order(9)
  void shouldRefuseInt8ForAGraphWithoutQdqNodes() {
    assertThatThrownBy(() -> EngineBuilder.build(model, options(Precision.INT8).buildOptions(), 0))
        .isInstanceOf(EngineBuildException.class).hasMessageContaining("Q/DQ");
  }
}
