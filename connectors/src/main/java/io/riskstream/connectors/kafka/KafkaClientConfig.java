package io.riskstream.connectors.kafka;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.UnrecoverableKeyException;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.config.SslConfigs;
import org.apache.kafka.common.config.types.Password;
import org.apache.kafka.common.security.auth.SecurityProtocol;

/**
 * The one place that turns a RiskStream configuration ({@code RiskStreamConfig}, {@link io.riskstream.connectors.cdc.CdcConfig})
 * into the properties of the Kafka clients it makes: {@code bootstrap.servers}, the standard client security keys
 * ({@value #SECURITY_PROTOCOL_CONFIG}, {@code ssl.*}, {@code sasl.*}, defined as Kafka's own client ConfigDef defines
 * them, secrets as PASSWORD) and any other client property under {@value #PASSTHROUGH_PREFIX}. It also checks the
 * security settings before anything connects ({@link #check}): stores that are missing, unreadable or whose password
 * is wrong, SASL without a JAAS configuration, an unknown mechanism; each is a {@link ConfigException} naming the key.
 * Secret values are never part of a message.
 */
public final class KafkaClientConfig {

  public static final String SECURITY_PROTOCOL_CONFIG = CommonClientConfigs.SECURITY_PROTOCOL_CONFIG;
  public static final String SECURITY_PROTOCOL_DOC = "Protocol to reach the brokers: PLAINTEXT, SSL (TLS, with a client"
      + " keystore for mTLS), SASL_PLAINTEXT or SASL_SSL; see the README, \"Secured Kafka\".";
  /** Prefix of any other Kafka client property: {@code kafka.session.timeout.ms} reaches the clients as is. */
  public static final String PASSTHROUGH_PREFIX = "kafka.";
  public static final String STARTUP_TIMEOUT_MS_CONFIG = "startup.timeout.ms";
  public static final String STARTUP_TIMEOUT_MS_DOC = "Longest wait at start for the Kafka cluster (and the schema"
      + " registry) to answer; when it does not, the command ends with one line naming bootstrap.servers (or"
      + " registry.url) and exit status 2.";

  /** The SASL mechanisms the Kafka clients implement. */
  public static final Set<String> SASL_MECHANISMS = Set.of("GSSAPI", "PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512",
      "OAUTHBEARER");

  /** Kafka Streams' prefixes of one kind of client, which a {@value #PASSTHROUGH_PREFIX} key may carry. */
  private static final List<String> CLIENT_PREFIXES = List.of("consumer.", "producer.", "admin.", "main.consumer.",
      "restore.consumer.", "global.consumer.");

  /** Kafka's own definitions of the client TLS and SASL keys (names, types, defaults, validators). */
  private static final ConfigDef KAFKA_SECURITY = new ConfigDef().withClientSslSupport().withClientSaslSupport();

  /** The kinds of client, for the {@code admin.}/{@code consumer.}/{@code producer.} keys under the prefix. */
  public enum Client {
    ADMIN("admin."), CONSUMER("consumer."), PRODUCER("producer.");

    private final String prefix;

    Client(String prefix) {
      this.prefix = prefix;
    }
  }

  private KafkaClientConfig() {
  }

  /**
   * Adds {@value #SECURITY_PROTOCOL_CONFIG}, every {@code ssl.*} and {@code sasl.*} client key and
   * {@value #STARTUP_TIMEOUT_MS_CONFIG} to {@code def} and returns it.
   */
  public static ConfigDef define(ConfigDef def) {
    def.define(SECURITY_PROTOCOL_CONFIG, Type.STRING, SecurityProtocol.PLAINTEXT.name,
        ConfigDef.CaseInsensitiveValidString.in(SecurityProtocol.names().toArray(new String[0])), Importance.HIGH,
        SECURITY_PROTOCOL_DOC);
    for (ConfigDef.ConfigKey k : KAFKA_SECURITY.configKeys().values()) {
      def.define(k.name, k.type, k.hasDefault() ? k.defaultValue : null, k.validator, k.importance, brief(k));
    }
    def.define(STARTUP_TIMEOUT_MS_CONFIG, Type.LONG, 30_000L, Range.atLeast(1), Importance.MEDIUM,
        STARTUP_TIMEOUT_MS_DOC);
    return def;
  }

