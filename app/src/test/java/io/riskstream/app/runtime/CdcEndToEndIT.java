package io.riskstream.app.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.riskstream.app.demo.EmbeddedKafka;
import io.riskstream.connectors.cdc.CdcConfig;
import io.riskstream.connectors.cdc.CdcRunner;
import io.riskstream.connectors.ehr.EhrDatabaseLoader;
import io.riskstream.connectors.ehr.EhrRow;
import io.riskstream.connectors.ehr.EhrRowMapping;
import io.riskstream.connectors.ehr.EhrRows;
import io.riskstream.connectors.ehr.PostgresServer;
import io.riskstream.connectors.synthea.SyntheaCohortGenerator;
import io.riskstream.connectors.synthea.SyntheaCsvReader;
import io.riskstream.schemas.DeadLetter;
import io.riskstream.schemas.DeadLetterReason;
import io.riskstream.schemas.EmrEvent;
import io.riskstream.schemas.EventKind;
import io.riskstream.schemas.RiskAlert;
import io.riskstream.schemas.RiskScore;
import io.riskstream.schemas.ScoreProvenance;
import io.riskstream.topology.HistoryProcessor;
import io.riskstream.topology.PatientHistory;
import io.riskstream.topology.RiskTopology;
import io.riskstream.topology.config.RiskStreamConfig;
import io.riskstream.topology.config.Topics;
import io.riskstream.topology.serde.AvroSerdes;
import io.riskstream.topology.serde.InMemorySchemaRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.Predicate;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * End to end: a private PostgreSQL with the EHR schema, a 3-patient Synthea cohort (generated in the test) loaded by
 * {@link EhrDatabaseLoader} (one transaction per encounter), Debezium in-process ({@link CdcRunner}, with the shipped
 * Kafka Connect configuration's routing: every table into one six-partition topic, partitioned by patient, so that
 * the topology reads each patient's changes in commit order) into an embedded KRaft broker, and the topology ({@link RiskStreamApp}, exactly-once) with the real {@link ScoringRuntime} (encoder
 * + ONNX Runtime + batcher, the test-tiny model). Asserts that the scores and alerts equal those of a
 * TopologyTestDriver run fed the same rows as CDC envelopes built from {@link EhrRows}; that a deleted row leaves the
 * patient's history and the next score's provenance; and that a schema change and an unknown table are handled
 * (event, respectively dead letter) while the connector and the stream keep running. Skipped without PostgreSQL.
 */
class CdcEndToEndIT {

  private static final Path MODEL = Path.of("../scoring/src/test/resources/models/test-tiny");
  private static final String CHANGES_TOPIC = "ehr.clinical.changes";
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final DateTimeFormatter DEBEZIUM_TIMESTAMP =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSS'Z'").withZone(ZoneOffset.UTC);

  private static PostgresServer postgres;
  private static EmbeddedKafka kafka;

  @TempDir
  Path dir;

  @BeforeAll
  static void start() throws Exception {
    postgres = PostgresServer.startOrSkip();
    kafka = EmbeddedKafka.start();
  }

  @AfterAll
  static void stop() throws Exception {
    if (kafka != null) {
      kafka.close();
    }
    if (postgres != null) {
      postgres.close();
    }
  }

