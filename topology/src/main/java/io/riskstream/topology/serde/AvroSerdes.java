package io.riskstream.topology.serde;

import io.apicurio.registry.resolver.client.RegistryClientFacade;
import io.apicurio.registry.resolver.config.SchemaResolverConfig;
import io.apicurio.registry.serde.avro.AvroKafkaDeserializer;
import io.apicurio.registry.serde.avro.AvroKafkaSerializer;
import io.apicurio.registry.serde.avro.AvroSerdeConfig;
import io.apicurio.registry.serde.config.SerdeConfig;
import io.riskstream.topology.config.RegistryApi;
import io.riskstream.topology.config.RiskStreamConfig;
import io.riskstream.topology.config.Topics;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.config.types.Password;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Avro serdes for RiskStream's SpecificRecords in the Confluent framing (magic byte 0, 4-byte schema id, Avro
 * binary), through Apicurio's serde. The registry is a {@link RegistryClientFacade} instance (the in-memory one for
 * the demo and tests, {@link ConfluentSchemaRegistry} for the Confluent API) or an Apicurio REST URL. Schemas are
 * registered on first use (artifact id = subject = topic name + "-value" / "-key", Apicurio's TopicIdStrategy and
 * Confluent's TopicNameStrategy).
 */
public final class AvroSerdes {

  private static final Logger LOG = LoggerFactory.getLogger(AvroSerdes.class);

  private final RegistryClientFacade client;
  private final Map<String, Object> serdeConfig;
  private final String registry;

  private AvroSerdes(RegistryClientFacade client, Map<String, Object> serdeConfig, String registry) {
    this.client = client;
    this.serdeConfig = Map.copyOf(serdeConfig);
    this.registry = registry;
  }

  /** Serdes backed by the given registry client (e.g. {@link InMemorySchemaRegistry}). */
  public static AvroSerdes withClient(RegistryClientFacade client) {
    return new AvroSerdes(client, baseConfig(), client.getClass().getSimpleName());
  }

  /**
   * Serdes that write and read through a Confluent-API registry: schemas are registered whole (dereferenced), so
   * every Confluent consumer reads them by their id alone.
   */
  public static AvroSerdes withConfluent(ConfluentSchemaRegistry client) {
    Map<String, Object> c = baseConfig();
    c.put(SchemaResolverConfig.DEREFERENCE_SCHEMA, true);
    // a schema id never changes: when the resolver's periodic refresh fails, the schema it has stays valid
    c.put(SchemaResolverConfig.FAULT_TOLERANT_REFRESH, true);
    return new AvroSerdes(client, c, client.toString());
  }

  /**
   * Serdes for {@code registry.url} and {@code registry.api}, after a log line that says which registry it is and
   * whether it is durable: an Apicurio v3 REST URL, a Confluent-API URL ({@link ConfluentSchemaRegistry}), or
   * {@code mem://}: an in-memory registry that holds RiskStream's own schemas from the start, under ids derived from
   * their content, and refuses any other ({@link InMemorySchemaRegistry#withRiskStreamSchemas()}), so that a restarted
   * process reads exactly what the previous one wrote, but not what a version with other schemas wrote.
   */
  public static AvroSerdes fromConfig(RiskStreamConfig config) {
    AvroSerdes serdes = create(config);
    if (serdes.client instanceof InMemorySchemaRegistry) {
      LOG.warn("schema registry: {}", serdes.registry());
    } else {
      LOG.info("schema registry: {}", serdes.registry());
    }
    return serdes;
  }

  private static AvroSerdes create(RiskStreamConfig config) {
    String url = config.getString(RiskStreamConfig.REGISTRY_URL_CONFIG);
    if (url.startsWith("mem://")) {
      return new AvroSerdes(InMemorySchemaRegistry.withRiskStreamSchemas(), baseConfig(), "in-memory (registry.url="
          + url + "), not durable: it holds only this version's RiskStream schemas, under ids derived from their "
          + "content, so a restarted process reads what an earlier one of the same version wrote; it refuses other "
          + "schemas, and records of other schema versions are unreadable. Production: registry.url of a durable "
          + "registry");
    }
    String user = config.getString(RiskStreamConfig.REGISTRY_USERNAME_CONFIG);
    Password pw = config.registryPassword();
    String truststore = config.getString(RiskStreamConfig.REGISTRY_TRUSTSTORE_LOCATION_CONFIG);
    Password truststorePassword = config.registryTruststorePassword();
    String truststoreType = config.getString(RiskStreamConfig.REGISTRY_TRUSTSTORE_TYPE_CONFIG);
    String durable = ", durable (schemas and ids are kept by the registry)"
        + (user.isEmpty() ? "" : ", basic auth as " + user)
        + (truststore.isEmpty() ? "" : ", TLS truststore " + truststore);
    if (config.registryApi() == RegistryApi.CONFLUENT) {
      ConfluentSchemaRegistry.Settings settings = ConfluentSchemaRegistry.Settings.of(url,
          Duration.ofMillis(config.getLong(RiskStreamConfig.REGISTRY_CONNECT_TIMEOUT_MS_CONFIG)),
          Duration.ofMillis(config.getLong(RiskStreamConfig.REGISTRY_REQUEST_TIMEOUT_MS_CONFIG)));
      if (!user.isEmpty()) {
        settings = settings.withBasicAuth(user, pw == null ? "" : pw.value());
      }
      if (!truststore.isEmpty()) {
        settings = settings.withSslContext(ConfluentSchemaRegistry.trusting(Path.of(truststore),
            truststorePassword == null ? null : truststorePassword.value().toCharArray(), truststoreType));
      }
      AvroSerdes confluent = withConfluent(new ConfluentSchemaRegistry(settings));
      return new AvroSerdes(confluent.client, confluent.serdeConfig, "Confluent API at "
          + ConfluentSchemaRegistry.displayUrl(url) + durable);
    }
    Map<String, Object> c = baseConfig();
    c.put(SchemaResolverConfig.REGISTRY_URL, url);
    if (!user.isEmpty()) {
      c.put(SchemaResolverConfig.AUTH_USERNAME, user);
      c.put(SchemaResolverConfig.AUTH_PASSWORD, pw == null ? "" : pw.value());
    }
    if (!truststore.isEmpty()) {
      c.put(SchemaResolverConfig.TLS_TRUSTSTORE_LOCATION, truststore);
      c.put(SchemaResolverConfig.TLS_TRUSTSTORE_TYPE, truststoreType);
      if (truststorePassword != null) {
        c.put(SchemaResolverConfig.TLS_TRUSTSTORE_PASSWORD, truststorePassword.value());
      }
    }
    return new AvroSerdes(null, c, "Apicurio v3 API at " + ConfluentSchemaRegistry.displayUrl(url) + durable);
  }

  /** Which registry these serdes use and whether it is durable (no credentials). */
  public String registry() {
    return registry;
  }

  private static Map<String, Object> baseConfig() {
    Map<String, Object> c = new HashMap<>();
    c.put(SerdeConfig.AUTO_REGISTER_ARTIFACT, true);
    c.put(AvroSerdeConfig.USE_SPECIFIC_AVRO_READER, true);
    c.put(AvroSerdeConfig.AVRO_DATUM_PROVIDER, SchemaCachingDatumProvider.class.getName());
    return c;
  }

  /** The configuration every serde of this instance gets (for tests; may hold registry credentials). */
  Map<String, Object> serdeConfig() {
    return serdeConfig;
  }

  /** A value serde for {@code type}. */
  public <T extends SpecificRecord> Serde<T> value(Class<T> type) {
    return create(false);
  }

  /** A key serde for {@code type}. */
  /** The value serde of {@code topic}'s record type. */
  public <T extends SpecificRecord> Serde<T> value(Topics.Topic<T> topic) {
    return value(topic.valueType());
  }

  public <T extends SpecificRecord> Serde<T> key(Class<T> type) {
    return create(true);
  }

  private <T> Serde<T> create(boolean isKey) {
    AvroKafkaSerializer<T> ser = client == null ? new AvroKafkaSerializer<>() : new AvroKafkaSerializer<>(client);
    AvroKafkaDeserializer<T> de = client == null ? new AvroKafkaDeserializer<>() : new AvroKafkaDeserializer<>(client);
    ser.configure(serdeConfig, isKey);
    de.configure(serdeConfig, isKey);
    return Serdes.serdeFrom(ser, de);
  }
}
