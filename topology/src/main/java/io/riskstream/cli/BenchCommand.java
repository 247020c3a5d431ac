package io.riskstream.cli;

import io.riskstream.bench.BenchReport;
import io.riskstream.bench.E2eBenchmark;
import io.riskstream.config.RiskStreamConfig;
import io.riskstream.connectors.synthea.SyntheaCohortGenerator;
import io.riskstream.schemas.EmrEvent;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
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

/** {@code riskstream bench}: benchmarks. Subcommand {@code e2e}. */
@Command(name = "bench", mixinStandardHelpOptions = true, description = "Benchmarks.",
    subcommands = {BenchCommand.E2e.class})
public final class BenchCommand implements Runnable {

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
          + " topology's rate, peak RSS and state-store bytes per patient.",
          "Writes e2e-<host>-<date>.json and .png under --out."})
  public static final class E2e implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Option(names = "--patients", description = "Synthea patients to generate; default: ${DEFAULT-VALUE}.",
        defaultValue = "30")
    private int patients;

    @Option(names = "--seed", description = "Synthea seed; default: ${DEFAULT-VALUE}.", defaultValue = "42")
    private long seed;

    @Option(names = "--cohort", description = "An existing Synthea CSV cohort directory instead of generating one.")
    private Path cohort;

    @Option(names = "--out", description = "Result directory; default: ${DEFAULT-VALUE}.", defaultValue = "bench/results")
    private Path out;

    @Option(names = "--model", description = "model.name (a bundled name or a model directory); default: the config's.")
    private String model;

    @Option(names = "--threads", description = "num.stream.threads; default: ${DEFAULT-VALUE}.", defaultValue = "2")
    private int threads;

    @Option(names = "--idle-flush-ms", description = "trigger.idle.flush.ms: how long after the input stops each"
        + " patient's last transaction closes (it ends the full run); default: ${DEFAULT-VALUE}.", defaultValue = "200")
    private long idleFlushMs;

    @Override
    public Integer call() throws Exception {
      CommandLine cli = spec.commandLine();
      PrintWriter outWriter = cli.getOut();
      if (patients < 1) {
        throw new CommandLine.ParameterException(cli, "--patients must be at least 1");
      }
      Path work = Files.createTempDirectory("riskstream-bench-");
      try {
        Path csvDir = cohort;
        if (csvDir == null) {
          csvDir = new SyntheaCohortGenerator().generate(SyntheaCohortGenerator.Options.of(patients, seed,
              work.resolve("cohort"))).csvDir();
        }
        Map<String, List<EmrEvent>> byPatient = CohortReading.read(csvDir, outWriter);
        Map<String, Object> appConfig = new HashMap<>();
        appConfig.put(RiskStreamConfig.NUM_STREAM_THREADS_CONFIG, Integer.toString(threads));
        appConfig.put(RiskStreamConfig.TRIGGER_IDLE_FLUSH_MS_CONFIG, Long.toString(idleFlushMs));
        appConfig.put(RiskStreamConfig.TOPIC_PARTITIONS_CONFIG, "4");
        if (model != null) {
          appConfig.put(RiskStreamConfig.MODEL_NAME_CONFIG, model);
        }
        E2eBenchmark.Result result = new E2eBenchmark(byPatient, appConfig, work.resolve("state")).run();

        String host = InetAddress.getLocalHost().getHostName();
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
        Path json = out.resolve(stem + ".json");
        Path png = out.resolve(stem + ".png");
        BenchReport.writeJson(BenchReport.document(result, context), json);
        BenchReport.writePng(result, "riskstream bench e2e on " + host + ", " + now.toLocalDate() + ": "
            + result.events() + " change events, " + result.patients() + " patients", png);
        outWriter.printf(Locale.ROOT, "pass-through: %.0f events/s; full topology: %.0f events/s (%.0f%% of pass-through;"
            + " target 50%%)%n", result.passThrough().eventsPerSecond(), result.full().eventsPerSecond(),
            100 * result.fullToPassThrough());
        outWriter.printf(Locale.ROOT, "latency at %.0f events/s: p50 %.1f ms, p99 %.1f ms (%d of %d transactions)%n",
            result.latency().rateEventsPerSecond(), result.latency().p50Ms(), result.latency().p99Ms(),
            result.latency().scored(), result.latency().transactions());
        outWriter.printf(Locale.ROOT, "peak RSS %.0f MiB (whole JVM, broker included); state stores %.0f bytes/patient%n",
            result.peakRssBytes() / 1048576.0, result.stateStoreBytesPerPatient());
        outWriter.printf("Wrote %s and %s%n", json, png);
        outWriter.flush();
        return 0;
      } finally {
        try (Stream<Path> files = Files.walk(work)) {
          files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
      }
    }
  }
}
