package io.riskstream.scoring.tensorrt;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.riskstream.scoring.ModelInput;
import io.riskstream.scoring.Scorer;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Scorer benchmark: TensorRT (each precision asked for) and ONNX Runtime on the CPU over batch sizes, on inputs
 * whose lengths are drawn from a cohort's distribution. Per batch size: p50/p99 latency of one {@code score} call
 * (padding, host-to-device and device-to-host copies and the stream synchronisation included) and sequences per
 * second from one thread. Writes {@code scorer-bench.json}, and the inputs as a binary file so that other
 * runtimes (the PyTorch script beside it) time the very same inputs. Timing is reported, never asserted.
 */
public final class ScorerBenchmark {

  private static final Logger LOG = LoggerFactory.getLogger(ScorerBenchmark.class);

  /** One measured (runtime, precision, batch size). */
  public record Point(String runtime, String precision, int batch, int iterations, double p50Ms, double p99Ms,
      double meanMs, double sequencesPerSecond, double tokensPerSecond) {
  }

  /** The benchmark's settings. */
  public record Settings(Path model, List<Integer> lengthPool, int inputs, int vocab, List<Integer> batchSizes,
      List<Precision> precisions, ProfileSpec profiles, Path cacheDirectory, int ortThreads, int ortMaxBatch,
      double secondsPerPoint, Path outDirectory, Path inputsFile) {

    public Settings {
      lengthPool = List.copyOf(lengthPool);
      batchSizes = List.copyOf(batchSizes);
      precisions = List.copyOf(precisions);
    }
  }

  private ScorerBenchmark() {
  }

