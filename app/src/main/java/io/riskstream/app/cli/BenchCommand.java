package io.riskstream.app.cli;

import io.riskstream.app.bench.BenchReport;
import io.riskstream.app.bench.ChaosReport;
import io.riskstream.app.bench.ChaosSoak;
import io.riskstream.app.bench.E2eBenchmark;
import io.riskstream.app.demo.ConsoleStatus;
import io.riskstream.app.demo.DemoCohort;
import io.riskstream.app.demo.DemoLogging;
import io.riskstream.connectors.synthea.SyntheaCohortGenerator;
import io.riskstream.schemas.EmrEvent;
import io.riskstream.scoring.bench.ScorerBenchmark;
import io.riskstream.scoring.encoder.HistoryEncoder;
import io.riskstream.scoring.model.ModelBundle;
import io.riskstream.scoring.tensorrt.Precision;
import io.riskstream.scoring.tensorrt.ProfileSpec;
import io.riskstream.topology.config.RiskStreamConfig;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code riskstream bench}: benchmarks. Subcommands {@code e2e}, {@code scorer} and {@code chaos}. */
@Command(name = "bench", mixinStandardHelpOptions = true, description = "Benchmarks.",
    subcommands = {BenchCommand.E2e.class, BenchCommand.ScorerBench.class, BenchCommand.Chaos.class})
public final class BenchCommand implements Runnable, DeveloperCommand {

  /** Every bench runs brokers or plots; generating a cohort (no --cohort) also needs Synthea: see the subcommands. */
  @Override
  public List<String> requiredClasses() {
    return List.of(EMBEDDED_BROKER, PLOTTING);
  }

