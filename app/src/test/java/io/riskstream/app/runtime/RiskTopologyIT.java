package io.riskstream.app.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.riskstream.app.demo.EmbeddedKafka;
import io.riskstream.connectors.debezium.Cdc;
import io.riskstream.schemas.DeadLetter;
import io.riskstream.schemas.DeadLetterReason;
import io.riskstream.schemas.DeadLetterStage;
import io.riskstream.schemas.RiskAlert;
import io.riskstream.schemas.RiskScore;
import io.riskstream.topology.CodeTokenTestEncoder;
import io.riskstream.topology.RiskTopology;
import io.riskstream.topology.TokenSumTestScorer;
import io.riskstream.topology.config.RiskStreamConfig;
import io.riskstream.topology.config.Topics;
import io.riskstream.topology.serde.AvroSerdes;
import io.riskstream.topology.serde.InMemorySchemaRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Exactly-once on a real (embedded KRaft) broker: a small cohort's CDC records in, and the scores and alerts that
 * come out (read_committed) equal a TopologyTestDriver run of the same input.
 */
class RiskTopologyIT {

  private static final String TOPIC = "ehr.clinical.conditions";

  @TempDir
  Path dir;

  private record In(byte[] key, byte[] value, long timestamp) {
  }

  private static List<In> cohort() {
    List<In> out = new ArrayList<>();
    long ts = 1_000;
    for (int i = 0; i < 90; i++) {
      String patient = "p" + (i % 6);
      String code = String.valueOf(100 + (i * 7) % 40);
      String time = Instant.parse("2020-01-01T00:00:00Z").plus(Duration.ofDays(i * 3L)).toString();
      out.add(new In(Cdc.key("c" + i), Cdc.change("conditions", "c", Cdc.condition("c" + i, patient, time, code), 1000 + i / 3, i), ts));
      ts += 400;
    }
    out.add(new In(Cdc.key("bad"), Cdc.bytes("{broken"), ts));
    return out;
  }

