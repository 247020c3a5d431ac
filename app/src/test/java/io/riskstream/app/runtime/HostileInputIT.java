package io.riskstream.app.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.riskstream.app.demo.EmbeddedKafka;
import io.riskstream.connectors.StrictJson;
import io.riskstream.connectors.debezium.Cdc;
import io.riskstream.connectors.hostile.HostileInputs;
import io.riskstream.connectors.hostile.HostileInputs.Input;
import io.riskstream.schemas.DeadLetter;
import io.riskstream.schemas.DeadLetterReason;
import io.riskstream.schemas.DeadLetterStage;
import io.riskstream.schemas.EmrEvent;
import io.riskstream.schemas.EventOp;
import io.riskstream.schemas.RiskAlert;
import io.riskstream.schemas.RiskScore;
import io.riskstream.topology.CodeTokenTestEncoder;
import io.riskstream.topology.HostileFeed;
import io.riskstream.topology.HostileFeed.Kind;
import io.riskstream.topology.HostileFeed.Step;
import io.riskstream.topology.RiskTopology;
import io.riskstream.topology.TokenSumTestScorer;
import io.riskstream.topology.config.RiskStreamConfig;
import io.riskstream.topology.config.Topics;
import io.riskstream.topology.serde.AvroSerdes;
import io.riskstream.topology.serde.InMemorySchemaRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.ThreadMetadata;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The hostile-input generator through a real (embedded KRaft) broker with exactly-once: the app ({@link RiskStreamApp},
 * Debezium and FHIR input, two stream threads, three emr-events partitions) reads a set of valid patients' change
 * events and FHIR records with the generator's records of two seeds interleaved in the same partitions: hostile ones
 * anywhere, copies of valid records right after their original, records with every field at its bound anywhere. The
 * record size limits are above 1 MiB, so the generator's records at and over every parser bound are included (a
 * string of {@link StrictJson#MAX_STRING_CHARS} chars, records of exactly the limit and a few bytes over it, keys of
 * the limit), and the input topics and the producer allow records of up to 4 MiB.
 *
 * <p>The app must stay RUNNING (or REBALANCING) throughout with the stream threads it started with; every hostile
 * record becomes exactly one dead letter (stage NORMALIZE, its reason, its source coordinates, its value cut to 64 KiB,
 * no injected value in the message), counted by the instance as in the DLQ; no hostile record yields an event; and the
 * valid patients' events, scores and alerts equal those of a TopologyTestDriver run of the valid records alone.
 *
 * <p>Transactions close only on input (a patient's next transaction, or the next transaction of the same source
 * partition): the linger is an hour of stream time and the idle flush is off, so neither the interleaving of the CDC
 * and FHIR normalize tasks nor the machine's speed changes which transaction a score covers. The feed ends with one
 * CDC transaction and one FHIR Bundle of "closer" patients, one per emr-events partition, which close every task's
 * last open transaction and stay open themselves (in both runs).
 */
class HostileInputIT {

  private static final String CDC_TOPIC = "ehr.clinical.changes";
  private static final String FHIR_TOPIC = "fhir.resources";
  /** Above 1 MiB + 2 KiB, so that the generator's 1 MiB string variants fit (its room: the limit - 2 KiB). */
  private static final int CDC_LIMIT = (1 << 20) + 8 * 1024;
  /** Above 1 MiB + 4 KiB (the FHIR generator's room: the limit - 4 KiB); another value than CDC_LIMIT. */
  private static final int FHIR_LIMIT = (1 << 20) + 64 * 1024;
  /** The input topics' max.message.bytes and the producer's max.request.size: the largest record is ~1.07 MiB. */
  private static final int MAX_MESSAGE_BYTES = 4 << 20;
  private static final int PARTITIONS = 3;
  private static final int MAX_OFFSETS = 5;
  private static final long[] SEEDS = {20261205L, 7L};
  /** Record timestamps: a fixed past instant (the broker refuses timestamps over an hour ahead). */
  private static final long BASE = System.currentTimeMillis() - Duration.ofDays(1).toMillis();

  @TempDir
  Path dir;

  /** What a run produced, and at which offset of its topic each step was written. */
  private record Run(List<RiskScore> scores, List<RiskAlert> alerts, List<EmrEvent> events, List<DeadLetter> dead,
      Map<Step, Long> offsets) {
  }

