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
 * scored (at least once: repeats of a scoreId are allowed under at_least_once, a missing one is not).
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
            while (distinct(scores) < want && run.isAlive() && System.nanoTime() < deadline) {
              CohortRuns.pollInto(reader, Duration.ofMillis(200), scores, alerts);
            }
            assertThat(run.isAlive()).as("riskstream run alive after restart %d (log %s)", round, log(round)).isTrue();
            assertThat(distinct(scores)).as("distinct scores within 120 s (log %s)", log(round))
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
    assertThat(distinct(scores)).isEqualTo(n);
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
