package io.riskstream.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.riskstream.schemas.DeadLetter;
import io.riskstream.schemas.DeadLetterReason;
import io.riskstream.schemas.DeadLetterStage;
import io.riskstream.schemas.EmrEvent;
import io.riskstream.schemas.EventOp;
import io.riskstream.schemas.RiskAlert;
import io.riskstream.schemas.RiskScore;
import io.riskstream.topology.HostileFeed.Kind;
import io.riskstream.topology.HostileFeed.Step;
import io.riskstream.topology.config.RiskStreamConfig;
import io.riskstream.topology.config.Topics;
import io.riskstream.topology.serde.AvroSerdes;
import io.riskstream.topology.serde.InMemorySchemaRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The hostile-input generator through the whole topology (TopologyTestDriver), Debezium and FHIR input together: a
 * set of valid patients' change events and FHIR records runs once clean and once with the generator's records
 * interleaved in the same partitions (hostile ones anywhere, copies right after their original, records at the
 * bounds anywhere). No exception may escape; every hostile record gives exactly one dead letter with its reason and
 * coordinates; the valid patients' scores and alerts are those of the clean run. Copies (duplicates, schema additions,
 * parser limits) reach the trigger: a Debezium copy joins its original's transaction, so its offset is in that score's
 * provenance and nothing else changes; a FHIR copy is a transaction of its own that changes no history, so no score.
 */
class HostileInputTopologyTest {

  private static final String CDC_TOPIC = "ehr.clinical.changes";
  private static final String FHIR_TOPIC = "fhir.resources";
  private static final int CDC_LIMIT = 64 * 1024;
  private static final int FHIR_LIMIT = 128 * 1024;
  private static final int MAX_OFFSETS = 5;

  @TempDir
  Path stateDir;

  /** What a run produced, and at which offset each step was read. */
  private record Run(List<RiskScore> scores, List<RiskAlert> alerts, List<TestRecord<String, EmrEvent>> events,
      List<KeyValue<byte[], DeadLetter>> dead, Map<Step, Long> offsets, Map<DeadLetterReason, Double> counts) {
  }

  // ---- a run -------------------------------------------------------------------------------------------------------

  private Run run(List<Step> feed, String dir) throws Exception {
    Map<String, Object> props = new HashMap<>();
    props.put(RiskStreamConfig.SOURCE_TOPICS_CONFIG, CDC_TOPIC);
    props.put(RiskStreamConfig.FHIR_ENABLED_CONFIG, "true");
    props.put(RiskStreamConfig.FHIR_TOPIC_CONFIG, FHIR_TOPIC);
    props.put(RiskStreamConfig.STATE_DIR_CONFIG, Files.createDirectories(stateDir.resolve(dir)).toString());
    props.put(RiskStreamConfig.TRIGGER_LINGER_MS_CONFIG, "1000");
    props.put(RiskStreamConfig.TRIGGER_IDLE_FLUSH_MS_CONFIG, "0");
    props.put(RiskStreamConfig.TRIGGER_MAX_OFFSETS_CONFIG, String.valueOf(MAX_OFFSETS));
    props.put(RiskStreamConfig.ALERT_WARNING_THRESHOLD_CONFIG, "0.3");
    props.put(RiskStreamConfig.ALERT_CRITICAL_THRESHOLD_CONFIG, "0.6");
    props.put(RiskStreamConfig.SOURCE_MAX_RECORD_BYTES_CONFIG, String.valueOf(CDC_LIMIT));
    props.put(RiskStreamConfig.FHIR_MAX_RECORD_BYTES_CONFIG, String.valueOf(FHIR_LIMIT));
    RiskStreamConfig config = new RiskStreamConfig(props);
    AvroSerdes serdes = AvroSerdes.withClient(new InMemorySchemaRegistry());
    try (TopologyTestDriver driver = new TopologyTestDriver(RiskTopology.build(new StreamsBuilder(), config, serdes,
        new CodeTokenTestEncoder(), TokenSumTestScorer.synchronousBackend()), config.streamsProperties(),
        Instant.parse("2026-01-01T00:00:00Z"))) {
      Map<String, TestInputTopic<byte[], byte[]>> in = Map.of(
          CDC_TOPIC, driver.createInputTopic(CDC_TOPIC, Serdes.ByteArray().serializer(), Serdes.ByteArray().serializer()),
          FHIR_TOPIC, driver.createInputTopic(FHIR_TOPIC, Serdes.ByteArray().serializer(), Serdes.ByteArray().serializer()));
      Topics topics = config.topics();
      TestOutputTopic<String, RiskScore> scores = driver.createOutputTopic(topics.riskScores().name(),
          Serdes.String().deserializer(), serdes.value(topics.riskScores()).deserializer());
      TestOutputTopic<String, RiskAlert> alerts = driver.createOutputTopic(topics.riskAlerts().name(),
          Serdes.String().deserializer(), serdes.value(topics.riskAlerts()).deserializer());
      TestOutputTopic<String, EmrEvent> emr = driver.createOutputTopic(topics.emrEvents().name(),
          Serdes.String().deserializer(), serdes.value(topics.emrEvents()).deserializer());
      TestOutputTopic<byte[], DeadLetter> dlq = driver.createOutputTopic(topics.deadLetters().name(),
          Serdes.ByteArray().deserializer(), serdes.value(topics.deadLetters()).deserializer());
      Map<Step, Long> offsets = new java.util.IdentityHashMap<>();
      Map<String, Long> next = new HashMap<>();
      for (Step s : feed) {
        // pipeInput processes the record through every sub-topology: an exception would escape here
        in.get(s.input().topic()).pipeInput(s.input().key(), s.input().value(), s.timestamp());
        offsets.put(s, next.merge(s.input().topic(), 1L, Long::sum) - 1);
      }
      Map<DeadLetterReason, Double> counts = new EnumMap<>(DeadLetterReason.class);
      for (DeadLetterReason r : DeadLetterReason.values()) {
        double total = 0;
        for (Map.Entry<MetricName, ? extends Metric> e : driver.metrics().entrySet()) {
          if (e.getKey().name().equals(DeadLetters.metricOperation(r) + "-total")) {
            total += ((Number) e.getValue().metricValue()).doubleValue();
          }
        }
        if (total != 0) {
          counts.put(r, total);
        }
      }
      return new Run(scores.readValuesToList(), alerts.readValuesToList(), emr.readRecordsToList(),
          dlq.readKeyValuesToList(), offsets, counts);
    }
  }

