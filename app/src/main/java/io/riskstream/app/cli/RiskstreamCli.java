package io.riskstream.app.cli;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code riskstream} command line: one subcommand class per command, registered here. */
@Command(name = "riskstream", mixinStandardHelpOptions = true, version = "riskstream 0.1.0",
    description = "Event-driven clinical risk scoring on Kafka Streams.",
    subcommands = {CommandLine.HelpCommand.class, CohortCommand.class, DatasetCommand.class, EvaluateCommand.class,
        CdcCommand.class, ConfigDocsCommand.class, BuildEngineCommand.class, RunCommand.class, DemoCommand.class,
        BenchCommand.class, ReplayCommand.class})
public final class RiskstreamCli {

  /** Exit code of a command that cannot run with this classpath (as for other bad usage). */
  static final int EXIT_MISSING_CLASSPATH = 2;

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  /** The command line, which refuses a {@link DeveloperCommand} when the developer classpath is missing. */
  static CommandLine commandLine() {
    CommandLine cli = new CommandLine(new RiskstreamCli());
    cli.setExecutionStrategy(parsed -> {
      for (CommandLine c : parsed.asCommandLineList()) {
        if (c.getCommand() instanceof DeveloperCommand) {
          String missing = missingDeveloperClass(RiskstreamCli.class.getClassLoader());
          if (missing != null) {
            PrintWriter err = c.getErr();
            err.println("riskstream " + c.getCommandName() + ": this command needs the developer classpath"
                + " (app/target/lib-dev: embedded Kafka broker, Synthea, Debezium, PostgreSQL driver, plotting),"
                + " which the production artifact leaves out (" + missing + " is missing). Run it with ./riskstream"
                + " from a source checkout.");
            err.flush();
            return EXIT_MISSING_CLASSPATH;
          }
        }
      }
      return new CommandLine.RunLast().execute(parsed);
    });
    return cli;
  }

  /** The first {@link DeveloperCommand#SENTINELS} class that does not load, or null. */
  static String missingDeveloperClass(ClassLoader loader) {
    for (String name : DeveloperCommand.SENTINELS) {
      try {
        Class.forName(name, false, loader);
      } catch (ClassNotFoundException | LinkageError e) {
        return name;
      }
    }
    return null;
  }
}
