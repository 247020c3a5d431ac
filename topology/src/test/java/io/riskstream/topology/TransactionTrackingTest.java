package io.riskstream.topology;

import static io.riskstream.connectors.debezium.Cdc.change;
import static io.riskstream.connectors.debezium.Cdc.condition;
import static io.riskstream.connectors.debezium.Cdc.key;
import static io.riskstream.connectors.debezium.Cdc.row;
import static io.riskstream.connectors.debezium.Cdc.transactionMarker;
import static io.riskstream.connectors.debezium.Cdc.withTransaction;
import static org.assertj.core.api.Assertions.assertThat;

import io.riskstream.schemas.DeadLetter;
import io.riskstream.schemas.DeadLetterReason;
import io.riskstream.schemas.RiskScore;
import io.riskstream.topology.config.RiskStreamConfig;
import io.riskstream.topology.config.Topics;
import io.riskstream.topology.serde.AvroSerdes;
import io.riskstream.topology.serde.InMemorySchemaRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyConfig;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Exact transaction boundaries from Debezium's transaction metadata: a transaction whose events carry
 * {@code transaction.id} is scored once every event its END announced has reached the trigger, and no timing rule
 * (linger, idle flush, a stalled thread) closes it before, up to the END timeout.
 */
class TransactionTrackingTest {

  private static final String CHANGES = "ehr.clinical.changes";
  private static final String TRANSACTIONS = "ehr.transaction";

  @TempDir
  Path stateDir;

  private TopologyTestDriver driver;
  private TestInputTopic<byte[], byte[]> changes;
  private TestInputTopic<byte[], byte[]> markers;
  private TestOutputTopic<String, RiskScore> scores;
  private TestOutputTopic<byte[], DeadLetter> dlq;
  private long ts = 1_000;

  private void start(String endTimeoutMs) {
    Map<String, Object> props = new HashMap<>();
    props.put(RiskStreamConfig.SOURCE_TOPICS_CONFIG, CHANGES);
    props.put(RiskStreamConfig.SOURCE_TRANSACTION_TOPIC_CONFIG, TRANSACTIONS);
    props.put(RiskStreamConfig.STATE_DIR_CONFIG, stateDir.toString());
    props.put(RiskStreamConfig.TRIGGER_LINGER_MS_CONFIG, "1000");
    props.put(RiskStreamConfig.TRIGGER_IDLE_FLUSH_MS_CONFIG, "2000");
    props.put(RiskStreamConfig.TRIGGER_TRANSACTION_END_TIMEOUT_MS_CONFIG, endTimeoutMs);
    props.put(RiskStreamConfig.TOPIC_PARTITIONS_CONFIG, "1");
    RiskStreamConfig config = new RiskStreamConfig(props);
    AvroSerdes serdes = AvroSerdes.withClient(new InMemorySchemaRegistry());
    Properties p = config.streamsProperties();
    p.putAll(ErrorHandling.streamsProperties(config, serdes, new DeadLetterCounts()));
    driver = new TopologyTestDriver(RiskTopology.build(new StreamsBuilder(new TopologyConfig(new StreamsConfig(p))),
        config, serdes, new CodeTokenTestEncoder(), TokenSumTestScorer.synchronousBackend()), p,
        Instant.parse("2026-01-01T00:00:00Z"));
    changes = driver.createInputTopic(CHANGES, Serdes.ByteArray().serializer(), Serdes.ByteArray().serializer());
    markers = driver.createInputTopic(TRANSACTIONS, Serdes.ByteArray().serializer(), Serdes.ByteArray().serializer());
    Topics topics = config.topics();
    scores = driver.createOutputTopic(topics.riskScores().name(), Serdes.String().deserializer(),
        serdes.value(topics.riskScores()).deserializer());
    dlq = driver.createOutputTopic(topics.deadLetters().name(), Serdes.ByteArray().deserializer(),
        serdes.value(topics.deadLetters()).deserializer());
  }

  @AfterEach
  void close() {
    if (driver != null) {
      driver.close();
    }
  }

  private void event(String id, String patient, String time, String code, long txId, String transactionId, long order) {
    changes.pipeInput(key(id), withTransaction(change("conditions", "c", condition(id, patient, time, code), txId, order),
        transactionId, order), Instant.ofEpochMilli(ts++));
  }

  private void end(String transactionId, long events) {
    markers.pipeInput(key(transactionId), transactionMarker(transactionId, "BEGIN", 0), Instant.ofEpochMilli(ts));
    markers.pipeInput(key(transactionId), transactionMarker(transactionId, "END", events), Instant.ofEpochMilli(ts++));
  }