  // ---- the test ----------------------------------------------------------------------------------------------------

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {1, 2, 3})
  void shouldDeadLetterEveryHostileRecordOnceAndLeaveTheValidPatientsScoresAndAlertsAsTheyWere(long seed)
      throws Exception {
    List<Step> valid = HostileFeed.sorted(HostileFeed.validCdc(CDC_TOPIC, 10_000, true),
        HostileFeed.validFhir(FHIR_TOPIC, 10_100));
    Run clean = run(valid, "clean");
    assertThat(clean.dead()).isEmpty();
    assertThat(clean.scores()).hasSizeGreaterThan(15);
    assertThat(clean.alerts()).isNotEmpty();
    assertThat(clean.scores()).extracting(RiskScore::getPatientId).contains("cdc-p0", "cdc-p3", "fhir-p0", "fhir-p2");

    List<Step> feed = HostileFeed.interleaved(valid, CDC_TOPIC, CDC_LIMIT, FHIR_TOPIC, FHIR_LIMIT, seed);
    Run hostile = run(feed, "hostile");

    // one dead letter per hostile record, in feed order, with its reason, coordinates and original bytes
    List<Step> hostileSteps = feed.stream().filter(s -> s.kind() == Kind.HOSTILE).toList();
    assertThat(hostile.dead()).hasSize(hostileSteps.size());
    Map<DeadLetterReason, Double> expectedCounts = new EnumMap<>(DeadLetterReason.class);
    for (int i = 0; i < hostileSteps.size(); i++) {
      Step s = hostileSteps.get(i);
      DeadLetter d = hostile.dead().get(i).value;
      String what = s.hostile() + " (dead letter: " + d.getReasonCode() + " " + d.getMessage() + ")";
      assertThat(d.getReasonCode()).as(what).isEqualTo(s.hostile().expected());
      assertThat(d.getStage()).as(what).isEqualTo(DeadLetterStage.NORMALIZE);
      assertThat(d.getSourceTopic()).as(what).isEqualTo(s.input().topic());
      assertThat(d.getSourcePartition()).as(what).isZero();
      assertThat(d.getSourceOffset()).as(what).isEqualTo(hostile.offsets().get(s));
      assertThat(d.getOriginalValue()).as(what).isEqualTo(HostileFeed.cut(s.input().value()));
      assertThat(hostile.dead().get(i).key).as(what).isEqualTo(s.input().key() == null ? null
          : Arrays.copyOf(s.input().key(), Math.min(s.input().key().length, DeadLetters.MAX_ORIGINAL_BYTES)));
      for (String secret : s.hostile().secrets()) {
        assertThat(d.getMessage()).as(what).doesNotContain(secret);
      }
      expectedCounts.merge(s.hostile().expected(), 1.0, Double::sum);
    }
    assertThat(hostile.counts()).isEqualTo(expectedCounts);

    // offsets of the hostile run as the clean run read them (a copy: its original's)
    Map<String, Long> toClean = new HashMap<>();
    for (Step s : feed) {
      if (s.kind() == Kind.VALID) {
        toClean.put(s.input().topic() + "@" + hostile.offsets().get(s), clean.offsets().get(s));
      } else if (s.kind() == Kind.COPY) {
        toClean.put(s.input().topic() + "@" + hostile.offsets().get(s), clean.offsets().get(s.ref()));
      }
    }

    // events: the valid records' as in the clean run; a copy's as its original's; records at the bounds: DELETEs
    Map<String, List<EmrEvent>> eventsByCleanOffset = new HashMap<>();
    for (TestRecord<String, EmrEvent> r : clean.events()) {
      eventsByCleanOffset.computeIfAbsent(r.value().getSource().getTopic() + "@" + r.value().getSource().getOffset(),
          k -> new ArrayList<>()).add(r.value());
    }
    List<EmrEvent> validEvents = new ArrayList<>();
    int copies = 0;
    int atBound = 0;
    for (TestRecord<String, EmrEvent> r : hostile.events()) {
      EmrEvent e = r.value();
      Step step = stepAt(feed, hostile, e.getSource().getTopic(), e.getSource().getOffset());
      switch (step.kind()) {
        case VALID -> validEvents.add(HostileFeed.translate(e, toClean, FHIR_TOPIC));
        case COPY -> {
          copies++;
          assertThat(eventsByCleanOffset.get(step.input().topic() + "@" + clean.offsets().get(step.ref())))
              .as(step.accepted().toString()).contains(HostileFeed.translate(e, toClean, FHIR_TOPIC));
        }
        case AT_BOUND -> {
          atBound++;
          assertThat(e.getOp()).isEqualTo(EventOp.DELETE);
          assertThat(e.getPatientId()).startsWith("hostile-");
        }
        default -> throw new AssertionError("an event from a hostile record: " + step.hostile());
      }
    }
    assertThat(validEvents).isEqualTo(clean.events().stream().map(TestRecord::value).toList());
    assertThat(copies).isEqualTo(feed.stream().filter(s -> s.kind() == Kind.COPY)
        .mapToInt(s -> eventsByCleanOffset.get(s.input().topic() + "@" + clean.offsets().get(s.ref())).size()).sum());
    assertThat(atBound).isEqualTo(feed.stream().filter(s -> s.kind() == Kind.AT_BOUND)
        .mapToInt(s -> s.accepted().events()).sum());

    // scores and alerts: per patient those of the clean run; a Debezium copy's offset joins its transaction's
    Map<Long, Integer> cdcCopies = new HashMap<>();
    feed.stream().filter(s -> s.kind() == Kind.COPY && s.input().topic().equals(CDC_TOPIC))
        .forEach(s -> cdcCopies.merge(clean.offsets().get(s.ref()), 1, Integer::sum));
    Map<String, List<Object>> expected = perPatient(clean.scores().stream()
        .map(s -> HostileFeed.withCopies(s, cdcCopies, CDC_TOPIC, MAX_OFFSETS)).toList(), clean.alerts());
    Map<String, List<Object>> actual = perPatient(hostile.scores().stream()
        .map(s -> HostileFeed.translate(s, toClean, FHIR_TOPIC)).toList(), hostile.alerts());
    assertThat(actual.keySet()).isEqualTo(expected.keySet());
    for (String patient : expected.keySet()) {
      assertThat(actual.get(patient)).as(patient).isEqualTo(expected.get(patient));
    }
  }

  private static Step stepAt(List<Step> feed, Run run, String topic, long offset) {
    for (Step s : feed) {
      if (s.input().topic().equals(topic) && run.offsets().get(s) == offset) {
        return s;
      }
    }
    throw new AssertionError("no record at " + topic + "@" + offset);
  }

  private static Map<String, List<Object>> perPatient(List<RiskScore> scores, List<RiskAlert> alerts) {
    Map<String, List<Object>> out = new TreeMap<>();
    scores.forEach(s -> out.computeIfAbsent("score/" + s.getPatientId(), k -> new ArrayList<>()).add(s));
    alerts.forEach(a -> out.computeIfAbsent("alert/" + a.getPatientId(), k -> new ArrayList<>()).add(a));
    return out;
  }
}
