package io.riskstream.app.cli;

import io.riskstream.connectors.ehr.EhrDatabaseLoader;
import io.riskstream.connectors.ehr.EhrRowMapping;
import io.riskstream.connectors.synthea.SyntheaCsvReader;
import io.riskstream.schemas.EmrEvent;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code riskstream cohort load}: loads a Synthea CSV cohort into the EHR database, one transaction per encounter in
 * event-time order, optionally paced and with EHR-like amendments, so that Debezium captures EHR-like transactions.
 * The password comes from {@code --password-file} or {@value #PASSWORD_ENV}; it is never logged or printed.
 */
@Command(name = "load", mixinStandardHelpOptions = true,
    description = {"Loads a Synthea CSV cohort into the EHR database (connectors/ehr-db/schema.sql, applied first):"
        + " each patient row in its own transaction, then one transaction per encounter in event-time order.",
        "Password: --password-file, else the environment variable " + CohortLoadCommand.PASSWORD_ENV + "."})
public final class CohortLoadCommand implements Callable<Integer> {

  public static final String PASSWORD_ENV = "RISKSTREAM_EHR_PASSWORD";

  @Spec
  private CommandSpec spec;

  @Option(names = "--jdbc", required = true, description = "JDBC URL of the EHR database, e.g."
      + " jdbc:postgresql://localhost:5432/ehr (no password in it).")
  private String jdbcUrl;

  @Option(names = "--cohort", required = true, description = "Synthea CSV export directory.")
  private Path cohort;

  @Option(names = "--speed", description = "Simulated seconds per wall-clock second (e.g. 31536000 = a year per"
      + " second); default: unpaced.")
  private Double speed;

  @Option(names = "--corrections", defaultValue = "0", description = "Fraction (0..1) of numeric observations"
      + " corrected after their encounter (UPDATE); default: ${DEFAULT-VALUE}.")
  private double corrections;

  @Option(names = "--deletions", defaultValue = "0", description = "Fraction (0..1) of conditions deleted as entered"
      + " in error after their encounter (DELETE); default: ${DEFAULT-VALUE}.")
  private double deletions;

  @Option(names = "--user", description = "Database user; default: the one in the JDBC URL or the driver's.")
  private String user;

  @Option(names = "--password-file", description = "File whose first line is the database password.")
  private Path passwordFile;

  private final Map<String, String> environment;

  public CohortLoadCommand() {
    this(System.getenv());
  }

  CohortLoadCommand(Map<String, String> environment) {
    this.environment = Map.copyOf(environment);
  }

  @Override
  public Integer call() throws Exception {
    CommandLine cli = spec.commandLine();
    if (speed != null && !(speed > 0)) {
      throw new CommandLine.ParameterException(cli, "--speed must be a positive number of simulated seconds per"
          + " second");
    }
    EhrDatabaseLoader.Options options;
    try {
      options = new EhrDatabaseLoader.Options(speed == null ? 0 : speed, corrections, deletions);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(cli, e.getMessage());
    }
    Properties connectionProps = new Properties();
    if (user != null) {
      connectionProps.setProperty("user", user);
    }
    String password = password(cli);
    if (password != null) {
      connectionProps.setProperty("password", password);
    }

    long start = System.nanoTime();
    Map<String, List<EmrEvent>> byPatient = new SyntheaCsvReader(cohort).readByPatient();
    EhrDatabaseLoader.LoadResult result;
    try (Connection connection = DriverManager.getConnection(jdbcUrl, connectionProps)) {
      EhrDatabaseLoader.applySchema(connection);
      result = new EhrDatabaseLoader(EhrRowMapping.DEFAULT, options).load(connection, byPatient);
    } catch (SQLException e) {
      // the SQL state and the driver's message name the failing step; no row content is included
      PrintWriter err = cli.getErr();
      err.printf("Loading failed (SQL state %s): %s%n", e.getSQLState(), e.getMessage());
      err.flush();
      return 1;
    }
    PrintWriter out = cli.getOut();
    out.printf("Loaded %d patients, %d encounters, %d facts in %d transactions; %d updates, %d deletes, %d rejected"
            + " events in %.1f s%n", result.patients(), result.encounters(), result.facts(), result.transactions(),
        result.updates(), result.deletes(), result.rejected(), (System.nanoTime() - start) / 1e9);
    out.flush();
    return result.rejected() == 0 ? 0 : 3;
  }

  private String password(CommandLine cli) {
    if (passwordFile != null) {
      try {
        return Files.readString(passwordFile, StandardCharsets.UTF_8).lines().findFirst().orElse("");
      } catch (IOException e) {
        throw new CommandLine.ParameterException(cli, "--password-file: cannot read the file ("
            + e.getClass().getSimpleName() + ")");
      }
    }
    return environment.get(PASSWORD_ENV);
  }
}
