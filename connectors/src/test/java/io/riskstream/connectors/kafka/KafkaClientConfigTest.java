package io.riskstream.connectors.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.OutputStream;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.types.Password;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KafkaClientConfigTest {

  private static final ConfigDef DEF = KafkaClientConfig.define(new ConfigDef());
  private static final String JAAS = "org.apache.kafka.common.security.scram.ScramLoginModule required"
      + " username=\"u\" password=\"jaas-secret\";";

  @TempDir
  Path dir;

  private static AbstractConfig config(Map<String, ?> props) {
    AbstractConfig config = new AbstractConfig(DEF, props, false);
    KafkaClientConfig.check(config);
    return config;
  }

  /** An empty PKCS12 store protected by {@code password}. */
  private Path store(String name, String password) throws Exception {
    KeyStore store = KeyStore.getInstance("PKCS12");
    store.load(null, null);
    Path file = dir.resolve(name);
    try (OutputStream out = Files.newOutputStream(file)) {
      store.store(out, password.toCharArray());
    }
    return file;
  }

  @Test
  void shouldGiveEveryClientTheSecurityKeysThatAreSetAndTheKafkaPrefixedProperties() {
    AbstractConfig config = config(Map.of("security.protocol", "SASL_SSL", "sasl.mechanism", "SCRAM-SHA-512",
        "sasl.jaas.config", JAAS, "kafka.session.timeout.ms", "45000", "kafka.consumer.max.poll.records", "100",
        "kafka.producer.linger.ms", "20", "kafka.admin.request.timeout.ms", "7000"));

    Map<String, Object> consumer = KafkaClientConfig.forClient(config, "b:9093", KafkaClientConfig.Client.CONSUMER);
    assertThat(consumer).containsEntry("bootstrap.servers", "b:9093").containsEntry("security.protocol", "SASL_SSL")
        .containsEntry("sasl.mechanism", "SCRAM-SHA-512").containsEntry("session.timeout.ms", "45000")
        .containsEntry("max.poll.records", "100").doesNotContainKeys("linger.ms", "request.timeout.ms",
            "ssl.truststore.location", "sasl.kerberos.kinit.cmd");
    assertThat(consumer.get("sasl.jaas.config")).isEqualTo(new Password(JAAS)).hasToString("[hidden]");
    assertThat(KafkaClientConfig.forClient(config, "b:9093", KafkaClientConfig.Client.PRODUCER))
        .containsEntry("linger.ms", "20").doesNotContainKey("max.poll.records");
    assertThat(KafkaClientConfig.forClient(config, "b:9093", KafkaClientConfig.Client.ADMIN))
        .containsEntry("request.timeout.ms", "7000").doesNotContainKey("linger.ms");
    // Kafka Streams reads its consumer./producer./admin. prefixes itself
    assertThat(KafkaClientConfig.forStreams(config, "b:9093")).containsEntry("consumer.max.poll.records", "100")
        .containsEntry("producer.linger.ms", "20").containsEntry("session.timeout.ms", "45000")
        .containsEntry("security.protocol", "SASL_SSL");
  }

  @Test
  void shouldOpenTheTruststoreWithItsPassword() throws Exception {
    Path trust = store("trust.p12", "right");
    assertThatCode(() -> config(Map.of("security.protocol", "SSL", "ssl.truststore.location", trust.toString(),
        "ssl.truststore.type", "PKCS12", "ssl.truststore.password", "right"))).doesNotThrowAnyException();
  }

  @Test
  void shouldNameTheKeyOfAWrongStorePassword() throws Exception {
    Path key = store("key.p12", "right");
    assertThatThrownBy(() -> config(Map.of("security.protocol", "SSL", "ssl.keystore.location", key.toString(),
        "ssl.keystore.type", "PKCS12", "ssl.keystore.password", "wrong-secret")))
        .isInstanceOf(ConfigException.class)
        .hasMessage("ssl.keystore.password: wrong password for ssl.keystore.location " + key)
        .hasMessageNotContaining("wrong-secret");
  }

  @Test
  void shouldNameTheKeyOfAMissingOrUnreadableStore() throws Exception {
    Path missing = dir.resolve("missing.p12");
    assertThatThrownBy(() -> config(Map.of("security.protocol", "SASL_SSL", "sasl.mechanism", "PLAIN",
        "sasl.jaas.config", JAAS, "ssl.truststore.location", missing.toString())))
        .isInstanceOf(ConfigException.class).hasMessage("ssl.truststore.location: no such file " + missing);
    Path garbage = Files.writeString(dir.resolve("garbage.p12"), "not a key store");
    assertThatThrownBy(() -> config(Map.of("security.protocol", "SSL", "ssl.truststore.location", garbage.toString(),
        "ssl.truststore.type", "PKCS12", "ssl.truststore.password", "pw")))
        .isInstanceOf(ConfigException.class).hasMessageStartingWith("ssl.truststore.location: cannot read " + garbage)
        .hasMessageNotContaining("\n");
  }

  @Test
  void shouldRequireAJaasConfigurationAndAKnownMechanismWithSasl() {
    assertThatThrownBy(() -> config(Map.of("security.protocol", "SASL_SSL", "sasl.mechanism", "SCRAM-SHA-512")))
        .isInstanceOf(ConfigException.class).hasMessageStartingWith("sasl.jaas.config is required");
    assertThatThrownBy(() -> config(Map.of("security.protocol", "SASL_PLAINTEXT", "sasl.mechanism", "SCRAM-SHA-1024",
        "sasl.jaas.config", JAAS)))
        .isInstanceOf(ConfigException.class).hasMessageStartingWith("sasl.mechanism SCRAM-SHA-1024 is not")
        .hasMessageNotContaining("jaas-secret");
  }

  @Test
  void shouldRefuseSecuritySettingsThatThePlaintextProtocolWouldIgnore() {
    assertThatThrownBy(() -> config(Map.of("sasl.jaas.config", JAAS)))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("sasl.jaas.config is set but security.protocol is PLAINTEXT")
        .hasMessageNotContaining("jaas-secret");
    assertThatThrownBy(() -> config(Map.of("security.protocol", "SASL_PLAINTEXT", "sasl.mechanism", "PLAIN",
        "sasl.jaas.config", JAAS, "ssl.truststore.location", "/etc/t.p12")))
        .isInstanceOf(ConfigException.class).hasMessageStartingWith("ssl.truststore.location is set but");
  }

  @Test
  void shouldDocumentTheSecurityKeysBriefly() {
    for (ConfigDef.ConfigKey key : DEF.configKeys().values()) {
      assertThat(key.documentation).as(key.name).isNotBlank().hasSizeLessThanOrEqualTo(240).doesNotContain("<");
    }
    assertThat(DEF.configKeys().get("ssl.truststore.password").type).isEqualTo(ConfigDef.Type.PASSWORD);
    assertThat(DEF.configKeys().get("sasl.jaas.config").type).isEqualTo(ConfigDef.Type.PASSWORD);
  }

  @Test
  void shouldEndTheProbeOfAnUnreachableClusterWithOneLineNamingBootstrapServers() throws Exception {
    int port;
    try (ServerSocket free = new ServerSocket(0)) {
      port = free.getLocalPort();
    }
    String servers = "localhost:" + port;
    assertThatThrownBy(() -> KafkaClusterProbe.await(Map.of("bootstrap.servers", servers), Duration.ofSeconds(2)))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("no answer from the Kafka cluster at bootstrap.servers=" + servers + " within 2000 ms")
        .hasMessageContaining("startup.timeout.ms").hasMessageNotContaining("\n");
  }
}