  /** A stalled or busy stream thread, as the wall-clock punctuations see it: long gaps between their runs. */
  private void stall(Duration d) {
    for (int i = 0; i < 10; i++) {
      driver.advanceWallClockTime(d.dividedBy(10));
    }
  }

  /** Idle input, as the wall-clock punctuations see it: they run on time and no record comes. */
  private void idle(Duration d) {
    for (long s = 0; s < d.toSeconds(); s++) {
      driver.advanceWallClockTime(Duration.ofSeconds(1));
    }
  }

  @Test
  void shouldScoreATransactionOnceItsEndArrivedAndNotBefore() {
    start("300000");
    event("c1", "p1", "2020-01-01T00:00:00Z", "11", 10, "10:100", 1);
    event("c2", "p1", "2020-01-02T00:00:00Z", "12", 10, "10:100", 2);
    stall(Duration.ofMinutes(2)); // idle flush (2 s) and linger would both have closed it long ago
    assertThat(scores.isEmpty()).isTrue();
    event("c3", "p1", "2020-01-03T00:00:00Z", "13", 10, "10:100", 3);
    stall(Duration.ofMinutes(2));
    assertThat(scores.isEmpty()).isTrue();

    end("10:100", 3);
    assertThat(scores.readValuesToList()).singleElement()
        .satisfies(s -> assertThat(s.getProvenance().getEventCount()).isEqualTo(3));
  }

  @Test
  void shouldCountARejectedRecordOfTheTransactionTowardsItsEnd() {
    start("300000");
    event("c1", "p1", "2020-01-01T00:00:00Z", "11", 20, "20:200", 1);
    changes.pipeInput(key("a1"), withTransaction(change("allergies", "c", row("id", "a1", "patient_id", "p1"), 20, 2),
        "20:200", 2), Instant.ofEpochMilli(ts++));
    end("20:200", 2);
    assertThat(dlq.readValuesToList()).extracting(DeadLetter::getReasonCode)
        .containsExactly(DeadLetterReason.UNKNOWN_TABLE);
    assertThat(scores.readValuesToList()).hasSize(1);
  }

  @Test
  void shouldCloseEveryPatientOfATransactionThatTouchedSeveral() {
    start("300000");
    event("c1", "p1", "2020-01-01T00:00:00Z", "11", 30, "30:300", 1);
    event("c2", "p2", "2020-01-01T00:00:00Z", "12", 30, "30:300", 2);
    end("30:300", 2);
    assertThat(scores.readValuesToList()).extracting(RiskScore::getPatientId).containsExactlyInAnyOrder("p1", "p2");
  }

  @Test
  void shouldKeepOneScorePerTransactionWhenTheEndComesFirstOrAfterTheNextTransaction() {
    start("300000");
    // the END of 40 arrives before its last event is read: the tracker waits for the count
    event("c1", "p1", "2020-01-01T00:00:00Z", "11", 40, "40:400", 1);
    end("40:400", 2);
    assertThat(scores.isEmpty()).isTrue();
    event("c2", "p1", "2020-01-02T00:00:00Z", "12", 40, "40:400", 2);
    assertThat(scores.readValuesToList()).hasSize(1);
    // the next transaction of the patient closes 41 before its END comes; the late END changes nothing
    event("c3", "p1", "2020-01-03T00:00:00Z", "13", 41, "41:410", 1);
    event("c4", "p1", "2020-01-04T00:00:00Z", "14", 42, "42:420", 1);
    assertThat(scores.readValuesToList()).hasSize(1);
    end("41:410", 1);
    end("42:420", 1);
    assertThat(scores.readValuesToList()).hasSize(1);
  }

  @Test
  void shouldCloseATransactionWhoseEndNeverCameAfterTheTimeout() {
    start("60000");
    event("c1", "p1", "2020-01-01T00:00:00Z", "11", 50, "50:500", 1);
    idle(Duration.ofSeconds(30));
    assertThat(scores.isEmpty()).isTrue();
    idle(Duration.ofSeconds(35));
    assertThat(scores.readValuesToList()).hasSize(1);
  }

  @Test
  void shouldDeadLetterARecordOnTheTransactionTopicThatIsNotMetadata() {
    start("300000");
    markers.pipeInput(key("x"), "{\"status\":\"MIDDLE\",\"id\":\"1\"}".getBytes(), Instant.ofEpochMilli(ts++));
    markers.pipeInput(key("x"), "not json".getBytes(), Instant.ofEpochMilli(ts++));
    assertThat(dlq.readValuesToList()).extracting(DeadLetter::getReasonCode)
        .containsExactly(DeadLetterReason.INVALID_FIELD, DeadLetterReason.MALFORMED_JSON);
  }
}