  // ---- the valid feed --------------------------------------------------------------------------------------------

  /** The emr-events partition of a patient (the default partitioner over the String key). */
  private static int partitionOf(String patient) {
    return Utils.toPositive(Utils.murmur2(patient.getBytes(StandardCharsets.UTF_8))) % PARTITIONS;
  }

  /** Patient ids {@code prefix<i>}, one on each emr-events partition. */
  private static List<String> closers(String prefix) {
    Map<Integer, String> byPartition = new TreeMap<>();
    for (int i = 0; byPartition.size() < PARTITIONS; i++) {
      byPartition.putIfAbsent(partitionOf(prefix + i), prefix + i);
    }
    return List.copyOf(byPartition.values());
  }

  /**
   * The feed's last records: a CDC transaction of a patient row per emr-events partition, and a FHIR Bundle of a
   * Patient per partition. Each reaches every trigger task and closes its open transactions of that source.
   */
  private static List<Step> closing(long ts) {
    List<Step> steps = new ArrayList<>();
    long lsn = 10_000;
    for (String id : closers("cdc-closer-")) {
      steps.add(new Step(Kind.CLOSER, new Input(CDC_TOPIC, Cdc.key(id), Cdc.change("patients", "c",
          Cdc.patient(id, "1970-01-01", "female"), 999, lsn++)), ts, null, null, null));
    }
    String bundle = "{'resourceType':'Bundle','type':'collection','entry':[" + closers("fhir-closer-").stream()
        .map(id -> HostileFeed.patientEntry(id, "1971-01-01")).collect(Collectors.joining(",")) + "]}";
    steps.add(HostileFeed.fhir(Kind.CLOSER, FHIR_TOPIC, bundle, ts));
    return steps;
  }

  /** The valid feed with the generator's records of both inputs and every seed interleaved, then the closers. */
  private static List<Step> hostileFeed(List<Step> valid, List<Step> closers) {
    List<Step> feed = new ArrayList<>(
        HostileFeed.interleaved(valid, CDC_TOPIC, CDC_LIMIT, FHIR_TOPIC, FHIR_LIMIT, SEEDS));
    feed.addAll(closers);
    return feed;
  }

  // ---- configuration ---------------------------------------------------------------------------------------------