  /** Whether {@code key} is one of the security keys {@link #define} adds. */
  public static boolean isSecurityKey(String key) {
    return key.equals(SECURITY_PROTOCOL_CONFIG) || KAFKA_SECURITY.configKeys().containsKey(key);
  }

  /**
   * Kafka's documentation of a key, cut to its first sentence (at most 240 characters) for the reference tables; the
   * full text is in Kafka's client documentation.
   */
  private static String brief(ConfigDef.ConfigKey k) {
    String doc = k.documentation.replaceAll("<[^>]+>", "").replaceAll("\\s+", " ").trim();
    // Kafka's texts sometimes join sentences without a space ("locally.Note: ...")
    java.util.regex.Matcher end = java.util.regex.Pattern.compile("\\.(\\s|(?=[A-Z]))").matcher(doc);
    String first = end.find() ? doc.substring(0, end.start() + 1) : doc;
    String suffix = " (Kafka client setting)";
    int room = 240 - suffix.length();
    if (first.length() > room) {
      first = first.substring(0, first.lastIndexOf(' ', room - 2)) + " …";
    }
    return first + suffix;
  }

  /**
   * Checks the security settings of {@code config} before anything connects; throws a {@link ConfigException} naming
   * the key to fix. Reads the keystore and truststore with their passwords.
   */
  public static void check(AbstractConfig config) {
    Map<String, ?> set = config.originals();
    SecurityProtocol protocol = protocol(config);
    boolean sasl = protocol == SecurityProtocol.SASL_PLAINTEXT || protocol == SecurityProtocol.SASL_SSL;
    boolean tls = protocol == SecurityProtocol.SSL || protocol == SecurityProtocol.SASL_SSL;
    for (String key : set.keySet()) {
      if (key.startsWith("sasl.") && isSecurityKey(key) && !sasl) {
        throw new ConfigException(key + " is set but " + SECURITY_PROTOCOL_CONFIG + " is " + protocol.name
            + ": set " + SECURITY_PROTOCOL_CONFIG + " to SASL_SSL or SASL_PLAINTEXT, or remove " + key);
      }
      if (key.startsWith("ssl.") && isSecurityKey(key) && !tls) {
        throw new ConfigException(key + " is set but " + SECURITY_PROTOCOL_CONFIG + " is " + protocol.name
            + ": set " + SECURITY_PROTOCOL_CONFIG + " to SSL or SASL_SSL, or remove " + key);
      }
    }
    if (sasl) {
      String mechanism = config.getString(SaslConfigs.SASL_MECHANISM);
      if (!SASL_MECHANISMS.contains(mechanism)) {
        throw new ConfigException(SaslConfigs.SASL_MECHANISM + " " + mechanism + " is not a SASL mechanism of the Kafka"
            + " clients; use one of " + String.join(", ", SASL_MECHANISMS.stream().sorted().toList()));
      }
      if (config.getPassword(SaslConfigs.SASL_JAAS_CONFIG) == null
          && !(mechanism.equals("GSSAPI") && System.getProperty("java.security.auth.login.config") != null)) {
        throw new ConfigException(SaslConfigs.SASL_JAAS_CONFIG + " is required with " + SECURITY_PROTOCOL_CONFIG + "="
            + protocol.name + " (e.g. org.apache.kafka.common.security.scram.ScramLoginModule required username=\"...\""
            + " password=\"...\";), from the file or " + "RISKSTREAM_SASL_JAAS_CONFIG");
      }
    }
    if (tls) {
      checkStore(config, SslConfigs.SSL_KEYSTORE_LOCATION_CONFIG, SslConfigs.SSL_KEYSTORE_TYPE_CONFIG,
          SslConfigs.SSL_KEYSTORE_PASSWORD_CONFIG);
      checkStore(config, SslConfigs.SSL_TRUSTSTORE_LOCATION_CONFIG, SslConfigs.SSL_TRUSTSTORE_TYPE_CONFIG,
          SslConfigs.SSL_TRUSTSTORE_PASSWORD_CONFIG);
    }
  }

