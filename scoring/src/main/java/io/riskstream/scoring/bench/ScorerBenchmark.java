package io.riskstream.scoring.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.riskstream.schemas.EmrEvent;
import io.riskstream.schemas.EventKind;
import io.riskstream.scoring.ModelInput;
import io.riskstream.scoring.Scorer;
import io.riskstream.scoring.encoder.HistoryEncoder;
import io.riskstream.scoring.encoder.PreparedHistory;
import io.riskstream.scoring.model.ModelBundle;
import io.riskstream.scoring.onnx.OnnxRuntimeScorer;
import io.riskstream.scoring.tensorrt.CachedEngine;
import io.riskstream.scoring.tensorrt.GpuDescription;
import io.riskstream.scoring.tensorrt.ModelIdentity;
import io.riskstream.scoring.tensorrt.ParityGate;
import io.riskstream.scoring.tensorrt.ParityReport;
import io.riskstream.scoring.tensorrt.ParitySet;
import io.riskstream.scoring.tensorrt.Precision;
import io.riskstream.scoring.tensorrt.ProfileSpec;
import io.riskstream.scoring.tensorrt.TensorRtOptions;
import io.riskstream.scoring.tensorrt.internal.TensorRt;
import io.riskstream.scoring.tensorrt.internal.TensorRtBackend;
import io.riskstream.scoring.tensorrt.internal.TensorRtScorer;
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
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Scorer benchmark ({@code riskstream bench scorer}): TensorRT (each precision asked for) and ONNX Runtime on the CPU
 * over batch sizes, for a shipped model bundle, on inputs whose lengths are drawn from a cohort's distribution.
 * Per batch size: p50/p99 latency of one {@code score} call (padding, host-to-device and device-to-host copies and
 * the stream synchronisation included) and sequences per second from one thread. With more than one execution
 * context per shape also: that many threads at once, and one thread whose calls cut their chunks into 2, 4, …
 * (up to that many) parts that run at once ({@code tensorrt-split<parts>}). Writes
 * {@code scorer-bench-<model>.json}, and the inputs as a binary file so that other runtimes (PyTorch eager, by
 * scoring/bench/pytorch_bench.py) time the very same inputs. Timing is reported, never asserted.
 */
public final class ScorerBenchmark {

  private static final Logger LOG = LoggerFactory.getLogger(ScorerBenchmark.class);

  /** One measured (runtime, precision, batch size). */
  public record Point(String runtime, String precision, int batch, int iterations, double p50Ms, double p99Ms,
      double meanMs, double sequencesPerSecond, double tokensPerSecond) {
  }

  /**
   * The benchmark's settings: the model bundle; history lengths to draw from (a cohort's distribution, capped at the
   * model's maximum length); how many inputs; batch sizes; TensorRT precisions; the engine's profiles; the engine
   * cache; ONNX Runtime's threads and largest batch; seconds per point; where the JSON and the inputs file go.
   */
  public record Settings(ModelBundle model, List<Integer> lengthPool, int inputs, List<Integer> batchSizes,
      List<Precision> precisions, ProfileSpec profiles, Path cacheDirectory, int ortThreads, int ortMaxBatch,
      double secondsPerPoint, Path outDirectory, Path inputsFile) {

    public Settings {
      lengthPool = List.copyOf(lengthPool);
      batchSizes = List.copyOf(batchSizes);
      precisions = List.copyOf(precisions);
      int max = model.spec().maxLength();
      if (lengthPool.isEmpty() || lengthPool.stream().anyMatch(l -> l < 1 || l > max)) {
        throw new IllegalArgumentException("history lengths must lie in 1.." + max + " (model " + model.name() + ")");
      }
      if (profiles.maxLength() < max) {
        throw new IllegalArgumentException("profiles end at length " + profiles.maxLength() + ", model " + model.name()
            + " takes up to " + max);
      }
    }
  }

  private ScorerBenchmark() {
  }

