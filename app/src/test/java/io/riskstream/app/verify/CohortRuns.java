package io.riskstream.app.verify;

import static org.assertj.core.api.Assertions.assertThat;

import io.riskstream.app.bench.ChangeEventFeed;
import io.riskstream.app.bench.ChaosSoak;
import io.riskstream.app.runtime.ScoringRuntime;
import io.riskstream.connectors.synthea.SyntheaCsvReader;
import io.riskstream.schemas.EmrEvent;
import io.riskstream.schemas.RiskAlert;
import io.riskstream.schemas.RiskScore;
import io.riskstream.topology.RiskTopology;
import io.riskstream.topology.config.RiskStreamConfig;
import io.riskstream.topology.config.Topics;
import io.riskstream.topology.serde.AvroSerdes;
import io.riskstream.topology.serde.InMemorySchemaRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;

/** The committed 3-patient Synthea cohort as CDC input, the config of the real-scorer ITs, and ways to run them. */
final class CohortRuns {

  /** The committed Synthea cohort (3 patients, seed 11, Synthea 3.3.0; see its cohort.json). */
  static final Path COHORT = Path.of("src/test/resources/synthea/cohort3");

  /**
   * The model the ITs serve: scoring's test model until the shipped one is used, by setting the system property
   * {@code riskstream.it.model} (e.g. {@code -Driskstream.it.model=emr-risk-small}); a name or a directory.
   */
  static final String MODEL = System.getProperty("riskstream.it.model", "../scoring/src/test/resources/models/test-tiny");

  /**
   * All change events go to this one topic (one partition; the normalizer takes the table from {@code source.table}),
   * so the normalize task has a single input partition and reads exactly the feed order. With the six per-table
   * topics, the task merges them by timestamp and waits for data or a known lag on every partition
   * ({@code max.task.idle.ms=0}); a crash-test run on the loaded 2-core machine stopped for over a minute that way
   * with records left (see the README's benchmark notes).
   */
  static final String SOURCE_TOPIC = "ehr.clinical.changes";

  /** Debezium's transaction metadata topic of the feed (one partition): every transaction's END. */
  static final String TRANSACTION_TOPIC = "ehr.transaction";

  /** Where the feed's record timestamps end: fixed per JVM, so the runs of one test see the same feed. */
  private static final long FEED_EPOCH = System.currentTimeMillis();

  static final String SCORES = Topics.DEFAULTS.riskScores().name();
  static final String ALERTS = Topics.DEFAULTS.riskAlerts().name();

  /**
   * Kafka Streams overrides of the apps the ITs run in child JVMs: read the feed from its start, and the members of a
   * killed JVM leave the group after 6 s, so a restarted or surviving instance gets their tasks soon.
   */
  static final Map<String, Object> CHILD_CONSUMER_OVERRIDES = Map.of(
      StreamsConfig.consumerPrefix("auto.offset.reset"), "earliest",
      StreamsConfig.consumerPrefix("session.timeout.ms"), "6000",
      StreamsConfig.consumerPrefix("heartbeat.interval.ms"), "1500");

  private CohortRuns() {
  }

  /** Scores and alerts, each sorted by id. */
  record Output(List<RiskScore> scores, List<RiskAlert> alerts) {
    Output {
      scores = scores.stream().sorted(Comparator.comparing(RiskScore::getScoreId)).toList();
      alerts = alerts.stream().sorted(Comparator.comparing(RiskAlert::getAlertId)).toList();
    }
  }

  static ChangeEventFeed feed() {
    // timestamps 1 ms apart ending about now (never older than the broker's retention)
    Map<String, List<EmrEvent>> cohort = new SyntheaCsvReader(COHORT).readByPatient();
    return ChangeEventFeed.of(cohort, "ehr", FEED_EPOCH - cohort.values().stream().mapToLong(List::size).sum());
  }

