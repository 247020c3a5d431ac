package io.riskstream.connectors.cdc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CdcConfigTest {

  private static Map<String, Object> minimal() {
    Map<String, Object> p = new HashMap<>();
    p.put("bootstrap.servers", "kafka:9092");
    p.put("database.hostname", "ehr-db");
    p.put("database.dbname", "ehr");
    p.put("database.user", "debezium");
    return p;
  }

  @Test
  void shouldDocumentEveryKey() {
    ConfigDef def = CdcConfig.configDef();
    assertThat(def.configKeys()).isNotEmpty();
    assertThat(def.configKeys().values()).allSatisfy(key -> assertThat(key.documentation).isNotBlank());
  }

  @Test
  void shouldBuildThePgoutputConnectorWithJsonWithoutSchemasAndKafkaOffsets() {
    Properties engine = new CdcConfig(minimal(), Map.of()).engineProperties();
    assertThat(engine).containsEntry("connector.class", "io.debezium.connector.postgresql.PostgresConnector")
        .containsEntry("plugin.name", "pgoutput").containsEntry("topic.prefix", "ehr")
        .containsEntry("schema.include.list", "clinical").containsEntry("publication.name", "riskstream_ehr")
        .containsEntry("publication.autocreate.mode", "disabled").containsEntry("slot.name", "riskstream_ehr")
        .containsEntry("converter.schemas.enable", "false").containsEntry("tombstones.on.delete", "true")
        .containsEntry("signal.data.collection", "clinical.debezium_signal")
        .containsEntry("offset.storage", "org.apache.kafka.connect.storage.KafkaOffsetBackingStore")
        .containsEntry("offset.storage.topic", "riskstream-cdc-offsets").containsEntry("database.port", "5432")
        .doesNotContainKey("database.password");
  }

  @Test
  void shouldUseFileOffsetsAndPassDebeziumOverridesThrough() {
    Map<String, Object> p = minimal();
    p.put("offset.storage", "file");
    p.put("offset.storage.file.filename", "/var/lib/riskstream/offsets.dat");
    p.put("debezium.snapshot.mode", "no_data");
    p.put("debezium.table.include.list", "clinical.observations");
    Properties engine = new CdcConfig(p, Map.of()).engineProperties();
    assertThat(engine).containsEntry("offset.storage", "org.apache.kafka.connect.storage.FileOffsetBackingStore")
        .containsEntry("offset.storage.file.filename", "/var/lib/riskstream/offsets.dat")
        .containsEntry("snapshot.mode", "no_data").containsEntry("table.include.list", "clinical.observations");
  }

  @Test
  void shouldReadThePasswordFromAFileBeforeTheEnvironment(@TempDir Path dir) throws Exception {
    Path secret = dir.resolve("pw");
    Files.writeString(secret, "s3cret\n");
    Map<String, Object> p = minimal();
    assertThat(new CdcConfig(p, Map.of(CdcConfig.DATABASE_PASSWORD_ENV, "from-env")).engineProperties())
        .containsEntry("database.password", "from-env");
    p.put("database.password.file", secret.toString());
    assertThat(new CdcConfig(p, Map.of(CdcConfig.DATABASE_PASSWORD_ENV, "from-env")).engineProperties())
        .containsEntry("database.password", "s3cret");
  }

  @Test
  void shouldFailWithoutLeakingWhenThePasswordFileIsMissing(@TempDir Path dir) {
    Map<String, Object> p = minimal();
    p.put("database.password.file", dir.resolve("missing").toString());
    assertThatThrownBy(() -> new CdcConfig(p, Map.of()).engineProperties()).isInstanceOf(ConfigException.class)
        .hasMessageContaining("database.password.file");
  }

  @Test
  void shouldKeepTheProducerIdempotentWithAcksAll() {
    assertThat(new CdcConfig(minimal(), Map.of()).producerProperties())
        .containsEntry("acks", "all").containsEntry("enable.idempotence", true)
        .containsEntry("bootstrap.servers", "kafka:9092");
    Map<String, Object> p = minimal();
    p.put("producer.acks", "1");
    assertThatThrownBy(() -> new CdcConfig(p, Map.of()).producerProperties()).isInstanceOf(ConfigException.class)
        .hasMessageContaining("acks");
    Map<String, Object> tls = minimal();
    tls.put("security.protocol", "SSL");
    tls.put("kafka.admin.request.timeout.ms", "7000");
    assertThat(new CdcConfig(tls, Map.of()).producerProperties()).containsEntry("security.protocol", "SSL")
        .doesNotContainKey("request.timeout.ms");
    assertThat(new CdcConfig(tls, Map.of()).adminProperties()).containsEntry("security.protocol", "SSL")
        .containsEntry("request.timeout.ms", "7000").doesNotContainKey("acks");
    assertThat(new CdcConfig(tls, Map.of()).engineProperties()).containsEntry("security.protocol", "SSL");
  }

  @Test
  void shouldTakeKafkaSecuritySettingsFromTheEnvironment() {
    Map<String, Object> p = minimal();
    p.put("security.protocol", "SASL_SSL");
    p.put("sasl.mechanism", "SCRAM-SHA-512");
    CdcConfig config = new CdcConfig(p, Map.of("RISKSTREAM_SASL_JAAS_CONFIG",
        "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"cdc\" password=\"s3cret\";"));
    assertThat(String.valueOf(config.producerProperties().get("sasl.jaas.config"))).isEqualTo("[hidden]");
    assertThat(config.engineProperties().getProperty("sasl.jaas.config")).contains("username=\"cdc\"");
    assertThatThrownBy(() -> new CdcConfig(p, Map.of())).isInstanceOf(ConfigException.class)
        .hasMessageContaining("sasl.jaas.config is required");
  }

  @Test
  void shouldRejectMissingAndInvalidSettings() {
    Map<String, Object> p = minimal();
    p.remove("database.hostname");
    assertThatThrownBy(() -> new CdcConfig(p, Map.of())).isInstanceOf(ConfigException.class)
        .hasMessageContaining("database.hostname");
    Map<String, Object> q = minimal();
    q.put("snapshot.mode", "sometimes");
    assertThatThrownBy(() -> new CdcConfig(q, Map.of())).isInstanceOf(ConfigException.class)
        .hasMessageContaining("snapshot.mode");
  }
}