  /**
   * The history lengths the stream scores, from a cohort: one per encounter (the stream scores once per source
   * transaction, and the EHR writes one transaction per encounter), encoded by {@code encoder} with everything
   * before the patient's next encounter (or the whole history after the last one), so each length is what the model
   * sees after that encounter's facts arrived; truncation to the model's maximum length included. Patients in id
   * order; histories the encoder rejects are skipped. No identifiers leave this method.
   */
  public static List<Integer> servingLengths(Map<String, List<EmrEvent>> byPatient, HistoryEncoder encoder) {
    List<Integer> out = new ArrayList<>();
    for (List<EmrEvent> events : new TreeMap<>(byPatient).values()) {
      PreparedHistory history = PreparedHistory.of(events);
      long[] encounters = history.events().stream().filter(e -> e.getKind() == EventKind.ENCOUNTER)
          .mapToLong(e -> e.getEventTime().toEpochMilli()).distinct().sorted().toArray();
      for (int i = 0; i < encounters.length; i++) {
        long index = i + 1 < encounters.length ? encounters[i + 1] : HistoryEncoder.asOf(history) + 1;
        try {
          out.add(encoder.encode(history, index).input().length());
        } catch (IllegalArgumentException e) {
          // nothing encodable at this time: the stream would not score it either
        }
      }
    }
    return out;
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

  /**
   * Runs the benchmark and returns its document (also written as {@code scorer-bench-<model>.json} in the output
   * directory): per precision the engine (cache hit or build time, size), the parity gate on the model's validation
   * set, GPU memory of the scorer's slots, and one point per batch size; then ONNX Runtime on the CPU.
   */
  public static Map<String, Object> run(Settings s) throws IOException {
    Files.createDirectories(s.outDirectory());
    ModelBundle bundle = s.model();
    List<ModelInput> inputs = inputs(s.lengthPool(), s.inputs(), bundle.spec().vocabularySize(), 42);
    writeInputs(inputs, bundle.spec().maxLength(), s.inputsFile());
    ModelIdentity identity = ModelIdentity.of(bundle);
    ParitySet validation = ParitySet.of(bundle.validation().orElseThrow(() -> new IllegalArgumentException(
        "model " + bundle.name() + " ships no validation set")));
    List<Point> points = new ArrayList<>();
    Map<String, Object> memory = new LinkedHashMap<>();
    Map<String, Object> builds = new LinkedHashMap<>();
    Map<String, Object> parity = new LinkedHashMap<>();
    java.util.Optional<String> unavailable = TensorRt.unavailableReason();
    List<Precision> precisions = unavailable.isPresent() ? List.of() : s.precisions();
    unavailable.ifPresent(reason -> LOG.warn("TensorRT unavailable ({}): measuring ONNX Runtime only", reason));
    try (OnnxRuntimeScorer ort = new OnnxRuntimeScorer(bundle, new OnnxRuntimeScorer.Options(s.ortThreads(), 16, 8))) {
      for (Precision precision : precisions) {
        TensorRtOptions options = TensorRtOptions.defaults(s.cacheDirectory(), precision, s.profiles());
        CachedEngine engine = TensorRtBackend.engine(bundle, options);
        builds.put(precision.label(), Map.of("buildMillis", engine.sidecar().buildMillis(), "engineBytes",
            engine.plan().length, "builtNow", engine.built()));
        long before = TensorRt.gpuMemoryUsedBytes(0);
        int contexts = s.profiles().contexts();
        try (TensorRtScorer scorer = TensorRtScorer.load(engine.plan(), identity, precision, s.profiles(), 1, 0)) {
          memory.put("tensorrt-" + precision.label(), TensorRt.gpuMemoryUsedBytes(0) - before);
          ParityReport report = new ParityGate(options.tolerances(), s.profiles().maxBatch())
              .check(scorer, ort, precision, validation.inputs(), validation.labels());
          parity.put(precision.label(), report.summary());
          LOG.info("{} parity: {}", precision.label(), report.summary());
          for (int batch : s.batchSizes()) {
            Point p = measure(scorer, "tensorrt", precision.label(), inputs, batch, s.secondsPerPoint(), 20);
            LOG.info("{}", p);
            points.add(p);
          }
          if (contexts > 1) {
            for (int batch : s.batchSizes()) {
              Point p = measureConcurrently(scorer, "tensorrt-" + contexts + "threads",
                  precision.label(), inputs, batch, s.secondsPerPoint(), contexts);
              LOG.info("{}", p);
              points.add(p);
            }
          }
        }
        // the same engine, one caller, each call cutting its chunks into `parts` parts that run at once
        for (int parts = 2; parts <= contexts; parts *= 2) {
          try (TensorRtScorer split = TensorRtScorer.load(engine.plan(), identity, precision, s.profiles(), parts,
              0)) {
            ParityReport report = new ParityGate(options.tolerances(), s.profiles().maxBatch())
                .check(split, ort, precision, validation.inputs(), validation.labels());
            parity.put(precision.label() + "-split" + parts, report.summary());
            LOG.info("{} parity, chunks split in {}: {}", precision.label(), parts, report.summary());
            for (int batch : s.batchSizes()) {
              Point p = measure(split, "tensorrt-split" + parts, precision.label(), inputs, batch,
                  s.secondsPerPoint(), 20);
              LOG.info("{}", p);
              points.add(p);
            }
          }
        }
      }
      for (int batch : s.batchSizes()) {
        if (batch <= s.ortMaxBatch()) {
          Point p = measure(ort, "onnxruntime-cpu", "fp32", inputs, batch, s.secondsPerPoint(), 3);
          LOG.info("{}", p);
          points.add(p);
        }
      }
    }
    Map<String, Object> result = new LinkedHashMap<>();
    result.put("benchmark", "riskstream bench scorer");
    if (unavailable.isEmpty()) {
      GpuDescription gpu = TensorRt.gpu(0);
      result.put("gpu", gpu.name());
      result.put("computeCapability", gpu.computeCapability());
      result.put("tensorrt", TensorRt.version());
    } else {
      result.put("gpu", "none");
      result.put("tensorrt", "unavailable: " + unavailable.get());
    }
    result.put("cpus", Runtime.getRuntime().availableProcessors());
    result.put("date", LocalDate.now(ZoneOffset.UTC).toString());
    result.put("model", bundle.name());
    result.put("modelVersion", bundle.version());
    result.put("modelSha256", bundle.sha256());
    result.put("maxLength", bundle.spec().maxLength());
    result.put("inputs", s.inputs());
    result.put("meanLength", inputs.stream().mapToInt(ModelInput::length).average().orElse(0));
    result.put("lengthCounts", inputs.stream().collect(java.util.stream.Collectors.groupingBy(ModelInput::length,
        TreeMap::new, java.util.stream.Collectors.counting())));
    result.put("profiles", s.profiles().canonical());
    result.put("ortThreads", s.ortThreads());
    result.put("builds", builds);
    result.put("parity", parity);
    result.put("gpuMemoryBytes", memory);
    result.put("points", points);
    new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
        .writeValue(s.outDirectory().resolve("scorer-bench-" + bundle.name() + ".json").toFile(), result);
    return result;
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
}
