package io.riskstream.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.riskstream.connectors.debezium.Cdc;
import io.riskstream.schemas.DeadLetter;
import io.riskstream.schemas.DeadLetterReason;
import io.riskstream.schemas.DeadLetterStage;
import io.riskstream.schemas.EmrEvent;
import io.riskstream.schemas.EventKind;
import io.riskstream.schemas.EventOp;
import io.riskstream.schemas.RiskScore;
import io.riskstream.topology.config.RiskStreamConfig;
import io.riskstream.topology.config.Topics;
import io.riskstream.topology.serde.AvroSerdes;
import io.riskstream.topology.serde.InMemorySchemaRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyDescription;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** FHIR R4 input through the whole topology (TopologyTestDriver): fhir.resources → emr-events → scores, bad → DLQ. */
class FhirTopologyTest {

  private static final String FHIR_TOPIC = "fhir.in";
  private static final String P1 = "11111111-0000-4000-8000-000000000001";
  private static final String P2 = "22222222-0000-4000-8000-000000000002";
  private static final String ENC = "e0c0ffee-0000-4000-8000-000000000009";

  @TempDir
  Path stateDir;

  private TopologyTestDriver driver;
  private TestInputTopic<byte[], byte[]> fhir;
  private TestInputTopic<byte[], byte[]> cdc;
  private TestOutputTopic<String, EmrEvent> emr;
  private TestOutputTopic<String, RiskScore> scores;
  private TestOutputTopic<byte[], DeadLetter> dlq;

  private RiskStreamConfig config(Object... overrides) {
    Map<String, Object> props = new HashMap<>();
    props.put(RiskStreamConfig.SOURCE_TOPICS_CONFIG, "ehr.clinical.conditions");
    props.put(RiskStreamConfig.FHIR_ENABLED_CONFIG, "true");
    props.put(RiskStreamConfig.FHIR_TOPIC_CONFIG, FHIR_TOPIC);
    props.put(RiskStreamConfig.STATE_DIR_CONFIG, stateDir.toString());
    props.put(RiskStreamConfig.TRIGGER_LINGER_MS_CONFIG, "1000");
    props.put(RiskStreamConfig.TRIGGER_IDLE_FLUSH_MS_CONFIG, "0");
    for (int i = 0; i < overrides.length; i += 2) {
      props.put((String) overrides[i], overrides[i + 1]);
    }
    return new RiskStreamConfig(props);
  }

