package io.riskstream.app.cli;

import io.riskstream.app.replay.AuditReplay;
import io.riskstream.app.replay.ReplayComparison;
import io.riskstream.scoring.model.ModelBundle;
import io.riskstream.scoring.model.ModelBundleException;
import io.riskstream.topology.config.RiskStreamConfig;
import io.riskstream.topology.serde.AvroSerdes;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.kafka.common.config.ConfigException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code riskstream replay --config FILE}: the audit replay of a period ({@link AuditReplay}): re-scores emr-events
 * under its own application id and topics with the configured model and compares, record by record, with what
 * production emitted. Exit status 0 when every score and alert of the period was reproduced and nothing else was,
 * 1 when not, 2 for bad options or configuration, 3 when the replay could not finish (nothing was compared).
 */
@Command(name = "replay", mixinStandardHelpOptions = true,
    description = {"Audit replay: re-scores emr-events with production's configuration under its own application id"
        + " and output topics, and compares every score and alert of a period with what production emitted.",
        "Writes a JSON report; exit status 0 = identical, 1 = differences, 2 = bad options or configuration,"
            + " 3 = the replay could not finish."})
public final class ReplayCommand implements Callable<Integer> {

  @Spec
  private CommandSpec spec;

  @Mixin
  private ProductionPeriod period;

  @Option(names = "--id", description = "Names the replay's application id, topics and state; default: the UTC time.")
  private String id;

  @Option(names = "--tolerance", defaultValue = "0", description = "Largest probability difference that still"
      + " matches: 0 on the CPU (a replay is bit-identical), e.g. 1e-3 for a TensorRT FP16 engine; default: ${DEFAULT-VALUE}.")
  private double tolerance;

  @Option(names = "--timeout-minutes", defaultValue = "60", description = "Give up after this long; default: ${DEFAULT-VALUE}.")
  private long timeoutMinutes;

  @Option(names = "--report", description = "The JSON report; - prints it after the summary (e.g. in a Kubernetes"
      + " Job's log); default: replay-<id>.json in the working directory.")
  private Path report;

  private AuditReplay.Report last;

  /** The report of the last call (for tests). */
  public AuditReplay.Report lastReport() {
    return last;
  }

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    RiskStreamConfig cfg;
    AuditReplay.Options options;
    try {
      cfg = period.config();
      String replayId = id != null ? id
          : DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC).format(Instant.now());
      options = new AuditReplay.Options(replayId, period.start(), period.end(), tolerance,
          Duration.ofMinutes(timeoutMinutes));
      // a model that cannot load is bad configuration: say so before connecting to anything
      ModelBundle.load(cfg.getString(RiskStreamConfig.MODEL_NAME_CONFIG));
    } catch (BadInputException | ConfigException | IllegalArgumentException | ModelBundleException e) {
      err.println("riskstream replay: " + e.getMessage());
      return 2;
    }
    Path stateDir = Path.of(cfg.getString(RiskStreamConfig.STATE_DIR_CONFIG)).resolve("replay-" + options.replayId());
    AuditReplay.Report r;
    try {
      r = AuditReplay.run(cfg, AvroSerdes.fromConfig(cfg), options,
          stateDir, line -> {
        out.println(line);
        out.flush();
      });
    } catch (ModelBundleException | ConfigException e) {
      err.println("riskstream replay: " + e.getMessage());
      return 2;
    } catch (IllegalStateException | java.util.concurrent.ExecutionException e) {
      // the replay could not finish (timeout, stream failure, broker lost after the start-up probe): no comparison was made
      err.println("riskstream replay: the replay did not finish: " + (e.getCause() != null
          && e instanceof java.util.concurrent.ExecutionException ? e.getCause().getClass().getSimpleName()
          + " " + e.getCause().getMessage() : e.getMessage()));
      return 3;
    } finally {
      deleteQuietly(stateDir);
    }
    last = r;
    boolean toStdout = ReportFiles.toStdout(report);
    Path file = report != null ? report : Path.of("replay-" + options.replayId() + ".json");
    if (!toStdout) {
      ReportFiles.write(file, document(r));
    }
    print(out, r, toStdout ? "standard output" : file.toString());
    if (toStdout) {
      out.println(ReportFiles.JSON.writeValueAsString(document(r)));
      out.flush();
    }
    return r.comparison().identical() ? 0 : 1;
  }

  /** The report as JSON-ready maps (instants as ISO-8601 strings). */
  static Map<String, Object> document(AuditReplay.Report r) {
    ReplayComparison.Result c = r.comparison();
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("replayId", r.replayId());
    doc.put("identical", c.identical());
    doc.put("applicationId", r.applicationId());
    doc.put("scoresTopic", r.scoresTopic());
    doc.put("alertsTopic", r.alertsTopic());
    doc.put("from", c.from() == null ? null : c.from().toString());
    doc.put("to", c.to() == null ? null : c.to().toString());
    doc.put("tolerance", c.tolerance());
    doc.put("modelSha256", c.modelSha256());
    doc.put("emrEventsReplayed", r.emrEvents());
    doc.put("replaySeconds", r.seconds());
    doc.put("replayTriggerCloses", r.triggerCloses());
    doc.put("replayInternalTopicsDeleted", r.internalTopicsDeleted());
    doc.put("productionScoresOfOtherModels", c.otherModelScores());
    doc.put("productionAlertsOfOtherModels", c.otherModelAlerts());
    doc.put("scores", c.scores());
    doc.put("alerts", c.alerts());
    doc.put("alertFeedback", r.feedback());
    return doc;
  }

  private static void print(PrintWriter out, AuditReplay.Report r, String file) {
    ReplayComparison.Result c = r.comparison();
    out.printf(Locale.ROOT, "replay %s: %s%n", r.replayId(), c.identical()
        ? "IDENTICAL: every score and alert of the period was reproduced, and nothing else"
        : "DIFFERENT: see the counts and the example ids in the report");
    line(out, "scores", c.scores());
    line(out, "alerts", c.alerts());
    if (c.otherModelScores() + c.otherModelAlerts() > 0) {
      out.printf(Locale.ROOT, "  not compared: %,d scores and %,d alerts of other models%n", c.otherModelScores(),
          c.otherModelAlerts());
    }
    r.feedback().forEach((outcome, f) -> out.printf(Locale.ROOT,
        "  feedback %s: %,d alerts, %,d answered (%,d accepted, %,d overridden), override rate %s%n", outcome, f.alerts(),
        f.answered(), f.accepted(), f.overridden(),
        f.overrideRate() == null ? "-" : String.format(Locale.ROOT, "%.1f%%", f.overrideRate() * 100)));
    out.printf(Locale.ROOT, "  replay output kept in %s and %s; report %s%n", r.scoresTopic(), r.alertsTopic(), file);
    out.flush();
  }

  private static void line(PrintWriter out, String what, ReplayComparison.Counts n) {
    out.printf(Locale.ROOT, "  %-7s production %,d, replay %,d: %,d matched, %,d only in production, %,d only in"
        + " replay, %,d differing (largest probability difference %.3g)%n", what, n.production(), n.replay(),
        n.matched(), n.onlyInProduction(), n.onlyInReplay(), n.differing(), n.maxProbabilityDifference());
  }

  private static void deleteQuietly(Path dir) {
    try {
      org.apache.kafka.common.utils.Utils.delete(dir.toFile());
    } catch (IOException e) {
      // the replay's state is scratch; a leftover directory only takes disk space
    }
  }
}
