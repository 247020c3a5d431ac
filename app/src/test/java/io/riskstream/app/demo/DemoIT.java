package io.riskstream.app.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.riskstream.app.cli.DemoCommand;
import io.riskstream.connectors.synthea.SyntheaCsvReader;
import io.riskstream.topology.TriggerProcessor;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** Runs {@code riskstream demo} in-process on a committed three-patient Synthea fixture and checks its summary. */
class DemoIT {

  private static final Path COHORT = Path.of("src/test/resources/demo-cohort");
  private static final String MODEL = "../scoring/src/test/resources/models/test-tiny";

  @TempDir
  Path cache;

  @Test
  void shouldFeedTheCohortScoreItAndSummarizeCountsThatAgree() {
    long cohortEvents = new SyntheaCsvReader(COHORT).readByPatient().values().stream().mapToLong(List::size).sum();
    DemoCommand demo = new DemoCommand();
    StringWriter text = new StringWriter();
    CommandLine cli = new CommandLine(demo);
    cli.setOut(new PrintWriter(text, true));

    int rc = cli.execute("--cohort", COHORT.toString(), "--model", MODEL, "--cache-dir", cache.toString(),
        "--scorer", "onnxruntime", "--progress-seconds", "1", "--live-years", "0",
        "--set", "alert.warning.threshold=0.1", "--set", "alert.critical.threshold=0.2");

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
    // every transaction is closed by some rule (a split one twice); the patients' last ones by the idle flush
    assertThat(s.transactionCloses().values().stream().mapToLong(Long::longValue).sum())
        .isGreaterThanOrEqualTo(s.transactions());
    assertThat(s.transactionCloses().get(TriggerProcessor.CloseRule.IDLE_FLUSH)).isPositive();
    assertThat(text.toString()).containsPattern("scoring triggers +[0-9,]+ [a-z ]+");
  }
}
