package io.riskstream.connectors.cdc;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import io.riskstream.connectors.kafka.KafkaClientConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigDef.ValidString;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Configuration of {@link CdcRunner}: the in-process Debezium PostgreSQL connector and the Kafka producer it writes
 * with. Typed and documented keys for what a site must set; {@code debezium.*} keys pass through to the connector
 * (prefix stripped, they win over the defaults) and {@code producer.*} keys to the producer. The Kafka security keys
 * ({@code security.protocol}, {@code ssl.*}, {@code sasl.*}, also from {@code RISKSTREAM_<KEY>}) and {@code kafka.*}
 * client properties reach the producer, the admin client and the Kafka offset store ({@link KafkaClientConfig}).
 *
 * <p>The database password comes from {@link #DATABASE_PASSWORD_FILE_CONFIG} or the environment variable
 * {@link #DATABASE_PASSWORD_ENV}, never from the file itself, and is never logged.
 */
public final class CdcConfig extends AbstractConfig {

  public static final String DATABASE_PASSWORD_ENV = "RISKSTREAM_CDC_DATABASE_PASSWORD";
  public static final String DEBEZIUM_PREFIX = "debezium.";
  public static final String PRODUCER_PREFIX = "producer.";

  public static final String BOOTSTRAP_SERVERS_CONFIG = "bootstrap.servers";
  public static final String BOOTSTRAP_SERVERS_DOC = "Kafka brokers the change events are written to (host:port,...).";
  public static final String NAME_CONFIG = "name";
  public static final String NAME_DOC = "Connector name; also names the offsets in the offset store.";
  public static final String DATABASE_HOSTNAME_CONFIG = "database.hostname";
  public static final String DATABASE_HOSTNAME_DOC = "PostgreSQL host of the EHR database.";
  public static final String DATABASE_PORT_CONFIG = "database.port";
  public static final String DATABASE_PORT_DOC = "PostgreSQL port.";
  public static final String DATABASE_DBNAME_CONFIG = "database.dbname";
  public static final String DATABASE_DBNAME_DOC = "Database that holds the `clinical` schema.";
  public static final String DATABASE_USER_CONFIG = "database.user";
  public static final String DATABASE_USER_DOC = "Database user with the REPLICATION attribute and SELECT on the captured"
      + " tables.";
  public static final String DATABASE_PASSWORD_FILE_CONFIG = "database.password.file";
  public static final String DATABASE_PASSWORD_FILE_DOC = "File holding the database password (first line). When"
      + " empty, the environment variable " + DATABASE_PASSWORD_ENV + " is used, else no password.";
  public static final String TOPIC_PREFIX_CONFIG = "topic.prefix";
  public static final String TOPIC_PREFIX_DOC = "Topic prefix: change events of table clinical.t go to"
      + " <prefix>.clinical.t.";
  public static final String SCHEMA_INCLUDE_LIST_CONFIG = "schema.include.list";
  public static final String SCHEMA_INCLUDE_LIST_DOC = "Schemas captured (comma-separated regular expressions).";
  public static final String SLOT_NAME_CONFIG = "slot.name";
  public static final String SLOT_NAME_DOC = "Logical replication slot of the connector (created when missing).";
  public static final String PUBLICATION_NAME_CONFIG = "publication.name";
  public static final String PUBLICATION_NAME_DOC = "pgoutput publication read by the connector; schema.sql creates"
      + " riskstream_ehr for all tables of schema clinical.";
  public static final String SNAPSHOT_MODE_CONFIG = "snapshot.mode";
  public static final String SNAPSHOT_MODE_DOC = "Debezium snapshot mode: initial (snapshot once, then stream),"
      + " no_data (stream only), when_needed, always, initial_only.";
  public static final String HEARTBEAT_INTERVAL_MS_CONFIG = "heartbeat.interval.ms";
  public static final String HEARTBEAT_INTERVAL_MS_DOC = "Heartbeat interval; heartbeats let the slot's confirmed LSN"
      + " advance while the captured tables are quiet (0 = off).";
  public static final String OFFSET_STORAGE_CONFIG = "offset.storage";
  public static final String OFFSET_STORAGE_DOC = "Where source offsets (LSNs) are stored: 'kafka' (topic"
      + " offset.storage.topic) or 'file' (offset.storage.file.filename).";
  public static final String OFFSET_STORAGE_TOPIC_CONFIG = "offset.storage.topic";
  public static final String OFFSET_STORAGE_TOPIC_DOC = "Compacted topic for offsets when offset.storage=kafka.";
  public static final String OFFSET_STORAGE_REPLICATION_FACTOR_CONFIG = "offset.storage.replication.factor";
  public static final String OFFSET_STORAGE_REPLICATION_FACTOR_DOC = "Replication factor of the offsets topic.";
  public static final String OFFSET_STORAGE_FILE_CONFIG = "offset.storage.file.filename";
  public static final String OFFSET_STORAGE_FILE_DOC = "File for offsets when offset.storage=file.";
  public static final String OFFSET_FLUSH_INTERVAL_MS_CONFIG = "offset.flush.interval.ms";
  public static final String OFFSET_FLUSH_INTERVAL_MS_DOC = "How often processed offsets are committed.";

  private static final ConfigDef CONFIG_DEF = new ConfigDef()
      .define(BOOTSTRAP_SERVERS_CONFIG, Type.STRING, ConfigDef.NO_DEFAULT_VALUE, new ConfigDef.NonEmptyString(),
          Importance.HIGH, BOOTSTRAP_SERVERS_DOC)
      .define(NAME_CONFIG, Type.STRING, "riskstream-ehr-cdc", new ConfigDef.NonEmptyString(), Importance.MEDIUM,
          NAME_DOC)
      .define(DATABASE_HOSTNAME_CONFIG, Type.STRING, ConfigDef.NO_DEFAULT_VALUE, new ConfigDef.NonEmptyString(),
          Importance.HIGH, DATABASE_HOSTNAME_DOC)
      .define(DATABASE_PORT_CONFIG, Type.INT, 5432, Range.between(1, 65535), Importance.HIGH, DATABASE_PORT_DOC)
      .define(DATABASE_DBNAME_CONFIG, Type.STRING, ConfigDef.NO_DEFAULT_VALUE, new ConfigDef.NonEmptyString(),
          Importance.HIGH, DATABASE_DBNAME_DOC)
      .define(DATABASE_USER_CONFIG, Type.STRING, ConfigDef.NO_DEFAULT_VALUE, new ConfigDef.NonEmptyString(),
          Importance.HIGH, DATABASE_USER_DOC)
      .define(DATABASE_PASSWORD_FILE_CONFIG, Type.STRING, "", Importance.HIGH, DATABASE_PASSWORD_FILE_DOC)
      .define(TOPIC_PREFIX_CONFIG, Type.STRING, "ehr", new ConfigDef.NonEmptyString(), Importance.HIGH,
          TOPIC_PREFIX_DOC)
      .define(SCHEMA_INCLUDE_LIST_CONFIG, Type.STRING, "clinical", Importance.MEDIUM, SCHEMA_INCLUDE_LIST_DOC)
      .define(SLOT_NAME_CONFIG, Type.STRING, "riskstream_ehr", new ConfigDef.NonEmptyString(), Importance.MEDIUM,
          SLOT_NAME_DOC)
      .define(PUBLICATION_NAME_CONFIG, Type.STRING, "riskstream_ehr", new ConfigDef.NonEmptyString(),
          Importance.MEDIUM, PUBLICATION_NAME_DOC)
      .define(SNAPSHOT_MODE_CONFIG, Type.STRING, "initial",
          ValidString.in("initial", "no_data", "when_needed", "always", "initial_only"), Importance.MEDIUM,
          SNAPSHOT_MODE_DOC)
      .define(HEARTBEAT_INTERVAL_MS_CONFIG, Type.INT, 10_000, Range.atLeast(0), Importance.LOW,
          HEARTBEAT_INTERVAL_MS_DOC)
      .define(OFFSET_STORAGE_CONFIG, Type.STRING, "kafka", ValidString.in("kafka", "file"), Importance.HIGH,
          OFFSET_STORAGE_DOC)
      .define(OFFSET_STORAGE_TOPIC_CONFIG, Type.STRING, "riskstream-cdc-offsets", Importance.MEDIUM,
          OFFSET_STORAGE_TOPIC_DOC)
      .define(OFFSET_STORAGE_REPLICATION_FACTOR_CONFIG, Type.SHORT, (short) 3, Range.atLeast(1), Importance.MEDIUM,
          OFFSET_STORAGE_REPLICATION_FACTOR_DOC)
      .define(OFFSET_STORAGE_FILE_CONFIG, Type.STRING, "cdc-offsets.dat", Importance.MEDIUM, OFFSET_STORAGE_FILE_DOC)
      .define(OFFSET_FLUSH_INTERVAL_MS_CONFIG, Type.LONG, 5_000L, Range.atLeast(0), Importance.LOW,
          OFFSET_FLUSH_INTERVAL_MS_DOC);

  static {
    // security.protocol, ssl.*, sasl.* and startup.timeout.ms, as for every Kafka client of RiskStream
    KafkaClientConfig.define(CONFIG_DEF);
  }

  private final Map<String, String> environment;

  public CdcConfig(Map<?, ?> props) {
    this(props, System.getenv());
  }

  CdcConfig(Map<?, ?> props, Map<String, String> environment) {
    super(CONFIG_DEF, withSecurityOverrides(props, environment), false);
    this.environment = Map.copyOf(environment);
    KafkaClientConfig.check(this);
  }

  /**
   * {@code props} with the security keys and {@value KafkaClientConfig#STARTUP_TIMEOUT_MS_CONFIG} that the
   * environment sets as {@code RISKSTREAM_<KEY>} (e.g. {@code RISKSTREAM_SASL_JAAS_CONFIG}), as RiskStreamConfig reads
   * them.
   */
  private static Map<Object, Object> withSecurityOverrides(Map<?, ?> props, Map<String, String> environment) {
    Map<Object, Object> out = new HashMap<>(props);
    for (String key : CONFIG_DEF.names()) {
      if (KafkaClientConfig.isSecurityKey(key) || key.equals(KafkaClientConfig.STARTUP_TIMEOUT_MS_CONFIG)) {
        String value = environment.get("RISKSTREAM_" + key.toUpperCase(java.util.Locale.ROOT).replace('.', '_'));
        if (value != null) {
          out.put(key, value);
        }
      }
    }
    return out;
  }

  /** {@value KafkaClientConfig#STARTUP_TIMEOUT_MS_CONFIG}: how long the start waits for the Kafka cluster. */
  public java.time.Duration startupTimeout() {
    return java.time.Duration.ofMillis(getLong(KafkaClientConfig.STARTUP_TIMEOUT_MS_CONFIG));
  }

  /** Reads a properties file. */
  public static CdcConfig fromFile(Path file) throws IOException {
    Properties props = new Properties();
    try (InputStream in = Files.newInputStream(file)) {
      props.load(in);
    }
    return new CdcConfig(props);
  }

  public static ConfigDef configDef() {
    return new ConfigDef(CONFIG_DEF);
  }

  /** The Debezium engine's properties: the connector, JSON without schemas, offsets, then debezium.* overrides. */
  public Properties engineProperties() {
    Properties p = new Properties();
    p.setProperty("name", getString(NAME_CONFIG));
    p.setProperty("connector.class", "io.debezium.connector.postgresql.PostgresConnector");
    p.setProperty("plugin.name", "pgoutput");
    p.setProperty("database.hostname", getString(DATABASE_HOSTNAME_CONFIG));
    p.setProperty("database.port", String.valueOf(getInt(DATABASE_PORT_CONFIG)));
    p.setProperty("database.dbname", getString(DATABASE_DBNAME_CONFIG));
    p.setProperty("database.user", getString(DATABASE_USER_CONFIG));
    password().ifPresent(pw -> p.setProperty("database.password", pw));
    p.setProperty("topic.prefix", getString(TOPIC_PREFIX_CONFIG));
    p.setProperty("schema.include.list", getString(SCHEMA_INCLUDE_LIST_CONFIG));
    p.setProperty("slot.name", getString(SLOT_NAME_CONFIG));
    p.setProperty("publication.name", getString(PUBLICATION_NAME_CONFIG));
    p.setProperty("publication.autocreate.mode", "disabled");
    p.setProperty("snapshot.mode", getString(SNAPSHOT_MODE_CONFIG));
    p.setProperty("heartbeat.interval.ms", String.valueOf(getInt(HEARTBEAT_INTERVAL_MS_CONFIG)));
    p.setProperty("tombstones.on.delete", "true");
    // BEGIN/END with event counts on <topic.prefix>.transaction, and transaction.id in every change event: the
    // topology closes a transaction when all its events arrived (source.transaction.topic)
    p.setProperty("provide.transaction.metadata", "true");
    p.setProperty("signal.enabled.channels", "source");
    p.setProperty("signal.data.collection", "clinical.debezium_signal");
    // JSON key and value without the embedded Connect schema (DESIGN.md: schemas.enable=false)
    p.setProperty("converter.schemas.enable", "false");
    p.setProperty("offset.flush.interval.ms", String.valueOf(getLong(OFFSET_FLUSH_INTERVAL_MS_CONFIG)));
    if ("kafka".equals(getString(OFFSET_STORAGE_CONFIG))) {
      p.setProperty("offset.storage", "org.apache.kafka.connect.storage.KafkaOffsetBackingStore");
      // the offset store's clients connect as the producer does: bootstrap servers, security keys, kafka.* keys
      KafkaClientConfig.common(this, getString(BOOTSTRAP_SERVERS_CONFIG)).forEach((k, v) -> p.put(k,
          v instanceof org.apache.kafka.common.config.types.Password pw ? pw.value() : v instanceof Class<?> c
              ? c.getName() : String.valueOf(v)));
      p.setProperty("offset.storage.topic", getString(OFFSET_STORAGE_TOPIC_CONFIG));
      p.setProperty("offset.storage.partitions", "1");
      p.setProperty("offset.storage.replication.factor",
          String.valueOf(getShort(OFFSET_STORAGE_REPLICATION_FACTOR_CONFIG)));
    } else {
      p.setProperty("offset.storage", "org.apache.kafka.connect.storage.FileOffsetBackingStore");
      p.setProperty("offset.storage.file.filename", getString(OFFSET_STORAGE_FILE_CONFIG));
    }
    originalsWithPrefix(DEBEZIUM_PREFIX).forEach((k, v) -> p.setProperty(k, String.valueOf(v)));
    return p;
  }

  /** The producer's properties: idempotent, acks=all, String (JSON) key and value, then producer.* overrides. */
  public Map<String, Object> producerProperties() {
    Map<String, Object> p = KafkaClientConfig.forClient(this, getString(BOOTSTRAP_SERVERS_CONFIG),
        KafkaClientConfig.Client.PRODUCER);
    p.put(ProducerConfig.CLIENT_ID_CONFIG, getString(NAME_CONFIG) + "-producer");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
    p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
    p.putAll(originalsWithPrefix(PRODUCER_PREFIX));
    if (!"all".equals(String.valueOf(p.get(ProducerConfig.ACKS_CONFIG)))
        || !Boolean.parseBoolean(String.valueOf(p.get(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG)))) {
      throw new ConfigException("producer.acks must stay 'all' and producer.enable.idempotence true: change events"
          + " must not be lost or duplicated by the producer");
    }
    return p;
  }

  /** Admin client properties for creating topics: the connection settings of every client, and kafka.admin.*. */
  public Map<String, Object> adminProperties() {
    return KafkaClientConfig.forClient(this, getString(BOOTSTRAP_SERVERS_CONFIG), KafkaClientConfig.Client.ADMIN);
  }

  private java.util.Optional<String> password() {
    String file = getString(DATABASE_PASSWORD_FILE_CONFIG);
    if (file != null && !file.isBlank()) {
      try {
        String content = Files.readString(Path.of(file), StandardCharsets.UTF_8);
        return java.util.Optional.of(content.lines().findFirst().orElse(""));
      } catch (IOException e) {
        throw new ConfigException(DATABASE_PASSWORD_FILE_CONFIG + ": cannot read the password file (" + e.getClass()
            .getSimpleName() + ")");
      }
    }
    return java.util.Optional.ofNullable(environment.get(DATABASE_PASSWORD_ENV));
  }
}