  private Map<String, Object> props(String bootstrap, Path stateDir) throws Exception {
    Map<String, Object> p = new HashMap<>();
    p.put(RiskStreamConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(RiskStreamConfig.APPLICATION_ID_CONFIG, "riskstream-hostile-it");
    p.put(RiskStreamConfig.STATE_DIR_CONFIG, Files.createDirectories(stateDir).toString());
    p.put(RiskStreamConfig.SOURCE_TOPICS_CONFIG, CDC_TOPIC);
    p.put(RiskStreamConfig.FHIR_ENABLED_CONFIG, "true");
    p.put(RiskStreamConfig.FHIR_TOPIC_CONFIG, FHIR_TOPIC);
    p.put(RiskStreamConfig.SOURCE_MAX_RECORD_BYTES_CONFIG, String.valueOf(CDC_LIMIT));
    p.put(RiskStreamConfig.FHIR_MAX_RECORD_BYTES_CONFIG, String.valueOf(FHIR_LIMIT));
    p.put(RiskStreamConfig.TOPIC_PARTITIONS_CONFIG, String.valueOf(PARTITIONS));
    p.put(RiskStreamConfig.NUM_STREAM_THREADS_CONFIG, "2");
    // transactions close on input only (see the class comment)
    p.put(RiskStreamConfig.TRIGGER_LINGER_MS_CONFIG, String.valueOf(Duration.ofHours(1).toMillis()));
    p.put(RiskStreamConfig.TRIGGER_IDLE_FLUSH_MS_CONFIG, "0");
    p.put(RiskStreamConfig.TRIGGER_MAX_OFFSETS_CONFIG, String.valueOf(MAX_OFFSETS));
    p.put(RiskStreamConfig.ALERT_WARNING_THRESHOLD_CONFIG, "0.3");
    p.put(RiskStreamConfig.ALERT_CRITICAL_THRESHOLD_CONFIG, "0.6");
    return p;
  }

  // ---- the reference: the valid records alone on a TopologyTestDriver -------------------------------------------

  private Run cleanRun(List<Step> feed) throws Exception {
    RiskStreamConfig config = new RiskStreamConfig(props("unused:9092", dir.resolve("ttd")));
    AvroSerdes serdes = AvroSerdes.withClient(new InMemorySchemaRegistry());
    try (TopologyTestDriver driver = new TopologyTestDriver(RiskTopology.build(new StreamsBuilder(), config, serdes,
        new CodeTokenTestEncoder(), TokenSumTestScorer.synchronousBackend()), config.streamsProperties(),
        Instant.ofEpochMilli(BASE))) {
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
      Map<Step, Long> offsets = new IdentityHashMap<>();
      Map<String, Long> next = new HashMap<>();
      for (Step s : feed) {
        in.get(s.input().topic()).pipeInput(s.input().key(), s.input().value(), s.timestamp());
        offsets.put(s, next.merge(s.input().topic(), 1L, Long::sum) - 1);
      }
      for (int i = 0; i < 4; i++) { // the score drain's wall-clock punctuation (the idle flush is off)
        driver.advanceWallClockTime(Duration.ofMillis(500));
      }
      return new Run(scores.readValuesToList(), alerts.readValuesToList(),
          emr.readRecordsToList().stream().map(TestRecord::value).toList(), dlq.readValuesToList(), offsets);
    }
  }

  // ---- the test ----------------------------------------------------------------------------------------------------

  @Test
  void shouldDeadLetterEveryHostileRecordOnceThroughARealBrokerWithoutStoppingOrRestartingTheStream()
      throws Exception {
    List<Step> valid = HostileFeed.sorted(HostileFeed.validCdc(CDC_TOPIC, BASE, false),
        HostileFeed.validFhir(FHIR_TOPIC, BASE + 100));
    List<Step> closers = closing(valid.get(valid.size() - 1).timestamp() + 1);
    List<Step> cleanFeed = new ArrayList<>(valid);
    cleanFeed.addAll(closers);
    Run clean = cleanRun(cleanFeed);
    assertThat(clean.dead()).isEmpty();
    assertThat(clean.scores()).hasSizeGreaterThan(15);
    assertThat(clean.alerts()).isNotEmpty();
    assertThat(clean.scores()).extracting(RiskScore::getPatientId).contains("cdc-p0", "cdc-p3", "fhir-p0", "fhir-p2")
        .noneMatch(p -> p.contains("closer"));

    List<Step> feed = hostileFeed(valid, closers);
    List<Step> hostileSteps = feed.stream().filter(s -> s.kind() == Kind.HOSTILE).toList();
    // every hostile category of both generators is in the feed, and so are records at and over each size limit
    for (String topic : List.of(CDC_TOPIC, FHIR_TOPIC)) {
      int limit = topic.equals(CDC_TOPIC) ? CDC_LIMIT : FHIR_LIMIT;
      List<Step> ofTopic = feed.stream().filter(s -> s.input().topic().equals(topic)).toList();
      assertThat(ofTopic).filteredOn(s -> s.kind() == Kind.HOSTILE).extracting(s -> s.hostile().category())
          .containsAll(Arrays.stream(HostileInputs.Category.values()).filter(HostileInputs.Category::hostile).toList());
      assertThat(ofTopic).as("records of exactly the limit, accepted").filteredOn(s -> s.kind() == Kind.COPY)
          .anyMatch(s -> size(s) == limit);
      assertThat(ofTopic).as("records over the limit").filteredOn(s -> s.kind() == Kind.HOSTILE
          && s.hostile().expected() == DeadLetterReason.OVERSIZED_RECORD).hasSize(2 * SEEDS.length)
          .allMatch(s -> size(s) > limit);
      assertThat(ofTopic).as("a string of the parser's bound, accepted").filteredOn(s -> s.kind() == Kind.COPY)
          .anyMatch(s -> s.input().value().length > StrictJson.MAX_STRING_CHARS && size(s) < limit);
      assertThat(ofTopic).as("a string over the parser's bound").filteredOn(s -> s.kind() == Kind.HOSTILE
          && s.hostile().category() == HostileInputs.Category.HUGE_STRING)
          .anyMatch(s -> s.input().value().length > StrictJson.MAX_STRING_CHARS + 1 && size(s) <= limit);
    }

    List<List<KafkaStreams.State>> transitions = new CopyOnWriteArrayList<>();
    Run broker;
    Map<DeadLetterStage, Map<DeadLetterReason, Long>> instanceCounts = new EnumMap<>(DeadLetterStage.class);
    Set<String> threadsAtStart;
    Set<String> threadsAtEnd;
    List<KafkaStreams.State> statesSeen = new ArrayList<>();
    try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
      try (Admin admin = kafka.admin()) {
        admin.createTopics(List.of(CDC_TOPIC, FHIR_TOPIC).stream().map(t -> new NewTopic(t, 1, (short) 1)
            .configs(Map.of("max.message.bytes", String.valueOf(MAX_MESSAGE_BYTES)))).toList()).all().get();
      }
      AvroSerdes serdes = AvroSerdes.withClient(new InMemorySchemaRegistry());
      RiskStreamConfig config = new RiskStreamConfig(props(kafka.bootstrapServers(), dir.resolve("app")));
      assertThat(config.streamsProperties().get(StreamsConfig.PROCESSING_GUARANTEE_CONFIG)).isEqualTo("exactly_once_v2");
      Topics topics = config.topics();
      try (RiskStreamApp app = RiskStreamApp.start(config, serdes, new CodeTokenTestEncoder(),
          TokenSumTestScorer.synchronousBackend(), Map.of(StreamsConfig.consumerPrefix("auto.offset.reset"), "earliest"),
          (now, before) -> transitions.add(List.of(before, now)));
          KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of("bootstrap.servers",
              kafka.bootstrapServers(), "acks", "all", "enable.idempotence", "true",
              "max.request.size", MAX_MESSAGE_BYTES), new ByteArraySerializer(), new ByteArraySerializer());
          KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of("bootstrap.servers",
              kafka.bootstrapServers(), "group.id", "hostile-it-reader", "auto.offset.reset", "earliest",
              "isolation.level", "read_committed"), new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (app.state() != KafkaStreams.State.RUNNING && System.nanoTime() < deadline) {
          Thread.sleep(50);
        }
        assertThat(app.state()).isEqualTo(KafkaStreams.State.RUNNING);
        threadsAtStart = threadNames(app);

        // the feed, in order, into partition 0 of each input topic; the offsets each record got
        Map<Step, Future<RecordMetadata>> sent = new IdentityHashMap<>();
        for (Step s : feed) {
          sent.put(s, producer.send(new ProducerRecord<>(s.input().topic(), 0, s.timestamp(), s.input().key(),
              s.input().value())));
        }
        producer.flush();
        Map<Step, Long> offsets = new IdentityHashMap<>();
        for (Step s : feed) {
          offsets.put(s, sent.get(s).get().offset());
        }

        List<RiskScore> scores = new ArrayList<>();
        List<RiskAlert> alerts = new ArrayList<>();
        List<EmrEvent> events = new ArrayList<>();
        List<DeadLetter> dead = new ArrayList<>();
        long expectedEvents = clean.events().size() + feed.stream().filter(s -> s.kind() == Kind.COPY || s.kind()
            == Kind.AT_BOUND).count(); // at least: a copy has its original's events, one or more
        consumer.subscribe(List.of(topics.riskScores().name(), topics.riskAlerts().name(),
            topics.deadLetters().name(), topics.emrEvents().name()));
        deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while ((scores.size() < clean.scores().size() || alerts.size() < clean.alerts().size()
            || dead.size() < hostileSteps.size() || events.size() < expectedEvents) && System.nanoTime() < deadline) {
          poll(consumer, serdes, topics, scores, alerts, events, dead);
          statesSeen.add(app.state());
        }
        // a little longer: nothing beyond the expected records may appear
        long quiet = System.nanoTime() + Duration.ofSeconds(3).toNanos();
        while (System.nanoTime() < quiet) {
          poll(consumer, serdes, topics, scores, alerts, events, dead);
          statesSeen.add(app.state());
        }
        threadsAtEnd = threadNames(app);
        for (DeadLetterStage stage : DeadLetterStage.values()) {
          for (DeadLetterReason reason : DeadLetterReason.values()) {
            long n = app.deadLetters().get(stage, reason);
            if (n != 0) {
              instanceCounts.computeIfAbsent(stage, k -> new EnumMap<>(DeadLetterReason.class)).put(reason, n);
            }
          }
        }
        broker = new Run(scores, alerts, events, dead, offsets);
      }
    }