  /** {@code n} inputs, lengths drawn from {@code lengthPool}, tokens uniform over the vocabulary; fixed seed. */
  public static List<ModelInput> inputs(List<Integer> lengthPool, int n, int vocab, long seed) {
    Random random = new Random(seed);
    List<ModelInput> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      int len = lengthPool.get(random.nextInt(lengthPool.size()));
      long[] tokens = new long[len];
      float[] ages = new float[len];
      float[] recency = new float[len];
      float age = 18 + random.nextFloat() * 60;
      for (int j = 0; j < len; j++) {
        tokens[j] = 1 + random.nextInt(vocab - 1);
        age += random.nextFloat() * 0.2f;
        ages[j] = age;
        recency[j] = (float) (len - j) / len;
      }
      out.add(new ModelInput(tokens, ages, recency));
    }
    return out;
  }

  /** Times {@code scorer} on consecutive slices of {@code inputs} of {@code batch} inputs. */
  public static Point measure(Scorer scorer, String runtime, String precision, List<ModelInput> inputs, int batch,
      double minSeconds, int minIterations) {
    int warmup = Math.max(3, minIterations / 5);
    int offset = 0;
    for (int i = 0; i < warmup; i++) {
      scorer.score(slice(inputs, offset, batch));
      offset = (offset + batch) % inputs.size();
    }
    List<Long> nanos = new ArrayList<>();
    long tokens = 0;
    long start = System.nanoTime();
    while (nanos.size() < minIterations || System.nanoTime() - start < minSeconds * 1e9) {
      List<ModelInput> b = slice(inputs, offset, batch);
      offset = (offset + batch) % inputs.size();
      long t0 = System.nanoTime();
      scorer.score(b);
      nanos.add(System.nanoTime() - t0);
      tokens += b.stream().mapToLong(ModelInput::length).sum();
      if (nanos.size() >= 100_000) {
        break;
      }
    }
    long[] sorted = nanos.stream().mapToLong(Long::longValue).sorted().toArray();
    double total = Arrays.stream(sorted).sum() / 1e9;
    return new Point(runtime, precision, batch, sorted.length, percentile(sorted, 0.50) / 1e6,
        percentile(sorted, 0.99) / 1e6, total * 1e3 / sorted.length, sorted.length * (double) batch / total,
        tokens / total);
  }

  /**
   * {@code threads} threads each timing {@code scorer} as {@link #measure} does, at once: p50 = mean of the threads'
   * p50, p99 = the worst thread's p99, throughput = all timed sequences over the threads' mean timed span.
   */
  public static Point measureConcurrently(Scorer scorer, String runtime, String precision, List<ModelInput> inputs,
      int batch, double seconds, int threads) {
    java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(threads);
    try {
      List<java.util.concurrent.Future<Point>> futures = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        futures.add(pool.submit(() -> measure(scorer, runtime, precision, inputs, batch, seconds, 20)));
      }
      List<Point> parts = new ArrayList<>();
      for (java.util.concurrent.Future<Point> f : futures) {
        parts.add(f.get());
      }
      int iterations = parts.stream().mapToInt(Point::iterations).sum();
      double seqs = parts.stream().mapToDouble(p -> p.sequencesPerSecond() * p.meanMs() * p.iterations() / 1e3).sum();
      double toks = parts.stream().mapToDouble(p -> p.tokensPerSecond() * p.meanMs() * p.iterations() / 1e3).sum();
      double busy = parts.stream().mapToDouble(p -> p.meanMs() * p.iterations()).sum();
      return new Point(runtime, precision, batch, iterations,
          parts.stream().mapToDouble(Point::p50Ms).average().orElse(0),
          parts.stream().mapToDouble(Point::p99Ms).max().orElse(0), busy / iterations,
          seqs / (busy / 1e3 / threads), toks / (busy / 1e3 / threads));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    } catch (java.util.concurrent.ExecutionException e) {
      throw new IllegalStateException("benchmark thread failed", e.getCause());
    } finally {
      pool.shutdownNow();
    }
  }

  private static List<ModelInput> slice(List<ModelInput> inputs, int offset, int batch) {
    List<ModelInput> out = new ArrayList<>(batch);
    for (int i = 0; i < batch; i++) {
      out.add(inputs.get((offset + i) % inputs.size()));
    }
    return out;
  }

  private static double percentile(long[] sorted, double q) {
    int i = (int) Math.ceil(q * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
  }

  /** Runs the benchmark, writes {@code scorer-bench.json} into the output directory and the inputs file. */
  public static Map<String, Object> run(Settings s) throws IOException {
    Files.createDirectories(s.outDirectory());
    List<ModelInput> inputs = inputs(s.lengthPool(), s.inputs(), s.vocab(), 42);
    writeInputs(inputs, s.profiles().maxLength(), s.inputsFile());
    ModelIdentity identity = new ModelIdentity("bench", "bench", Hashing.sha256(s.model()), outcomeNames(s));
    List<Point> points = new ArrayList<>();
    Map<String, Object> memory = new LinkedHashMap<>();
    Map<String, Object> builds = new LinkedHashMap<>();
    GpuDescription gpu = TensorRt.gpu(0);
    for (Precision precision : s.precisions()) {
      TensorRtOptions options = TensorRtOptions.defaults(s.cacheDirectory(), precision, s.profiles());
      CachedEngine engine = TensorRtBackend.engine(s.model(), identity.sha256(), options);
      builds.put(precision.label(), Map.of("buildMillis", engine.sidecar().buildMillis(), "engineBytes",
          engine.plan().length, "builtNow", engine.built()));
      long before = TensorRt.gpuMemoryUsedBytes(0);
      try (TensorRtScorer scorer = TensorRtScorer.load(engine.plan(), identity, precision, s.profiles(), 0)) {
        memory.put("tensorrt-" + precision.label(), TensorRt.gpuMemoryUsedBytes(0) - before);
        for (int batch : s.batchSizes()) {
          Point p = measure(scorer, "tensorrt", precision.label(), inputs, batch, s.secondsPerPoint(), 20);
          LOG.info("{}", p);
          points.add(p);
        }
        if (s.profiles().contexts() > 1) {
          for (int batch : s.batchSizes()) {
            Point p = measureConcurrently(scorer, "tensorrt-" + s.profiles().contexts() + "threads",
                precision.label(), inputs, batch, s.secondsPerPoint(), s.profiles().contexts());
            LOG.info("{}", p);
            points.add(p);
          }
        }
      }
    }
    try (OnnxReferenceScorer ort = new OnnxReferenceScorer(s.model(), identity, s.ortThreads())) {
      for (int batch : s.batchSizes()) {
        if (batch <= s.ortMaxBatch()) {
          Point p = measure(ort, "onnxruntime-cpu", "fp32", inputs, batch, s.secondsPerPoint(), 3);
          LOG.info("{}", p);
          points.add(p);
        }
      }
    }
    Map<String, Object> result = new LinkedHashMap<>();
    result.put("gpu", gpu.name());
    result.put("computeCapability", gpu.computeCapability());
    result.put("tensorrt", TensorRt.version());
    result.put("date", LocalDate.now(ZoneOffset.UTC).toString());
    result.put("model", s.model().getFileName().toString());
    result.put("modelSha256", identity.sha256());
    result.put("inputs", s.inputs());
    result.put("meanLength", inputs.stream().mapToInt(ModelInput::length).average().orElse(0));
    result.put("profiles", s.profiles().canonical());
    result.put("ortThreads", s.ortThreads());
    result.put("builds", builds);
    result.put("gpuMemoryBytes", memory);
    result.put("points", points);
    new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
        .writeValue(s.outDirectory().resolve("scorer-bench.json").toFile(), result);
    return result;
  }

  private static List<String> outcomeNames(Settings s) {
    int k = Integer.getInteger("riskstream.bench.outcomes", 6);
    List<String> names = new ArrayList<>();
    for (int i = 0; i < k; i++) {
      names.add("outcome" + i);
    }
    return names;
  }

  /**
   * Inputs as little-endian binary: int32 n, int32 maxLength, int32 lengths[n], int64 tokens[n][maxLength],
   * float32 ages[n][maxLength], float32 recency[n][maxLength] (right-padded with zeros).
   */
  static void writeInputs(List<ModelInput> inputs, int maxLength, Path file) throws IOException {
    int n = inputs.size();
    long bytes = 8 + 4L * n + (long) n * maxLength * 16;
    if (bytes > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException("too many inputs for one file: " + bytes + " bytes");
    }
    ByteBuffer buf = ByteBuffer.allocate((int) bytes).order(ByteOrder.LITTLE_ENDIAN);
    buf.putInt(n).putInt(maxLength);
    inputs.forEach(in -> buf.putInt(in.length()));
    for (ModelInput in : inputs) {
      for (int j = 0; j < maxLength; j++) {
        buf.putLong(j < in.length() ? in.tokens()[j] : 0L);
      }
    }
    for (ModelInput in : inputs) {
      for (int j = 0; j < maxLength; j++) {
        buf.putFloat(j < in.length() ? in.ages()[j] : 0f);
      }
    }
    for (ModelInput in : inputs) {
      for (int j = 0; j < maxLength; j++) {
        buf.putFloat(j < in.length() ? in.recency()[j] : 0f);
      }
    }
    try (DataOutputStream out = new DataOutputStream(Files.newOutputStream(file))) {
      out.write(buf.array());
    }
  }

  /**
   * usage: ScorerBenchmark MODEL.onnx LENGTHS.txt OUT_DIR [precisions=fp32,fp16] [batches=1,2,...,1024]
   * [buckets=128,192,256] [inputs=8192] [vocab=4096] [cache=/tmp/riskstream-engines] [seconds=1.0]
   * [ortThreads=16] [ortMaxBatch=256]
   */
  public static void main(String[] args) throws IOException {
    if (args.length < 3) {
      System.err.println("usage: ScorerBenchmark MODEL.onnx LENGTHS.txt OUT_DIR [key=value ...]");
      System.exit(2);
    }
    Map<String, String> kv = new LinkedHashMap<>();
    for (int i = 3; i < args.length; i++) {
      String[] parts = args[i].split("=", 2);
      kv.put(parts[0], parts[1]);
    }
    List<Integer> pool = Files.readAllLines(Path.of(args[1])).stream().map(String::trim).filter(l -> !l.isEmpty())
        .map(Integer::parseInt).toList();
    List<Integer> buckets = ints(kv.getOrDefault("buckets", "128,192,256"));
    List<Integer> batches = ints(kv.getOrDefault("batches", "1,2,4,8,16,32,64,128,256,512,1024"));
    int maxBatch = batches.stream().mapToInt(Integer::intValue).max().orElseThrow();
    Settings settings = new Settings(Path.of(args[0]), pool, Integer.parseInt(kv.getOrDefault("inputs", "8192")),
        Integer.parseInt(kv.getOrDefault("vocab", "4096")), batches,
        Arrays.stream(kv.getOrDefault("precisions", "fp32,fp16").split(",")).map(Precision::parse).toList(),
        new ProfileSpec(maxBatch, Math.min(256, maxBatch), buckets, Integer.parseInt(kv.getOrDefault("contexts", "1"))),
        Path.of(kv.getOrDefault("cache", "/tmp/riskstream-engines")),
        Integer.parseInt(kv.getOrDefault("ortThreads", "16")), Integer.parseInt(kv.getOrDefault("ortMaxBatch", "256")),
        Double.parseDouble(kv.getOrDefault("seconds", "1.0")), Path.of(args[2]),
        Path.of(kv.getOrDefault("inputsFile", "/tmp/riskstream-bench-inputs.bin")));
    Map<String, Object> result = run(settings);
    System.out.printf(Locale.ROOT, "wrote %s/scorer-bench.json (%d points)%n", args[2],
        ((List<?>) result.get("points")).size());
  }

  private static List<Integer> ints(String csv) {
    return Arrays.stream(csv.split(",")).map(String::trim).map(Integer::parseInt).toList();
  }
}