  static Map<String, Object> props(ChangeEventFeed feed, String bootstrap, String applicationId, Path stateDir) {
    Map<String, Object> p = new HashMap<>();
    p.put(RiskStreamConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(RiskStreamConfig.APPLICATION_ID_CONFIG, applicationId);
    p.put(RiskStreamConfig.STATE_DIR_CONFIG, stateDir.toString());
    p.put(RiskStreamConfig.SOURCE_TOPICS_CONFIG, SOURCE_TOPIC);
    p.put(RiskStreamConfig.SOURCE_TRANSACTION_TOPIC_CONFIG, TRANSACTION_TOPIC);
    p.put(RiskStreamConfig.TOPIC_PARTITIONS_CONFIG, "3");
    p.put(RiskStreamConfig.NUM_STREAM_THREADS_CONFIG, "2");
    // a transaction's records lie within (size - 1) ms of each other (ChangeEventFeed): never split by the linger
    p.put(RiskStreamConfig.TRIGGER_LINGER_MS_CONFIG, "5000");
    p.put(RiskStreamConfig.TRIGGER_IDLE_FLUSH_MS_CONFIG, "2000");
    p.put(RiskStreamConfig.MODEL_NAME_CONFIG, MODEL);
    p.put(RiskStreamConfig.SCORER_CONFIG, "onnxruntime");
    p.put(RiskStreamConfig.ALERT_WARNING_THRESHOLD_CONFIG, "0.3");
    p.put(RiskStreamConfig.ALERT_CRITICAL_THRESHOLD_CONFIG, "0.6");
    return p;
  }

  /**
   * Writes the feed in order, each record with its timestamp, to the one partition of {@link #SOURCE_TOPIC}, and the
   * transactions' END records to {@link #TRANSACTION_TOPIC}.
   */
  static void produce(String bootstrap, ChangeEventFeed feed) {
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of("bootstrap.servers", bootstrap,
        "acks", "all", "enable.idempotence", "true"), new ByteArraySerializer(), new ByteArraySerializer())) {
      for (ChangeEventFeed.Record r : feed.records()) {
        producer.send(new ProducerRecord<>(SOURCE_TOPIC, 0, r.timestamp(), r.key(), r.value()));
      }
      for (ChangeEventFeed.Record r : feed.transactionEnds()) {
        producer.send(new ProducerRecord<>(TRANSACTION_TOPIC, 0, r.timestamp(), r.key(), r.value()));
      }
    }
  }

  /**
   * The topology on a TopologyTestDriver with the real scoring runtime: pipes the feed, then advances wall-clock
   * time (the score drain and idle flush punctuators) until {@code expectedScores} scores are out, or 60 s pass.
   */
  static Output testDriverRun(RiskStreamConfig config, int expectedScores) throws InterruptedException {
    AvroSerdes serdes = AvroSerdes.withClient(new InMemorySchemaRegistry());
    ChangeEventFeed feed = feed();
    try (ScoringRuntime runtime = ScoringRuntime.start(config);
        TopologyTestDriver driver = new TopologyTestDriver(RiskTopology.build(new StreamsBuilder(), config, serdes,
            runtime.encoder(), runtime.backend()), config.streamsProperties())) {
      TestInputTopic<byte[], byte[]> input = driver.createInputTopic(SOURCE_TOPIC, Serdes.ByteArray().serializer(),
          Serdes.ByteArray().serializer());
      TestInputTopic<byte[], byte[]> ends = driver.createInputTopic(TRANSACTION_TOPIC, Serdes.ByteArray().serializer(),
          Serdes.ByteArray().serializer());
      TestOutputTopic<String, RiskScore> scoreTopic = driver.createOutputTopic(SCORES, Serdes.String().deserializer(),
          serdes.value(RiskScore.class).deserializer());
      TestOutputTopic<String, RiskAlert> alertTopic = driver.createOutputTopic(ALERTS, Serdes.String().deserializer(),
          serdes.value(RiskAlert.class).deserializer());
      List<RiskScore> scores = new ArrayList<>();
      List<RiskAlert> alerts = new ArrayList<>();
      for (ChangeEventFeed.Record r : feed.records()) {
        input.pipeInput(r.key(), r.value(), r.timestamp());
        scores.addAll(scoreTopic.readValuesToList());
        alerts.addAll(alertTopic.readValuesToList());
      }
      for (ChangeEventFeed.Record r : feed.transactionEnds()) {
        ends.pipeInput(r.key(), r.value(), r.timestamp());
      }
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (scores.size() < expectedScores && System.nanoTime() < deadline) {
        driver.advanceWallClockTime(Duration.ofMillis(500));
        Thread.sleep(5);
        scores.addAll(scoreTopic.readValuesToList());
        alerts.addAll(alertTopic.readValuesToList());
      }
      for (int i = 0; i < 5; i++) { // nothing more may come
        driver.advanceWallClockTime(Duration.ofMillis(500));
        Thread.sleep(20);
      }
      scores.addAll(scoreTopic.readValuesToList());
      alerts.addAll(alertTopic.readValuesToList());
      return new Output(scores, alerts);
    }
  }

  /**
   * A one-instance run of the whole feed on a TopologyTestDriver: the scores and alerts a cluster run must equal; fails
   * unless every transaction got its score.
   */
  static Output oneInstanceRun(ChangeEventFeed feed, String applicationId, Path stateDir) throws InterruptedException {
    Output out = testDriverRun(new RiskStreamConfig(props(feed, "unused:9092", applicationId, stateDir)),
        feed.transactions());
    assertThat(out.scores()).as("one score per transaction").hasSize(feed.transactions());
    return out;
  }

  /** A read_committed consumer of the score and alert topics, from the beginning. */
  static KafkaConsumer<byte[], byte[]> committedReader(String bootstrap, String group) {
    KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of("bootstrap.servers", bootstrap,
        "group.id", group, "auto.offset.reset", "earliest", "isolation.level", "read_committed"),
        new ByteArrayDeserializer(), new ByteArrayDeserializer());
    consumer.subscribe(List.of(SCORES, ALERTS));
    return consumer;
  }

  /**
   * Polls once and adds what came to the lists. Values are decoded without the registry (the app may run in another
   * JVM with its own in-memory registry): Confluent framing = magic byte + 4-byte schema id, then Avro binary of the
   * schema these classes were generated from.
   */
  static int pollInto(KafkaConsumer<byte[], byte[]> consumer, Duration timeout, List<RiskScore> scores,
      List<RiskAlert> alerts) {
    int n = 0;
    for (ConsumerRecord<byte[], byte[]> r : consumer.poll(timeout)) {
      if (r.topic().equals(SCORES)) {
        scores.add(ChaosSoak.decode(RiskScore.class, r.value()));
      } else {
        alerts.add(ChaosSoak.decode(RiskAlert.class, r.value()));
      }
      n++;
    }
    return n;
  }
}
