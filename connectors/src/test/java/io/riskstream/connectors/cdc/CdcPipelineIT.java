package io.riskstream.connectors.cdc;

import static io.riskstream.connectors.testing.Cohorts.ALICE;
import static io.riskstream.connectors.testing.Cohorts.BOB;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.debezium.connector.postgresql.PostgresConnector;
import io.riskstream.connectors.ehr.EhrDatabaseLoader;
import io.riskstream.connectors.ehr.EhrRow;
import io.riskstream.connectors.ehr.EhrRowMapping;
import io.riskstream.connectors.ehr.EhrRows;
import io.riskstream.connectors.ehr.PostgresServer;
import io.riskstream.connectors.synthea.SyntheaCohortGenerator;
import io.riskstream.connectors.synthea.SyntheaCsvReader;
import io.riskstream.connectors.testing.Cohorts;
import io.riskstream.connectors.testing.Events;
import io.riskstream.schemas.EmrEvent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.config.Config;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * End to end: a private PostgreSQL with the EHR schema, the loader writing a hand-made cohort one transaction per
 * encounter, Debezium in-process ({@link CdcRunner}) and an embedded KRaft broker. Asserts the envelopes on
 * {@code ehr.clinical.*}.
 */
class CdcPipelineIT {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration WAIT = Duration.ofSeconds(60);

  private static PostgresServer postgres;
  private static KafkaClusterTestKit kafka;

