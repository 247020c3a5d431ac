package io.riskstream.app.cli;

import io.riskstream.connectors.cdc.CdcConfig;
import io.riskstream.connectors.cdc.CdcRunner;
import io.riskstream.connectors.kafka.KafkaClusterProbe;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.apache.kafka.common.config.ConfigException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code riskstream cdc --config FILE}: Debezium's PostgreSQL connector in-process, writing the EHR database's change
 * events to {@code ehr.clinical.*} (see connectors/README.md). Runs until stopped (SIGTERM / Ctrl-C), then commits
 * the processed offsets.
 */
@Command(name = "cdc", mixinStandardHelpOptions = true,
    description = {"Captures the EHR database's changes with Debezium (PostgreSQL, pgoutput) in-process and writes"
        + " them to Kafka topics <topic.prefix>.clinical.<table>, JSON without schemas.",
        "Config keys: bootstrap.servers, database.hostname, database.port, database.dbname, database.user,"
            + " database.password.file (or env " + CdcConfig.DATABASE_PASSWORD_ENV + "), topic.prefix, slot.name,"
            + " publication.name, snapshot.mode, heartbeat.interval.ms, offset.storage (kafka|file), ...;"
            + " security.protocol, ssl.*, sasl.*, startup.timeout.ms as for riskstream run;"
            + " debezium.*, producer.* and kafka.* pass through."})
public final class CdcCommand implements Callable<Integer>, DeveloperCommand {

  @Spec
  private CommandSpec spec;

  @Option(names = "--config", required = true, description = "Properties file (see connectors/README.md).")
  private Path configFile;

  @Override
  public Integer call() throws Exception {
    CommandLine cli = spec.commandLine();
    if (!Files.isReadable(configFile)) {
      throw new CommandLine.ParameterException(cli, "--config: cannot read " + configFile);
    }
    CdcConfig config;
    try {
      config = CdcConfig.fromFile(configFile);
      config.engineProperties(); // resolves the password file now, so a bad one fails before anything starts
    } catch (ConfigException | IOException e) {
      throw new BadInputException("--config " + configFile + ": " + e.getMessage());
    }
    // an unreachable cluster or rejected credentials: one line and exit status 2, before the connector starts
    KafkaClusterProbe.await(config.adminProperties(), config.startupTimeout());
    CdcRunner runner = new CdcRunner(config);
    Thread hook = new Thread(runner::close, "riskstream-cdc-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    runner.start();
    PrintWriter out = cli.getOut();
    try {
      runner.awaitTermination();
    } catch (IllegalStateException e) {
      cli.getErr().printf("CDC stopped with an error: %s%n", e.getMessage());
      cli.getErr().flush();
      return 1;
    } finally {
      out.printf("Forwarded %d change events: %s%n", runner.forwarded(), runner.forwardedPerTopic());
      out.flush();
    }
    return 0;
  }
}
