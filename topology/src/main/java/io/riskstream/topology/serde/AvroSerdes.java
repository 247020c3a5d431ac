package io.riskstream.topology.serde;

import io.apicurio.registry.resolver.client.RegistryClientFacade;
import io.apicurio.registry.resolver.config.SchemaResolverConfig;
import io.apicurio.registry.serde.avro.AvroKafkaDeserializer;
import io.apicurio.registry.serde.avro.AvroKafkaSerializer;
import io.apicurio.registry.serde.avro.AvroSerdeConfig;
import io.apicurio.registry.serde.config.SerdeConfig;
import io.riskstream.topology.config.RiskStreamConfig;
import io.riskstream.topology.config.Topics;
import java.util.HashMap;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.config.types.Password;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;

/**
 * Avro serdes for RiskStream's SpecificRecords in the Confluent framing (magic byte 0, 4-byte schema id, Avro
 * binary), through Apicurio's serde. The registry is either a {@link RegistryClientFacade} instance (the in-memory
 * one for the demo and tests) or an Apicurio REST URL. Schemas are registered on first use (artifact id = topic
 * name + "-value" / "-key", Apicurio's TopicIdStrategy).
 */
public final class AvroSerdes {

  private final RegistryClientFacade client;
  private final Map<String, Object> serdeConfig;

  private AvroSerdes(RegistryClientFacade client, Map<String, Object> serdeConfig) {
    this.client = client;
    this.serdeConfig = Map.copyOf(serdeConfig);
  }

  /** Serdes backed by the given registry client (e.g. {@link InMemorySchemaRegistry}). */
  public static AvroSerdes withClient(RegistryClientFacade client) {
    return new AvroSerdes(client, baseConfig());
  }

  /**
   * Serdes for {@code registry.url}: an Apicurio REST URL, or {@code mem://}: an in-memory registry that knows the
   * RiskStream schemas from the start under ids derived from their content
   * ({@link InMemorySchemaRegistry#withRiskStreamSchemas()}), so that a restarted process reads what the previous one
   * wrote (records of other schemas are unreadable after a restart).
   */
  public static AvroSerdes fromConfig(RiskStreamConfig config) {
    String url = config.getString(RiskStreamConfig.REGISTRY_URL_CONFIG);
    if (url.startsWith("mem://")) {
      return withClient(InMemorySchemaRegistry.withRiskStreamSchemas());
    }
    Map<String, Object> c = baseConfig();
    c.put(SchemaResolverConfig.REGISTRY_URL, url);
    String user = config.getString(RiskStreamConfig.REGISTRY_USERNAME_CONFIG);
    Password pw = config.registryPassword();
    if (!user.isEmpty()) {
      c.put(SchemaResolverConfig.AUTH_USERNAME, user);
      c.put(SchemaResolverConfig.AUTH_PASSWORD, pw == null ? "" : pw.value());
    }
    return new AvroSerdes(null, c);
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