  private Map<String, Object> topologyProps(String bootstrap, String stateDir) {
    Map<String, Object> p = new HashMap<>();
    p.put(RiskStreamConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(RiskStreamConfig.APPLICATION_ID_CONFIG, "riskstream-e2e");
    p.put(RiskStreamConfig.STATE_DIR_CONFIG, stateDir);
    p.put(RiskStreamConfig.TOPIC_PARTITIONS_CONFIG, "2");
    // Debezium's transaction metadata (provide.transaction.metadata, as CdcConfig sets it): each transaction closes
    // when all its events arrived; the direct feed below carries none and closes by the rules below
    p.put(RiskStreamConfig.SOURCE_TRANSACTION_TOPIC_CONFIG, "ehr.transaction");
    // the wall-clock idle flush closes each patient's last transaction; long enough that a pause upstream of the
    // trigger step (e.g. an exactly-once task recovery of normalize on the embedded broker) does not close one early
    p.put(RiskStreamConfig.TRIGGER_IDLE_FLUSH_MS_CONFIG, "5000");
    // linger is stream time, i.e. the CDC writer's record timestamps: a pause of the writer inside one transaction
    // (a loaded machine) longer than the linger would close that transaction early and score it twice. Here a
    // transaction closes only when the patient's next transaction starts or input goes idle.
    p.put(RiskStreamConfig.TRIGGER_LINGER_MS_CONFIG, String.valueOf(Duration.ofHours(1).toMillis()));
    p.put(RiskStreamConfig.SCORER_CONFIG, "onnxruntime");
    p.put(RiskStreamConfig.MODEL_NAME_CONFIG, MODEL.toAbsolutePath().toString());
    // low thresholds so the tiny model's scores raise alerts that can be compared too
    p.put(RiskStreamConfig.ALERT_WARNING_THRESHOLD_CONFIG, "0.01");
    p.put(RiskStreamConfig.ALERT_CRITICAL_THRESHOLD_CONFIG, "0.5");
    return p;
  }

  private CdcConfig cdcConfig() {
    Map<String, Object> props = new HashMap<>();
    props.put(CdcConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    props.put(CdcConfig.DATABASE_HOSTNAME_CONFIG, postgres.host());
    props.put(CdcConfig.DATABASE_PORT_CONFIG, postgres.port());
    props.put(CdcConfig.DATABASE_DBNAME_CONFIG, "ehr");
    props.put(CdcConfig.DATABASE_USER_CONFIG, postgres.user());
    props.put(CdcConfig.OFFSET_STORAGE_REPLICATION_FACTOR_CONFIG, "1");
    props.put(CdcConfig.OFFSET_FLUSH_INTERVAL_MS_CONFIG, "200");
    props.put(CdcConfig.HEARTBEAT_INTERVAL_MS_CONFIG, "1000");
    // the shipped Kafka Connect configuration's routing: every table into one topic, partitioned by patient, so
    // the topology reads each patient's changes in commit order (README, connectors/README.md section 4)
    shippedRouting().forEach((k, v) -> props.put(CdcConfig.DEBEZIUM_PREFIX + k, v));
    return new CdcConfig(props);
  }

  /** The transforms and predicates of connectors/kafka-connect/ehr-postgres-source.json. */
  private static Map<String, String> shippedRouting() {
    try {
      JsonNode config = JSON.readTree(Path.of("../connectors/kafka-connect/ehr-postgres-source.json").toFile())
          .path("config");
      Map<String, String> out = new HashMap<>();
      config.fields().forEachRemaining(e -> {
        if (e.getKey().startsWith("transforms") || e.getKey().startsWith("predicates")) {
          out.put(e.getKey(), e.getValue().asText());
        }
      });
      return out;
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** Scores and alerts without the coordinates that differ between transports (txId, source offsets). */
  private static Object comparable(SpecificRecord r) {
    if (r instanceof RiskScore s) {
      return RiskScore.newBuilder(s).setProvenance(ScoreProvenance.newBuilder(s.getProvenance()).setTriggerTxId(null)
          .setSourceOffsets(List.of()).build()).build();
    }
    return r;
  }

  private static List<Object> sorted(List<? extends SpecificRecord> records) {
    List<Object> out = new ArrayList<>(records.stream().map(CdcEndToEndIT::comparable).toList());
    out.sort(Comparator.comparing(o -> o instanceof RiskScore s ? "s" + s.getPatientId() + s.getHistoryVersion()
        : "a" + ((RiskAlert) o).getAlertId()));
    return out;
  }

  // ---- the direct feed: the loader's transactions as Debezium envelopes, through TopologyTestDriver -------------

  /**
   * The loader's transactions (see EhrDatabaseLoader): each patient row alone, then per encounter the encounter row
   * and its facts (facts without an encounter alone), in (time, patient, key) order. Repeated here, rather than
   * exposed by the loader, because this is the behaviour under test.
   */
  private static List<List<EhrRow>> transactions(Map<String, List<EmrEvent>> cohort) {
    List<List<EhrRow>> patients = new ArrayList<>();
    record Group(Instant time, String patient, String key, List<EhrRow> rows) {
    }
    List<Group> groups = new ArrayList<>();
    for (Map.Entry<String, List<EmrEvent>> p : new TreeMap<>(cohort).entrySet()) {
      Map<String, List<EmrEvent>> byEncounter = new LinkedHashMap<>();
      for (EmrEvent e : p.getValue()) {
        EhrRow row = EhrRows.toRow(e);
        if (e.getKind() == EventKind.DEMOGRAPHICS) {
          patients.add(List.of(row));
        } else {
          String key = e.getKind() == EventKind.ENCOUNTER ? row.id()
              : e.getEncounterId() != null ? e.getEncounterId() : "~" + row.table() + ":" + row.id();
          byEncounter.computeIfAbsent(key, k -> new ArrayList<>()).add(e);
        }
      }
      byEncounter.forEach((key, events) -> {
        Instant time = events.stream().filter(e -> e.getKind() == EventKind.ENCOUNTER).map(EmrEvent::getEventTime)
            .findFirst().orElse(events.stream().map(EmrEvent::getEventTime).min(Comparator.naturalOrder()).orElseThrow());
        groups.add(new Group(time, p.getKey(), key, events.stream().map(EhrRows::toRow).toList()));
      });
    }
    groups.sort(Comparator.comparing(Group::time).thenComparing(Group::patient).thenComparing(Group::key));
    List<List<EhrRow>> out = new ArrayList<>(patients);
    groups.forEach(g -> out.add(g.rows()));
    return out;
  }

  /** A Debezium insert envelope (schemas.enable=false) of a row, with the column formats Debezium writes. */
  private static byte[] envelope(EhrRow row, long txId, long lsn) {
    ObjectNode env = JSON.createObjectNode();
    env.putNull("before");
    ObjectNode after = env.putObject("after");
    row.columns().forEach((column, v) -> {
      if (v instanceof Instant t) {
        after.put(column, DEBEZIUM_TIMESTAMP.format(t));
      } else if (v instanceof LocalDate d) {
        after.put(column, (int) d.toEpochDay());
      } else {
        after.putPOJO(column, v);
      }
    });
    ObjectNode source = env.putObject("source");
    source.put("connector", "postgresql").put("db", "ehr").put("schema", "clinical").put("table", row.table())
        .put("txId", txId).put("lsn", lsn);
    env.put("op", "c");
    return env.toString().getBytes(StandardCharsets.UTF_8);
  }

  private List<Object> directFeed(Map<String, List<EmrEvent>> cohort, ScoringRuntime runtime) {
    Map<String, Object> props = topologyProps("unused:9092", dir.resolve("ttd").toString());
    // TopologyTestDriver runs every sub-topology in one task, so the calibration labels (timestamped with their scores'
    // asOf, decades away from this feed's record times) would move the trigger's stream time and close transactions by
    // linger; on a broker they are a task of their own. The CDC run above keeps calibration on.
    props.put(RiskStreamConfig.CALIBRATION_ENABLED_CONFIG, "false");
    RiskStreamConfig config = new RiskStreamConfig(props);
    AvroSerdes serdes = AvroSerdes.withClient(new InMemorySchemaRegistry());
    try (TopologyTestDriver driver = new TopologyTestDriver(RiskTopology.build(new StreamsBuilder(), config, serdes,
        runtime.encoder(), runtime.backend()), config.streamsProperties(), Instant.parse("2026-01-01T00:00:00Z"))) {
      Map<String, TestInputTopic<byte[], byte[]>> topics = new HashMap<>();
      long tx = 1000;
      long lsn = 1;
      long ts = 1_000;
      List<List<EhrRow>> transactions = transactions(cohort);
      int expectedScores = transactions.size();
      for (List<EhrRow> transaction : transactions) {
        tx++;
        ts++;
        for (EhrRow row : transaction) {
          topics.computeIfAbsent(row.table(), t -> driver.createInputTopic("ehr.clinical." + t,
                  Serdes.ByteArray().serializer(), Serdes.ByteArray().serializer()))
              .pipeInput(("{\"id\":\"" + row.id() + "\"}").getBytes(StandardCharsets.UTF_8), envelope(row, tx, lsn++), ts);
        }
      }
      List<SpecificRecord> out = new ArrayList<>();
      // the idle flush closes the last transactions; the batcher completes asynchronously (the drain punctuator
      // forwards what it finished): advance the wall clock until every transaction is scored, then a few rounds
      // more, in which nothing may come
      Instant deadline = Instant.now().plus(WAIT);
      int rounds = 0;
      while ((of(out, RiskScore.class).size() < expectedScores || rounds < 3) && Instant.now().isBefore(deadline)) {
        if (of(out, RiskScore.class).size() >= expectedScores) {
          rounds++;
        }
        driver.advanceWallClockTime(Duration.ofMillis(5500));
        sleep(100);
        driver.advanceWallClockTime(Duration.ofMillis(20));
        out.addAll(driver.createOutputTopic(Topics.DEFAULTS.riskScores().name(), Serdes.String().deserializer(),
            serdes.value(Topics.DEFAULTS.riskScores()).deserializer()).readValuesToList());
        out.addAll(driver.createOutputTopic(Topics.DEFAULTS.riskAlerts().name(), Serdes.String().deserializer(),
            serdes.value(Topics.DEFAULTS.riskAlerts()).deserializer()).readValuesToList());
      }
      assertThat(of(out, RiskScore.class)).as("one score per transaction").hasSize(expectedScores);
      assertThat(driver.createOutputTopic(Topics.DEFAULTS.deadLetters().name(), Serdes.ByteArray().deserializer(),
          serdes.value(Topics.DEFAULTS.deadLetters()).deserializer()).isEmpty()).isTrue();
      return sorted(out);
    }
  }

  private static com.fasterxml.jackson.databind.JsonNode parse(java.nio.ByteBuffer value) {
    byte[] bytes = new byte[value.remaining()];
    value.duplicate().get(bytes);
    try {
      return JSON.readTree(bytes);
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  // ---- the CDC run ------------------------------------------------------------------------------------------------

  /** Reads risk-scores, risk-alerts and riskstream-dlq (read_committed) from the start, across the phases. */
  private static final class Outputs implements AutoCloseable {
    final List<SpecificRecord> records = new ArrayList<>();
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final AvroSerdes serdes;

    Outputs(String bootstrap, AvroSerdes serdes) {
      this.serdes = serdes;
      consumer = new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
          ConsumerConfig.GROUP_ID_CONFIG, "e2e-" + UUID.randomUUID(), ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
          ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"), new ByteArrayDeserializer(), new ByteArrayDeserializer());
      consumer.subscribe(Topics.DEFAULTS.names().subList(1, 4));
    }

    List<SpecificRecord> until(Predicate<List<SpecificRecord>> done, KafkaStreams streams) {
      Instant deadline = Instant.now().plus(WAIT);
      while (!done.test(records) && Instant.now().isBefore(deadline)) {
        poll(Duration.ofMillis(250));
        assertThat(streams.state()).isNotIn(KafkaStreams.State.ERROR, KafkaStreams.State.PENDING_ERROR);
      }
      assertThat(done.test(records)).as("expected output within %s, got %s records", WAIT, records.size()).isTrue();
      return List.copyOf(records);
    }

    void poll(Duration d) {
      for (ConsumerRecord<byte[], byte[]> r : consumer.poll(d)) {
        Class<? extends SpecificRecord> type = r.topic().equals(Topics.DEFAULTS.riskScores().name()) ? RiskScore.class
            : r.topic().equals(Topics.DEFAULTS.riskAlerts().name()) ? RiskAlert.class : DeadLetter.class;
        records.add(serdes.value(type).deserializer().deserialize(r.topic(), r.value()));
      }
    }

    @Override
    public void close() {
      consumer.close();
    }
  }

  private static <T> List<T> of(List<SpecificRecord> records, Class<T> type) {
    return records.stream().filter(type::isInstance).map(type::cast).toList();
  }

  /**
   * Reads the change events (at most {@code expected}, within {@link #WAIT}) and returns, per patient, the
   * partitions its change events lie in (the patient row's id, the others' patient_id).
   */
  private static Map<String, java.util.Set<Integer>> changeEvents(String bootstrap, long expected) throws Exception {
    try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
        ConsumerConfig.GROUP_ID_CONFIG, "e2e-count-" + UUID.randomUUID(), ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
        ConsumerConfig.METADATA_MAX_AGE_CONFIG, "500"), new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      c.subscribe(java.util.regex.Pattern.compile("ehr\\.clinical\\..*"));
      long n = 0;
      Map<String, java.util.Set<Integer>> partitions = new HashMap<>();
      Instant deadline = Instant.now().plus(WAIT);
      while (n < expected && Instant.now().isBefore(deadline)) {
        for (var r : c.poll(Duration.ofMillis(250))) {
          if (r.value() == null) {
            continue;
          }
          n++;
          JsonNode env = JSON.readTree(r.value());
          JsonNode row = env.path("after").isObject() ? env.path("after") : env.path("before");
          String patient = env.path("source").path("table").asText().equals("patients") ? row.path("id").asText()
              : row.path("patient_id").asText();
          partitions.computeIfAbsent(patient, k -> new java.util.TreeSet<>()).add(r.partition());
        }
      }
      assertThat(n).as("change events").isEqualTo(expected);
      return partitions;
    }
  }

  private static void awaitSlotActive(Connection c) throws Exception {
    Instant deadline = Instant.now().plus(WAIT);
    while (Instant.now().isBefore(deadline)) {
      try (ResultSet rs = c.createStatement().executeQuery(
          "SELECT active FROM pg_replication_slots WHERE slot_name = 'riskstream_ehr'")) {
        if (rs.next() && rs.getBoolean(1)) {
          return;
        }
      }
      Thread.sleep(200);
    }
    throw new AssertionError("replication slot did not become active");
  }

  private static PatientHistory history(KafkaStreams streams, String patient) {
    ReadOnlyKeyValueStore<String, PatientHistory> headers = streams.store(StoreQueryParameters.fromNameAndType(
        HistoryProcessor.STORE, QueryableStoreTypes.<String, PatientHistory>keyValueStore()));
    ReadOnlyKeyValueStore<String, EmrEvent> events = streams.store(StoreQueryParameters.fromNameAndType(
        HistoryProcessor.EVENTS_STORE, QueryableStoreTypes.<String, EmrEvent>keyValueStore()));
    return HistoryProcessor.history(headers, events, patient);
  }

  private static RiskScore latest(List<SpecificRecord> records, String patient) {
    return of(records, RiskScore.class).stream().filter(s -> s.getPatientId().equals(patient))
        .max(Comparator.comparingLong(RiskScore::getHistoryVersion)).orElseThrow();
  }

  @Test
  void shouldScoreTheDatabaseThroughDebeziumAsTheDirectFeedAndFollowDeletesAndSchemaChanges() throws Exception {
    Map<String, List<EmrEvent>> cohort = new SyntheaCsvReader(new SyntheaCohortGenerator(List.of("-Xmx1g"))
        .generate(SyntheaCohortGenerator.Options.of(3, 11, dir.resolve("cohort"))).csvDir()).readByPatient();
    long rows = cohort.values().stream().mapToLong(List::size).sum();
    RiskStreamConfig config = new RiskStreamConfig(topologyProps(kafka.bootstrapServers(), dir.resolve("app").toString()));
    try (ScoringRuntime runtime = ScoringRuntime.start(config)) {
      List<Object> expected = directFeed(cohort, runtime);

      postgres.createDatabase("ehr");
      kafka.createTopics(Integer.parseInt(shippedRouting().get("transforms.partitionFacts.partition.topic.num")),
          CHANGES_TOPIC);
      try (Connection db = postgres.connect("ehr")) {
        EhrDatabaseLoader.applySchema(db);
        try (CdcRunner cdc = new CdcRunner(cdcConfig())) {
          cdc.start();
          awaitSlotActive(db);
          EhrDatabaseLoader.LoadResult loaded = new EhrDatabaseLoader(EhrRowMapping.DEFAULT,
              EhrDatabaseLoader.Options.unpaced()).load(db, cohort);
          assertThat(loaded.rejected()).isZero();
          // the shipped routing keeps each patient's change events in one partition of the one topic
          assertThat(changeEvents(kafka.bootstrapServers(), rows)).hasSize(cohort.size())
              .allSatisfy((patient, partitions) -> assertThat(partitions).hasSize(1));

          AvroSerdes serdes = AvroSerdes.withClient(new InMemorySchemaRegistry());
          try (RiskStreamApp app = RiskStreamApp.start(config, serdes, runtime.encoder(), runtime.backend(),
              Map.of(StreamsConfig.consumerPrefix(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG), "earliest",
                  StreamsConfig.consumerPrefix(ConsumerConfig.METADATA_MAX_AGE_CONFIG), "500"));
              Outputs outputs = new Outputs(kafka.bootstrapServers(), serdes)) {
            // 1. the same scores and alerts as the direct feed, and nothing more
            java.util.Set<Object> wanted = new java.util.HashSet<>(expected);
            outputs.until(rs -> rs.stream().map(CdcEndToEndIT::comparable).filter(wanted::contains).count()
                >= wanted.size(), app.streams());
            outputs.poll(Duration.ofSeconds(3));
            assertThat(sorted(outputs.records)).isEqualTo(expected);
            assertThat(of(outputs.records, RiskAlert.class)).isNotEmpty();

            // 2. a row deleted in the database leaves the history and the next score
            // (one of the newest facts of a patient, so that it is in the score's provenance)
            String patient = new TreeMap<>(cohort).firstKey();
            RiskScore before = latest(outputs.records, patient);
            String deleted = before.getProvenance().getNewestEventIds().stream()
                .filter(id -> id.startsWith("observations:") || id.startsWith("conditions:")).findFirst().orElseThrow();
            String table = deleted.substring(0, deleted.indexOf(':'));
            assertThat(history(app.streams(), patient).events()).extracting(EmrEvent::getEventId).contains(deleted);
            try (PreparedStatement delete = db.prepareStatement("DELETE FROM clinical." + table + " WHERE id = ?")) {
              delete.setString(1, deleted.substring(table.length() + 1));
              assertThat(delete.executeUpdate()).isEqualTo(1);
            }
            List<SpecificRecord> afterDelete = outputs.until(rs -> latest(rs, patient).getHistoryVersion()
                > before.getHistoryVersion(), app.streams());
            RiskScore after = latest(afterDelete, patient);
            assertThat(after.getProvenance().getEventCount()).isEqualTo(before.getProvenance().getEventCount() - 1);
            assertThat(after.getProvenance().getNewestEventIds()).doesNotContain(deleted);
            assertThat(history(app.streams(), patient).events()).extracting(EmrEvent::getEventId)
                .doesNotContain(deleted);

            // 3. a schema change (added column) is handled; an unknown table is dead-lettered; both keep running
            String other = new TreeMap<>(cohort).lastKey();
            // (at the patient's newest encounter, so that history.max.events does not evict it at once)
            EmrEvent encounter = cohort.get(other).stream().filter(e -> e.getKind() == EventKind.ENCOUNTER)
                .max(Comparator.comparing(EmrEvent::getEventTime)).orElseThrow();
            RiskScore otherBefore = latest(outputs.records, other);
            try (Statement s = db.createStatement()) {
              s.execute("ALTER TABLE clinical.observations ADD COLUMN interpretation text");
              s.execute("INSERT INTO clinical.observations (id, patient_id, encounter_id, effective_time, code_system,"
                  + " code, value_numeric, unit, interpretation) VALUES ('o-e2e-k', '" + other + "', '"
                  + encounter.getEncounterId() + "', '" + encounter.getEventTime().plusSeconds(60)
                  + "', 'LOINC', '2823-3', 5.9, 'mmol/L', 'H')");
              s.execute("CREATE TABLE clinical.allergies (id text PRIMARY KEY, patient_id text NOT NULL, code text)");
              s.execute("INSERT INTO clinical.allergies VALUES ('a-1', '" + other + "', '91936005')");
            }
            List<SpecificRecord> afterChange = outputs.until(rs -> !of(rs, DeadLetter.class).isEmpty()
                && latest(rs, other).getHistoryVersion() > otherBefore.getHistoryVersion(), app.streams());
            assertThat(latest(afterChange, other).getProvenance().getNewestEventIds()).contains("observations:o-e2e-k");
            assertThat(latest(afterChange, other).getProvenance().getEventCount())
                .isEqualTo(Math.min(otherBefore.getProvenance().getEventCount() + 1,
                    config.getInt(RiskStreamConfig.HISTORY_MAX_EVENTS_CONFIG)));
            assertThat(of(afterChange, DeadLetter.class)).singleElement().satisfies(d -> {
              assertThat(d.getReason()).isEqualTo(DeadLetterReason.UNKNOWN_TABLE.name());
              assertThat(d.getSourceTopic()).isEqualTo(CHANGES_TOPIC);
              assertThat(parse(d.getOriginalValue()).path("source").path("table").asText()).isEqualTo("allergies");
            });
            assertThat(app.state()).isEqualTo(KafkaStreams.State.RUNNING);
            assertThat(cdc.isStopped()).isFalse();
            assertThat(cdc.failure()).isEmpty();
          }
        }
      }
    }
  }
}
