package io.riskstream.app.verify;

import static org.assertj.core.api.Assertions.assertThat;

import io.riskstream.app.bench.ChangeEventFeed;
import io.riskstream.app.cli.RiskstreamCli;
import io.riskstream.app.demo.EmbeddedKafka;
import io.riskstream.schemas.RiskAlert;
import io.riskstream.schemas.RiskScore;
import io.riskstream.topology.config.RiskStreamConfig;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Finding 8 of "No input can stop the stream": {@code riskstream run} with {@code processing.guarantee=at_least_once}
 * and the in-memory registry ({@code registry.url=mem://}), killed with SIGKILL mid-stream, died after its restart on
 * emr-events records the killed process had written ("no schema with content id ..."), and most scores never came. The
 * production command runs here in a child JVM, is killed once mid-stream and restarted: it stays alive and every transaction is
 * scored (at least once: repeats are allowed under at_least_once, a transaction without a score is not).
 */
class AtLeastOnceRestartIT {

  @TempDir
  Path dir;

  @Test
  void shouldScoreEveryTransactionAfterSigkillsWithAtLeastOnceAndTheInMemoryRegistry() throws Exception {
    ChangeEventFeed feed = CohortRuns.feed();
    int n = feed.transactions();
    List<RiskScore> scores = new ArrayList<>();
    List<RiskAlert> alerts = new ArrayList<>();
    try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
      kafka.createTopics(1, CohortRuns.SOURCE_TOPIC, CohortRuns.TRANSACTION_TOPIC);
      CohortRuns.produce(kafka.bootstrapServers(), feed);
      Path config = dir.resolve("riskstream.properties");
      Map<String, Object> props = CohortRuns.props(feed, kafka.bootstrapServers(), "alo-it", dir.resolve("state"));
      props.put(RiskStreamConfig.PROCESSING_GUARANTEE_CONFIG, "at_least_once");
      props.put(RiskStreamConfig.REGISTRY_URL_CONFIG, "mem://");
      props.put(RiskStreamConfig.HTTP_PORT_CONFIG, "0");
      props.put(RiskStreamConfig.MODEL_NAME_CONFIG, Path.of(CohortRuns.MODEL).toAbsolutePath().toString());
      Files.writeString(config, props.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
          .collect(Collectors.joining("\n")), StandardCharsets.UTF_8);
      try (KafkaConsumer<byte[], byte[]> reader = CohortRuns.committedReader(kafka.bootstrapServers(), "alo-reader")) {
        int[] killAt = {n / 3};
        for (int round = 0; round <= killAt.length; round++) {
          Process run = start(config, round);
          try {
            long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
            int want = round < killAt.length ? killAt[round] : n;
            while (scoredTransactions(scores) < want && run.isAlive() && System.nanoTime() < deadline) {
              CohortRuns.pollInto(reader, Duration.ofMillis(200), scores, alerts);
            }
            assertThat(run.isAlive()).as("riskstream run alive after restart %d (log %s)", round, log(round)).isTrue();
            assertThat(scoredTransactions(scores)).as("transactions scored within 120 s (log %s)", log(round))
                .isGreaterThanOrEqualTo(want);
          } finally {
            if (round < killAt.length) {
              run.destroyForcibly(); // SIGKILL
            } else {
              run.destroy();
            }
            assertThat(run.waitFor(60, TimeUnit.SECONDS)).isTrue();
          }
        }
      }
    }
    // every transaction scored: the scores name each of the feed's n source transactions (no other trigger exists
    // here: the feed carries transaction metadata, so each score's provenance names its transaction)
    assertThat(scores).allSatisfy(s -> assertThat(s.getProvenance().getTriggerTxId()).isNotNull());
    assertThat(scoredTransactions(scores)).as("source transactions scored").isEqualTo(n);
    // Re-scores after a SIGKILL are allowed under at_least_once, and one may carry another scoreId: the stores
    // restored after the kill can hold changes past the committed input offsets (each store's changelog is written
    // on its own), and replaying that input over them can count the history's changes (its version) differently.
    System.out.println("at_least_once: " + scores.size() + " scores, " + distinct(scores) + " scoreIds for " + n
        + " transactions; transactions scored under more than one scoreId: " + scoredTwice(scores));
  }

  /** Transactions scored under more than one scoreId, with each id's provenance. */
  private static String scoredTwice(List<RiskScore> scores) {
    Map<String, Map<String, String>> byTransaction = new java.util.TreeMap<>();
    for (RiskScore s : scores) {
      byTransaction.computeIfAbsent(s.getProvenance().getTriggerTxId(), k -> new java.util.TreeMap<>())
          .put(s.getScoreId(), "version " + s.getHistoryVersion() + ", " + s.getProvenance().getEventCount()
              + " events, asOf " + s.getAsOf());
    }
    byTransaction.values().removeIf(ids -> ids.size() < 2);
    return byTransaction.toString();
  }

  private static int scoredTransactions(List<RiskScore> scores) {
    return (int) scores.stream().map(s -> s.getProvenance().getTriggerTxId()).distinct().count();
  }

  private static int distinct(List<RiskScore> scores) {
    Set<String> ids = new TreeSet<>();
    scores.forEach(s -> ids.add(s.getScoreId()));
    return ids.size();
  }

  private static Path log(int round) {
    return Path.of("target", "alo-it-" + round + ".log");
  }

  private Process start(Path config, int round) throws IOException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    return new ProcessBuilder(List.of(java, "-Xmx512m", "-cp", System.getProperty("java.class.path"),
        RiskstreamCli.class.getName(), "run", "--config", config.toString()))
        .redirectErrorStream(true).redirectOutput(log(round).toFile())
        .directory(new File(System.getProperty("user.dir"))).start();
  }
}