  private static SecurityProtocol protocol(AbstractConfig config) {
    return SecurityProtocol.forName(config.getString(SECURITY_PROTOCOL_CONFIG).toUpperCase(Locale.ROOT));
  }

  /** Opens a JKS or PKCS12 store with its password (PEM stores are only checked to be readable files). */
  private static void checkStore(AbstractConfig config, String locationKey, String typeKey, String passwordKey) {
    String location = config.getString(locationKey);
    if (location == null || location.isBlank()) {
      return;
    }
    Path file = Path.of(location);
    if (!Files.isRegularFile(file)) {
      throw new ConfigException(locationKey + ": no such file " + location);
    }
    if (!Files.isReadable(file)) {
      throw new ConfigException(locationKey + ": cannot read " + location + " (permission denied)");
    }
    String type = config.getString(typeKey);
    if ("PEM".equalsIgnoreCase(type)) {
      return;
    }
    Password password = config.getPassword(passwordKey);
    try (InputStream in = Files.newInputStream(file)) {
      KeyStore store = KeyStore.getInstance(type);
      store.load(in, password == null ? null : password.value().toCharArray());
    } catch (IOException e) {
      if (e.getCause() instanceof UnrecoverableKeyException) {
        throw new ConfigException(passwordKey + ": wrong password for " + locationKey + " " + location);
      }
      throw new ConfigException(locationKey + ": cannot read " + location + " as a " + type + " store ("
          + e.getClass().getSimpleName() + "); check " + typeKey + " and " + passwordKey);
    } catch (GeneralSecurityException e) {
      throw new ConfigException(locationKey + ": cannot open " + location + " as a " + type + " store ("
          + e.getClass().getSimpleName() + "); check " + typeKey);
    }
  }

  /**
   * The properties every Kafka client of {@code config} shares: {@code bootstrap.servers}, the security keys that are
   * set and the {@value #PASSTHROUGH_PREFIX} keys without a client prefix (prefix stripped).
   */
  public static Map<String, Object> common(AbstractConfig config, String bootstrapServers) {
    Map<String, Object> p = new HashMap<>();
    passthrough(config).forEach((k, v) -> {
      if (CLIENT_PREFIXES.stream().noneMatch(k::startsWith)) {
        p.put(k, v);
      }
    });
    p.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    Map<String, ?> values = config.values();
    for (String key : config.originals().keySet()) {
      if (isSecurityKey(key)) {
        p.put(key, values.get(key));
      }
    }
    return p;
  }

  /** {@link #common} plus the {@value #PASSTHROUGH_PREFIX}{@code admin.}/{@code consumer.}/{@code producer.} keys of {@code client}. */
  public static Map<String, Object> forClient(AbstractConfig config, String bootstrapServers, Client client) {
    Map<String, Object> p = common(config, bootstrapServers);
    passthrough(config).forEach((k, v) -> {
      if (k.startsWith(client.prefix)) {
        p.put(k.substring(client.prefix.length()), v);
      }
    });
    return p;
  }

  /**
   * {@link #common} plus every {@value #PASSTHROUGH_PREFIX} key with a client prefix as is, for Kafka Streams, which
   * reads {@code consumer.}, {@code producer.}, {@code admin.}, {@code main.consumer.} ... itself.
   */
  public static Map<String, Object> forStreams(AbstractConfig config, String bootstrapServers) {
    Map<String, Object> p = common(config, bootstrapServers);
    p.putAll(passthrough(config));
    return p;
  }

  /** The {@value #PASSTHROUGH_PREFIX} keys, prefix stripped. */
  public static Map<String, Object> passthrough(AbstractConfig config) {
    return new HashMap<>(config.originalsWithPrefix(PASSTHROUGH_PREFIX));
  }
}
