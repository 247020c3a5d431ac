package io.riskstream.app.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.riskstream.app.cli.DemoCommand;
import io.riskstream.connectors.synthea.SyntheaCsvReader;
import io.riskstream.topology.TriggerProcessor;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Runs {@code riskstream demo} in-process on a committed three-patient Synthea fixture and checks its summary, and
 * that its console shows only RiskStream's own messages while Kafka's go to the demo's log.
 */
class DemoIT {

  private static final Path COHORT = Path.of("src/test/resources/demo-cohort");
  private static final String MODEL = "../scoring/src/test/resources/models/test-tiny";

  @TempDir
  Path cache;

  @TempDir
  Path work;

  @Test
  void shouldFeedTheCohortScoreItAndSummarizeCountsThatAgree() throws Exception {
    long cohortEvents = new SyntheaCsvReader(COHORT).readByPatient().values().stream().mapToLong(List::size).sum();
    DemoCommand demo = new DemoCommand();
    StringWriter text = new StringWriter();
    // what else reaches the console: Kafka's formatter prints to System.out, log lines go to System.err (replaced
    // before the CommandLine is made: picocli's default handler takes a System.out changed later for its output)
    ByteArrayOutputStream console = new ByteArrayOutputStream();
    PrintStream stdout = System.out;
    PrintStream stderr = System.err;
    int rc;
    try {
      System.setOut(new PrintStream(console, true, StandardCharsets.UTF_8));
      System.setErr(new PrintStream(console, true, StandardCharsets.UTF_8));
      CommandLine cli = new CommandLine(demo);
      cli.setOut(new PrintWriter(text, true));
      rc = cli.execute("--cohort", COHORT.toString(), "--model", MODEL, "--cache-dir", cache.toString(),
          "--work-dir", work.toString(), "--scorer", "onnxruntime", "--progress", "plain", "--progress-seconds", "1",
          "--live-years", "0", "--set", "alert.warning.threshold=0.1", "--set", "alert.critical.threshold=0.2");
    } finally {
      System.setOut(stdout);
      System.setErr(stderr);
    }

    assertThat(rc).isZero();
    DemoSummary s = demo.summary();
    assertThat(s.interrupted()).isFalse();
    assertThat(s.patients()).isEqualTo(3);
    assertThat(s.eventsProduced()).isEqualTo(cohortEvents);
    assertThat(s.transactions()).isEqualTo(3 + 91 + 99);
    assertThat(s.eventsConsumed()).isEqualTo(s.eventsProduced());
    assertThat(s.deadLetters()).isZero();
    assertThat(s.emrEvents()).isEqualTo(s.eventsProduced());
    assertThat(s.scores()).isPositive().isEqualTo(s.distinctScores());
    assertThat(s.latencySamples()).isPositive().isLessThanOrEqualTo(s.transactions());
    assertThat(s.p99LatencyMs()).isGreaterThanOrEqualTo(s.p50LatencyMs()).isPositive();
    assertThat(s.alertsByOutcome().values().stream().flatMap(m -> m.values().stream()).mapToLong(Long::longValue).sum())
        .isEqualTo(s.alerts());
    // with thresholds this low, the test model's first score of every patient crosses the critical threshold
    assertThat(s.alertsByOutcome()).containsOnlyKeys("a", "b", "c");
    assertThat(s.alertsByOutcome().get("a").get("CRITICAL")).isGreaterThanOrEqualTo(3L);
    assertThat(text.toString()).contains("ALERT CRITICAL", "Summary:",
        String.format("change events produced  %,d", cohortEvents), "risk scores             " + String.format("%,d", s.scores()));
    assertThat(s.peakRssKb()).isPositive();
    // the feed writes Debezium's transaction metadata: every transaction is closed exactly once, by an input rule or
    // by its END (the patients' last ones), none by a timing rule
    assertThat(s.transactionCloses().values().stream().mapToLong(Long::longValue).sum()).isEqualTo(s.transactions());
    assertThat(s.transactionCloses().get(TriggerProcessor.CloseRule.TRANSACTION_END)).isPositive();
    assertThat(s.transactionCloses().get(TriggerProcessor.CloseRule.IDLE_FLUSH)).isZero();
    assertThat(s.transactionCloses().get(TriggerProcessor.CloseRule.LINGER)).isZero();
    assertThat(text.toString()).containsPattern("scoring triggers +[0-9,]+ [a-z ]+");
    assertThat(text.toString()).containsPattern("alerts withheld +[0-9,]+ outcome already diagnosed, [0-9,]+ after"
        + " death");
    // plain progress lines (the output is not a terminal)
    assertThat(text.toString()).containsPattern("\\| cohort ready \\| fed 3 patients, [0-9,]+ events \\|")
        .doesNotContain("\r");

    // the console: RiskStream's own messages only; Kafka's (and its formatter's) are in the demo's log
    String all = text + console.toString(StandardCharsets.UTF_8);
    assertThat(all).doesNotContain("Bootstrap metadata", "Formatting metadata directory", "StateDirectory",
        "GlobalThread", "o.a.k.", "org.apache.kafka");
    assertThat(all.lines().filter(l -> l.contains(" WARN ") || l.contains(" ERROR "))).isEmpty();
    assertThat(console.toString(StandardCharsets.UTF_8)).contains("INFO  Scoring - scoring with model test-tiny");
    List<Path> logs;
    try (Stream<Path> files = Files.list(work.resolve("logs"))) {
      logs = files.toList();
    }
    assertThat(logs).hasSize(1);
    assertThat(text.toString()).contains("Kafka broker and client messages go to " + logs.get(0),
        "Kafka's messages        " + logs.get(0));
    assertThat(Files.readString(logs.get(0))).contains("scoring with model test-tiny");
    try (Stream<Path> left = Files.list(work)) {
      assertThat(left.map(p -> p.getFileName().toString())).containsExactly("logs");  // the state directory is gone
    }
  }
}