  @BeforeAll
  static void start() throws Exception {
    postgres = PostgresServer.startOrSkip();
    kafka = new KafkaClusterTestKit.Builder(new TestKitNodes.Builder()
        .setCombined(true).setNumBrokerNodes(1).setNumControllerNodes(1).build())
        .setConfigProp("offsets.topic.replication.factor", "1")
        .setConfigProp("group.initial.rebalance.delay.ms", "0")
        .setConfigProp("auto.create.topics.enable", "false")
        .build();
    kafka.format();
    kafka.startup();
    kafka.waitForReadyBrokers();
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

  private static CdcConfig config(String database) {
    return config(database, Map.of());
  }

  private static CdcConfig config(String database, Map<String, Object> overrides) {
    Map<String, Object> props = new HashMap<>();
    props.put(CdcConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    props.put(CdcConfig.DATABASE_HOSTNAME_CONFIG, postgres.host());
    props.put(CdcConfig.DATABASE_PORT_CONFIG, postgres.port());
    props.put(CdcConfig.DATABASE_DBNAME_CONFIG, database);
    props.put(CdcConfig.DATABASE_USER_CONFIG, postgres.user());
    props.put(CdcConfig.OFFSET_STORAGE_REPLICATION_FACTOR_CONFIG, "1");
    props.put(CdcConfig.OFFSET_FLUSH_INTERVAL_MS_CONFIG, "200");
    props.put(CdcConfig.HEARTBEAT_INTERVAL_MS_CONFIG, "1000");
    props.putAll(overrides);
    return new CdcConfig(props);
  }

  /** Reads ehr.clinical.* from the beginning until {@code done} holds for what was read, or fails after WAIT. */
  private static List<ConsumerRecord<String, String>> readUntil(Predicate<List<ConsumerRecord<String, String>>> done)
      throws InterruptedException {
    return readUntil("ehr", done);
  }

  private static List<ConsumerRecord<String, String>> readUntil(String prefix,
      Predicate<List<ConsumerRecord<String, String>>> done) throws InterruptedException {
    Map<String, Object> props = Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
        ConsumerConfig.GROUP_ID_CONFIG, "it-" + UUID.randomUUID(),
        ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
        ConsumerConfig.METADATA_MAX_AGE_CONFIG, "500");
    List<ConsumerRecord<String, String>> records = new ArrayList<>();
    try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props, new StringDeserializer(),
        new StringDeserializer())) {
      consumer.subscribe(Pattern.compile(Pattern.quote(prefix) + "\\.clinical\\..*"));
      Instant deadline = Instant.now().plus(WAIT);
      while (!done.test(records) && Instant.now().isBefore(deadline)) {
        consumer.poll(Duration.ofMillis(250)).forEach(records::add);
      }
    }
    return records;
  }

  /**
   * provide.transaction.metadata (CdcConfig): every change event carries transaction.id, and the END record of each
   * such transaction on ehr.transaction names the same transaction (TransactionMetadata.key: PostgreSQL's ids are
   * xid:LSN with each event's own LSN) and counts exactly its change events.
   */
  private static void assertTransactionMetadata(List<ConsumerRecord<String, String>> changes)
      throws InterruptedException {
    Map<String, Long> counted = new java.util.TreeMap<>();
    for (ConsumerRecord<String, String> r : changes) {
      if (r.value() != null) {
        JsonNode transaction = parse(r.value()).path("transaction");
        assertThat(transaction.path("id").isTextual()).as("transaction.id of a change on %s", r.topic()).isTrue();
        counted.merge(io.riskstream.connectors.debezium.TransactionMetadata.key(transaction.path("id").asText()), 1L,
            Long::sum);
        assertThat(transaction.path("id").asText()).startsWith(parse(r.value()).path("source").path("txId").asText() + ":");
      }
    }
    Map<String, Object> props = Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
        ConsumerConfig.GROUP_ID_CONFIG, "it-" + UUID.randomUUID(), ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    Map<String, Long> ended = new java.util.TreeMap<>();
    try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props, new StringDeserializer(),
        new StringDeserializer())) {
      consumer.subscribe(List.of("ehr.transaction"));
      Instant deadline = Instant.now().plus(WAIT);
      while (!ended.keySet().containsAll(counted.keySet()) && Instant.now().isBefore(deadline)) {
        for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(250))) {
          JsonNode m = parse(r.value());
          if (m.path("status").asText().equals("END")) {
            ended.put(io.riskstream.connectors.debezium.TransactionMetadata.key(m.path("id").asText()),
                m.path("event_count").asLong());
          }
        }
      }
    }
    assertThat(ended).as("END records by id, change events by transaction.id: %s", counted).containsAllEntriesOf(counted);
  }

  private static List<JsonNode> values(List<ConsumerRecord<String, String>> records, String table, String op) {
    return values(records, "ehr", table, op);
  }

  private static List<JsonNode> values(List<ConsumerRecord<String, String>> records, String prefix, String table,
                                       String op) {
    return records.stream().filter(r -> r.topic().equals(prefix + ".clinical." + table) && r.value() != null)
        .map(r -> parse(r.value())).filter(v -> v.path("op").asText().equals(op)).toList();
  }

  private static JsonNode parse(String json) {
    try {
      return JSON.readTree(json);
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void awaitSlotActive(Connection c, String slot) throws Exception {
    Instant deadline = Instant.now().plus(WAIT);
    while (Instant.now().isBefore(deadline)) {
      try (ResultSet rs = c.createStatement().executeQuery(
          "SELECT active FROM pg_replication_slots WHERE slot_name = '" + slot + "'")) {
        if (rs.next() && rs.getBoolean(1)) {
          return;
        }
      }
      Thread.sleep(200);
    }
    throw new AssertionError("replication slot " + slot + " did not become active");
  }

  @Test
  void shouldStreamEncounterTransactionsUpdatesDeletesAndSchemaChangesIntoKafka() throws Exception {
    String url = postgres.createDatabase("ehr");
    try (Connection c = postgres.connect("ehr")) {
      EhrDatabaseLoader.applySchema(c);
      CdcRunner runner = new CdcRunner(config("ehr"));
      try {
        runner.start();
        awaitSlotActive(c, "riskstream_ehr");

        EhrDatabaseLoader loader = new EhrDatabaseLoader(EhrRowMapping.DEFAULT,
            EhrDatabaseLoader.Options.unpaced());
        EhrDatabaseLoader.LoadResult loaded = loader.load(c, Cohorts.twoPatients());
        assertThat(loaded.transactions()).isEqualTo(5);
        // an EHR's correction and an entered-in-error deletion
        EmrEvent corrected = Events.observation(BOB, "e-b1", "o-b1-creat", "2020-06-15T14:30:00Z", "38483-4", 1.2,
            "mg/dL");
        EmrEvent removed = Events.deleted(
            Events.condition(BOB, "e-b1", "c-b1-ckd", "2020-06-15T14:00:00Z", "431855005"));
        loader.load(c, Map.of(BOB, List.of(corrected)));
        loader.load(c, Map.of(BOB, List.of(removed)));
        // a table the topology does not know, and a schema change of a known one
        try (Statement s = c.createStatement()) {
          s.execute("CREATE TABLE clinical.allergies (id text PRIMARY KEY, patient_id text NOT NULL, code text)");
          s.execute("INSERT INTO clinical.allergies VALUES ('a-1', '" + ALICE + "', '91936005')");
          s.execute("ALTER TABLE clinical.observations ADD COLUMN interpretation text");
          s.execute("INSERT INTO clinical.observations (id, patient_id, encounter_id, effective_time, code,"
              + " value_numeric, unit, interpretation) VALUES ('o-b1-k', '" + BOB + "', 'e-b1',"
              + " '2020-06-15T14:31:00Z', '2823-3', 5.9, 'mmol/L', 'H')");
        }

        List<ConsumerRecord<String, String>> records = readUntil(rs ->
            values(rs, "observations", "c").size() >= 6 && !values(rs, "allergies", "c").isEmpty()
                && !values(rs, "conditions", "d").isEmpty() && !values(rs, "observations", "u").isEmpty());

        // inserts: every row of the cohort once, JSON without the Connect schema
        assertThat(values(records, "patients", "c")).hasSize(2);
        assertThat(values(records, "encounters", "c")).hasSize(3);
        assertThat(values(records, "conditions", "c")).hasSize(3);
        assertThat(values(records, "observations", "c")).hasSize(6);
        assertThat(values(records, "medications", "c")).hasSize(1);
        assertTransactionMetadata(records);
        assertThat(values(records, "procedures", "c")).hasSize(1);
        JsonNode sbp = values(records, "observations", "c").stream()
            .filter(v -> v.path("after").path("id").asText().equals("o-a1-sbp")).findFirst().orElseThrow();
        assertThat(sbp.has("schema")).isFalse();
        assertThat(sbp.path("after").path("value_numeric").asDouble()).isEqualTo(151.0);
        assertThat(sbp.path("source").path("table").asText()).isEqualTo("observations");
        assertThat(sbp.path("source").path("lsn").isNumber()).isTrue();
        // value formats the topology's mapping reads (Debezium defaults): timestamptz as an ISO-8601 UTC string with
        // microseconds, date as days since the epoch
        assertThat(sbp.path("after").path("effective_time").asText()).isEqualTo("2020-01-10T08:05:00.000000Z");
        JsonNode alice = values(records, "patients", "c").stream()
            .filter(v -> v.path("after").path("id").asText().equals(ALICE)).findFirst().orElseThrow();
        assertThat(alice.path("after").path("birthdate").asLong())
            .isEqualTo(java.time.LocalDate.parse("1960-05-01").toEpochDay());
        assertThat(alice.path("after").path("deathdate").isNull()).isTrue();

        // source.txId groups an encounter with its facts; encounters are separate transactions
        Map<String, Set<Long>> txByEncounter = new HashMap<>();
        for (String table : List.of("encounters", "conditions", "observations", "medications", "procedures")) {
          for (JsonNode v : values(records, table, "c")) {
            String encounter = table.equals("encounters") ? v.path("after").path("id").asText()
                : v.path("after").path("encounter_id").asText();
            if (!v.path("after").path("id").asText().equals("o-b1-k")) {
              txByEncounter.computeIfAbsent(encounter, k -> new java.util.HashSet<>())
                  .add(v.path("source").path("txId").asLong());
            }
          }
        }
        assertThat(txByEncounter).containsOnlyKeys("e-a1", "e-a2", "e-b1");
        assertThat(txByEncounter.values()).allSatisfy(txs -> assertThat(txs).hasSize(1));
        assertThat(txByEncounter.values().stream().flatMap(Set::stream).collect(Collectors.toSet())).hasSize(3);

        // the correction: op u with the before image (REPLICA IDENTITY FULL)
        JsonNode update = values(records, "observations", "u").get(0);
        assertThat(update.path("before").path("value_numeric").asDouble()).isEqualTo(1.4);
        assertThat(update.path("after").path("value_numeric").asDouble()).isEqualTo(1.2);
        assertThat(update.path("after").path("id").asText()).isEqualTo("o-b1-creat");

        // the deletion: op d with before and no after, followed by a tombstone with the same key
        JsonNode delete = values(records, "conditions", "d").get(0);
        assertThat(delete.path("before").path("id").asText()).isEqualTo("c-b1-ckd");
        assertThat(delete.path("after").isNull()).isTrue();
        String deleteKey = records.stream().filter(r -> r.topic().equals("ehr.clinical.conditions")
            && r.value() != null && parse(r.value()).path("op").asText().equals("d")).findFirst().orElseThrow().key();
        assertThat(records).anySatisfy(r -> {
          assertThat(r.topic()).isEqualTo("ehr.clinical.conditions");
          assertThat(r.key()).isEqualTo(deleteKey);
          assertThat(r.value()).isNull();
        });
        assertThat(parse(deleteKey).path("id").asText()).isEqualTo("c-b1-ckd");

        // unknown table and schema change flow through, and the engine keeps running
        assertThat(values(records, "allergies", "c")).singleElement()
            .satisfies(v -> assertThat(v.path("after").path("code").asText()).isEqualTo("91936005"));
        JsonNode changed = values(records, "observations", "c").stream()
            .filter(v -> v.path("after").path("id").asText().equals("o-b1-k")).findFirst().orElseThrow();
        assertThat(changed.path("after").path("interpretation").asText()).isEqualTo("H");
        assertThat(runner.isStopped()).isFalse();
        assertThat(runner.failure()).isEmpty();
        assertThat(runner.forwarded()).isGreaterThanOrEqualTo(records.size());
      } finally {
        runner.close();
      }

      // restart: offsets in Kafka, so only the change made while stopped arrives (no new snapshot, no replay)
      try (Statement s = c.createStatement()) {
        s.execute("UPDATE clinical.patients SET deathdate = '2024-02-02' WHERE id = '" + ALICE + "'");
      }
      CdcRunner restarted = new CdcRunner(config("ehr"));
      try {
        restarted.start();
        List<ConsumerRecord<String, String>> all = readUntil(rs -> !values(rs, "patients", "u").isEmpty());
        assertThat(values(all, "patients", "u")).singleElement()
            .satisfies(v -> assertThat(v.path("after").path("deathdate").asLong())
                .isEqualTo(java.time.LocalDate.parse("2024-02-02").toEpochDay()));
        assertThat(values(all, "patients", "c")).hasSize(2);
        assertThat(values(all, "patients", "r")).isEmpty();
        assertThat(values(all, "observations", "c")).hasSize(6);
      } finally {
        restarted.close();
      }
      assertThat(url).endsWith("/ehr");
    }
  }

  @Test
  void shouldAcceptTheShippedKafkaConnectConfigurationWithTheLeastPrivilegeRole() throws Exception {
    postgres.createDatabase("connectcheck");
    Path base = Path.of(System.getProperty("basedir", "."));
    try (Connection c = postgres.connect("connectcheck"); Statement s = c.createStatement()) {
      EhrDatabaseLoader.applySchema(c);
      s.execute(Files.readString(base.resolve("ehr-db/cdc-role.sql")));
    }
    JsonNode shipped = JSON.readTree(base.resolve("kafka-connect/ehr-postgres-source.json").toFile()).path("config");
    Map<String, String> config = new HashMap<>();
    shipped.fields().forEachRemaining(e -> config.put(e.getKey(), e.getValue().asText()));
    // the site-specific connection (the password is a ${file:...} reference resolved by the Connect worker)
    config.put("database.hostname", postgres.host());
    config.put("database.port", String.valueOf(postgres.port()));
    config.put("database.dbname", "connectcheck");
    config.put("database.password", "unused-with-trust-auth");

    Config validated = new PostgresConnector().validate(config);

    List<String> errors = validated.configValues().stream().filter(v -> !v.errorMessages().isEmpty())
        .map(v -> v.name() + ": " + v.errorMessages()).toList();
    assertThat(errors).isEmpty();
    assertThat(config).containsEntry("topic.prefix", "ehr").containsEntry("value.converter.schemas.enable", "false")
        .containsEntry("key.converter.schemas.enable", "false").containsEntry("plugin.name", "pgoutput")
        .containsEntry("signal.data.collection", "clinical.debezium_signal");
  }

  @Test
  void shouldStreamASyntheaCohortWithOneTransactionPerEncounter(@TempDir Path dir) throws Exception {
    Map<String, List<EmrEvent>> cohort = new SyntheaCsvReader(new SyntheaCohortGenerator(List.of("-Xmx1g"))
        .generate(SyntheaCohortGenerator.Options.of(3, 11, dir.resolve("cohort"))).csvDir()).readByPatient();
    Map<String, Set<String>> expectedIds = new HashMap<>();
    cohort.values().stream().flatMap(List::stream).forEach(e -> {
      EhrRow row = EhrRows.toRow(e);
      expectedIds.computeIfAbsent(row.table(), t -> new java.util.HashSet<>()).add(row.id());
    });
    int expected = expectedIds.values().stream().mapToInt(Set::size).sum();
    postgres.createDatabase("synthea");
    try (Connection c = postgres.connect("synthea")) {
      EhrDatabaseLoader.applySchema(c);
      // a second connector on the same server: its own slot, offsets and topic prefix
      CdcRunner runner = new CdcRunner(config("synthea", Map.of(CdcConfig.SLOT_NAME_CONFIG, "riskstream_synthea",
          CdcConfig.NAME_CONFIG, "synthea-cdc", CdcConfig.TOPIC_PREFIX_CONFIG, "syn",
          CdcConfig.OFFSET_STORAGE_TOPIC_CONFIG, "synthea-cdc-offsets")));
      try {
        runner.start();
        awaitSlotActive(c, "riskstream_synthea");
        EhrDatabaseLoader.LoadResult loaded = new EhrDatabaseLoader(EhrRowMapping.DEFAULT,
            EhrDatabaseLoader.Options.unpaced()).load(c, cohort);
        assertThat(loaded.rejected()).isZero();

        List<ConsumerRecord<String, String>> records = readUntil("syn", rs -> rs.stream()
            .filter(r -> r.value() != null).count() >= expected);

        Map<String, Long> encounterTx = new HashMap<>();
        for (JsonNode v : values(records, "syn", "encounters", "c")) {
          encounterTx.put(v.path("after").path("id").asText(), v.path("source").path("txId").asLong());
        }
        for (String table : expectedIds.keySet()) {
          List<JsonNode> inserts = values(records, "syn", table, "c");
          assertThat(inserts).as(table).extracting(v -> v.path("after").path("id").asText())
              .containsExactlyInAnyOrderElementsOf(expectedIds.get(table));
          if (!table.equals("patients") && !table.equals("encounters")) {
            // every fact of an encounter arrives in its encounter's transaction (facts without one, e.g. QALY,
            // are transactions of their own)
            List<String> outside = inserts.stream().filter(v -> v.path("after").path("encounter_id").isTextual())
                .filter(v -> !Long.valueOf(v.path("source").path("txId").asLong())
                    .equals(encounterTx.get(v.path("after").path("encounter_id").asText())))
                .map(v -> v.path("after").path("id").asText()).toList();
            assertThat(outside).as(table + " rows outside their encounter's transaction").isEmpty();
          }
        }
        assertThat(encounterTx.values()).doesNotHaveDuplicates();
        assertThat(encounterTx).hasSize(loaded.encounters());
      } finally {
        runner.close();
      }
    }
  }
}