    Map<Kind, Long> kinds = feed.stream().collect(Collectors.groupingBy(Step::kind, () -> new EnumMap<>(Kind.class),
        Collectors.counting()));
    System.out.printf("hostile input IT: %d records %s, largest %d bytes; %d dead letters; %d events, %d scores,"
        + " %d alerts; state transitions %s; instance dead letters %s%n", feed.size(), kinds,
        feed.stream().mapToInt(HostileInputIT::size).max().orElse(0), broker.dead().size(), broker.events().size(),
        broker.scores().size(), broker.alerts().size(), transitions, instanceCounts);

    // the app ran throughout, with the threads it started with
    List<List<KafkaStreams.State>> beforeClose = transitions.stream()
        .takeWhile(t -> t.get(1) != KafkaStreams.State.PENDING_SHUTDOWN).toList();
    assertThat(beforeClose).as("state transitions before the close").isNotEmpty()
        .allMatch(t -> t.get(1) == KafkaStreams.State.RUNNING || t.get(1) == KafkaStreams.State.REBALANCING);
    assertThat(transitions).as("state transitions").noneMatch(t -> t.contains(KafkaStreams.State.ERROR)
        || t.contains(KafkaStreams.State.PENDING_ERROR));
    assertThat(statesSeen).isNotEmpty().isSubsetOf(KafkaStreams.State.RUNNING, KafkaStreams.State.REBALANCING);
    assertThat(threadsAtEnd).as("stream threads").hasSize(2).isEqualTo(threadsAtStart);

