package io.riskstream.app.verify;

import static org.assertj.core.api.Assertions.assertThat;

import io.riskstream.app.bench.ChangeEventFeed;
import io.riskstream.app.demo.EmbeddedKafka;
import io.riskstream.app.runtime.RiskStreamApp;
import io.riskstream.app.runtime.ScoringRuntime;
import io.riskstream.schemas.OutcomeProbability;
import io.riskstream.schemas.RiskAlert;
import io.riskstream.schemas.RiskScore;
import io.riskstream.topology.config.RiskStreamConfig;
import io.riskstream.topology.serde.AvroSerdes;
import io.riskstream.topology.serde.InMemorySchemaRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Determinism with the real encoder, ONNX Runtime scorer and dynamic batcher: a Synthea cohort's CDC records through an
 * exactly-once cluster run with 2 stream threads give the same scores and alerts (read_committed), field by field and
 * probabilities bitwise, as a TopologyTestDriver run of the same input.
 */
class RealScorerDeterminismIT {

  @TempDir
  Path dir;

  @Test
  void shouldScoreACohortOnTheClusterExactlyAsOnTheTestDriver() throws Exception {
    ChangeEventFeed feed = CohortRuns.feed();
    RiskStreamConfig ttdConfig = new RiskStreamConfig(CohortRuns.props(feed, "unused:9092", "determinism-ttd", dir.resolve("ttd")));
    CohortRuns.Output expected = CohortRuns.testDriverRun(ttdConfig, feed.transactions());
    // one request per source transaction: every transaction of the feed adds events to its patient's history
    assertThat(expected.scores()).hasSize(feed.transactions());
    assertThat(expected.alerts()).isNotEmpty();

    List<RiskScore> scores = new ArrayList<>();
    List<RiskAlert> alerts = new ArrayList<>();
    try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
      kafka.createTopics(1, CohortRuns.SOURCE_TOPIC, CohortRuns.TRANSACTION_TOPIC);
      CohortRuns.produce(kafka.bootstrapServers(), feed);
      RiskStreamConfig config = new RiskStreamConfig(CohortRuns.props(feed, kafka.bootstrapServers(), "determinism-it",
          dir.resolve("app")));
      assertThat(config.streamsProperties().get(StreamsConfig.PROCESSING_GUARANTEE_CONFIG)).isEqualTo("exactly_once_v2");
      assertThat(config.streamsProperties().get(StreamsConfig.NUM_STREAM_THREADS_CONFIG)).isEqualTo(2);
      try (ScoringRuntime runtime = ScoringRuntime.start(config);
          RiskStreamApp app = RiskStreamApp.start(config, AvroSerdes.withClient(new InMemorySchemaRegistry()),
              runtime.encoder(), runtime.backend(), Map.of(StreamsConfig.consumerPrefix("auto.offset.reset"), "earliest"));
          KafkaConsumer<byte[], byte[]> reader = CohortRuns.committedReader(kafka.bootstrapServers(), "determinism-reader")) {
        int want = expected.scores().size() + expected.alerts().size();
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (scores.size() + alerts.size() < want && System.nanoTime() < deadline) {
          CohortRuns.pollInto(reader, Duration.ofMillis(500), scores, alerts);
          assertThat(app.state()).isNotIn(KafkaStreams.State.ERROR, KafkaStreams.State.PENDING_ERROR);
        }
        // a little longer: nothing beyond the expected records may appear (no duplicates)
        CohortRuns.pollInto(reader, Duration.ofSeconds(3), scores, alerts);
      }
    }
    CohortRuns.Output actual = new CohortRuns.Output(scores, alerts);
    System.out.printf("determinism: %d source records, %d transactions; test driver %d scores %d alerts; cluster %d scores"
        + " %d alerts%n", feed.records().size(), feed.transactions(), expected.scores().size(), expected.alerts().size(),
        actual.scores().size(), actual.alerts().size());
    assertThat(actual.scores()).hasSameSizeAs(expected.scores());
    for (int i = 0; i < expected.scores().size(); i++) {
      RiskScore e = expected.scores().get(i);
      RiskScore a = actual.scores().get(i);
      assertThat(a).isEqualTo(e);
      for (int o = 0; o < e.getOutcomes().size(); o++) { // bitwise, not only Double.equals-equal
        OutcomeProbability ep = e.getOutcomes().get(o);
        OutcomeProbability ap = a.getOutcomes().get(o);
        assertThat(Double.doubleToRawLongBits(ap.getProbability())).isEqualTo(Double.doubleToRawLongBits(ep.getProbability()));
      }
    }
    assertThat(actual.alerts()).isEqualTo(expected.alerts());
  }
}