  private Map<String, Object> props(String bootstrap, String stateDir) {
    Map<String, Object> p = new HashMap<>();
    p.put(RiskStreamConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(RiskStreamConfig.APPLICATION_ID_CONFIG, "riskstream-it");
    p.put(RiskStreamConfig.STATE_DIR_CONFIG, stateDir);
    p.put(RiskStreamConfig.SOURCE_TOPICS_CONFIG, TOPIC);
    p.put(RiskStreamConfig.TOPIC_PARTITIONS_CONFIG, "3");
    p.put(RiskStreamConfig.TRIGGER_LINGER_MS_CONFIG, "1000");
    p.put(RiskStreamConfig.TRIGGER_IDLE_FLUSH_MS_CONFIG, "1500");
    p.put(RiskStreamConfig.ALERT_WARNING_THRESHOLD_CONFIG, "0.3");
    p.put(RiskStreamConfig.ALERT_CRITICAL_THRESHOLD_CONFIG, "0.6");
    p.put(RiskStreamConfig.ALERT_COOLDOWN_HOURS_CONFIG, "2000");
    return p;
  }

  private List<Object> expected() {
    RiskStreamConfig config = new RiskStreamConfig(props("unused:9092", dir.resolve("ttd").toString()));
    AvroSerdes serdes = AvroSerdes.withClient(new InMemorySchemaRegistry());
    Properties p = config.streamsProperties();
    try (TopologyTestDriver driver = new TopologyTestDriver(RiskTopology.build(new StreamsBuilder(), config, serdes,
        new CodeTokenTestEncoder(), TokenSumTestScorer.synchronousBackend()), p)) {
      TestInputTopic<byte[], byte[]> in = driver.createInputTopic(TOPIC, Serdes.ByteArray().serializer(), Serdes.ByteArray().serializer());
      for (In r : cohort()) {
        in.pipeInput(r.key(), r.value(), r.timestamp());
      }
      for (int i = 0; i < 4; i++) {
        driver.advanceWallClockTime(Duration.ofMillis(1000));
      }
      List<Object> out = new ArrayList<>(driver.createOutputTopic(Topics.DEFAULTS.riskScores().name(), Serdes.String().deserializer(),
          serdes.value(Topics.DEFAULTS.riskScores()).deserializer()).readValuesToList());
      out.addAll(driver.createOutputTopic(Topics.DEFAULTS.riskAlerts().name(), Serdes.String().deserializer(),
          serdes.value(Topics.DEFAULTS.riskAlerts()).deserializer()).readValuesToList());
      return sorted(out);
    }
  }

  private static List<Object> sorted(List<Object> records) {
    List<Object> out = new ArrayList<>(records);
    out.sort(Comparator.comparing(o -> o instanceof RiskScore s ? "s" + s.getScoreId() : "a" + ((RiskAlert) o).getAlertId()));
    return out;
  }

  @Test
  void shouldProduceTheSameScoresAndAlertsExactlyOnceAsTheTestDriver() throws Exception {
    List<Object> expected = expected();
    assertThat(expected).hasSizeGreaterThan(50);
    List<Object> actual = new ArrayList<>();
    try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
      kafka.createTopics(1, TOPIC);
      try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of("bootstrap.servers", kafka.bootstrapServers(),
          "acks", "all"), new ByteArraySerializer(), new ByteArraySerializer())) {
        for (In r : cohort()) {
          producer.send(new ProducerRecord<>(TOPIC, 0, r.timestamp(), r.key(), r.value()));
        }
      }
      InMemorySchemaRegistry registry = new InMemorySchemaRegistry();
      AvroSerdes serdes = AvroSerdes.withClient(registry);
      RiskStreamConfig config = new RiskStreamConfig(props(kafka.bootstrapServers(), dir.resolve("app").toString()));
      assertThat(config.streamsProperties().get(StreamsConfig.PROCESSING_GUARANTEE_CONFIG)).isEqualTo("exactly_once_v2");
      try (RiskStreamApp app = RiskStreamApp.start(config, serdes, new CodeTokenTestEncoder(),
          TokenSumTestScorer.synchronousBackend(), Map.of(StreamsConfig.consumerPrefix("auto.offset.reset"), "earliest"));
          KafkaConsumer<String, Object> consumer = new KafkaConsumer<>(Map.of("bootstrap.servers", kafka.bootstrapServers(),
              "group.id", "it-reader", "auto.offset.reset", "earliest", "isolation.level", "read_committed"),
              new StringDeserializer(), (org.apache.kafka.common.serialization.Deserializer<Object>) (topic, data) ->
                  topic.equals(Topics.DEFAULTS.riskScores().name()) ? serdes.value(RiskScore.class).deserializer().deserialize(topic, data)
                      : serdes.value(RiskAlert.class).deserializer().deserialize(topic, data))) {
        consumer.subscribe(List.of(Topics.DEFAULTS.riskScores().name(), Topics.DEFAULTS.riskAlerts().name()));
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (actual.size() < expected.size() && System.nanoTime() < deadline) {
          for (ConsumerRecord<String, Object> r : consumer.poll(Duration.ofMillis(500))) {
            actual.add(r.value());
          }
          assertThat(app.state()).isNotIn(KafkaStreams.State.ERROR, KafkaStreams.State.PENDING_ERROR);
        }
        // a little longer: nothing beyond the expected records may appear (no duplicates)
        for (ConsumerRecord<String, Object> r : consumer.poll(Duration.ofSeconds(3))) {
          actual.add(r.value());
        }
      }
    }
    assertThat(sorted(actual)).isEqualTo(expected);
  }

  @Test
  void shouldDeadLetterUndecodableEmrEventsAndKeepScoringExactlyOnce() throws Exception {
    List<Object> expected = expected();
    List<Object> actual = new ArrayList<>();
    List<DeadLetter> dead = new ArrayList<>();
    try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
      kafka.createTopics(1, TOPIC);
      AvroSerdes serdes = AvroSerdes.withClient(new InMemorySchemaRegistry());
      RiskStreamConfig config = new RiskStreamConfig(props(kafka.bootstrapServers(), dir.resolve("app").toString()));
      Topics topics = config.topics();
      try (RiskStreamApp app = RiskStreamApp.start(config, serdes, new CodeTokenTestEncoder(),
          TokenSumTestScorer.synchronousBackend(), Map.of(StreamsConfig.consumerPrefix("auto.offset.reset"), "earliest"));
          KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of("bootstrap.servers",
              kafka.bootstrapServers(), "acks", "all"), new ByteArraySerializer(), new ByteArraySerializer());
          KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of("bootstrap.servers",
              kafka.bootstrapServers(), "group.id", "it-dlq-reader", "auto.offset.reset", "earliest",
              "isolation.level", "read_committed"), new StringDeserializer(),
              new org.apache.kafka.common.serialization.ByteArrayDeserializer())) {
        // records on emr-events that no EmrEvent reader can decode: unknown schema id, and no framing at all
        producer.send(new ProducerRecord<>(topics.emrEvents().name(), 0, "p0".getBytes(), new byte[] {0, 0, 0, 0, 7, 1}));
        producer.send(new ProducerRecord<>(topics.emrEvents().name(), 0, "p0".getBytes(), "garbage".getBytes()));
        for (In r : cohort()) {
          producer.send(new ProducerRecord<>(TOPIC, 0, r.timestamp(), r.key(), r.value()));
        }
        producer.flush();
        consumer.subscribe(List.of(topics.riskScores().name(), topics.riskAlerts().name(), topics.deadLetters().name()));
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while ((actual.size() < expected.size() || dead.size() < 3) && System.nanoTime() < deadline) {
          for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(500))) {
            if (r.topic().equals(topics.deadLetters().name())) {
              dead.add(serdes.value(topics.deadLetters()).deserializer().deserialize(r.topic(), r.value()));
            } else if (r.topic().equals(topics.riskScores().name())) {
              actual.add(serdes.value(topics.riskScores()).deserializer().deserialize(r.topic(), r.value()));
            } else {
              actual.add(serdes.value(topics.riskAlerts()).deserializer().deserialize(r.topic(), r.value()));
            }
          }
          assertThat(app.state()).isIn(KafkaStreams.State.RUNNING, KafkaStreams.State.REBALANCING);
        }
        assertThat(app.deadLetters().get(DeadLetterStage.SOURCE, DeadLetterReason.UNDECODABLE_RECORD)).isEqualTo(2);
      }
    }
    assertThat(sorted(actual)).isEqualTo(expected);
    assertThat(dead).extracting(DeadLetter::getStage, DeadLetter::getReasonCode).containsExactlyInAnyOrder(
        org.assertj.core.groups.Tuple.tuple(DeadLetterStage.SOURCE, DeadLetterReason.UNDECODABLE_RECORD),
        org.assertj.core.groups.Tuple.tuple(DeadLetterStage.SOURCE, DeadLetterReason.UNDECODABLE_RECORD),
        org.assertj.core.groups.Tuple.tuple(DeadLetterStage.NORMALIZE, DeadLetterReason.MALFORMED_JSON));
  }
}