    // one dead letter per hostile record: its reason, stage NORMALIZE, its coordinates, its value cut to 64 KiB
    Map<String, Step> byCoordinates = new HashMap<>();
    feed.forEach(s -> byCoordinates.put(s.input().topic() + "@" + broker.offsets().get(s), s));
    assertThat(broker.dead()).hasSize(hostileSteps.size());
    Map<DeadLetterReason, Long> expectedCounts = new EnumMap<>(DeadLetterReason.class);
    hostileSteps.forEach(s -> expectedCounts.merge(s.hostile().expected(), 1L, Long::sum));
    Map<DeadLetterReason, Long> dlqCounts = new EnumMap<>(DeadLetterReason.class);
    Set<Step> deadLettered = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
    for (DeadLetter d : broker.dead()) {
      Step s = byCoordinates.get(d.getSourceTopic() + "@" + d.getSourceOffset());
      assertThat(s).as("the record at %s@%d", d.getSourceTopic(), d.getSourceOffset()).isNotNull();
      String what = (s.hostile() == null ? s.kind().toString() : s.hostile().toString()) + " (dead letter: "
          + d.getReasonCode() + " " + d.getMessage() + ")";
      assertThat(s.kind()).as(what).isEqualTo(Kind.HOSTILE);
      assertThat(deadLettered.add(s)).as("one dead letter for " + what).isTrue();
      assertThat(d.getReasonCode()).as(what).isEqualTo(s.hostile().expected());
      assertThat(d.getStage()).as(what).isEqualTo(DeadLetterStage.NORMALIZE);
      assertThat(d.getSourcePartition()).as(what).isZero();
      assertThat(d.getOriginalValue()).as(what).isEqualTo(HostileFeed.cut(s.input().value()));
      assertThat(d.getOriginalKey()).as(what).isEqualTo(HostileFeed.cut(s.input().key()));
      for (String secret : s.hostile().secrets()) {
        assertThat(d.getMessage()).as(what).doesNotContain(secret);
      }
      dlqCounts.merge(d.getReasonCode(), 1L, Long::sum);
    }
    assertThat(dlqCounts).isEqualTo(expectedCounts);
    assertThat(instanceCounts).as("app.deadLetters()").isEqualTo(Map.of(DeadLetterStage.NORMALIZE, expectedCounts));

    // offsets of the broker run as the clean run read them (a copy: its original's)
    Map<String, Long> toClean = new HashMap<>();
    for (Step s : feed) {
      if (s.kind() == Kind.VALID || s.kind() == Kind.CLOSER) {
        toClean.put(s.input().topic() + "@" + broker.offsets().get(s), clean.offsets().get(s));
      } else if (s.kind() == Kind.COPY) {
        toClean.put(s.input().topic() + "@" + broker.offsets().get(s), clean.offsets().get(s.ref()));
      }
    }

