package io.riskstream.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code run}, {@code replay} and {@code cdc} with no broker at bootstrap.servers: each ends within
 * startup.timeout.ms with one line naming bootstrap.servers and exit status 2, without a stack trace, with a handful
 * of Kafka's connection warnings at most, and without the JAAS configuration or its password anywhere.
 */
class StartupFailureTest {

  private static final String MODEL = "../scoring/src/test/resources/models/test-tiny";
  private static final String JAAS = "org.apache.kafka.common.security.plain.PlainLoginModule required"
      + " username=\"rs\" password=\"pw-unit-4711\";";

  @TempDir
  Path dir;

  private CapturedLog log;
  private String servers;

  @BeforeEach
  void captureLogAndFindAClosedPort() throws Exception {
    log = CapturedLog.start();
    try (ServerSocket free = new ServerSocket(0)) {
      servers = "localhost:" + free.getLocalPort();
    }
  }

  @AfterEach
  void releaseLog() {
    log.close();
  }

  private Path config(String... lines) throws Exception {
    Path file = dir.resolve("riskstream.properties");
    Files.writeString(file, String.join("\n", lines), StandardCharsets.UTF_8);
    return file;
  }

  /** A configuration of RiskStream with SASL/PLAIN at the closed port, waiting 3 s at most. */
  private Path unreachableSasl() throws Exception {
    return config("bootstrap.servers=" + servers, "state.dir=" + dir.resolve("state"), "model.name=" + MODEL,
        "startup.timeout.ms=3000", "security.protocol=SASL_PLAINTEXT", "sasl.mechanism=PLAIN",
        "sasl.jaas.config=" + JAAS);
  }

  @Test
  void shouldEndRunWithOneLineNamingBootstrapServersWhenNoBrokerAnswers() throws Exception {
    CliRun cli = new CliRun();

    assertThat(cli.run("run", "--config", unreachableSasl().toString())).isEqualTo(RiskstreamCli.EXIT_BAD_INPUT);
    assertThat(cli.err().lines()).singleElement().asString().startsWith(
        "riskstream run: no answer from the Kafka cluster at bootstrap.servers=" + servers + " within 3000 ms");
    assertQuietAndSecret(cli);
  }

  @Test
  void shouldEndReplayWithOneLineNamingBootstrapServersWhenNoBrokerAnswers() throws Exception {
    CliRun cli = new CliRun();

    assertThat(cli.run("replay", "--config", unreachableSasl().toString(), "--report", dir.resolve("r.json").toString()))
        .isEqualTo(RiskstreamCli.EXIT_BAD_INPUT);
    assertThat(cli.err().lines()).singleElement().asString().startsWith(
        "riskstream replay: no answer from the Kafka cluster at bootstrap.servers=" + servers);
    assertQuietAndSecret(cli);
  }

  @Test
  void shouldEndCdcWithOneLineNamingBootstrapServersWhenNoBrokerAnswers() throws Exception {
    Path file = config("bootstrap.servers=" + servers, "database.hostname=db", "database.dbname=ehr",
        "database.user=cdc", "startup.timeout.ms=3000", "security.protocol=SASL_PLAINTEXT", "sasl.mechanism=PLAIN",
        "sasl.jaas.config=" + JAAS);
    CliRun cli = new CliRun();

    assertThat(cli.run("cdc", "--config", file.toString())).isEqualTo(RiskstreamCli.EXIT_BAD_INPUT);
    assertThat(cli.err().lines()).singleElement().asString().startsWith(
        "riskstream cdc: no answer from the Kafka cluster at bootstrap.servers=" + servers);
    assertQuietAndSecret(cli);
  }

  @Test
  void shouldNameTheKeyOfAMissingTruststoreBeforeConnecting() throws Exception {
    Path missing = dir.resolve("truststore.p12");
    Path file = config("bootstrap.servers=" + servers, "state.dir=" + dir.resolve("state"), "model.name=" + MODEL,
        "security.protocol=SSL", "ssl.truststore.location=" + missing, "ssl.truststore.password=pw-unit-4711");
    CliRun cli = new CliRun();

    assertThat(cli.run("run", "--config", file.toString())).isEqualTo(RiskstreamCli.EXIT_BAD_INPUT);
    assertThat(cli.err().lines()).containsExactly("riskstream run: ssl.truststore.location: no such file " + missing);
    assertThat(log.events()).noneMatch(e -> e.getLoggerName().startsWith("org.apache.kafka.clients"));
    assertQuietAndSecret(cli);
  }

  /** No stack trace at WARN or above, a handful of connection warnings at most, no secret anywhere. */
  private void assertQuietAndSecret(CliRun cli) {
    assertThat(log.events()).filteredOn(e -> e.getLevel().isGreaterOrEqual(Level.WARN))
        .allMatch(e -> e.getThrowableProxy() == null, "logged without a stack trace");
    assertThat(log.events()).filteredOn(e -> e.getFormattedMessage().contains("could not be established")).hasSizeLessThan(6);
    String all = cli.out() + cli.err() + log.text();
    assertThat(all).doesNotContain("pw-unit-4711", "PlainLoginModule");
  }
}
