package io.riskstream.app.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import io.riskstream.app.demo.ConsoleStatus;
import io.riskstream.app.demo.DemoCohort;
import io.riskstream.app.demo.DemoLogging;
import io.riskstream.app.demo.DemoProgress;
import io.riskstream.app.demo.DemoRunner;
import io.riskstream.app.demo.DemoSummary;
import io.riskstream.topology.AlertDecision;
import io.riskstream.topology.calibration.CalibrationStatus;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code riskstream demo}: the whole pipeline in one JVM (embedded KRaft broker, in-memory registry, topology,
 * scoring runtime) fed with a Synthea cohort as Debezium CDC events; live progress, alerts as they arrive, a summary.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
    description = {"Runs RiskStream end to end in this JVM: embedded Kafka (KRaft), in-memory schema registry, the"
        + " topology with the scorer, and a Synthea cohort fed as Debezium CDC events (one source transaction per"
        + " encounter) in event-time order. Prints progress, each alert, and a summary. Ctrl-C stops cleanly.",
        "Cohorts are cached under ~/.cache/riskstream/cohorts/<seed>-<patients>/."})
public final class DemoCommand implements Callable<Integer>, DeveloperCommand {

  @Spec
  private CommandSpec spec;

  @Option(names = "--patients", defaultValue = "200", description = "Cohort size; default: ${DEFAULT-VALUE}.")
  private int patients;

  @Option(names = "--seed", defaultValue = "1", description = "Synthea seed; default: ${DEFAULT-VALUE}.")
  private long seed;

  @Option(names = "--speed", defaultValue = "0", description = "Simulated seconds per wall-clock second"
      + " (e.g. 3e7: about a year per second); 0 feeds as fast as possible (default).")
  private double speed;

  @Option(names = "--scorer", defaultValue = "auto", description = "auto, onnxruntime or tensorrt; default:"
      + " ${DEFAULT-VALUE}.")
  private String scorer;

  @Option(names = "--max-events", defaultValue = "9223372036854775807", description = "Stop feeding after the"
      + " transaction that reaches this many change events.")
  private long maxEvents;

  @Option(names = "--live-years", defaultValue = "2", description = "Years before the cohort's newest event from"
      + " which changes arrive live, one transaction per encounter; each patient's earlier history arrives first as"
      + " one snapshot transaction. 0: the whole history live (one score per encounter). Default: ${DEFAULT-VALUE}.")
  private double liveYears;

  @Option(names = "--model", defaultValue = "emr-risk-small", description = "Model name or model directory;"
      + " default: ${DEFAULT-VALUE}.")
  private String model;

  @Option(names = "--http-port", defaultValue = "8080", description = "Port of the alert inbox, CDS Hooks and FHIR"
      + " endpoints (a free one when it is taken; 0: free); default: ${DEFAULT-VALUE}.")
  int httpPort;

  @Option(names = "--keep-running", description = "After the feed, keep running (the inbox, CDS Hooks) until Ctrl-C,"
      + " then print the summary.")
  boolean keepRunning;

  @Option(names = "--cohort", description = "Feed this existing Synthea CSV export instead of generating a cohort.")
  private Path cohort;

  @Override
  public java.util.List<String> requiredClasses() {
    return cohort == null ? java.util.List.of(EMBEDDED_BROKER, SYNTHEA) : java.util.List.of(EMBEDDED_BROKER);
  }

  @Option(names = "--cache-dir", description = "Cohort cache; default: ~/.cache/riskstream/cohorts.")
  private Path cacheDir;

  @Option(names = "--set", description = "Further configuration, key=value (see riskstream config-docs), e.g."
      + " --set alert.warning.threshold=0.2.")
  private Map<String, String> settings = new LinkedHashMap<>();

  @Option(names = "--progress", defaultValue = "auto", description = "The progress line: auto (one line updated in"
      + " place when the output is a terminal, else plain lines), tty (updated in place) or plain; default:"
      + " ${DEFAULT-VALUE}.")
  private ProgressMode progress;

  @Option(names = "--progress-seconds", description = "Interval of the progress line; default: 1 updated in place,"
      + " 10 as plain lines.")
  private Double progressSeconds;

  @Option(names = "--work-dir", description = "Where the demo writes its log (the embedded broker's and the Kafka"
      + " clients' messages) and keeps the application's state while it runs; default: ~/.cache/riskstream/demo.")
  private Path workDir;

