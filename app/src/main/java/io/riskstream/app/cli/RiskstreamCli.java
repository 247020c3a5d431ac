package io.riskstream.app.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code riskstream} command line: one subcommand class per command, registered here. */
@Command(name = "riskstream", mixinStandardHelpOptions = true, version = "riskstream 0.1.0",
    description = "Event-driven clinical risk scoring on Kafka Streams.",
    subcommands = {CommandLine.HelpCommand.class, CohortCommand.class, DatasetCommand.class, EvaluateCommand.class,
        CdcCommand.class, ConfigDocsCommand.class, BuildEngineCommand.class, RunCommand.class, DemoCommand.class,
        BenchCommand.class, ReplayCommand.class})
public final class RiskstreamCli {

  public static void main(String[] args) {
    System.exit(new CommandLine(new RiskstreamCli()).execute(args));
  }
}
