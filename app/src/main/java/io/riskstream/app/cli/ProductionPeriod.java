package io.riskstream.app.cli;

import io.riskstream.topology.config.RiskStreamConfig;
import java.nio.file.Path;
import java.time.Instant;
import picocli.CommandLine.Option;

/**
 * The options of the commands that read production's topics over a period (replay, shadow-report), as a picocli
 * mixin: production's configuration file and the period of asOf to compare.
 */
final class ProductionPeriod {

  @Option(names = "--config", required = true, description = "Production's properties file (as for riskstream run).")
  private Path config;

  @Option(names = "--from", description = "Compare records with asOf at or after this instant (ISO-8601, e.g."
      + " 2026-11-01T00:00:00Z); default: from the start.")
  private String from;

  @Option(names = "--to", description = "Compare records with asOf before this instant; default: to the end.")
  private String to;

  /** Production's configuration (a file that cannot be read or holds a bad value is a ConfigException). */
  RiskStreamConfig config() {
    return RiskstreamCli.loadConfig(config);
  }

  /** The start of the period, or null; an instant that is not ISO-8601 or not before the end is bad input. */
  Instant start() {
    Instant start = ReportFiles.instant("--from", from);
    Instant end = end();
    if (start != null && end != null && !start.isBefore(end)) {
      throw new IllegalArgumentException("the period is empty: --from " + start + " is not before --to " + end);
    }
    return start;
  }

  /** The end of the period (exclusive), or null. */
  Instant end() {
    return ReportFiles.instant("--to", to);
  }
}