  /** How the progress line is shown. */
  enum ProgressMode { auto, tty, plain }

  private DemoSummary summary;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    boolean updating = progress == ProgressMode.tty || progress == ProgressMode.auto && ConsoleStatus.terminal();
    double interval = progressSeconds != null ? progressSeconds : updating ? 1 : 10;
    Path work = workDir != null ? workDir : DemoCohort.defaultCacheRoot().resolveSibling("demo");
    ConsoleStatus console = new ConsoleStatus(out, updating);
    DemoRunner runner;
    try {
      if (!(interval > 0)) {
        throw new IllegalArgumentException("--progress-seconds must be positive");
      }
      runner = new DemoRunner(new DemoRunner.Options(patients, seed, speed, scorer, maxEvents, liveYears, model, cohort,
          cacheDir == null ? DemoCohort.defaultCacheRoot() : cacheDir, work, settings,
          Duration.ofMillis((long) (interval * 1000)), httpPort, keepRunning), console);
      runner.validate();
    } catch (RuntimeException e) {
      if (!(RiskstreamCli.isBadInput(e) || e instanceof IllegalArgumentException)) {
        throw e;
      }
      // a bad option, setting, model or cohort: say what to fix, without a stack trace, before anything starts
      err.println("riskstream demo: " + e.getMessage());
      err.flush();
      return RiskstreamCli.EXIT_BAD_INPUT;
    }
    Path log = DemoLogging.newLogFile(work.resolve("logs"));
    CountDownLatch printed = new CountDownLatch(1);
    Thread hook = new Thread(() -> {
      // the broker's and clients' warnings while everything is torn down (connections closing, fetches aborted) are
      // noise, in the log too: silence Kafka's loggers for the rest of this (ending) JVM
      muteBrokerLogs();
      runner.requestStop();
      try {
        printed.await(60, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "riskstream-demo-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    try (DemoLogging logging = DemoLogging.start(log, console)) {
      console.message("Kafka broker and client messages go to " + log);
      summary = runner.run();
      console.finish();
      print(out, summary, speed, log);
    } catch (Exception e) {
      console.finish();
      if (RiskstreamCli.isBadInput(e)) {
        err.println("riskstream demo: " + e.getMessage());
        err.flush();
        return RiskstreamCli.EXIT_BAD_INPUT;
      }
      err.println("riskstream demo: the demo failed; the Kafka broker's and clients' messages are in " + log);
      err.flush();
      throw e;
    } finally {
      printed.countDown();
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException shuttingDown) {
        // Ctrl-C: the hook is running and waited for the summary
      }
    }
    return 0;
  }

  private static void muteBrokerLogs() {
    if (LoggerFactory.getILoggerFactory() instanceof LoggerContext context) {
      for (String name : new String[] {"kafka", "org.apache.kafka", "state.change.logger"}) {
        context.getLogger(name).setLevel(Level.OFF);
      }
    }
  }

  /** The summary of the last run (null before). */
  public DemoSummary summary() {
    return summary;
  }

  /**
   * One line: per outcome, its newest closed calibration window's observed onsets vs expected (sum of p), their ratio,
   * the labelled scores it held and its event-time end; "drifted" while outside the band.
   */
  static String calibration(DemoSummary s) {
    DemoSummary.Labels counts = s.labels();
    String labels = String.format(Locale.ROOT, "labels: %,d positive, %,d negative, %,d excluded, %,d late",
        counts.positive(), counts.negative(), counts.excluded(), counts.late())
        + s.labelTotals().entrySet().stream().map(e -> String.format(Locale.ROOT, "%s O/E %d/%.2f (%,d)", e.getKey(),
            e.getValue().observed(), e.getValue().expected(), e.getValue().labelled()))
            .reduce((a, b) -> a + ", " + b).map(t -> "; all labels: " + t).orElse("");
    if (s.calibration().isEmpty()) {
      return "no calibration window closed (labels need a year of later events; see topology/README.md); " + labels;
    }
    return labels + "; newest closed window: " + s.calibration().entrySet().stream().map(e -> {
      CalibrationStatus.Latest l = e.getValue();
      Double ratio = l.window().ratio();
      return String.format(Locale.ROOT, "%s O/E %d/%.2f%s (%,d labelled, window to %s)%s", e.getKey(),
          l.window().observed(), l.window().expected(),
          ratio == null ? "" : String.format(Locale.ROOT, " = %.2f", ratio), l.window().labelled(),
          java.time.LocalDate.ofInstant(java.time.Instant.ofEpochMilli(l.windowEnd()), java.time.ZoneOffset.UTC),
          l.drifted() ? " DRIFTED" : "");
    }).reduce((a, b) -> a + "; " + b).orElse("");
  }

  /** One line: the alerts the policy raised and the stream withheld, by reason. */
  static String withheld(DemoSummary s) {
    Map<AlertDecision.Withheld, Long> w = s.alertsWithheld();
    return String.format(Locale.ROOT, "%,d outcome already diagnosed, %,d after death",
        w.get(AlertDecision.Withheld.DIAGNOSED), w.get(AlertDecision.Withheld.DECEASED));
  }

  static void print(PrintWriter out, DemoSummary s, double speed, Path log) {
    out.println();
    out.println(s.interrupted() ? "Summary (stopped before the end of the feed):" : "Summary:");
    out.printf(Locale.ROOT, "  patients fed            %,d%n", s.patients());
    out.printf(Locale.ROOT, "  change events produced  %,d in %,d transactions (%,d events not representable)%n",
        s.eventsProduced(), s.transactions(), s.rejected());
    out.printf(Locale.ROOT, "  consumed by the app     %,d; normalized EmrEvents %,d%n", s.eventsConsumed(),
        s.emrEvents());
    out.printf(Locale.ROOT, "  risk scores             %,d (%,d distinct)%n", s.scores(), s.distinctScores());
    out.printf(Locale.ROOT, "  risk alerts             %,d%n", s.alerts());
    s.alertsByOutcome().entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> out.printf(Locale.ROOT,
        "    %-48s %s%n", e.getKey(), e.getValue().entrySet().stream().sorted(Map.Entry.comparingByKey())
            .map(x -> x.getKey() + " " + x.getValue()).reduce((a, b) -> a + ", " + b).orElse("")));
    out.printf(Locale.ROOT, "  alerts withheld         %s%n", withheld(s));
    out.printf(Locale.ROOT, "  dead letters            %,d%n", s.deadLetters());
    // which trigger rule closed the transactions; only the idle flush depends on timing
    out.printf(Locale.ROOT, "  scoring triggers        %s%n", s.transactionCloses().entrySet().stream()
        .filter(e -> e.getValue() > 0).map(e -> String.format(Locale.ROOT, "%,d %s", e.getValue(),
            e.getKey().name().toLowerCase(Locale.ROOT).replace('_', ' '))).reduce((a, b) -> a + ", " + b).orElse("none"));
    out.printf(Locale.ROOT, "  highest probability     %s%n", s.maxProbability().entrySet().stream()
        .sorted(Map.Entry.comparingByKey()).map(e -> String.format(Locale.ROOT, "%s %.3f", e.getKey(), e.getValue()))
        .reduce((a, b) -> a + ", " + b).orElse("-"));
    out.printf(Locale.ROOT, "  throughput              %,.0f events/s consumed by the app, %,.1f scores/s (over the wall time)%n",
        s.eventsPerSecond(), s.scoresPerSecond());
    out.printf(Locale.ROOT, "  latency event→score     p50 %s, p99 %s (%,d scores: from producing a transaction's last"
        + " change event to receiving its score)%n", DemoProgress.millis(s.p50LatencyMs()),
        DemoProgress.millis(s.p99LatencyMs()), s.latencySamples());
    if (speed == 0) {
      out.printf(Locale.ROOT, "                          fed as fast as possible (--speed 0): mostly time queued behind"
          + " the backlog, not the stream's own latency; pace the feed with --speed to measure that%n");
    }
    out.printf(Locale.ROOT, "  calibration             %s%n", calibration(s));
    out.printf(Locale.ROOT, "  first alert             %s%n",
        s.firstAlertSeconds() < 0 ? "none" : String.format(Locale.ROOT, "%.1f s after start", s.firstAlertSeconds()));
    out.printf(Locale.ROOT, "  wall time               %.1f s (feeding %.1f s)%n", s.wallSeconds(), s.feedSeconds());
    out.printf(Locale.ROOT, "  peak RSS of this JVM    %s%n",
        s.peakRssKb() < 0 ? "unknown" : String.format(Locale.ROOT, "%,d MiB", s.peakRssKb() / 1024));
    s.shadowReport().forEach(line -> out.println("  " + line));
    out.printf(Locale.ROOT, "  Kafka's messages        %s%n", log);
    out.flush();
  }
}