  @Spec
  private CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "Missing subcommand (e.g. e2e)");
  }

  /** {@code riskstream bench e2e}: see {@link E2eBenchmark}. */
  @Command(name = "e2e", mixinStandardHelpOptions = true,
      description = {"On an embedded broker: max throughput (events/s) of a pass-through topology and of the full"
          + " topology on the same pre-loaded Synthea CDC input, p50/p99 event -> score latency at half the full"
          + " topology's rate, peak RSS and state-store bytes per patient, where the stream threads spent their time"
          + " (poll, process, punctuate, commit, records written per event), and the full topology's events/s with"
          + " each --scaling thread count.",
          "Writes e2e-<host>-<date>.json and .png under --out (the PNG is skipped, with one warning line, where the"
          + " JVM cannot draw text)."})
  public static final class E2e implements Callable<Integer>, DeveloperCommand {

    @Spec
    private CommandSpec spec;

    @Option(names = "--patients", description = "Synthea patients to generate; default: ${DEFAULT-VALUE}.",
        defaultValue = "30")
    private int patients;

    @Option(names = "--seed", description = "Synthea seed; default: ${DEFAULT-VALUE}.", defaultValue = "42")
    private long seed;

    @Option(names = "--cohort", description = "An existing Synthea CSV cohort directory instead of generating one.")
    private Path cohort;

    @Override
    public List<String> requiredClasses() {
      return cohort == null ? List.of(SYNTHEA) : List.of();
    }

    @Option(names = "--out", description = "Result directory; default: ${DEFAULT-VALUE}.", defaultValue = "bench/results")
    private Path out;

    @Option(names = "--model", description = "model.name (a bundled name or a model directory); default: the config's.")
    private String model;

    @Option(names = "--threads", description = "num.stream.threads; default: ${DEFAULT-VALUE}.", defaultValue = "2")
    private int threads;

    @Option(names = "--idle-flush-ms", description = "trigger.idle.flush.ms: how long after the input stops each"
        + " patient's last transaction closes (it ends the full run). The product's default: shorter values end the"
        + " run sooner but, while the CPU is saturated, a pause that long upstream of the trigger step in the middle"
        + " of a transaction splits it (200 ms gave 0 to 12 extra scores of 11,378 here); default: ${DEFAULT-VALUE}.",
        defaultValue = "2000")
    private long idleFlushMs;

    @Option(names = "--warmup", negatable = true, defaultValue = "true", fallbackValue = "true",
        description = "First run both topologies once over the input (own application ids and topics) so that the"
            + " measured runs see JIT-compiled code; --no-warmup measures a cold JVM. Default: ${DEFAULT-VALUE}.")
    private boolean warmup;

    @Option(names = "--scaling", split = ",", paramLabel = "THREADS", defaultValue = "1,2,4,8",
        description = "Thread-scaling runs after the others: the full topology once per stream thread count, over input"
            + " and emr-events topics of as many partitions as the largest count (patients spread by key); 0 skips"
            + " them. Default: ${DEFAULT-VALUE}.")
    private List<Integer> scaling;

    @Option(names = "--scaling-copies", paramLabel = "K", defaultValue = "1",
        description = "The thread-scaling runs read the cohort K times over, each copy under new patient and event"
            + " ids, so that enough patients spread the events evenly over the threads (a few patients with long"
            + " histories otherwise bound the speed-up); the other phases read it once. Default: ${DEFAULT-VALUE}.")
    private int scalingCopies;

    @Option(names = "--scaling-partitions", paramLabel = "N", defaultValue = "0",
        description = "Partitions of the thread-scaling runs' input and emr-events topics, at least the largest"
            + " --scaling count; 0: as many as that count. Kafka Streams hands a client's tasks to its threads"
            + " round-robin, so a multiple of the thread count splits the events over the threads as that count"
            + " does (measured); other counts split them otherwise. Default: ${DEFAULT-VALUE}.")
    private int scalingPartitions;

    @Option(names = "--host-label", paramLabel = "NAME",
        description = "The host's name in the result's file name and JSON (e.g. gpu-nvidia-h100 on a GPU host whose"
            + " hostname says nothing); default: the hostname.")
    private String hostLabel;

    @Option(names = "--transaction-metadata", negatable = true, defaultValue = "false", fallbackValue = "true",
        description = "Feed the throughput phases Debezium's transaction metadata too (every transaction's END, and"
            + " source.transaction.topic set), as the shipped connector configurations provide it, so that the last"
            + " transaction of each task closes on its END instead of after --idle-flush-ms of idle input (which"
            + " otherwise ends every throughput phase). Default: ${DEFAULT-VALUE}.")
    private boolean transactionMetadata;

    @Option(names = "--streams-set", paramLabel = "KEY=VALUE", description = "A Kafka Streams property for every"
        + " phase's topology over the product's settings (e.g. poll.ms=10, or consumer.fetch.max.wait.ms=100), to"
        + " measure what it changes (repeatable).")
    private Map<String, String> streamsSettings = new LinkedHashMap<>();

    @Option(names = "--set", description = "A configuration key for the full topology, e.g. --set"
        + " processing.guarantee=at_least_once (repeatable; the bench's own settings win for topics, threads and"
        + " state).", paramLabel = "KEY=VALUE")
    private Map<String, String> overrides = new LinkedHashMap<>();

    @Override
    public Integer call() throws Exception {
      CommandLine cli = spec.commandLine();
      PrintWriter outWriter = cli.getOut();
      if (patients < 1) {
        throw new CommandLine.ParameterException(cli, "--patients must be at least 1");
      }
      List<Integer> scalingThreads = scaling.equals(List.of(0)) ? List.of() : scaling;
      if (scalingThreads.stream().anyMatch(t -> t < 1 || t > 64)) {
        throw new CommandLine.ParameterException(cli, "--scaling takes stream thread counts from 1 to 64, or 0");
      }
      if (scalingCopies < 1 || scalingCopies > 100) {
        throw new CommandLine.ParameterException(cli, "--scaling-copies must be from 1 to 100");
      }
      int mostThreads = scalingThreads.stream().mapToInt(Integer::intValue).max().orElse(0);
      if (scalingPartitions != 0 && (scalingPartitions < mostThreads || scalingPartitions > 256)) {
        throw new BadInputException("--scaling-partitions must be 0 or from the largest --scaling"
            + " count (" + mostThreads + ") to 256");
      }
      if (hostLabel != null && !hostLabel.matches("[A-Za-z0-9][A-Za-z0-9.-]{0,63}")) {
        throw new BadInputException("--host-label takes letters, digits, '.' and '-' (at most 64)");
      }
      if (model != null) {
        ModelBundle.load(model);  // a bad --model fails here (exit status 2), not after the cohort and the broker
      }
      Path work = Files.createTempDirectory("riskstream-bench-");
      try {
        Path csvDir = cohort;
        if (csvDir == null) {
          csvDir = new SyntheaCohortGenerator().generate(SyntheaCohortGenerator.Options.of(patients, seed,
              work.resolve("cohort"))).csvDir();
        }
        Map<String, List<EmrEvent>> byPatient = CohortReading.read(csvDir, outWriter);
        Map<String, Object> appConfig = new HashMap<>(overrides);
        appConfig.put(RiskStreamConfig.NUM_STREAM_THREADS_CONFIG, Integer.toString(threads));
        appConfig.put(RiskStreamConfig.TRIGGER_IDLE_FLUSH_MS_CONFIG, Long.toString(idleFlushMs));
        appConfig.put(RiskStreamConfig.TOPIC_PARTITIONS_CONFIG, "4");
        if (model != null) {
          appConfig.put(RiskStreamConfig.MODEL_NAME_CONFIG, model);
        }
        E2eBenchmark bench = new E2eBenchmark(byPatient, appConfig, work.resolve("state"),
            new E2eBenchmark.Settings(warmup, scalingThreads, streamsSettings, transactionMetadata,
                scalingCopies, scalingPartitions));
        E2eBenchmark.Result result = bench.run();

        String host = hostLabel != null ? hostLabel : InetAddress.getLocalHost().getHostName();
        ZonedDateTime now = ZonedDateTime.now(ZoneOffset.UTC);
        String stem = "e2e-" + host.replaceAll("[^A-Za-z0-9.-]", "_") + "-"
            + now.format(DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'"));
        Map<String, Object> context = new LinkedHashMap<>();
        context.put("benchmark", "riskstream bench e2e");
        context.put("host", host);
        context.put("date", now.toString());
        context.put("availableProcessors", Runtime.getRuntime().availableProcessors());
        context.put("loadAverageAtEnd", java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        context.put("java", System.getProperty("java.version"));
        context.put("maxHeapBytes", Runtime.getRuntime().maxMemory());
        context.put("cohort", cohort != null ? cohort.toString() : "generated: " + patients + " patients, seed " + seed);
        context.put("settings", overrides);
        Path json = out.resolve(stem + ".json");
        Path png = out.resolve(stem + ".png");
        BenchReport.writeJson(BenchReport.document(result, context, bench.streamsOverrides()), json);
        String pngSkipped = BenchReport.writePng(result, "riskstream bench e2e on " + host + ", " + now.toLocalDate()
            + ": " + result.events() + " change events, " + result.patients() + " patients", png);
        outWriter.printf(Locale.ROOT, "pass-through: %.0f events/s; full topology: %.0f events/s (%.0f%% of pass-through;"
            + " target 50%%)%n", result.passThrough().eventsPerSecond(), result.full().eventsPerSecond(),
            100 * result.fullToPassThrough());
        for (E2eBenchmark.Throughput t : List.of(result.passThrough(), result.full())) {
          if (!t.complete()) {
            outWriter.printf(Locale.ROOT, "INCOMPLETE: a phase stalled after %d of %d outputs; its rate is not a"
                + " throughput (see the log's 'stalled:' lines)%n", t.outputs(), t.expectedOutputs());
          }
        }
        if (result.fullWarmup() != null) {
          outWriter.printf(Locale.ROOT, "(warm-up runs before: pass-through %.0f events/s, full %.0f events/s)%n",
              result.passThroughWarmup().eventsPerSecond(), result.fullWarmup().eventsPerSecond());
        }
        outWriter.printf(Locale.ROOT, "CPU seconds by thread group: pass-through %s; full %s%n",
            result.passThrough().cpuSeconds(), result.full().cpuSeconds());
        outWriter.printf(Locale.ROOT, "latency at %.0f events/s: p50 %.1f ms, p99 %.1f ms (%d of %d transactions)%n",
            result.latency().rateEventsPerSecond(), result.latency().p50Ms(), result.latency().p99Ms(),
            result.latency().scored(), result.latency().transactions());
        outWriter.printf(Locale.ROOT, "peak RSS %.0f MiB (whole JVM, broker included); state stores %.0f bytes/patient%n",
            result.peakRssBytes() / 1048576.0, result.stateStoreBytesPerPatient());
        outWriter.printf(Locale.ROOT, "full topology, where the stream threads were (s): %s%n", result.full().waits());
        for (E2eBenchmark.Scaling run : result.scaling()) {
          outWriter.printf(Locale.ROOT, "scaling: %d stream threads, %d partitions, %d patients: %.0f events/s%s"
              + " (largest partition %.0f%% of the events: at most %.2fx one thread; busiest thread %.0f%% as the tasks"
              + " fell: at most %.2fx)%n", run.threads(), run.partitions(), run.patients(),
              run.full().eventsPerSecond(), run.full().complete() ? "" : " (INCOMPLETE)",
              100 * run.largestPartitionShare(), run.speedupBound(), 100 * run.busiestThreadShare(),
              run.assignedSpeedupBound());
        }
        if (pngSkipped == null) {
          outWriter.printf("Wrote %s and %s%n", json, png);
        } else {
          outWriter.printf("Wrote %s; warning: no PNG, this JVM cannot draw text (%s)%n", json, pngSkipped);
        }
        outWriter.flush();
        return 0;
      } finally {
        try (Stream<Path> files = Files.walk(work)) {
          files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
      }
    }
  }

  /**
   * {@code riskstream bench scorer}: see {@link ScorerBenchmark}. History lengths come from a Synthea cohort through
   * each model's encoder ({@code --cohort}, written to {@code lengths-<model>.txt} beside the results for reuse) or
   * from such files ({@code --lengths-dir}, e.g. scoring/bench on a GPU host that has no cohort).
   */
  @Command(name = "scorer", mixinStandardHelpOptions = true,
      description = {"Per model: TensorRT (each precision) and ONNX Runtime on the CPU over batch sizes, on inputs whose"
          + " lengths follow a cohort's distribution; throughput, p50/p99 latency per batch, GPU memory, parity.",
          "Writes scorer-bench-<model>.json and the inputs (for scoring/bench/pytorch_bench.py) under --out; run"
          + " scoring/bench/run-bench.sh on a GPU host for the whole comparison with PyTorch and the plot."})
  public static final class ScorerBench implements Callable<Integer> {

    /**
     * Runs this subcommand alone: on a GPU host that receives only the scoring jars, not the Kafka, Debezium and
     * Synthea dependencies that the other commands of {@link RiskstreamCli} load (scoring/bench/run-bench.sh).
     */
    public static void main(String[] args) {
      System.exit(RiskstreamCli.withBadInputHandling(new CommandLine(new ScorerBench()))
          .setCommandName("riskstream bench scorer").execute(args));
    }

    @Spec
    private CommandSpec spec;

    @Option(names = "--model", split = ",", description = "Model names or directories; default: ${DEFAULT-VALUE}.",
        defaultValue = "emr-risk-small,emr-risk-base")
    private List<String> models;

    @Option(names = "--cohort", description = "Synthea CSV cohort whose per-encounter history lengths are drawn from.")
    private Path cohort;

    @Option(names = "--lengths-dir", description = "Directory with lengths-<model>.txt (one length per line) instead"
        + " of --cohort.")
    private Path lengthsDir;

    @Option(names = "--batches", split = ",", description = "Batch sizes; default: ${DEFAULT-VALUE}.",
        defaultValue = "1,2,4,8,16,32,64,128,256,512,1024")
    private List<Integer> batches;

    @Option(names = "--precisions", split = ",", description = "TensorRT precisions; default: ${DEFAULT-VALUE}.",
        defaultValue = "fp32,fp16")
    private List<String> precisions;

    @Option(names = "--buckets", split = ",", description = "Length buckets (default: doubling from 32 to the"
        + " model's maximum length).")
    private List<Integer> buckets;

    @Option(names = "--min-batch", description = "Smallest batch size of the engine's shapes; default: ${DEFAULT-VALUE}.",
        defaultValue = "1")
    private int minBatch;

    @Option(names = "--contexts", description = "Execution contexts per shape; more than 1 also measures that many"
        + " threads at once, and one thread whose calls split their chunks over the contexts; default:"
        + " ${DEFAULT-VALUE}.", defaultValue = "1")
    private int contexts;

    @Option(names = "--inputs", description = "Inputs drawn; default: ${DEFAULT-VALUE}.", defaultValue = "8192")
    private int inputs;

    @Option(names = "--seconds", description = "Seconds per point; default: ${DEFAULT-VALUE}.", defaultValue = "0.5")
    private double seconds;

    @Option(names = "--ort-threads", description = "ONNX Runtime intra-op threads (default: all cores).")
    private Integer ortThreads;

    @Option(names = "--ort-max-batch", description = "Largest batch timed on ONNX Runtime; default: ${DEFAULT-VALUE}.",
        defaultValue = "256")
    private int ortMaxBatch;

    @Option(names = "--cache", description = "TensorRT engine cache; default: ${DEFAULT-VALUE}.",
        defaultValue = "/tmp/riskstream-engines")
    private Path cache;

    @Option(names = "--out", description = "Result directory; default: ${DEFAULT-VALUE}.", defaultValue = "bench/results")
    private Path out;

    @Override
    public Integer call() throws Exception {
      CommandLine cli = spec.commandLine();
      PrintWriter outWriter = cli.getOut();
      if ((cohort == null) == (lengthsDir == null)) {
        throw new CommandLine.ParameterException(cli, "give exactly one of --cohort and --lengths-dir");
      }
      List<Precision> parsed;
      try {
        parsed = precisions.stream().map(Precision::parse).toList();
      } catch (IllegalArgumentException e) {
        throw new CommandLine.ParameterException(cli, "--precisions: " + e.getMessage());
      }
      int maxBatch = batches.stream().mapToInt(Integer::intValue).max().orElseThrow();
      if (Integer.bitCount(maxBatch) != 1 || Integer.bitCount(minBatch) != 1 || minBatch > maxBatch) {
        throw new CommandLine.ParameterException(cli, "the largest batch (" + maxBatch + ") and --min-batch ("
            + minBatch + ") must be powers of two, --min-batch the smaller");
      }
      List<ModelBundle> bundles = models.stream().map(ModelBundle::load).toList();
      Files.createDirectories(out);
      Map<String, List<EmrEvent>> byPatient = cohort == null ? null : CohortReading.read(cohort, outWriter);
      for (ModelBundle bundle : bundles) {
        int maxLength = bundle.spec().maxLength();
        List<Integer> lengths;
        if (byPatient != null) {
          lengths = ScorerBenchmark.servingLengths(byPatient, new HistoryEncoder(bundle.spec()));
          Files.write(out.resolve("lengths-" + bundle.name() + ".txt"), lengths.stream().map(String::valueOf).toList());
        } else {
          Path file = lengthsDir.resolve("lengths-" + bundle.name() + ".txt");
          if (!Files.isRegularFile(file)) {
            throw new CommandLine.ParameterException(cli, "no " + file + " (write it with --cohort)");
          }
          lengths = Files.readAllLines(file).stream().map(String::trim).filter(l -> !l.isEmpty())
              .map(Integer::parseInt).toList();
        }
        List<Integer> bucketList = buckets != null ? buckets : ProfileSpec.doubling(maxBatch,
            Math.min(32, maxLength), maxLength, contexts).lengthBuckets();
        ProfileSpec profiles = new ProfileSpec(minBatch, maxBatch, bucketList, contexts);
        ScorerBenchmark.Settings settings = new ScorerBenchmark.Settings(bundle, lengths, inputs, batches, parsed,
            profiles, cache, ortThreads != null ? ortThreads : Runtime.getRuntime().availableProcessors(), ortMaxBatch,
            seconds, out, out.resolve("inputs-" + bundle.name() + ".bin"));
        Map<String, Object> result = ScorerBenchmark.run(settings);
        outWriter.printf(Locale.ROOT, "%s: %d lengths (mean %.1f of at most %d), %d points on %s; wrote %s%n",
            bundle.name(), lengths.size(), lengths.stream().mapToInt(Integer::intValue).average().orElse(0), maxLength,
            ((List<?>) result.get("points")).size(), result.get("gpu"),
            out.resolve("scorer-bench-" + bundle.name() + ".json"));
        outWriter.flush();
      }
      return 0;
    }
  }

  /**
   * {@code riskstream bench chaos}: see {@link ChaosSoak}. The cohort comes from {@code --cohort} directories or from
   * the demo's cohort cache ({@code --patients}, {@code --cohort-seed}; generated with Synthea when missing).
   */
  @Command(name = "chaos", mixinStandardHelpOptions = true,
      description = {"Chaos soak: the production app (riskstream run, ONNX Runtime, exactly-once) in a child JVM on 3"
          + " embedded brokers, SIGKILLed --kills times at seeded points counted in committed scores, while the leader"
          + " of emr-events' partition is stopped and started again and another broker is restarted; its committed"
          + " scores and alerts are compared with those of a fault-free run of the same command and feed (lost,"
          + " duplicated, split, differing).",
          "Writes chaos-<host>-<UTC time>.json under --out; exit status 0 when identical to the reference (and every"
          + " fault done, no app JVM ended on its own, no dead letter), 1 when not. Broker and client messages go to"
          + " a log file in the work directory, which is kept (without the state stores) and printed."})
  public static final class Chaos implements Callable<Integer>, DeveloperCommand {

    @Spec
    private CommandSpec spec;

    @Option(names = "--events", description = "Change events (whole patients until at least this many); default:"
        + " ${DEFAULT-VALUE}.", defaultValue = "200000")
    private int events;

    @Option(names = "--kills", description = "SIGKILLs of the app; default: ${DEFAULT-VALUE}.", defaultValue = "10")
    private int kills;

    @Option(names = "--seed", description = "Seed of the patients' order, the kill points and the broker fault points;"
        + " default: ${DEFAULT-VALUE}.", defaultValue = "20261204")
    private long seed;

    @Option(names = "--cohort", description = "Synthea CSV cohort directories (repeatable) instead of the cache.")
    private List<Path> cohorts;

    @Override
    public List<String> requiredClasses() {
      return cohorts == null || cohorts.isEmpty() ? List.of(SYNTHEA) : List.of();
    }

    @Option(names = "--patients", description = "Patients of the cached (or generated) cohort; default:"
        + " ${DEFAULT-VALUE}.", defaultValue = "200")
    private int patients;

    @Option(names = "--cohort-seed", description = "Synthea seed of the cached cohort; default: ${DEFAULT-VALUE}.",
        defaultValue = "1")
    private long cohortSeed;

    @Option(names = "--cache-dir", description = "Cohort cache; default: ~/.cache/riskstream/cohorts.")
    private Path cacheDir;

    @Option(names = "--model", description = "model.name (a bundled name or a model directory); default: the config's.")
    private String model;

    @Option(names = "--threads", description = "num.stream.threads; default: ${DEFAULT-VALUE}.", defaultValue = "2")
    private int threads;

    @Option(names = "--partitions", description = "topic.partitions (emr-events, outputs); default: ${DEFAULT-VALUE}.",
        defaultValue = "3")
    private int partitions;

    @Option(names = "--child-heap", description = "-Xmx of the app's JVM; default: ${DEFAULT-VALUE}.",
        defaultValue = "1g")
    private String childHeap;

    @Option(names = "--stall-seconds", description = "A phase ends when no committed output came for this long;"
        + " default: ${DEFAULT-VALUE}.", defaultValue = "180")
    private long stallSeconds;

    @Option(names = "--set", description = "A configuration key for the app and the reference (repeatable; the soak's"
        + " own settings win for the broker, application id, state, source topic, scorer, registry and HTTP port).",
        paramLabel = "KEY=VALUE")
    private Map<String, String> overrides = new LinkedHashMap<>();

    @Option(names = "--out", description = "Result directory; default: ${DEFAULT-VALUE}.", defaultValue = "bench/results")
    private Path out;

    @Override
    public Integer call() throws Exception {
      CommandLine cli = spec.commandLine();
      PrintWriter outWriter = cli.getOut();
      if (events < 1 || kills < 0 || patients < 1 || threads < 1 || partitions < 1 || stallSeconds < 1) {
        throw new CommandLine.ParameterException(cli, "--events, --patients, --threads, --partitions and"
            + " --stall-seconds must be at least 1, --kills at least 0");
      }
      if (model != null) {
        ModelBundle.load(model);  // a bad --model fails here (exit status 2), not after the cohort and the brokers
      }
      Map<String, String> appConfig = new LinkedHashMap<>(overrides);
      appConfig.put(RiskStreamConfig.NUM_STREAM_THREADS_CONFIG, Integer.toString(threads));
      appConfig.put(RiskStreamConfig.TOPIC_PARTITIONS_CONFIG, Integer.toString(partitions));
      if (model != null) {
        appConfig.put(RiskStreamConfig.MODEL_NAME_CONFIG, model);
      }
      ChaosSoak.Options options = new ChaosSoak.Options(events, kills, seed, appConfig, List.of("-Xmx" + childHeap),
          Duration.ofSeconds(stallSeconds));
      Path work = Files.createTempDirectory("riskstream-chaos-");
      outWriter.printf("Work directory (configuration, logs of every app JVM, broker and client messages): %s%n", work);
      outWriter.flush();
      ChaosSoak.Result result;
      String cohortText;
      try (DemoLogging logging = DemoLogging.start(work.resolve("riskstream-bench-chaos.log"),
          new ConsoleStatus(outWriter, false))) {
        Map<String, List<EmrEvent>> byPatient = new HashMap<>();
        if (cohorts != null && !cohorts.isEmpty()) {
          for (Path dir : cohorts) {
            byPatient.putAll(CohortReading.read(dir, outWriter));
          }
          cohortText = cohorts.toString();
        } else {
          Path root = cacheDir != null ? cacheDir : DemoCohort.defaultCacheRoot();
          SyntheaCohortGenerator generator = new SyntheaCohortGenerator();
          for (DemoCohort.Part part : DemoCohort.plan(patients, cohortSeed, root)) {
            if (!part.cached()) {
              outWriter.printf("generating %d Synthea patients (seed %d) into %s%n", part.patients(), part.seed(),
                  part.dir());
              outWriter.flush();
            }
            DemoCohort.ensure(part, generator, n -> { });
            byPatient.putAll(CohortReading.read(part.dir(), outWriter));
          }
          cohortText = "cache " + root.resolve(cohortSeed + "-" + patients) + ": " + patients
              + " patients, Synthea seed " + cohortSeed;
        }
        result = new ChaosSoak(byPatient, options, work, outWriter).run();
      }

      String host = InetAddress.getLocalHost().getHostName();
      ZonedDateTime now = ZonedDateTime.now(ZoneOffset.UTC);
      String stem = "chaos-" + host.replaceAll("[^A-Za-z0-9.-]", "_") + "-"
          + now.format(DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'"));
      Map<String, Object> context = new LinkedHashMap<>();
      context.put("benchmark", "riskstream bench chaos");
      context.put("commandLine", String.join(" ", cli.getParseResult().originalArgs()));
      context.put("host", host);
      context.put("date", now.toString());
      context.put("availableProcessors", Runtime.getRuntime().availableProcessors());
      context.put("loadAverageAtEnd",
          java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
      context.put("java", System.getProperty("java.version"));
      context.put("cohort", cohortText);
      context.put("referenceDefinition", "a fault-free run of the same command, configuration and feed on the same"
          + " cluster before the run with faults, under another application id into other output topics");
      Path json = out.resolve(stem + ".json");
      BenchReport.writeJson(ChaosReport.document(result, context), json);
      ChaosReport.summary(result).forEach(outWriter::println);
      // the state stores are large; the logs and configuration stay
      try (Stream<Path> dirs = Files.list(work)) {
        for (Path dir : dirs.filter(p -> Files.isDirectory(p) && p.getFileName().toString().startsWith("state"))
            .toList()) {
          try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
          }
        }
      }
      outWriter.printf("Logs and configuration: %s%nWrote %s%n", work, json);
      outWriter.flush();
      return result.passed() ? 0 : 1;
    }
  }
}
