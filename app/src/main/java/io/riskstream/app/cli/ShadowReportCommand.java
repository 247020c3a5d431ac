package io.riskstream.app.cli;

import io.riskstream.app.replay.ShadowComparison;
import io.riskstream.app.replay.ShadowReport;
import io.riskstream.app.runtime.StartupProbes;
import io.riskstream.topology.config.RiskStreamConfig;
import io.riskstream.topology.serde.AvroSerdes;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.kafka.common.config.ConfigException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code riskstream shadow-report --config FILE}: where the shadow model's would-be alerts differ from production's
 * ({@link ShadowReport}). Exit status 0 when the report was written, 2 for bad options or configuration, 3 when the
 * topics could not be read.
 */
@Command(name = "shadow-report", mixinStandardHelpOptions = true,
    description = {"Compares production's alerts (risk-alerts) with the shadow model's would-be alerts"
        + " (risk-alerts-shadow) per outcome: alerts only production raised, only the shadow raised, both; agreement.",
        "Reads each topic up to its end when it starts; writes a JSON report and prints a summary; exit status 0 ="
            + " written, 2 = bad options or configuration, 3 = the topics could not be read."})
public final class ShadowReportCommand implements Callable<Integer> {

  @Spec
  private CommandSpec spec;

  @Mixin
  private ProductionPeriod period;

  @Option(names = "--window-days", defaultValue = "30", description = "Alerts of the two models for the same patient"
      + " and outcome match when their asOf lie at most this many days apart (0: only at the same history point);"
      + " default: ${DEFAULT-VALUE}.")
  private int windowDays;

  @Option(names = "--report", defaultValue = "shadow-report.json", description = "The JSON report; - prints it after"
      + " the summary; default: ${DEFAULT-VALUE}.")
  private Path report;

  private ShadowReport.Report last;

  /** The report of the last call (for tests). */
  public ShadowReport.Report lastReport() {
    return last;
  }

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    RiskStreamConfig cfg;
    Instant start;
    Instant end;
    try {
      cfg = period.config();
      start = period.start();
      end = period.end();
      if (windowDays < 0) {
        throw new IllegalArgumentException("--window-days must not be negative, got " + windowDays);
      }
    } catch (BadInputException | ConfigException | IllegalArgumentException e) {
      err.println("riskstream shadow-report: " + e.getMessage());
      return 2;
    }
    ShadowReport.Report r;
    try {
      StartupProbes.await(cfg);
      r = ShadowReport.run(cfg, AvroSerdes.fromConfig(cfg), start, end, java.time.Duration.ofDays(windowDays));
    } catch (ConfigException e) {
      err.println("riskstream shadow-report: " + e.getMessage());
      return 2;
    } catch (org.apache.kafka.common.KafkaException e) {
      err.println("riskstream shadow-report: the topics could not be read: " + e.getClass().getSimpleName() + " "
          + e.getMessage());
      return 3;
    }
    last = r;
    boolean toStdout = ReportFiles.toStdout(report);
    if (!toStdout) {
      ReportFiles.write(report, document(r));
    }
    ShadowReport.summary(r).forEach(out::println);
    out.println("  report " + (toStdout ? "on standard output" : report.toString()));
    if (toStdout) {
      out.println(ReportFiles.JSON.writeValueAsString(document(r)));
    }
    out.flush();
    return 0;
  }

  /** The report as JSON-ready maps (instants as ISO-8601 strings). */
  static Map<String, Object> document(ShadowReport.Report r) {
    ShadowComparison.Result c = r.comparison();
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("productionAlertsTopic", r.productionAlertsTopic());
    doc.put("shadowAlertsTopic", r.shadowAlertsTopic());
    doc.put("from", c.from() == null ? null : c.from().toString());
    doc.put("to", c.to() == null ? null : c.to().toString());
    doc.put("windowDays", c.window().toDays());
    doc.put("productionAlertsRead", r.productionAlertsRead());
    doc.put("shadowAlertsRead", r.shadowAlertsRead());
    doc.put("productionModels", c.productionModels());
    doc.put("shadowModels", c.shadowModels());
    doc.put("productionAlertsNotScoredByShadow", c.notScoredByShadow());
    doc.put("shadowAlertsNotScoredByProduction", c.notScoredByProduction());
    doc.put("total", c.total());
    doc.put("outcomes", c.outcomes());
    return doc;
  }
}
