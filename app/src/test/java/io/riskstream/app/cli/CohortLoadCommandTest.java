package io.riskstream.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.riskstream.connectors.ehr.PostgresServer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class CohortLoadCommandTest {

  private static final Path COHORT = Path.of("src/test/resources/synthea/valid");
  private static PostgresServer postgres;

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  @BeforeAll
  static void startPostgres() throws Exception {
    postgres = PostgresServer.startOrSkip();
  }

  @AfterAll
  static void stopPostgres() {
    if (postgres != null) {
      postgres.close();
    }
  }

  private int run(Map<String, String> env, String... args) {
    CommandLine cli = new CommandLine(new RiskstreamCli(), new CommandLine.IFactory() {
      @Override
      public <K> K create(Class<K> type) throws Exception {
        if (type == CohortLoadCommand.class) {
          return type.cast(new CohortLoadCommand(env));
        }
        return CommandLine.defaultFactory().create(type);
      }
    });
    cli.setOut(new PrintWriter(out));
    cli.setErr(new PrintWriter(err));
    return cli.execute(args);
  }

  private static long count(Connection c, String table) throws Exception {
    try (ResultSet rs = c.createStatement().executeQuery("SELECT count(*) FROM clinical." + table)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  @Test
  void shouldBeRegisteredUnderCohort() {
    CommandLine cli = RiskstreamCli.commandLine();
    assertThat(cli.getSubcommands().get("cohort").getSubcommands()).containsKey("load");
    assertThat(cli.getSubcommands()).containsKey("cdc");
  }

  @Test
  void shouldLoadASyntheaCohortWithDeletionsAndPrintTheCounts(@TempDir Path dir) throws Exception {
    String url = postgres.createDatabase("cli_load");
    Path secret = dir.resolve("pw");
    Files.writeString(secret, "not-checked-with-trust-auth\n");

    int rc = run(Map.of(), "cohort", "load", "--jdbc", url, "--cohort", COHORT.toString(), "--user", postgres.user(),
        "--password-file", secret.toString(), "--deletions", "1");

    assertThat(err.toString()).isEmpty();
    assertThat(rc).isZero();
    try (Connection c = postgres.connect("cli_load")) {
      assertThat(count(c, "patients")).isEqualTo(2);
      assertThat(count(c, "encounters")).isEqualTo(2);
      assertThat(count(c, "observations")).isEqualTo(4);
      assertThat(count(c, "conditions")).isZero(); // every condition deleted as entered in error
    }
    assertThat(out.toString()).contains("Loaded 2 patients, 2 encounters, 7 facts").contains("1 deletes")
        .doesNotContain("not-checked-with-trust-auth");
  }

  @Test
  void shouldRejectANonPositiveSpeedAndAnUnreadablePasswordFile(@TempDir Path dir) {
    assertThat(run(Map.of(), "cohort", "load", "--jdbc", "jdbc:postgresql://127.0.0.1:1/x", "--cohort",
        COHORT.toString(), "--speed", "0")).isEqualTo(2);
    assertThat(err.toString()).contains("--speed");
    assertThat(run(Map.of(), "cohort", "load", "--jdbc", "jdbc:postgresql://127.0.0.1:1/x", "--cohort",
        COHORT.toString(), "--password-file", dir.resolve("missing").toString())).isEqualTo(2);
    assertThat(err.toString()).contains("--password-file");
  }

  @Test
  void shouldReportAnUnreachableDatabaseWithoutAStackTrace() {
    int rc = run(Map.of(CohortLoadCommand.PASSWORD_ENV, "env-secret"), "cohort", "load", "--jdbc",
        "jdbc:postgresql://127.0.0.1:1/ehr?connectTimeout=2", "--cohort", COHORT.toString());
    assertThat(rc).isEqualTo(1);
    assertThat(err.toString()).contains("Loading failed (SQL state").doesNotContain("env-secret")
        .doesNotContain("\tat ");
  }
}
