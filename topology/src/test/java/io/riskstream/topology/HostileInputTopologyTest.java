package io.riskstream.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.riskstream.connectors.debezium.Cdc;
import io.riskstream.connectors.hostile.HostileInputs;
import io.riskstream.connectors.hostile.HostileInputs.Accepted;
import io.riskstream.connectors.hostile.HostileInputs.Hostile;
import io.riskstream.connectors.hostile.HostileInputs.Input;
import io.riskstream.schemas.DeadLetter;
import io.riskstream.schemas.DeadLetterReason;
import io.riskstream.schemas.DeadLetterStage;
import io.riskstream.schemas.EmrEvent;
import io.riskstream.schemas.EventOp;
import io.riskstream.schemas.RiskAlert;
import io.riskstream.schemas.RiskScore;
import io.riskstream.schemas.SourceOffset;
import io.riskstream.topology.config.RiskStreamConfig;
import io.riskstream.topology.config.Topics;
import io.riskstream.topology.serde.AvroSerdes;
import io.riskstream.topology.serde.InMemorySchemaRegistry;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
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

  /** What a step of the feed is. */
  private enum Kind { VALID, HOSTILE, COPY, AT_BOUND }

  /** One record to pipe; {@code ref}: the valid step a copy repeats. */
  private record Step(Kind kind, Input input, long timestamp, Hostile hostile, Accepted accepted, Step ref) {
  }

  /** What a run produced, and at which offset each step was read. */
  private record Run(List<RiskScore> scores, List<RiskAlert> alerts, List<TestRecord<String, EmrEvent>> events,
      List<KeyValue<byte[], DeadLetter>> dead, Map<Step, Long> offsets, Map<DeadLetterReason, Double> counts) {
  }

  // ---- the valid feed --------------------------------------------------------------------------------------------

  /** Four CDC patients: a patient row each, then encounters as transactions of four rows; all with a txId. */
  private static List<Step> validCdc() {
    List<Step> steps = new ArrayList<>();
    long ts = 10_000;
    long lsn = 1;
    for (int p = 0; p < 4; p++) {
      steps.add(cdc(Cdc.change("patients", "c", Cdc.patient("cdc-p" + p, "196" + p + "-02-03", p % 2 == 0 ? "male"
          : "female"), 100 + p, lsn++), ts));
      ts += 300;
    }
    for (int i = 0; i < 14; i++) {
      String patient = "cdc-p" + (i % 4);
      int tx = 200 + i;
      String day = java.time.LocalDate.parse("2020-01-01").plusDays(i * 20L) + "T08:00:00.000000Z";
      steps.add(cdc(Cdc.change("encounters", "c", Cdc.row("id", "cdc-e" + i, "patient_id", patient, "start_time", day,
          "stop_time", null, "encounter_class", "ambulatory", "code_system", "SNOMED-CT", "code", "185349003",
          "description", "Encounter for check up", "reason_code", null), tx, lsn++), ts));
      steps.add(cdc(Cdc.change("conditions", "c", Cdc.condition("cdc-c" + i, patient, day,
          String.valueOf(100 + (i * 13) % 70)), tx, lsn++), ts));
      steps.add(cdc(Cdc.change("observations", "c", Cdc.observation("cdc-o" + i, patient, day, "4548-4",
          5.0 + i / 10.0, "%"), tx, lsn++), ts));
      steps.add(cdc(Cdc.change("conditions", "c", Cdc.condition("cdc-d" + i, patient, day,
          String.valueOf(120 + (i * 7) % 50)), tx, lsn++), ts));
      ts += 300;
    }
    // an update and a delete, each a transaction of its own
    steps.add(cdc(Cdc.change("conditions", "u", Cdc.condition("cdc-c1", "cdc-p1", "2020-01-21T08:00:00Z", "199"), 300,
        lsn++), ts));
    ts += 300;
    steps.add(cdc(Cdc.change("conditions", "d", Cdc.row("id", "cdc-d2", "patient_id", "cdc-p2"), 301, lsn++), ts));
    ts += 300;
    steps.add(cdc(Cdc.change("conditions", "c", Cdc.condition("cdc-last", "cdc-p3", "2022-01-01T00:00:00Z", "101"),
        302, lsn), ts + 5000));
    return steps;
  }

  private static Step cdc(byte[] value, long ts) {
    return new Step(Kind.VALID, new Input(CDC_TOPIC, Cdc.key("k" + ts), value), ts, null, null, null);
  }

  /** Three FHIR patients: a Bundle each, then single Conditions; each record is a transaction. */
  private static List<Step> validFhir() {
    List<Step> steps = new ArrayList<>();
    long ts = 10_100;
    for (int p = 0; p < 3; p++) {
      String id = "fhir-p" + p;
      String enc = "fhir-e" + p;
      String bundle = "{'resourceType':'Bundle','type':'collection','entry':["
          + "{'fullUrl':'urn:uuid:" + id + "','resource':{'resourceType':'Patient','id':'" + id + "','gender':'female',"
          + "'birthDate':'1955-0" + (p + 1) + "-01'}},"
          + "{'resource':{'resourceType':'Encounter','id':'" + enc + "','status':'finished','class':{'code':'AMB'},"
          + "'type':[{'coding':[{'system':'http://snomed.info/sct','code':'185349003'}]}],"
          + "'subject':{'reference':'urn:uuid:" + id + "'},'period':{'start':'2020-02-0" + (p + 1) + "T10:00:00Z'}}},"
          + condition(id, enc, "2020-02-0" + (p + 1), String.valueOf(140 + p * 5)) + ","
          + condition(id, enc, "2020-02-0" + (p + 1), "160") + ","
          + "{'resource':{'resourceType':'Observation','status':'final','code':{'coding':[{'code':'4548-4'}]},"
          + "'subject':{'reference':'urn:uuid:" + id + "'},'effectiveDateTime':'2020-02-0" + (p + 1) + "T10:05:00Z',"
          + "'valueQuantity':{'value':6." + p + ",'unit':'%'}}},"
          + "{'resource':{'resourceType':'Claim','id':'claim-" + p + "'}}]}";
      steps.add(fhir(bundle, ts));
      ts += 700;
    }
    for (int k = 0; k < 6; k++) {
      String id = "fhir-p" + (k % 3);
      String resource = condition(id, null, "2021-0" + (k + 1) + "-15", String.valueOf(110 + k * 9));
      steps.add(fhir(resource.substring("{'resource':".length(), resource.length() - 1), ts));
      ts += 700;
    }
    return steps;
  }

  private static String condition(String patient, String encounter, String onset, String code) {
    return "{'resource':{'resourceType':'Condition','code':{'coding':[{'system':'http://snomed.info/sct','code':'"
        + code + "'}]},'subject':{'reference':'urn:uuid:" + patient + "'},"
        + (encounter == null ? "" : "'encounter':{'reference':'urn:uuid:" + encounter + "'},")
        + "'onsetDateTime':'" + onset + "'}}";
  }

  private static Step fhir(String singleQuoted, long ts) {
    return new Step(Kind.VALID, new Input(FHIR_TOPIC, ("{\"ts\":" + ts + "}").getBytes(StandardCharsets.UTF_8),
        singleQuoted.replace('\'', '"').getBytes(StandardCharsets.UTF_8)), ts, null, null, null);
  }

  /** Valid steps of both inputs, in timestamp order. */
  private static List<Step> validFeed() {
    List<Step> all = new ArrayList<>(validCdc());
    all.addAll(validFhir());
    all.sort(java.util.Comparator.comparingLong(Step::timestamp));
    return all;
  }

  /** The valid feed with the generator's records of both inputs interleaved (picked by the seed). */
  private static List<Step> hostileFeed(long seed, List<Step> valid) {
    List<Step> cdcValid = valid.stream().filter(s -> s.input().topic().equals(CDC_TOPIC)).toList();
    List<Step> fhirValid = valid.stream().filter(s -> s.input().topic().equals(FHIR_TOPIC)).toList();
    HostileInputs cdc = HostileInputs.debezium(seed, CDC_TOPIC, CDC_LIMIT, cdcValid.stream().map(Step::input).toList());
    HostileInputs fhir = HostileInputs.fhir(seed, FHIR_TOPIC, FHIR_LIMIT, fhirValid.stream().map(Step::input).toList());
    Random random = new Random(seed);
    // copies right after their original; everything else at a random place
    Map<Step, List<Step>> after = new HashMap<>();
    List<List<Step>> before = new ArrayList<>();
    for (int i = 0; i <= valid.size(); i++) {
      before.add(new ArrayList<>());
    }
    for (HostileInputs inputs : List.of(cdc, fhir)) {
      List<Step> originals = inputs == cdc ? cdcValid : fhirValid;
      for (Hostile h : inputs.hostile()) {
        before.get(random.nextInt(valid.size() + 1)).add(new Step(Kind.HOSTILE, h.input(), 0, h, null, null));
      }
      for (Accepted a : inputs.accepted()) {
        if (a.copyOf() >= 0) {
          Step original = originals.get(a.copyOf());
          after.computeIfAbsent(original, k -> new ArrayList<>())
              .add(new Step(Kind.COPY, a.input(), original.timestamp(), null, a, original));
        } else {
          before.get(random.nextInt(valid.size() + 1)).add(new Step(Kind.AT_BOUND, a.input(), 0, null, a, null));
        }
      }
    }
    List<Step> feed = new ArrayList<>();
    long ts = valid.get(0).timestamp();
    for (int i = 0; i <= valid.size(); i++) {
      for (Step s : before.get(i)) {
        // a timestamp no later than stream time: it must not advance the trigger's punctuation
        feed.add(new Step(s.kind(), s.input(), ts, s.hostile(), s.accepted(), s.ref()));
      }
      if (i < valid.size()) {
        Step v = valid.get(i);
        feed.add(v);
        ts = v.timestamp();
        feed.addAll(after.getOrDefault(v, List.of()));
      }
    }
    return feed;
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
    List<Step> valid = validFeed();
    Run clean = run(valid, "clean");
    assertThat(clean.dead()).isEmpty();
    assertThat(clean.scores()).hasSizeGreaterThan(15);
    assertThat(clean.alerts()).isNotEmpty();
    assertThat(clean.scores()).extracting(RiskScore::getPatientId).contains("cdc-p0", "cdc-p3", "fhir-p0", "fhir-p2");

    List<Step> feed = hostileFeed(seed, valid);
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
      assertThat(d.getOriginalValue()).as(what).isEqualTo(cut(s.input().value()));
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
        case VALID -> validEvents.add(translate(e, toClean));
        case COPY -> {
          copies++;
          assertThat(eventsByCleanOffset.get(step.input().topic() + "@" + clean.offsets().get(step.ref())))
              .as(step.accepted().toString()).contains(translate(e, toClean));
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
    Map<String, List<Object>> expected = perPatient(clean.scores().stream().map(s -> withCopies(s, cdcCopies)).toList(),
        clean.alerts());
    Map<String, List<Object>> actual = perPatient(hostile.scores().stream().map(s -> translate(s, toClean)).toList(),
        hostile.alerts());
    assertThat(actual.keySet()).isEqualTo(expected.keySet());
    for (String patient : expected.keySet()) {
      assertThat(actual.get(patient)).as(patient).isEqualTo(expected.get(patient));
    }
  }

  private static ByteBuffer cut(byte[] value) {
    return value == null ? null
        : ByteBuffer.wrap(Arrays.copyOf(value, Math.min(value.length, DeadLetters.MAX_ORIGINAL_BYTES)));
  }

  private static Step stepAt(List<Step> feed, Run run, String topic, long offset) {
    for (Step s : feed) {
      if (s.input().topic().equals(topic) && run.offsets().get(s) == offset) {
        return s;
      }
    }
    throw new AssertionError("no record at " + topic + "@" + offset);
  }

  private static long clean(Map<String, Long> toClean, String topic, long offset) {
    Long c = toClean.get(topic + "@" + offset);
    if (c == null) {
      throw new AssertionError("provenance names " + topic + "@" + offset + ", which is not a valid record or a copy");
    }
    return c;
  }

  /** The FHIR transaction id of the record at a clean offset. */
  private static String txId(String txId, Map<String, Long> toClean) {
    String prefix = "fhir:" + FHIR_TOPIC + "-0@";
    if (txId == null || !txId.startsWith(prefix)) {
      return txId;
    }
    return prefix + clean(toClean, FHIR_TOPIC, Long.parseLong(txId.substring(prefix.length())));
  }

  private static EmrEvent translate(EmrEvent e, Map<String, Long> toClean) {
    return EmrEvent.newBuilder(e).setSource(io.riskstream.schemas.SourceCoordinates.newBuilder(e.getSource())
        .setOffset(clean(toClean, e.getSource().getTopic(), e.getSource().getOffset()))
        .setTxId(txId(e.getSource().getTxId(), toClean)).build()).build();
  }

  private static RiskScore translate(RiskScore s, Map<String, Long> toClean) {
    RiskScore out = RiskScore.newBuilder(s).build();
    out.getProvenance().setTriggerTxId(txId(s.getProvenance().getTriggerTxId(), toClean));
    out.getProvenance().setSourceOffsets(s.getProvenance().getSourceOffsets().stream()
        .map(o -> new SourceOffset(o.getTopic(), o.getPartition(), clean(toClean, o.getTopic(), o.getOffset())))
        .toList());
    return out;
  }

  /** A clean score as it reads with Debezium copies in its transaction: each copied offset repeated. */
  private static RiskScore withCopies(RiskScore s, Map<Long, Integer> cdcCopies) {
    List<SourceOffset> expanded = new ArrayList<>();
    for (SourceOffset o : s.getProvenance().getSourceOffsets()) {
      int times = 1 + (o.getTopic().equals(CDC_TOPIC) ? cdcCopies.getOrDefault(o.getOffset(), 0) : 0);
      for (int i = 0; i < times; i++) {
        expanded.add(o);
      }
    }
    RiskScore out = RiskScore.newBuilder(s).build();
    out.getProvenance().setSourceOffsets(expanded.subList(0, Math.min(expanded.size(), MAX_OFFSETS)));
    return out;
  }

  private static Map<String, List<Object>> perPatient(List<RiskScore> scores, List<RiskAlert> alerts) {
    Map<String, List<Object>> out = new TreeMap<>();
    scores.forEach(s -> out.computeIfAbsent("score/" + s.getPatientId(), k -> new ArrayList<>()).add(s));
    alerts.forEach(a -> out.computeIfAbsent("alert/" + a.getPatientId(), k -> new ArrayList<>()).add(a));
    return out;
  }
}
