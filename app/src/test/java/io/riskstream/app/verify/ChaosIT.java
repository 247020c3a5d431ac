package io.riskstream.app.verify;

import static org.assertj.core.api.Assertions.assertThat;

import io.riskstream.app.bench.ChangeEventFeed;
import io.riskstream.app.demo.EmbeddedKafka;
import io.riskstream.schemas.RiskAlert;
import io.riskstream.schemas.RiskScore;
import io.riskstream.topology.config.Topics;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Chaos, sized for CI: the app (real scorer, exactly-once) runs in a child JVM against three brokers (replication
 * factor 3, min.insync.replicas 2) and is SIGKILLed three times at seeded random points of the feed; between the kills
 * the leader of emr-events' partition is stopped (its partitions move to the other brokers) and started again, and
 * another broker is restarted. Afterwards the committed scores and alerts equal those of a fault-free run of the same
 * input (a TopologyTestDriver run; RealScorerDeterminismIT shows that equals a fault-free cluster run): none lost,
 * none duplicated. The points are counts of committed scores, not times, so a slow machine does not change them.
 */
class ChaosIT {

  private static final long SEED = 20261204L;

  @TempDir
  Path dir;

  @Test
  void shouldLoseAndDuplicateNothingThroughKillsAndBrokerFailures() throws Exception {
    ChangeEventFeed feed = CohortRuns.feed();
    CohortRuns.Output expected = CohortRuns.oneInstanceRun(feed, "chaos-ttd", dir.resolve("ttd"));
    int n = feed.transactions();
    Random random = new Random(SEED);
    // three kills at random points, one in each third of the feed
    int[] killAt = {n / 10 + random.nextInt(n / 5), n / 3 + random.nextInt(n / 5), 2 * n / 3 + random.nextInt(n / 6)};
    List<RiskScore> scores = new ArrayList<>();
    List<RiskAlert> alerts = new ArrayList<>();
    List<String> log = new ArrayList<>();
    try (EmbeddedKafka kafka = EmbeddedKafka.start(3)) {
      kafka.createTopics(1, CohortRuns.SOURCE_TOPIC, CohortRuns.TRANSACTION_TOPIC);
      CohortRuns.produce(kafka.bootstrapServers(), feed);
      try (KafkaConsumer<byte[], byte[]> reader = CohortRuns.committedReader(kafka.bootstrapServers(), "chaos-reader")) {
        for (int round = 0; round <= killAt.length; round++) {
          Process child = startChild(kafka.bootstrapServers(), round);
          try {
            if (round == 1) {
              // the leader of emr-events goes away while the app runs; its partitions move to the other brokers (the
              // waits never ask for more than the n scores there are: a fast child may have committed them all)
              int leader = kafka.leaderOf(Topics.DEFAULTS.emrEvents().name(), 0);
              awaitScores(reader, child, scores, alerts, Math.min(n, scores.size() + Math.max(1, (killAt[1] - scores.size()) / 3)));
              kafka.stopBroker(leader);
              log.add("stopped broker " + leader + " (leader of emr-events-0) at " + scores.size() + " scores");
              awaitScores(reader, child, scores, alerts, Math.min(n, scores.size() + Math.max(1, (killAt[1] - scores.size()) / 2)));
              kafka.startBroker(leader);
              log.add("started broker " + leader + " again at " + scores.size() + " scores");
            } else if (round == 2) {
              int other = kafka.brokerIds().stream().filter(id -> {
                try {
                  return id != kafka.leaderOf(Topics.DEFAULTS.emrEvents().name(), 0);
                } catch (Exception e) {
                  throw new IllegalStateException(e);
                }
              }).findFirst().orElseThrow();
              awaitScores(reader, child, scores, alerts, Math.min(n, scores.size() + Math.max(1, (killAt[2] - scores.size()) / 3)));
              kafka.stopBroker(other);
              kafka.startBroker(other);
              log.add("restarted broker " + other + " at " + scores.size() + " scores");
            }
            if (round < killAt.length) {
              awaitScores(reader, child, scores, alerts, killAt[round]);
              child.destroyForcibly(); // SIGKILL: no shutdown hook, no commit, no state flush
              assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
              assertThat(child.exitValue()).isEqualTo(137);
              log.add("killed the app at " + scores.size() + " committed scores");
            } else {
              long deadline = System.nanoTime() + Duration.ofSeconds(150).toNanos();
              while (scores.size() + alerts.size() < expected.scores().size() + expected.alerts().size()
                  && child.isAlive() && System.nanoTime() < deadline) {
                CohortRuns.pollInto(reader, Duration.ofMillis(500), scores, alerts);
              }
              long quiet = System.nanoTime() + Duration.ofSeconds(4).toNanos(); // nothing more may come
              while (System.nanoTime() < quiet) {
                CohortRuns.pollInto(reader, Duration.ofMillis(500), scores, alerts);
              }
              assertThat(child.isAlive()).as("last child alive (log %s)", childLog(round)).isTrue();
            }
          } finally {
            if (child.isAlive()) {
              child.destroy();
              if (!child.waitFor(40, TimeUnit.SECONDS)) {
                child.destroyForcibly();
              }
            }
          }
        }
      }
    }
    System.out.printf("chaos: %d transactions; %s; afterwards %d scores, %d alerts (expected %d, %d)%n", n,
        String.join("; ", log), scores.size(), alerts.size(), expected.scores().size(), expected.alerts().size());
    assertThat(log).hasSize(6);
    assertThat(scores.stream().map(RiskScore::getScoreId).distinct()).as("no duplicated score").hasSize(scores.size());
    CohortRuns.Output actual = new CohortRuns.Output(scores, alerts);
    assertThat(actual.scores()).isEqualTo(expected.scores());
    assertThat(actual.alerts()).isEqualTo(expected.alerts());
  }

  /** Reads committed outputs until {@code want} scores (or the child died, or 120 s passed). */
  private static void awaitScores(KafkaConsumer<byte[], byte[]> reader, Process child, List<RiskScore> scores,
      List<RiskAlert> alerts, int want) {
    long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
    while (scores.size() < want && child.isAlive() && System.nanoTime() < deadline) {
      CohortRuns.pollInto(reader, Duration.ofMillis(100), scores, alerts);
    }
    assertThat(child.isAlive()).as("child alive while waiting for %d scores", want).isTrue();
    assertThat(scores.size()).as("scores within 120 s").isGreaterThanOrEqualTo(want);
  }

  private static Path childLog(int round) {
    return Path.of("target", "chaos-it-" + round + ".log"); // kept for a look after a failure
  }

  private Process startChild(String bootstrap, int round) throws IOException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> command = List.of(java, "-Xmx512m", "-Driskstream.it.model=" + CohortRuns.MODEL,
        "-cp", System.getProperty("java.class.path"), CrashChild.class.getName(), bootstrap,
        dir.resolve("app-state").toString(), "chaos-it");
    Files.createDirectories(dir.resolve("app-state"));
    return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(childLog(round).toFile())
        .directory(new File(System.getProperty("user.dir"))).start();
  }
}