    // events: the valid records' as in the clean run; a copy's as its original's; records at the bounds: DELETEs
    Map<String, List<EmrEvent>> cleanEventsAt = new HashMap<>();
    clean.events().forEach(e -> cleanEventsAt.computeIfAbsent(e.getSource().getTopic() + "@" + e.getSource().getOffset(),
        k -> new ArrayList<>()).add(e));
    List<EmrEvent> validEvents = new ArrayList<>();
    int copies = 0;
    int atBound = 0;
    for (EmrEvent e : broker.events()) {
      Step step = byCoordinates.get(e.getSource().getTopic() + "@" + e.getSource().getOffset());
      assertThat(step).isNotNull();
      switch (step.kind()) {
        case VALID, CLOSER -> validEvents.add(HostileFeed.translate(e, toClean, FHIR_TOPIC));
        case COPY -> {
          copies++;
          assertThat(cleanEventsAt.get(step.input().topic() + "@" + clean.offsets().get(step.ref())))
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
    assertThat(byPatient(validEvents, EmrEvent::getPatientId)).isEqualTo(byPatient(clean.events(),
        EmrEvent::getPatientId));
    assertThat(copies).isEqualTo(feed.stream().filter(s -> s.kind() == Kind.COPY)
        .mapToInt(s -> cleanEventsAt.get(s.input().topic() + "@" + clean.offsets().get(s.ref())).size()).sum());
    assertThat(atBound).isEqualTo(feed.stream().filter(s -> s.kind() == Kind.AT_BOUND)
        .mapToInt(s -> s.accepted().events()).sum());

    // scores and alerts: per patient those of the clean run; a Debezium copy's offset joins its transaction's
    Map<Long, Integer> cdcCopies = new HashMap<>();
    feed.stream().filter(s -> s.kind() == Kind.COPY && s.input().topic().equals(CDC_TOPIC))
        .forEach(s -> cdcCopies.merge(clean.offsets().get(s.ref()), 1, Integer::sum));
    List<RiskScore> actualScores = broker.scores().stream()
        .map(s -> HostileFeed.translate(s, toClean, FHIR_TOPIC)).toList();
    List<RiskScore> expectedScores = clean.scores().stream()
        .map(s -> HostileFeed.withCopies(s, cdcCopies, CDC_TOPIC, MAX_OFFSETS)).toList();
    assertThat(byPatient(actualScores, RiskScore::getPatientId))
        .isEqualTo(byPatient(expectedScores, RiskScore::getPatientId));
    assertThat(byPatient(broker.alerts(), RiskAlert::getPatientId))
        .isEqualTo(byPatient(clean.alerts(), RiskAlert::getPatientId));
  }

  private static Set<String> threadNames(RiskStreamApp app) {
    return app.streams().metadataForLocalThreads().stream().map(ThreadMetadata::threadName)
        .collect(Collectors.toCollection(TreeSet::new));
  }

  private static void poll(KafkaConsumer<byte[], byte[]> consumer, AvroSerdes serdes, Topics topics,
      List<RiskScore> scores, List<RiskAlert> alerts, List<EmrEvent> events, List<DeadLetter> dead) {
    for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
      if (r.topic().equals(topics.deadLetters().name())) {
        dead.add(serdes.value(topics.deadLetters()).deserializer().deserialize(r.topic(), r.value()));
      } else if (r.topic().equals(topics.riskScores().name())) {
        scores.add(serdes.value(topics.riskScores()).deserializer().deserialize(r.topic(), r.value()));
      } else if (r.topic().equals(topics.riskAlerts().name())) {
        alerts.add(serdes.value(topics.riskAlerts()).deserializer().deserialize(r.topic(), r.value()));
      } else {
        events.add(serdes.value(topics.emrEvents()).deserializer().deserialize(r.topic(), r.value()));
      }
    }
  }

  /** Key + value bytes, as the normalizers' limits count them. */
  private static int size(Step s) {
    return (s.input().key() == null ? 0 : s.input().key().length)
        + (s.input().value() == null ? 0 : s.input().value().length);
  }

  private static <T> Map<String, List<T>> byPatient(List<T> records, java.util.function.Function<T, String> patient) {
    Map<String, List<T>> out = new TreeMap<>();
    records.forEach(r -> out.computeIfAbsent(patient.apply(r), k -> new ArrayList<>()).add(r));
    return out;
  }
}