  private void start(Object... overrides) {
    RiskStreamConfig config = config(overrides);
    AvroSerdes serdes = AvroSerdes.withClient(new InMemorySchemaRegistry());
    driver = new TopologyTestDriver(RiskTopology.build(new StreamsBuilder(), config, serdes, new CodeTokenTestEncoder(),
        TokenSumTestScorer.synchronousBackend()), config.streamsProperties(), Instant.parse("2026-01-01T00:00:00Z"));
    fhir = driver.createInputTopic(FHIR_TOPIC, Serdes.ByteArray().serializer(), Serdes.ByteArray().serializer());
    cdc = driver.createInputTopic("ehr.clinical.conditions", Serdes.ByteArray().serializer(), Serdes.ByteArray().serializer());
    Topics topics = config.topics();
    emr = driver.createOutputTopic(topics.emrEvents().name(), Serdes.String().deserializer(),
        serdes.value(topics.emrEvents()).deserializer());
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

  private static byte[] json(String singleQuoted) {
    return singleQuoted.replace('\'', '"').getBytes(StandardCharsets.UTF_8);
  }

  private static String patient(String id) {
    return "{'resourceType':'Patient','id':'" + id + "','gender':'male','birthDate':'1950-03-04'}";
  }

  private static String condition(String patient, String onset, String code, String status) {
    return "{'resourceType':'Condition','clinicalStatus':{'coding':[{'code':'active'}]},"
        + (status == null ? "" : "'verificationStatus':{'coding':[{'code':'" + status + "'}]},")
        + "'code':{'coding':[{'system':'http://snomed.info/sct','code':'" + code + "'}]},"
        + "'subject':{'reference':'urn:uuid:" + patient + "'},'onsetDateTime':'" + onset + "'}";
  }

  private static String entry(String resource) {
    return "{'resource':" + resource + "}";
  }

  private static String bundle(String... resources) {
    return "{'resourceType':'Bundle','type':'collection','entry':["
        + String.join(",", java.util.Arrays.stream(resources).map(FhirTopologyTest::entry).toList()) + "]}";
  }

  private static double p(RiskScore s, String outcome) {
    return s.getOutcomes().stream().filter(o -> o.getOutcome().equals(outcome)).findFirst().orElseThrow()
        .getProbability();
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

  private PatientHistory history(String patient) {
    return HistoryProcessor.history(driver.getKeyValueStore(HistoryProcessor.STORE),
        driver.getKeyValueStore(HistoryProcessor.EVENTS_STORE), patient);
  }

  @Test
  void shouldNormalizeABundleIntoEventsKeyedByPatientAndScoreItOncePerPatient() {
    start();
    // two patients in one Bundle (one transaction), keyed by something that is not a patient id
    fhir.pipeInput(json("{'bundle':'b-1'}"), json(bundle(patient(P1), condition(P1, "2020-01-01", "150", null),
        condition(P1, "2020-02-01", "120", null), patient(P2), condition(P2, "2020-03-01", "110", null))), 1000L);
    List<KeyValue<String, EmrEvent>> events = emr.readKeyValuesToList();
    assertThat(events).extracting(kv -> kv.key).containsExactly(P1, P1, P1, P2, P2);
    assertThat(events).allSatisfy(kv -> {
      assertThat(kv.value.getPatientId()).isEqualTo(kv.key);
      assertThat(kv.value.getSource().getSystem()).isEqualTo("fhir");
      assertThat(kv.value.getSource().getTopic()).isEqualTo(FHIR_TOPIC);
      assertThat(kv.value.getSource().getOffset()).isEqualTo(0L);
      assertThat(kv.value.getSource().getTxId()).isEqualTo("fhir:" + FHIR_TOPIC + "-0@0");
    });
    assertThat(events.get(0).value.getKind()).isEqualTo(EventKind.DEMOGRAPHICS);
    assertThat(events.get(1).value.getEventId()).startsWith("conditions:");
    assertThat(scores.isEmpty()).isTrue(); // the Bundle's transaction is still open

    // the next record closes both patients' transactions once stream time passes linger: one score per patient
    fhir.pipeInput(json("{'k':2}"), json(condition(P1, "2020-04-01", "110", null)), 5000L);
    List<RiskScore> s = scores.readValuesToList();
    assertThat(s).extracting(RiskScore::getPatientId).containsExactlyInAnyOrder(P1, P2);
    RiskScore first = s.stream().filter(r -> r.getPatientId().equals(P1)).findFirst().orElseThrow();
    assertThat(first.getProvenance().getEventCount()).isEqualTo(3);
    assertThat(first.getProvenance().getTriggerTxId()).isEqualTo("fhir:" + FHIR_TOPIC + "-0@0");
    assertThat(first.getAsOf()).isEqualTo(Instant.parse("2020-02-01T00:00:00Z"));
    assertThat(p(first, "a")).isCloseTo(0.7, org.assertj.core.data.Offset.offset(1e-6));
    assertThat(dlq.isEmpty()).isTrue();
  }

  @Test
  void shouldDeleteAnEnteredInErrorResourceFromTheHistory() {
    start();
    fhir.pipeInput(json("{}"), json(bundle(patient(P1), condition(P1, "2020-01-01", "150", null))), 1000L);
    fhir.pipeInput(json("{}"), json(condition(P1, "2020-01-01", "150", "entered-in-error")), 5000L);
    fhir.pipeInput(json("{}"), json(condition(P2, "2020-01-01", "101", null)), 9000L);
    List<EmrEvent> events = emr.readValuesToList();
    assertThat(events.get(2).getOp()).isEqualTo(EventOp.DELETE);
    assertThat(events.get(2).getEventId()).isEqualTo(events.get(1).getEventId());
    assertThat(history(P1).events()).extracting(EmrEvent::getKind).containsExactly(EventKind.DEMOGRAPHICS);
    List<RiskScore> p1 = scores.readValuesToList().stream().filter(s -> s.getPatientId().equals(P1)).toList();
    assertThat(p1).extracting(s -> s.getProvenance().getEventCount()).containsExactly(2, 1);
    assertThat(p1.get(1).getProvenance().getNewestEventIds()).doesNotContain(events.get(1).getEventId());
  }

  @Test
  void shouldDeadLetterBadResourcesWithTheNormalizersReasonAndCountThem() {
    start(RiskStreamConfig.FHIR_MAX_RECORD_BYTES_CONFIG, "2048");
    byte[] key = json("{'id':'k'}");
    fhir.pipeInput(key, json("{oops"), 1L);
    fhir.pipeInput(key, json("{'resourceType':'Claim','id':'c'}"), 2L);
    fhir.pipeInput(key, json("{'resourceType':'Condition','subject':{'reference':'Patient/" + P1 + "'}}"), 3L);
    fhir.pipeInput(key, json(condition(P1, "yesterday", "150", null)), 4L);
    fhir.pipeInput(key, json("{'resourceType':'Patient','id':'" + P1 + "','gender':'male','birthDate':'1950-01-01',"
        + "'note':'" + "x".repeat(3000) + "'}"), 5L);
    fhir.pipeInput(key, new byte[] {(byte) 0xC3, (byte) 0x28}, 6L);
    fhir.pipeInput(key, null, 7L); // tombstone: skipped, counted
    // a Bundle with one bad entry: the good entries still become events, the bad one is dead-lettered
    byte[] mixed = json(bundle(patient(P2), condition(P2, "not-a-date", "150", null)));
    fhir.pipeInput(key, mixed, 8L);

    List<KeyValue<byte[], DeadLetter>> dead = dlq.readKeyValuesToList();
    assertThat(dead).extracting(kv -> kv.value.getReason()).containsExactly("MALFORMED_JSON", "UNSUPPORTED_RESOURCE",
        "MISSING_FIELD", "UNPARSEABLE_TIME", "OVERSIZED_RECORD", "MALFORMED_JSON", "UNPARSEABLE_TIME");
    assertThat(dead).allSatisfy(kv -> {
      assertThat(new String(kv.key, StandardCharsets.UTF_8)).isEqualTo("{\"id\":\"k\"}");
      assertThat(kv.value.getSourceTopic()).isEqualTo(FHIR_TOPIC);
      assertThat(kv.value.getMessage()).doesNotContain(P1).doesNotContain(P2);
    });
    assertThat(dead).extracting(kv -> kv.value.getSourceOffset()).containsExactly(0L, 1L, 2L, 3L, 4L, 5L, 7L);
    // the oversized record's value is kept (it is under DeadLetters.MAX_ORIGINAL_BYTES), with its size
    assertThat(dead.get(4).value.getOriginalValueBytes()).isEqualTo(dead.get(4).value.getOriginalValue().remaining());
    assertThat(dead.get(4).value.getOriginalValueTruncated()).isFalse();
    assertThat(dead).allSatisfy(kv -> assertThat(kv.value.getStage()).isEqualTo(DeadLetterStage.NORMALIZE));
    assertThat(dead.get(6).value.getMessage()).contains("Bundle.entry[1]").contains("Condition");
    assertThat(dead.get(6).value.getOriginalValue()).isEqualTo(java.nio.ByteBuffer.wrap(mixed));
    assertThat(emr.readValuesToList()).extracting(EmrEvent::getPatientId).containsExactly(P2);

    assertThat(metricTotal(DeadLetters.metricOperation(DeadLetterReason.MALFORMED_JSON) + "-total")).isEqualTo(2.0);
    assertThat(metricTotal(DeadLetters.metricOperation(DeadLetterReason.UNPARSEABLE_TIME) + "-total")).isEqualTo(2.0);
    assertThat(metricTotal(DeadLetters.metricOperation(DeadLetterReason.UNSUPPORTED_RESOURCE) + "-total")).isEqualTo(1.0);
    assertThat(metricTotal(DeadLetters.metricOperation(DeadLetterReason.OVERSIZED_RECORD) + "-total")).isEqualTo(1.0);
    assertThat(metricTotal("fhir-tombstone-skipped-total")).isEqualTo(1.0);
  }

  @Test
  void shouldFeedFhirAndCdcEventsOfOnePatientIntoOneHistory() {
    start();
    fhir.pipeInput(json("{}"), json(bundle(patient(P1), condition(P1, "2020-01-01", "150", null))), 1000L);
    cdc.pipeInput(Cdc.key("c9"), Cdc.change("conditions", "c", Cdc.condition("c9", P1, "2021-01-01T00:00:00Z", "110"),
        77, 1), 1100L);
    fhir.pipeInput(json("{}"), json(condition(P2, "2020-01-01", "101", null)), 9000L); // closes transaction 77
    assertThat(history(P1).events()).extracting(e -> e.getSource().getSystem())
        .containsExactly("fhir", "fhir", "postgres:ehr");
  }

  @Test
  void shouldLeaveFhirOutOfTheTopologyUnlessEnabled() {
    RiskStreamConfig off = config(RiskStreamConfig.FHIR_ENABLED_CONFIG, "false");
    TopologyDescription d = RiskTopology.build(new StreamsBuilder(), off, AvroSerdes.withClient(new InMemorySchemaRegistry()),
        new CodeTokenTestEncoder(), TokenSumTestScorer.synchronousBackend()).describe();
    assertThat(d.subtopologies()).hasSize(2);
    assertThat(d.toString()).doesNotContain(RiskTopology.FHIR_SOURCE).doesNotContain(FHIR_TOPIC);
    RiskStreamConfig on = config();
    TopologyDescription withFhir = RiskTopology.build(new StreamsBuilder(), on, AvroSerdes.withClient(new InMemorySchemaRegistry()),
        new CodeTokenTestEncoder(), TokenSumTestScorer.synchronousBackend()).describe();
    assertThat(withFhir.subtopologies()).hasSize(3);
    assertThat(withFhir.toString()).contains(RiskTopology.FHIR_SOURCE + " (topics: [" + FHIR_TOPIC + "])");
  }
}
