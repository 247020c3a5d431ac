package io.riskstream.app.cli;

import io.riskstream.connectors.synthea.SyntheaCsvException;
import io.riskstream.scoring.model.ModelBundleException;
import io.riskstream.topology.config.RiskStreamConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.apache.kafka.common.config.ConfigException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code riskstream} command line: one subcommand class per command, registered here. */
@Command(name = "riskstream", mixinStandardHelpOptions = true, version = "riskstream 0.1.0",
    description = "Event-driven clinical risk scoring on Kafka Streams.",
    subcommands = {CommandLine.HelpCommand.class, CohortCommand.class, DatasetCommand.class, EvaluateCommand.class,
        CdcCommand.class, ConfigDocsCommand.class, BuildEngineCommand.class, RunCommand.class, DemoCommand.class,
        BenchCommand.class, ReplayCommand.class, ShadowReportCommand.class})
public final class RiskstreamCli {

  /** Exit status of a command given bad input: an option, configuration, model or cohort to fix (as picocli's). */
  public static final int EXIT_BAD_INPUT = CommandLine.ExitCode.USAGE;
  /** Exit status of a command that cannot run with this class path (as for other bad usage). */
  static final int EXIT_MISSING_CLASSPATH = EXIT_BAD_INPUT;

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  /**
   * The {@code riskstream} command line, with {@link #withBadInputHandling}; it refuses a {@link DeveloperCommand}
   * when the developer class path is missing.
   */
  public static CommandLine commandLine() {
    CommandLine cli = withBadInputHandling(new CommandLine(new RiskstreamCli()));
    cli.setExecutionStrategy(parsed -> {
      for (CommandLine c : parsed.asCommandLineList()) {
        if (c.getCommand() instanceof DeveloperCommand command) {
          String missing = missingClass(command.requiredClasses(), RiskstreamCli.class.getClassLoader());
          if (missing != null) {
            PrintWriter err = c.getErr();
            err.println("riskstream " + c.getCommandName() + ": this command needs "
                + DeveloperCommand.LIBRARIES.getOrDefault(missing, missing) + ", which the production artifact leaves"
                + " out (" + missing + " is missing; it is in app/target/lib-dev). Run it with ./riskstream from a"
                + " source checkout.");
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
    return missingClass(DeveloperCommand.SENTINELS, loader);
  }

  /** The first of {@code names} that does not load, or null. */
  static String missingClass(java.util.List<String> names, ClassLoader loader) {
    for (String name : names) {
      try {
        Class.forName(name, false, loader);
      } catch (ClassNotFoundException | LinkageError e) {
        return name;
      }
    }
    return null;
  }

  /**
   * Ends a command that fails on bad input ({@link #isBadInput}) with one line on its error stream, {@code riskstream
   * <command>: <what to fix>}, and exit status 2; any other exception stays a failure (stack trace, exit status 1).
   */
  public static CommandLine withBadInputHandling(CommandLine cli) {
    return cli.setExecutionExceptionHandler((e, command, parsed) -> {
      if (!isBadInput(e)) {
        throw e;
      }
      command.getErr().println(command.getCommandSpec().qualifiedName() + ": " + e.getMessage());
      command.getErr().flush();
      return EXIT_BAD_INPUT;
    });
  }

  /** Whether {@code e} says that the user has to fix an option, a configuration, a model or a cohort. */
  public static boolean isBadInput(Throwable e) {
    return e instanceof BadInputException || e instanceof ModelBundleException || e instanceof ConfigException
        || e instanceof SyntheaCsvException;
  }

  /** Loads a configuration file (null: the defaults) with the environment's overrides; a file it cannot read is bad input. */
  static RiskStreamConfig loadConfig(Path file) {
    try {
      return RiskStreamConfig.load(file, System.getenv());
    } catch (NoSuchFileException e) {
      throw new BadInputException("cannot read the config file " + file + ": no such file");
    } catch (AccessDeniedException e) {
      throw new BadInputException("cannot read the config file " + file + ": permission denied");
    } catch (IOException e) {
      throw new BadInputException("cannot read the config file " + file + ": " + e.getMessage());
    }
  }
}
