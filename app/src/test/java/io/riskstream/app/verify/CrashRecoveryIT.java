package io.riskstream.app.verify;

import static org.assertj.core.api.Assertions.assertThat;

import io.riskstream.app.bench.ChangeEventFeed;
import io.riskstream.app.demo.EmbeddedKafka;
import io.riskstream.schemas.RiskAlert;
import io.riskstream.schemas.RiskScore;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Crash recovery: the app (real scorer, exactly-once, 2 stream threads) runs in a child JVM against an embedded broker
 * in this JVM, is killed with SIGKILL once committed scores have started to appear, and is restarted on the same state
 * dir. Afterwards every scoring request has been scored exactly once (read_committed) and the scores and alerts equal
 * those of an uncrashed run of the same input (a TopologyTestDriver run; RealScorerDeterminismIT shows that such a
 * run equals an uncrashed cluster run).
 */
class CrashRecoveryIT {

  @TempDir
  Path dir;

  @Test
  void shouldScoreEveryRequestExactlyOnceAcrossASigkill() throws Exception {
    ChangeEventFeed feed = CohortRuns.feed();
    CohortRuns.Output expected = CohortRuns.oneInstanceRun(feed, "crash-ttd", dir.resolve("ttd"));

    List<RiskScore> scores = new ArrayList<>();
    List<RiskAlert> alerts = new ArrayList<>();
    int scoresAtKill;
    try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
      kafka.createTopics(1, CohortRuns.SOURCE_TOPIC, CohortRuns.TRANSACTION_TOPIC);
      CohortRuns.produce(kafka.bootstrapServers(), feed);
      try (KafkaConsumer<byte[], byte[]> reader = CohortRuns.committedReader(kafka.bootstrapServers(), "crash-reader")) {
        Process first = startChild(kafka.bootstrapServers(), "first");
        try {
          long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
          // mid-stream: a tenth of the requests scored and committed, the rest pending or not yet read
          while (scores.size() < feed.transactions() / 10 && first.isAlive() && System.nanoTime() < deadline) {
            CohortRuns.pollInto(reader, Duration.ofMillis(100), scores, alerts);
          }
          assertThat(scores).as("scores before the kill (child log %s)", "target/crash-it-first.log")
              .hasSizeGreaterThanOrEqualTo(feed.transactions() / 10);
        } finally {
          first.destroyForcibly(); // SIGKILL on Linux: no shutdown hook, no commit, no state flush
          assertThat(first.waitFor(30, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(first.exitValue()).isEqualTo(137); // 128 + SIGKILL
        scoresAtKill = scores.size();

        Process second = startChild(kafka.bootstrapServers(), "second");
        try {
          int want = expected.scores().size() + expected.alerts().size();
          long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
          long report = System.nanoTime();
          while (scores.size() + alerts.size() < want && second.isAlive() && System.nanoTime() < deadline) {
            CohortRuns.pollInto(reader, Duration.ofMillis(500), scores, alerts);
            if (System.nanoTime() - report > 5_000_000_000L) {
              System.out.printf("crash: after restart %d scores, %d alerts%n", scores.size(), alerts.size());
              report = System.nanoTime();
            }
          }
          // a little longer: nothing beyond the expected records may appear (no duplicates)
          long quiet = System.nanoTime() + Duration.ofSeconds(4).toNanos();
          while (System.nanoTime() < quiet) {
            CohortRuns.pollInto(reader, Duration.ofMillis(500), scores, alerts);
          }
          assertThat(second.isAlive()).as("second child alive (log %s)", "target/crash-it-second.log").isTrue();
        } finally {
          second.destroy();
          if (!second.waitFor(40, TimeUnit.SECONDS)) {
            second.destroyForcibly();
          }
        }
      }
    }
    System.out.printf("crash: %d transactions; killed after %d committed scores; afterwards %d scores (%d distinct ids),"
        + " %d alerts; expected %d alerts%n", feed.transactions(), scoresAtKill, scores.size(),
        scores.stream().map(RiskScore::getScoreId).distinct().count(), alerts.size(), expected.alerts().size());
    assertThat(scoresAtKill).isLessThan(feed.transactions());
    assertThat(scores).hasSize(feed.transactions());
    assertThat(scores.stream().map(RiskScore::getScoreId).distinct()).hasSize(feed.transactions());
    CohortRuns.Output actual = new CohortRuns.Output(scores, alerts);
    assertThat(actual.scores()).isEqualTo(expected.scores());
    assertThat(actual.alerts()).isEqualTo(expected.alerts());
  }

  private Process startChild(String bootstrap, String name) throws IOException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Path log = Path.of("target", "crash-it-" + name + ".log"); // kept for a look after a failure
    List<String> command = List.of(java, "-Xmx512m", "-Driskstream.it.model=" + CohortRuns.MODEL,
        "-cp", System.getProperty("java.class.path"), CrashChild.class.getName(), bootstrap,
        dir.resolve("app-state").toString(), "crash-it");
    Files.createDirectories(dir.resolve("app-state"));
    return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile())
        .directory(new File(System.getProperty("user.dir"))).start();
  }
}
