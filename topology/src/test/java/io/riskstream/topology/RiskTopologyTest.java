package io.riskstream.topology;

import static io.riskstream.connectors.debezium.Cdc.bytes;
import static io.riskstream.connectors.debezium.Cdc.change;
import static io.riskstream.connectors.debezium.Cdc.condition;
import static io.riskstream.connectors.debezium.Cdc.key;
import static io.riskstream.connectors.debezium.Cdc.observation;
import static io.riskstream.connectors.debezium.Cdc.patient;
import static io.riskstream.connectors.debezium.Cdc.row;
import static org.assertj.core.api.Assertions.assertThat;

import io.riskstream.schemas.AlertSeverity;
import io.riskstream.schemas.DeadLetter;
import io.riskstream.schemas.DeadLetterReason;
import io.riskstream.schemas.DeadLetterStage;
import io.riskstream.schemas.EmrEvent;
import io.riskstream.schemas.EventKind;
import io.riskstream.schemas.EventOp;
import io.riskstream.schemas.RiskAlert;
import io.riskstream.schemas.RiskScore;
import io.riskstream.scoring.ScorerInfo;
import io.riskstream.topology.config.RiskStreamConfig;
import io.riskstream.topology.config.Topics;
import io.riskstream.topology.serde.AvroSerdes;
import io.riskstream.topology.serde.InMemorySchemaRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyConfig;
import org.apache.kafka.streams.TopologyDescription;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RiskTopologyTest {

  private static final List<String> TOPICS = List.of("ehr.clinical.patients", "ehr.clinical.conditions",
      "ehr.clinical.observations", "ehr.clinical.allergies");

  @TempDir
  Path stateDir;

  private TopologyTestDriver driver;
  private AvroSerdes serdes;
  private final Map<String, TestInputTopic<byte[], byte[]>> in = new HashMap<>();
  private TestOutputTopic<String, RiskScore> scores;
  private TestOutputTopic<String, RiskAlert> alerts;
  private TestOutputTopic<byte[], DeadLetter> dlq;
  private TestOutputTopic<String, EmrEvent> emr;

  private final DeadLetterCounts deadLetterCounts = new DeadLetterCounts();
  private final InputBacklog backlog = new InputBacklog();
  private RequestEncoder encoder = new CodeTokenTestEncoder();

  private void start(ScoringBackend backend, Object... overrides) {
    Map<String, Object> props = new HashMap<>();
    props.put(RiskStreamConfig.SOURCE_TOPICS_CONFIG, String.join(",", TOPICS));
    props.put(RiskStreamConfig.STATE_DIR_CONFIG, stateDir.toString());
    props.put(RiskStreamConfig.TRIGGER_LINGER_MS_CONFIG, "1000");
    props.put(RiskStreamConfig.TRIGGER_IDLE_FLUSH_MS_CONFIG, "0");
    props.put(RiskStreamConfig.ALERT_WARNING_THRESHOLD_CONFIG, "0.3");
    props.put(RiskStreamConfig.ALERT_CRITICAL_THRESHOLD_CONFIG, "0.6");
    for (int i = 0; i < overrides.length; i += 2) {
      props.put((String) overrides[i], overrides[i + 1]);
    }
    RiskStreamConfig config = new RiskStreamConfig(props);
    serdes = AvroSerdes.withClient(new InMemorySchemaRegistry());
    Properties p = config.streamsProperties();
    p.putAll(ErrorHandling.streamsProperties(config, serdes, deadLetterCounts));
    // the error handlers are task configuration: the driver takes them from the topology's configuration
    StreamsBuilder b = new StreamsBuilder(new TopologyConfig(new StreamsConfig(p)));
    driver = new TopologyTestDriver(RiskTopology.build(b, config, serdes, encoder, backend, deadLetterCounts,
        new io.riskstream.topology.calibration.CalibrationStatus(), null, new WithheldAlertCounts(), backlog), p,
        Instant.parse("2026-01-01T00:00:00Z"));
    for (String t : TOPICS) {
      in.put(t.substring(t.lastIndexOf('.') + 1), driver.createInputTopic(t, Serdes.ByteArray().serializer(), Serdes.ByteArray().serializer()));
    }
    Topics topics = config.topics();
    scores = driver.createOutputTopic(topics.riskScores().name(), Serdes.String().deserializer(),
        serdes.value(topics.riskScores()).deserializer());
    alerts = driver.createOutputTopic(topics.riskAlerts().name(), Serdes.String().deserializer(),
        serdes.value(topics.riskAlerts()).deserializer());
    dlq = driver.createOutputTopic(topics.deadLetters().name(), Serdes.ByteArray().deserializer(),
        serdes.value(topics.deadLetters()).deserializer());
    emr = driver.createOutputTopic(topics.emrEvents().name(), Serdes.String().deserializer(),
        serdes.value(topics.emrEvents()).deserializer());
  }

  @AfterEach
  void close() {
    if (driver != null) {
      driver.close();
    }
  }

  private void pipe(String table, byte[] value, long ts) {
    in.get(table).pipeInput(key("k"), value, Instant.ofEpochMilli(ts));
  }

  private void cond(String id, String patient, String time, String code, Object tx, long lsn, long ts) {
    pipe("conditions", change("conditions", "c", condition(id, patient, time, code), tx, lsn), ts);
  }

  private static double p(RiskScore s, String outcome) {
    return s.getOutcomes().stream().filter(o -> o.getOutcome().equals(outcome)).findFirst().orElseThrow().getProbability();
  }

  private PatientHistory history(String patient) {
    return HistoryProcessor.history(driver.getKeyValueStore(HistoryProcessor.STORE),
        driver.getKeyValueStore(HistoryProcessor.EVENTS_STORE), patient);
  }

  @Test
  void shouldHaveNoGlobalStateSoEnablingTheGlobalProcessingExceptionHandlerChangesNothing() {
    RiskStreamConfig config = new RiskStreamConfig(Map.of(RiskStreamConfig.SOURCE_TOPICS_CONFIG, String.join(",", TOPICS),
        RiskStreamConfig.STATE_DIR_CONFIG, stateDir.toString()));

    TopologyDescription description = RiskTopology.build(new StreamsBuilder(), config,
        AvroSerdes.withClient(new InMemorySchemaRegistry()), new CodeTokenTestEncoder(),
        TokenSumTestScorer.synchronousBackend()).describe();

    assertThat(description.globalStores()).isEmpty();
    assertThat(config.streamsProperties())
        .containsEntry(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_GLOBAL_ENABLED_CONFIG, true);
  }

  @Test
  void shouldScoreOncePerPatientPerSourceTransaction() {
    start(TokenSumTestScorer.synchronousBackend());
    pipe("patients", change("patients", "c", patient("p1", "1960-01-01", "male"), 10, 1), 1000);
    cond("c1", "p1", "2020-01-01T00:00:00Z", "150", 10, 2, 1001);
    assertThat(scores.isEmpty()).isTrue();
    cond("c2", "p1", "2020-06-01T00:00:00Z", "120", 11, 3, 1500);
    List<RiskScore> first = scores.readValuesToList();
    assertThat(first).hasSize(1);
    assertThat(first.get(0).getHistoryVersion()).isEqualTo(2L);
    assertThat(first.get(0).getProvenance().getTriggerTxId()).isEqualTo("10");
    assertThat(first.get(0).getProvenance().getSourceOffsets()).hasSize(2);
    assertThat(first.get(0).getProvenance().getEventCount()).isEqualTo(2);
    assertThat(first.get(0).getAsOf()).isEqualTo(Instant.parse("2020-01-01T00:00:00Z"));
    assertThat(p(first.get(0), "a")).isCloseTo(0.5, org.assertj.core.data.Offset.offset(1e-6));

    // another patient's record advances stream time past p1's open tx 11 + linger: the punctuator closes it
    cond("x1", "p2", "2020-01-01T00:00:00Z", "1", 12, 4, 5000);
    List<RiskScore> second = scores.readValuesToList();
    assertThat(second).extracting(RiskScore::getPatientId).containsExactly("p1");
    assertThat(second.get(0).getHistoryVersion()).isEqualTo(3L);
    assertThat(second.get(0).getProvenance().getTriggerTxId()).isEqualTo("11");
    assertThat(p(second.get(0), "a")).isCloseTo(0.7, org.assertj.core.data.Offset.offset(1e-6));
    assertThat(second.get(0).getScoreId()).isEqualTo(Ids.scoreId("p1", 3, "0123abcd"));
    assertThat(second.get(0).getModel().getSha256()).isEqualTo("0123abcd");
    assertThat(second.get(0).getEngine().getBackend()).isEqualTo("test");
    assertThat(emr.readKeyValuesToList()).extracting(kv -> kv.key).containsExactly("p1", "p1", "p1", "p2");
    // tx 10 by p1's record of tx 11; tx 11 by the stream-time punctuator, which runs before x1 is processed
    assertThat(closes()).containsExactlyInAnyOrderEntriesOf(Map.of(TriggerProcessor.CloseRule.NEXT_TRANSACTION, 1L,
        TriggerProcessor.CloseRule.LINGER, 1L));
  }

  @Test
  void shouldCloseATransactionOnceItsSourcePartitionMovesOnToAnotherTransaction() {
    start(TokenSumTestScorer.synchronousBackend());
    cond("c1", "p1", "2020-01-01T00:00:00Z", "150", 20, 1, 1000);
    cond("c2", "p1", "2020-01-02T00:00:00Z", "110", 20, 2, 1001);
    assertThat(scores.isEmpty()).isTrue();
    // another patient's transaction on the same source partition: p1's transaction 20 is complete
    cond("c3", "p2", "2020-01-01T00:00:00Z", "120", 21, 3, 1002);
    List<RiskScore> s = scores.readValuesToList();
    assertThat(s).extracting(RiskScore::getPatientId).containsExactly("p1");
    assertThat(s.get(0).getProvenance().getTriggerTxId()).isEqualTo("20");
    assertThat(s.get(0).getProvenance().getEventCount()).isEqualTo(2);
    assertThat(closes()).containsExactlyEntriesOf(Map.of(TriggerProcessor.CloseRule.SOURCE_PROGRESS, 1L));
  }

  @Test
  void shouldWaitForTheLingerWhenClosingOnSourceProgressIsOff() {
    start(TokenSumTestScorer.synchronousBackend(), RiskStreamConfig.TRIGGER_CLOSE_ON_SOURCE_PROGRESS_CONFIG, "false");
    cond("c1", "p1", "2020-01-01T00:00:00Z", "150", 20, 1, 1000);
    cond("c3", "p2", "2020-01-01T00:00:00Z", "120", 21, 3, 1002);
    assertThat(scores.isEmpty()).isTrue();
    cond("c4", "p3", "2020-01-01T00:00:00Z", "120", 22, 4, 2500);  // stream time passes 1000 + linger
    assertThat(scores.readValuesToList()).extracting(RiskScore::getPatientId).containsExactly("p1", "p2");
    assertThat(closes()).containsExactlyEntriesOf(Map.of(TriggerProcessor.CloseRule.LINGER, 2L));
  }

  @Test
  void shouldScoreEveryEventWithoutTransactionId() {
    start(TokenSumTestScorer.synchronousBackend());
    cond("c1", "p1", "2020-01-01T00:00:00Z", "110", null, 1, 1000);
    cond("c2", "p1", "2020-01-02T00:00:00Z", "110", null, 2, 1000);
    cond("c3", "p1", "2020-01-03T00:00:00Z", "110", null, 3, 1000);
    assertThat(scores.readValuesToList()).extracting(RiskScore::getHistoryVersion).containsExactly(1L, 2L, 3L);
    assertThat(closes()).containsExactlyEntriesOf(Map.of(TriggerProcessor.CloseRule.PER_EVENT, 3L));
  }

  @Test
  void shouldTreatRedeliveredDuplicatesAsNoOps() {
    start(TokenSumTestScorer.synchronousBackend());
    byte[] c1 = change("conditions", "c", condition("c1", "p1", "2020-01-01T00:00:00Z", "150"), 10, 2);
    pipe("conditions", c1, 1000);
    pipe("conditions", c1, 1001); // at-least-once redelivery inside the transaction
    cond("c2", "p1", "2020-02-01T00:00:00Z", "1", 11, 3, 1002);
    pipe("conditions", c1, 1003); // redelivery after the transaction closed
    cond("c3", "p1", "2020-03-01T00:00:00Z", "1", 12, 4, 1004);
    cond("x", "p2", "2020-03-01T00:00:00Z", "1", 13, 5, 9000);
    assertThat(scores.readValuesToList()).extracting(RiskScore::getHistoryVersion).containsExactly(1L, 2L, 3L);
    assertThat(history("p1").events()).extracting(EmrEvent::getEventId)
        .containsExactly("conditions:c1", "conditions:c2", "conditions:c3");
  }

  @Test
  void shouldKeepOutOfOrderEventsSortedAndApplyDeletes() {
    start(TokenSumTestScorer.synchronousBackend());
    cond("c1", "p1", "2020-01-01T00:00:00Z", "150", null, 1, 1000);
    cond("c0", "p1", "2019-01-01T00:00:00Z", "110", null, 2, 1001);
    assertThat(history("p1").events()).extracting(EmrEvent::getEventId).containsExactly("conditions:c0", "conditions:c1");
    pipe("conditions", change("conditions", "d", condition("c1", "p1", "2020-01-01T00:00:00Z", "150"), null, 3), 1002);
    pipe("conditions", change("conditions", "d", condition("nope", "p1", "2020-01-01T00:00:00Z", "150"), null, 4), 1003);
    pipe("conditions", null, 1004); // tombstone after the delete: skipped
    List<RiskScore> s = scores.readValuesToList();
    assertThat(s).extracting(RiskScore::getHistoryVersion).containsExactly(1L, 2L, 3L);
    assertThat(s.get(1).getProvenance().getNewestEventIds()).containsExactly("conditions:c1", "conditions:c0");
    assertThat(s.get(1).getAsOf()).isEqualTo(Instant.parse("2020-01-01T00:00:00Z"));
    assertThat(s.get(2).getProvenance().getEventCount()).isEqualTo(1);
    assertThat(p(s.get(2), "a")).isCloseTo(0.1, org.assertj.core.data.Offset.offset(1e-6));
    assertThat(history("p1").events()).extracting(EmrEvent::getEventId).containsExactly("conditions:c0");
    assertThat(dlq.isEmpty()).isTrue();
  }

  @Test
  void shouldBoundHistoryByCountAndAgeKeepingDemographics() {
    start(TokenSumTestScorer.synchronousBackend(), RiskStreamConfig.HISTORY_MAX_EVENTS_CONFIG, "3",
        RiskStreamConfig.HISTORY_MAX_AGE_DAYS_CONFIG, "1000");
    pipe("patients", change("patients", "c", patient("p1", "1950-01-01", "female"), null, 1), 1000);
    cond("c1", "p1", "2010-01-01T00:00:00Z", "1", null, 2, 1000);
    cond("c2", "p1", "2020-01-01T00:00:00Z", "1", null, 3, 1000); // c1 is > 1000 days older: evicted by age
    assertThat(history("p1").events()).extracting(EmrEvent::getEventId).containsExactly("patients:p1", "conditions:c2");
    cond("c3", "p1", "2020-02-01T00:00:00Z", "1", null, 4, 1000);
    cond("c4", "p1", "2020-03-01T00:00:00Z", "1", null, 5, 1000); // count bound 3: c2 evicted, demographics kept
    assertThat(history("p1").events()).extracting(EmrEvent::getEventId)
        .containsExactly("patients:p1", "conditions:c3", "conditions:c4");
    long version = history("p1").version();
    cond("old", "p1", "2019-12-01T00:00:00Z", "1", null, 6, 1000); // would be evicted at once: no change
    assertThat(history("p1").version()).isEqualTo(version);
    assertThat(scores.readValuesToList()).extracting(RiskScore::getHistoryVersion).containsExactly(1L, 2L, 3L, 4L, 5L);
  }

  @Test
  void shouldDeadLetterARecordOnEmrEventsThatDoesNotDeserialize() {
    start(TokenSumTestScorer.synchronousBackend());
    TestInputTopic<byte[], byte[]> raw = driver.createInputTopic(Topics.DEFAULTS.emrEvents().name(),
        Serdes.ByteArray().serializer(), Serdes.ByteArray().serializer());
    raw.pipeInput("p1".getBytes(), new byte[] {0, 0, 0, 0, 42, 1, 2, 3}, Instant.ofEpochMilli(5));
    raw.pipeInput("p1".getBytes(), "not avro at all".getBytes(), Instant.ofEpochMilli(6));
    cond("c1", "p2", "2020-01-01T00:00:00Z", "5", 10, 1, 1000);
    cond("c2", "p2", "2020-01-02T00:00:00Z", "6", 11, 2, 1001);

    // the driver does not write what a deserialization handler returns for the dead-letter topic (RiskTopologyIT
    // checks those records on a broker); the handler ran, and the stream went on
    assertThat(scores.readValuesToList()).extracting(RiskScore::getPatientId).containsExactly("p2");
    assertThat(deadLetterCounts.get(DeadLetterStage.SOURCE, DeadLetterReason.UNDECODABLE_RECORD)).isEqualTo(2);
  }

  @Test
  void shouldRefuseAnEmrEventWhoseKeyIsNotItsPatientOrThatBreaksTheInputRules() {
    start(TokenSumTestScorer.synchronousBackend());
    TestInputTopic<String, EmrEvent> direct = driver.createInputTopic(Topics.DEFAULTS.emrEvents().name(),
        Serdes.String().serializer(), serdes.value(EmrEvent.class).serializer());
    EmrEvent good = EmrEvent.newBuilder().setPatientId("p9").setEventId("conditions:x1").setOp(EventOp.UPSERT)
        .setKind(EventKind.DIAGNOSIS).setEventTime(Instant.parse("2020-01-01T00:00:00Z")).setCodeSystem("SNOMED-CT")
        .setCode("5").setSource(io.riskstream.schemas.SourceCoordinates.newBuilder().setSystem("other-writer")
            .setTable("conditions").build()).build();
    // another patient's key: it would land in the wrong patient's history
    direct.pipeInput("p1", good, Instant.ofEpochMilli(5));
    // a NUL in the patient id, written straight to emr-events by another producer
    direct.pipeInput("p9\u0000x", EmrEvent.newBuilder(good).setPatientId("p9\u0000x").build(), Instant.ofEpochMilli(6));
    direct.pipeInput("p9", good, Instant.ofEpochMilli(7));

    assertThat(dlq.readValuesToList()).extracting(DeadLetter::getStage, DeadLetter::getReasonCode).containsExactly(
        org.assertj.core.groups.Tuple.tuple(DeadLetterStage.HISTORY, DeadLetterReason.INVALID_FIELD),
        org.assertj.core.groups.Tuple.tuple(DeadLetterStage.HISTORY, DeadLetterReason.INVALID_CHARACTERS));
    assertThat(scores.readValuesToList()).extracting(RiskScore::getPatientId).containsExactly("p9");
  }

  @Test
  void shouldDeadLetterARecordAProcessorFailsOnUnexpectedlyAndGoOn() {
    // an encoder with a bug that only one patient's history reaches
    CodeTokenTestEncoder real = new CodeTokenTestEncoder();
    encoder = (history, indexTime, occlusions) -> {
      if (history.get(0).getPatientId().equals("p1")) {
        throw new NullPointerException("bug");
      }
      return real.encode(history, indexTime, occlusions);
    };
    start(TokenSumTestScorer.synchronousBackend());
    cond("c1", "p1", "2020-01-01T00:00:00Z", "5", 10, 1, 1000);
    cond("c2", "p2", "2020-01-02T00:00:00Z", "6", 11, 2, 1001);
    cond("c3", "p3", "2020-01-03T00:00:00Z", "7", 12, 3, 1002);

    List<KeyValue<byte[], DeadLetter>> dead = dlq.readKeyValuesToList();
    assertThat(dead).singleElement().satisfies(kv -> {
      assertThat(kv.value.getStage()).isEqualTo(DeadLetterStage.HISTORY);
      assertThat(kv.value.getReasonCode()).isEqualTo(DeadLetterReason.PROCESSING_ERROR);
      assertThat(kv.value.getMessage()).contains("NullPointerException").doesNotContain("bug");
      assertThat(kv.value.getOriginalValue()).isNotNull();
    });
    assertThat(scores.readValuesToList()).extracting(RiskScore::getPatientId).containsExactly("p2");
  }

  @Test
  void shouldDeadLetterARequestTheScorerRejectsAndKeepScoringOthers() {
    // a scorer that rejects the inputs of histories with code 666 as invalid (as ONNX Runtime rejects a token outside
    // its vocabulary), and scores the others
    TokenSumTestScorer sums = new TokenSumTestScorer();
    ScoringBackend picky = new ScoringBackend(TokenSumTestScorer.INFO, List.of(365, 365), in -> {
      for (long t : in.tokens()) {
        if (t == 666) {
          return java.util.concurrent.CompletableFuture.failedFuture(new IllegalArgumentException("token out of range"));
        }
      }
      return java.util.concurrent.CompletableFuture.completedFuture(TokenSumTestScorer.scored(sums.score(List.of(in))[0]));
    });
    start(picky);
    cond("c1", "p1", "2020-01-01T00:00:00Z", "666", 10, 1, 1000);
    cond("c2", "p2", "2020-01-02T00:00:00Z", "5", 11, 2, 1001);
    cond("c3", "p3", "2020-01-03T00:00:00Z", "6", 12, 3, 1002);
    List<KeyValue<byte[], DeadLetter>> dead = dlq.readKeyValuesToList();
    assertThat(dead).singleElement().satisfies(kv -> {
      assertThat(kv.value.getReasonCode()).isEqualTo(DeadLetterReason.INVALID_MODEL_INPUT);
      assertThat(kv.value.getStage()).isEqualTo(DeadLetterStage.SCORE);
      assertThat(new String(kv.key, java.nio.charset.StandardCharsets.UTF_8)).isEqualTo("p1");
      assertThat(kv.value.getSourceTopic()).isEqualTo("ehr.clinical.conditions");
    });
    assertThat(scores.readValuesToList()).extracting(RiskScore::getPatientId).containsExactly("p2");
  }

  @Test
  void shouldDeadLetterEveryReasonWithCoordinatesAndCountThem() {
    start(TokenSumTestScorer.synchronousBackend(), RiskStreamConfig.SOURCE_MAX_RECORD_BYTES_CONFIG, "2048");
    pipe("conditions", bytes("{oops"), 1);
    pipe("conditions", bytes("{\"op\":\"c\",\"source\":{\"table\":\"conditions\"}}"), 2);
    pipe("conditions", change("conditions", "z", condition("c1", "p1", "2020-01-01T00:00:00Z", "1"), 1, 1), 3);
    pipe("allergies", change("allergies", "c", row("id", "a1", "patient_id", "p1"), 1, 1), 4);
    pipe("conditions", change("conditions", "c", condition("c1", "p1", "01/02/2020", "1"), 1, 1), 5);
    pipe("conditions", bytes("{\"op\":\"c\",\"after\":{\"x\":\"" + "y".repeat(3000) + "\"}}"), 6);
    List<KeyValue<byte[], DeadLetter>> dead = dlq.readKeyValuesToList();
    assertThat(dead).extracting(kv -> kv.value.getReason()).containsExactly("MALFORMED_JSON", "MISSING_FIELD",
        "INVALID_FIELD", "UNKNOWN_TABLE", "UNPARSEABLE_TIME", "OVERSIZED_RECORD");
    assertThat(dead).allSatisfy(kv -> assertThat(kv.value.getReasonCode().name()).isEqualTo(kv.value.getReason()));
    assertThat(dead).allSatisfy(kv -> assertThat(new String(kv.key)).isEqualTo("{\"id\":\"k\"}"));
    assertThat(dead.get(0).value.getSourceTopic()).isEqualTo("ehr.clinical.conditions");
    assertThat(dead.get(0).value.getSourceOffset()).isEqualTo(0L);
    assertThat(dead.get(3).value.getSourceTopic()).isEqualTo("ehr.clinical.allergies");
    assertThat(dead.get(0).value.getOriginalValue()).isNotNull();
    assertThat(dead.get(5).value.getOriginalValueBytes()).isGreaterThan(2048);
    assertThat(dead.get(5).value.getOriginalValueTruncated()).isFalse();
    java.util.Set<DeadLetterReason> seen = java.util.EnumSet.of(DeadLetterReason.MALFORMED_JSON,
        DeadLetterReason.MISSING_FIELD, DeadLetterReason.INVALID_FIELD, DeadLetterReason.UNKNOWN_TABLE,
        DeadLetterReason.UNPARSEABLE_TIME, DeadLetterReason.OVERSIZED_RECORD);
    for (DeadLetterReason r : DeadLetterReason.values()) {
      assertThat(metricTotal(DeadLetters.metricOperation(r) + "-total")).as(r.name()).isEqualTo(seen.contains(r) ? 1.0 : 0.0);
    }
    assertThat(scores.isEmpty()).isTrue();
    assertThat(emr.isEmpty()).isTrue();
  }

  /** The trigger's close counters that are not zero, by rule. */
  private Map<TriggerProcessor.CloseRule, Long> closes() {
    Map<TriggerProcessor.CloseRule, Long> out = new java.util.EnumMap<>(TriggerProcessor.CloseRule.class);
    for (TriggerProcessor.CloseRule r : TriggerProcessor.CloseRule.values()) {
      long n = (long) metricTotal(r.metricOperation() + "-total");
      if (n != 0) {
        out.put(r, n);
      }
    }
    return out;
  }

  private double metricTotal(String name) {
    double sum = 0;
    for (Map.Entry<MetricName, ? extends Metric> e : driver.metrics().entrySet()) {
      if (e.getKey().name().equals(name)) {
        sum += ((Number) e.getValue().metricValue()).doubleValue();
      }
    }
    return sum;
  }

  @Test
  void shouldRaiseAlertsWithOcclusionReasons() {
    start(TokenSumTestScorer.synchronousBackend());
    cond("c1", "p1", "2020-01-01T00:00:00Z", "105", null, 1, 1000);
    cond("c2", "p1", "2020-02-01T00:00:00Z", "130", null, 2, 1000); // a = 0.35 >= 0.3 warning
    cond("c3", "p1", "2020-03-01T00:00:00Z", "130", null, 3, 1000); // a = 0.65 >= 0.6 critical (escalation)
    List<RiskAlert> a = alerts.readValuesToList();
    assertThat(a).extracting(RiskAlert::getSeverity).containsExactly(AlertSeverity.WARNING, AlertSeverity.CRITICAL);
    assertThat(a.get(0).getOutcome()).isEqualTo("a");
    assertThat(a.get(0).getThreshold()).isEqualTo(0.3);
    assertThat(a.get(0).getPreviousProbability()).isCloseTo(0.05, org.assertj.core.data.Offset.offset(1e-6));
    assertThat(a.get(0).getReasons()).extracting(r -> r.getEventId()).containsExactly("conditions:c2", "conditions:c1");
    assertThat(a.get(0).getReasons().get(0).getContribution()).isCloseTo(0.3, org.assertj.core.data.Offset.offset(1e-6));
    // c2 and c3 share code 130: one reason, its newest event, count 2, occluded together (0.65 - 0.05); c1's 0.05 is
    // below a tenth of 0.65 (alert.reasons.min.share), so the critical alert cites the group alone
    assertThat(a.get(1).getReasons()).extracting(r -> r.getEventId(), r -> r.getCount())
        .containsExactly(org.assertj.core.groups.Tuple.tuple("conditions:c3", 2));
    assertThat(a.get(1).getReasons().get(0).getContribution()).isCloseTo(0.6, org.assertj.core.data.Offset.offset(1e-6));
    assertThat(a.get(1).getReasons().get(0).getDescription()).isEqualTo("test condition");
    List<RiskScore> s = scores.readValuesToList();
    assertThat(a.get(1).getScoreId()).isEqualTo(s.get(2).getScoreId());
    assertThat(a.get(1).getAlertId()).isEqualTo(Ids.alertId(s.get(2).getScoreId(), "a", "CRITICAL"));
  }

  @Test
  void shouldCiteTheLargestContributionsAmongTheCandidatesEvenWhenOlderEventsCarryThem() {
    // one reason cited, at most 3 groups occluded, no share floor
    start(TokenSumTestScorer.synchronousBackend(), RiskStreamConfig.ALERT_REASONS_CONFIG, "1",
        RiskStreamConfig.ALERT_REASONS_CANDIDATES_CONFIG, "3", RiskStreamConfig.ALERT_REASONS_MIN_SHARE_CONFIG, "0");
    cond("c0", "p1", "2019-12-01T00:00:00Z", "101", null, 1, 1000);  // a = 0.01
    cond("c1", "p1", "2020-01-01T00:00:00Z", "140", null, 2, 1000);  // a = 0.41: warning
    cond("c2", "p1", "2020-02-01T00:00:00Z", "118", null, 3, 1000);  // a = 0.59
    cond("c3", "p1", "2020-03-01T00:00:00Z", "102", null, 4, 1000);  // a = 0.61: critical
    cond("c4", "p1", "2020-04-01T00:00:00Z", "103", null, 5, 1000);  // a = 0.64
    List<RiskAlert> a = alerts.readValuesToList();
    assertThat(a).extracting(RiskAlert::getSeverity).containsExactly(AlertSeverity.WARNING, AlertSeverity.CRITICAL);
    assertThat(a.get(0).getReasons()).extracting(r -> r.getEventId()).containsExactly("conditions:c1");
    // the critical alert's 3 newest groups are c3, c2, c1 (contributions 0.02, 0.18, 0.40): it cites the largest, c1,
    // although two newer groups were occluded; c0 is past the candidates
    assertThat(a.get(1).getReasons()).extracting(r -> r.getEventId()).containsExactly("conditions:c1");
    assertThat(a.get(1).getReasons().get(0).getContribution()).isCloseTo(0.40, org.assertj.core.data.Offset.offset(1e-6));
  }

  @Test
  void shouldWithholdTheAlertsOfAnOutcomeAlreadyDiagnosedAndOfAPatientWhoDiedAndStillScoreThem() {
    // onset codes: 150 for a, 250 for b (TokenSumTestScorer: code 150 adds 0.5 to a, 240 adds 0.4 to b)
    start(TokenSumTestScorer.synchronousBackend().withOnsetCodes(List.of(List.of("150"), List.of("250"))));
    cond("c1", "p1", "2020-01-01T00:00:00Z", "150", null, 1, 1000);  // a = 0.5: p1 has a, the alert is withheld
    cond("c2", "p1", "2020-02-01T00:00:00Z", "240", null, 2, 1000);  // b = 0.4: warns, a still diagnosed
    cond("c3", "p2", "2020-01-01T00:00:00Z", "149", null, 3, 1000);  // a = 0.49, not diagnosed: warns
    int died = (int) java.time.LocalDate.parse("2019-12-31").toEpochDay();
    pipe("patients", change("patients", "c", row("id", "p3", "birthdate", (int) java.time.LocalDate.parse("1950-01-01")
        .toEpochDay(), "deathdate", died, "gender", "male", "race", "white", "ethnicity", "nonhispanic"), null, 4), 1000);
    cond("c4", "p3", "2020-01-01T00:00:00Z", "160", null, 5, 1000);  // a = 0.6 after p3's death: withheld

    assertThat(alerts.readValuesToList()).extracting(RiskAlert::getPatientId, RiskAlert::getOutcome)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("p1", "b"), org.assertj.core.groups.Tuple.tuple("p2", "a"));
    // the scores are what they are without the rule
    List<RiskScore> s = scores.readValuesToList();
    assertThat(s).extracting(RiskScore::getPatientId).containsExactly("p1", "p1", "p2", "p3", "p3");
    assertThat(p(s.get(0), "a")).isCloseTo(0.5, org.assertj.core.data.Offset.offset(1e-6));
    assertThat(p(s.get(4), "a")).isCloseTo(0.6, org.assertj.core.data.Offset.offset(1e-6));
    assertThat(metricTotal("alerts-withheld-diagnosed-total")).isEqualTo(1.0);
    assertThat(metricTotal("alerts-withheld-deceased-total")).isEqualTo(1.0);
    // reasons were scored for p1's alert only (p2's one event is no reason candidate; p3's alert was withheld)
    assertThat(metricTotal("scoring-reasons-total")).isEqualTo(1.0);
  }

  @Test
  void shouldPublishAndKeepAValidRiskAssessmentOfEveryScoreAndAlert() {
    start(TokenSumTestScorer.synchronousBackend());
    TestOutputTopic<String, String> assessments = driver.createOutputTopic(Topics.DEFAULTS.riskAssessments(),
        Serdes.String().deserializer(), Serdes.String().deserializer());
    cond("c1", "p1", "2020-01-01T00:00:00Z", "105", null, 1, 1000);
    cond("c2", "p1", "2020-02-01T00:00:00Z", "130", null, 2, 1000); // a = 0.35: warning

    List<RiskScore> s = scores.readValuesToList();
    List<RiskAlert> a = alerts.readValuesToList();
    List<KeyValue<String, String>> out = assessments.readKeyValuesToList();
    io.riskstream.topology.fhir.RiskAssessments fhir = new io.riskstream.topology.fhir.RiskAssessments(Map.of());
    List<org.hl7.fhir.r4.model.RiskAssessment> read = out.stream().map(kv -> fhir.parse(kv.value)).toList();
    assertThat(s).hasSize(2);
    assertThat(a).hasSize(1);
    assertThat(out).extracting(kv -> kv.key).containsOnly("p1");
    assertThat(read).extracting(r -> r.getIdElement().getIdPart())
        .containsExactly(s.get(0).getScoreId(), s.get(1).getScoreId(), a.get(0).getAlertId());
    assertThat(read.get(1).getPrediction()).extracting(p -> p.getProbabilityDecimalType().getValue().doubleValue())
        .containsExactly(p(s.get(1), "a"), p(s.get(1), "b"));
    io.riskstream.topology.fhir.FhirBaseValidator validator = new io.riskstream.topology.fhir.FhirBaseValidator();
    out.forEach(kv -> assertThat(validator.errors(kv.value)).isEmpty());
    KeyValueStore<String, io.riskstream.topology.fhir.RecentAssessments> store =
        driver.getKeyValueStore(io.riskstream.topology.fhir.RiskAssessmentProcessor.STORE);
    assertThat(store.get("p1").assessments()).extracting(io.riskstream.topology.fhir.RecentAssessments.Stored::json)
        .containsExactlyElementsOf(out.stream().map(kv -> kv.value).toList());
    KeyValueStore<String, io.riskstream.topology.fhir.AlertRef> index =
        driver.getKeyValueStore(io.riskstream.topology.fhir.RiskAssessmentProcessor.ALERT_INDEX);
    assertThat(index.get(a.get(0).getAlertId())).isEqualTo(new io.riskstream.topology.fhir.AlertRef(
        a.get(0).getAlertId(), "p1", "a", "WARNING", a.get(0).getAsOf().toEpochMilli()));
  }

  @Test
  void shouldHoldRequestsInScoringPendingUntilScoredInVersionOrder() {
    DeferredTestBackend deferred = new DeferredTestBackend();
    start(deferred.backend(), RiskStreamConfig.ALERT_REASONS_CONFIG, "0");
    cond("c1", "p1", "2020-01-01T00:00:00Z", "110", null, 1, 1000);
    cond("c2", "p1", "2020-02-01T00:00:00Z", "110", null, 2, 1000);
    KeyValueStore<String, ScoringRequest> pending = driver.getKeyValueStore(ScoreProcessor.STORE);
    assertThat(count(pending)).isEqualTo(2);
    assertThat(scores.isEmpty()).isTrue();
    deferred.complete(1); // version 2 done first: must wait for version 1
    driver.advanceWallClockTime(Duration.ofMillis(50));
    assertThat(scores.isEmpty()).isTrue();
    deferred.complete(0);
    driver.advanceWallClockTime(Duration.ofMillis(50));
    assertThat(scores.readValuesToList()).extracting(RiskScore::getHistoryVersion).containsExactly(1L, 2L);
    assertThat(count(pending)).isZero();
  }

  @Test
  void shouldResubmitAfterAScorerFailure() {
    DeferredTestBackend deferred = new DeferredTestBackend();
    start(deferred.backend(), RiskStreamConfig.ALERT_REASONS_CONFIG, "0");
    cond("c1", "p1", "2020-01-01T00:00:00Z", "110", null, 1, 1000);
    deferred.fail(0);
    driver.advanceWallClockTime(Duration.ofMillis(50));
    assertThat(deferred.inputs).as("re-submitted only after the backoff").hasSize(1);
    driver.advanceWallClockTime(Duration.ofMillis(ScoreProcessor.FIRST_BACKOFF_MS));
    assertThat(deferred.inputs).hasSize(2);
    assertThat(scores.isEmpty()).isTrue();
    deferred.complete(1);
    driver.advanceWallClockTime(Duration.ofMillis(50));
    assertThat(scores.readValuesToList()).hasSize(1);
  }

  /** Advances the driver's wall clock in 10 ms steps until {@code n} scores arrived (30 s at most); returns them. */
  private List<RiskScore> awaitScores(int n, long[] wallClockAdvancedMs) throws InterruptedException {
    List<RiskScore> got = new ArrayList<>();
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (got.size() < n && System.nanoTime() < deadline) {
      Thread.sleep(5);
      driver.advanceWallClockTime(Duration.ofMillis(10));
      wallClockAdvancedMs[0] += 10;
      got.addAll(scores.readValuesToList());
    }
    return got;
  }

  @Test
  void shouldNameTheEngineThatComputedEachScoreAcrossAFailover() throws InterruptedException {
    NamedTestScorer gpu = new NamedTestScorer("tensorrt", "fp16");
    NamedTestScorer cpu = new NamedTestScorer("onnxruntime", "fp32");
    List<Long> latencies = new java.util.concurrent.CopyOnWriteArrayList<>();
    try (io.riskstream.scoring.batch.DynamicBatcher batcher = new io.riskstream.scoring.batch.DynamicBatcher(
        new io.riskstream.scoring.FailoverScorer(gpu, cpu, 1), 8, Duration.ZERO)) {
      // the backend's info is the primary's, copied at start, as the app's ScoringRuntime does
      start(new ScoringBackend(gpu.info(), List.of(365, 365), batcher::submit, latencies::add),
          RiskStreamConfig.ALERT_REASONS_CONFIG, "0");
      long start = Instant.parse("2026-01-01T00:00:00Z").toEpochMilli();
      long[] advanced = {0};
      cond("c1", "p1", "2020-01-01T00:00:00Z", "110", null, 1, start - 250);
      List<RiskScore> before = awaitScores(1, advanced);
      long firstLatency = advanced[0] + 250;

      gpu.failing.set(true);
      cond("c2", "p2", "2020-01-02T00:00:00Z", "120", null, 2, start - 100);
      cond("c3", "p1", "2020-01-03T00:00:00Z", "130", null, 3, start - 50);
      List<RiskScore> after = awaitScores(2, advanced);

      assertThat(before).singleElement().satisfies(s -> {
        assertThat(s.getEngine().getBackend()).isEqualTo("tensorrt");
        assertThat(s.getEngine().getPrecision()).isEqualTo("fp16");
      });
      assertThat(after).hasSize(2).allSatisfy(s -> {
        assertThat(s.getEngine().getBackend()).isEqualTo("onnxruntime");
        assertThat(s.getEngine().getPrecision()).isEqualTo("fp32");
        assertThat(s.getModel().getSha256()).isEqualTo(TokenSumTestScorer.INFO.modelSha256());
      });
      assertThat(p(after.get(0), "a") + p(after.get(1), "a")).as("the fallback's probabilities")
          .isCloseTo(0.2 + 0.1 + 0.3, org.assertj.core.data.Offset.offset(1e-6));
      assertThat(batcher.failovers()).isEqualTo(1);
      assertThat(batcher.engine()).isEqualTo(cpu.info());
      assertThat(latencies).as("one event-to-score latency per score, from the record's timestamp").hasSize(3);
      assertThat(latencies.get(0)).as("wall clock at the forward minus the record timestamp").isBetween(250L, firstLatency);
    }
  }

  private static int count(KeyValueStore<String, ?> store) {
    int n = 0;
    try (KeyValueIterator<String, ?> it = store.all()) {
      while (it.hasNext()) {
        it.next();
        n++;
      }
    }
    return n;
  }

  private List<org.apache.kafka.streams.test.TestRecord<String, EmrEvent>> lastEmrEvents;

  private List<Object> runScenario() {
    start(TokenSumTestScorer.synchronousBackend());
    long ts = 1000;
    int lsn = 0;
    for (int p = 0; p < 5; p++) {
      pipe("patients", change("patients", "c", patient("p" + p, "1970-01-0" + (p + 1), "male"), 100 + p, lsn++), ts++);
    }
    for (int i = 0; i < 60; i++) {
      String patient = "p" + (i % 5);
      String code = String.valueOf(100 + (i * 7) % 40);
      cond("c" + i, patient, Instant.parse("2020-01-01T00:00:00Z").plus(Duration.ofDays(i * 3L)).toString(), code,
          1000 + i / 3, lsn++, ts);
      ts += 400;
    }
    List<Object> out = new ArrayList<>(scores.readValuesToList());
    out.addAll(alerts.readValuesToList());
    lastEmrEvents = emr.readRecordsToList();
    driver.close();
    driver = null;
    return out;
  }

  @Test
  void shouldProduceIdenticalScoresAndAlertsOnReplay() {
    List<Object> first = runScenario();
    List<Object> second = runScenario();
    assertThat(first).hasSizeGreaterThan(20);
    assertThat(first.stream().filter(o -> o instanceof RiskAlert).count()).isPositive();
    assertThat(second).isEqualTo(first);
  }

  @Test
  void shouldCloseOpenTransactionsWhenInputIsIdleOnTheWallClock() {
    start(TokenSumTestScorer.synchronousBackend(), RiskStreamConfig.TRIGGER_IDLE_FLUSH_MS_CONFIG, "2000");
    cond("c1", "p1", "2020-01-01T00:00:00Z", "110", 10, 1, 1000);
    driver.advanceWallClockTime(Duration.ofMillis(1000));
    assertThat(scores.isEmpty()).isTrue();
    driver.advanceWallClockTime(Duration.ofMillis(1500));
    driver.advanceWallClockTime(Duration.ofMillis(1500));
    assertThat(scores.readValuesToList()).extracting(s -> s.getProvenance().getTriggerTxId()).containsExactly("10");
    assertThat(closes()).containsExactlyEntriesOf(Map.of(TriggerProcessor.CloseRule.IDLE_FLUSH, 1L));
  }

  @Test
  void shouldTakeOnlyAWallClockGapBetweenRecordsForIdleInput() {
    // p1's record sets the task's stream time ahead; p2's transaction then arrives slowly, from another source
    // partition, with older timestamps (e.g. a lagging source partition): stream time stands still while input
    // flows, so only the wall-clock gap between records may count as idle
    start(TokenSumTestScorer.synchronousBackend(), RiskStreamConfig.TRIGGER_IDLE_FLUSH_MS_CONFIG, "2000",
        RiskStreamConfig.TRIGGER_LINGER_MS_CONFIG, String.valueOf(Duration.ofHours(1).toMillis()));
    cond("c1", "p1", "2020-01-01T00:00:00Z", "110", 10, 1, 50_000);
    for (int i = 0; i < 4; i++) {
      pipe("observations", change("observations", "c", observation("o" + i, "p2", "2020-01-0" + (i + 1) + "T00:00:00Z",
          "2823-3", 4.0 + i, "mmol/L"), 11, 10 + i), 1000 + i);
      driver.advanceWallClockTime(Duration.ofMillis(1500));
    }
    assertThat(scores.isEmpty()).isTrue();
    driver.advanceWallClockTime(Duration.ofMillis(1500));
    driver.advanceWallClockTime(Duration.ofMillis(1500));
    assertThat(scores.readValuesToList()).extracting(s -> s.getPatientId() + "/" + s.getProvenance().getTriggerTxId()
        + "/" + s.getProvenance().getEventCount()).containsExactlyInAnyOrder("p1/10/1", "p2/11/4");
    assertThat(closes()).containsExactlyEntriesOf(Map.of(TriggerProcessor.CloseRule.IDLE_FLUSH, 2L));
  }

  @Test
  void shouldNotCloseATransactionOnAStalledStreamThreadAlone() {
    start(TokenSumTestScorer.synchronousBackend(), RiskStreamConfig.TRIGGER_IDLE_FLUSH_MS_CONFIG, "2000");
    cond("c1", "p1", "2020-01-01T00:00:00Z", "110", 10, 1, 1000);
    driver.advanceWallClockTime(Duration.ofMillis(1000));
    // the next idle check runs 10 s late: the thread did not run (GC, saturated CPU), so neither did it read input
    driver.advanceWallClockTime(Duration.ofMillis(10_000));
    assertThat(scores.isEmpty()).isTrue();
    cond("c2", "p1", "2020-01-02T00:00:00Z", "150", 10, 2, 1001);  // the rest of the transaction, read after the stall
    driver.advanceWallClockTime(Duration.ofMillis(1000));
    driver.advanceWallClockTime(Duration.ofMillis(1000));
    assertThat(scores.isEmpty()).isTrue();
    driver.advanceWallClockTime(Duration.ofMillis(1000));  // the checks since the last record span the idle time
    assertThat(scores.readValuesToList()).extracting(s -> s.getProvenance().getTriggerTxId() + "/"
        + s.getProvenance().getEventCount()).containsExactly("10/2");
  }

  @Test
  void shouldNotCloseATransactionWhileItsPartitionHasRecordsNotYetFetched() {
    // one stream thread over many partitions with a backlog reaches this task's partition late: no record arrives for
    // longer than the idle time, yet the partition holds the rest of the transaction; only a caught-up task is idle
    double[] lag = {5};
    try (org.apache.kafka.common.metrics.Metrics metrics = new org.apache.kafka.common.metrics.Metrics()) {
      String emrTopic = new RiskStreamConfig(Map.of()).topics().emrEvents().name();
      metrics.addMetric(new MetricName("records-lag", "consumer-fetch-manager-metrics", "", Map.of("client-id",
          "app-StreamThread-1-consumer", "topic", emrTopic, "partition", "0")),
          (org.apache.kafka.common.metrics.Gauge<Double>) (config, now) -> lag[0]);
      backlog.readFrom(metrics::metrics);
      start(TokenSumTestScorer.synchronousBackend(), RiskStreamConfig.TRIGGER_IDLE_FLUSH_MS_CONFIG, "2000");
      cond("c1", "p1", "2020-01-01T00:00:00Z", "110", 10, 1, 1000);
      for (int i = 0; i < 10; i++) {
        driver.advanceWallClockTime(Duration.ofMillis(1000));
      }
      assertThat(scores.isEmpty()).isTrue();
      cond("c2", "p1", "2020-01-02T00:00:00Z", "150", 10, 2, 1001);  // the rest of the transaction, fetched late
      lag[0] = 0;  // caught up: from here on, time without records is idle
      driver.advanceWallClockTime(Duration.ofMillis(1000));
      driver.advanceWallClockTime(Duration.ofMillis(1000));
      assertThat(scores.isEmpty()).isTrue();
      driver.advanceWallClockTime(Duration.ofMillis(1000));
      assertThat(scores.readValuesToList()).extracting(s -> s.getProvenance().getTriggerTxId() + "/"
          + s.getProvenance().getEventCount()).containsExactly("10/2");
      assertThat(closes()).containsExactlyEntriesOf(Map.of(TriggerProcessor.CloseRule.IDLE_FLUSH, 1L));
    }
  }

  @Test
  void shouldNameEveryProcessorStoreAndTopic() {
    start(TokenSumTestScorer.synchronousBackend());
    String description = RiskTopology.build(new StreamsBuilder(), new RiskStreamConfig(Map.of()),
        serdes, new CodeTokenTestEncoder(), TokenSumTestScorer.synchronousBackend()).describe().toString();
    assertThat(description).doesNotContain("KSTREAM-").doesNotContain("KTABLE-")
        .contains("ehr-source", "normalize", "trigger", "history", "score", "alert", "emr-events-sink", "dlq-sink",
            "risk-scores-sink", "risk-alerts-sink", "patient-history", "scoring-pending", "alert-state", "trigger-open",
            "assess", "risk-assessments-sink", "risk-assessments");
  }

  @Test
  void shouldNameTheChangelogOfEveryStoreAsItsInternalTopics() {
    start(TokenSumTestScorer.synchronousBackend());
    var description = RiskTopology.build(new StreamsBuilder(), new RiskStreamConfig(Map.of()), serdes,
        new CodeTokenTestEncoder(), TokenSumTestScorer.synchronousBackend()).describe();
    // emr-events is a topic of its own, not a repartition topic: the stores' changelogs are all there is
    assertThat(RiskTopology.internalTopics("app", description)).containsExactlyInAnyOrder(
        "app-" + HistoryProcessor.STORE + "-changelog", "app-" + HistoryProcessor.EVENTS_STORE + "-changelog",
        "app-" + TriggerProcessor.STORE + "-changelog", "app-" + TriggerProcessor.BUFFER + "-changelog",
        "app-" + ScoreProcessor.STORE + "-changelog", "app-" + AlertProcessor.STORE + "-changelog",
        "app-" + io.riskstream.topology.fhir.RiskAssessmentProcessor.STORE + "-changelog",
        "app-" + io.riskstream.topology.fhir.RiskAssessmentProcessor.ALERT_INDEX + "-changelog");
  }

  @Test
  void shouldSubscribeToTheDefaultSourcePattern() {
    start(TokenSumTestScorer.synchronousBackend(), RiskStreamConfig.SOURCE_TOPICS_CONFIG, "");
    cond("c1", "p1", "2020-01-01T00:00:00Z", "110", null, 1, 1000);
    assertThat(scores.readValuesToList()).hasSize(1);
  }

  @Test
  void shouldApplyEachEventOfAnOpenTransactionAtOnceAndScoreItOnce() {
    start(TokenSumTestScorer.synchronousBackend(), RiskStreamConfig.TRIGGER_MAX_OFFSETS_CONFIG, "3");
    for (int i = 0; i < 5; i++) {
      cond("c" + i, "p1", "2020-01-0" + (i + 1) + "T00:00:00Z", "101", 77, i, 1000 + i);
      assertThat(history("p1").events()).hasSize(i + 1);
    }
    KeyValueStore<String, EmrEvent> buffer = driver.getKeyValueStore(TriggerProcessor.BUFFER);
    assertThat(count(buffer)).isZero();
    assertThat(scores.isEmpty()).isTrue();
    cond("x", "p2", "2020-01-01T00:00:00Z", "1", 78, 9, 9000);
    List<RiskScore> s = scores.readValuesToList();
    assertThat(s).extracting(RiskScore::getPatientId).containsExactly("p1");
    assertThat(s.get(0).getHistoryVersion()).isEqualTo(5L);
    assertThat(s.get(0).getProvenance().getSourceOffsets()).hasSize(3);  // the first trigger.max.offsets
    assertThat(count(buffer)).isZero();
  }

  @Test
  void shouldApplyEventsAnEarlierVersionBufferedBeforeNewerOnes() {
    start(TokenSumTestScorer.synchronousBackend());
    // what a version that buffered events until the close left: an open transaction with two buffered events
    cond("c0", "p1", "2020-01-01T00:00:00Z", "101", 77, 0, 1000);
    KeyValueStore<String, OpenTransaction> open = driver.getKeyValueStore(TriggerProcessor.STORE);
    KeyValueStore<String, EmrEvent> buffer = driver.getKeyValueStore(TriggerProcessor.BUFFER);
    OpenTransaction t = open.get("p1");
    EmrEvent template = history("p1").events().get(0);
    EmrEvent b0 = EmrEvent.newBuilder(template).setEventId("conditions:b0").setCode("102")
        .setEventTime(java.time.Instant.parse("2020-01-02T00:00:00Z")).build();
    EmrEvent b1 = EmrEvent.newBuilder(b0).setOp(io.riskstream.schemas.EventOp.DELETE).build();  // deletes b0 again
    buffer.put(TriggerProcessor.bufferKey("p1", 0), b0);
    buffer.put(TriggerProcessor.bufferKey("p1", 1), b1);
    open.put("p1", new OpenTransaction(t.txId(), t.lastTimestamp(), t.offsets(), 2, t.source()));

    // a newer event of the same transaction re-adds b0: applied after the buffered upsert and delete, so b0 stays
    pipe("conditions", change("conditions", "c", condition("b0", "p1", "2020-01-03T00:00:00Z", "103"), 77, 1), 1001);
    assertThat(count(buffer)).isZero();
    assertThat(history("p1").events()).extracting(e -> e.getEventId() + "/" + e.getCode())
        .containsExactly("conditions:c0/101", "conditions:b0/103");
    assertThat(history("p1").version()).isEqualTo(4);
    cond("x", "p2", "2020-01-01T00:00:00Z", "1", 78, 9, 9000);
    assertThat(scores.readValuesToList()).extracting(RiskScore::getPatientId).containsExactly("p1");
  }

  @Test
  void shouldReplayFromEmrEventsToIdenticalScoresAndAlerts() {
    List<Object> live = runScenario();
    List<org.apache.kafka.streams.test.TestRecord<String, EmrEvent>> events = lastEmrEvents;
    assertThat(events).hasSizeGreaterThan(60);
    start(TokenSumTestScorer.synchronousBackend(), RiskStreamConfig.NORMALIZE_ENABLED_CONFIG, "false");
    assertThat(driver.producedTopicNames()).doesNotContain(Topics.DEFAULTS.emrEvents().name());
    TestInputTopic<String, EmrEvent> replay = driver.createInputTopic(Topics.DEFAULTS.emrEvents().name(), Serdes.String().serializer(),
        serdes.value(EmrEvent.class).serializer());
    replay.pipeRecordList(events);
    List<Object> replayed = new ArrayList<>(scores.readValuesToList());
    replayed.addAll(alerts.readValuesToList());
    // the order across patients depends on when transactions close; each patient's sequence must not
    assertThat(perPatient(replayed)).isEqualTo(perPatient(live));
  }

  private static Map<String, List<Object>> perPatient(List<Object> records) {
    Map<String, List<Object>> out = new java.util.TreeMap<>();
    for (Object o : records) {
      String p = o instanceof RiskScore s ? "score/" + s.getPatientId() : "alert/" + ((RiskAlert) o).getPatientId();
      out.computeIfAbsent(p, k -> new ArrayList<>()).add(o);
    }
    return out;
  }
}
