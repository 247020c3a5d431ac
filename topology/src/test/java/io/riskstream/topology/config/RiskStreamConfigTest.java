package io.riskstream.topology.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.riskstream.connectors.debezium.SourceMapping;
import io.riskstream.schemas.EventKind;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RiskStreamConfigTest {

  @Test
  void shouldDocumentEveryKey() {
    for (ConfigDef.ConfigKey key : RiskStreamConfig.configDef().configKeys().values()) {
      assertThat(key.documentation).as("documentation of %s", key.name).isNotBlank().hasSizeGreaterThan(15);
    }
  }

  @Test
  void shouldDefaultToExactlyOnceV2() {
    RiskStreamConfig c = new RiskStreamConfig(Map.of());
    assertThat(c.streamsProperties().get(StreamsConfig.PROCESSING_GUARANTEE_CONFIG)).isEqualTo("exactly_once_v2");
  }

  @Test
  void shouldRejectInvalidValues() {
    assertThatThrownBy(() -> new RiskStreamConfig(Map.of("scorer", "gpu"))).isInstanceOf(ConfigException.class);
    assertThatThrownBy(() -> new RiskStreamConfig(Map.of("history.max.events", "0"))).isInstanceOf(ConfigException.class);
    assertThatThrownBy(() -> new RiskStreamConfig(Map.of("registry.url", "ftp://x"))).isInstanceOf(ConfigException.class);
    assertThatThrownBy(() -> new RiskStreamConfig(Map.of("alert.warning.threshold", "0.8", "alert.critical.threshold", "0.5")))
        .isInstanceOf(ConfigException.class);
    assertThatThrownBy(() -> new RiskStreamConfig(Map.of("source.tables", "patients,labs"))).isInstanceOf(ConfigException.class)
        .hasMessageContaining("labs");
  }

  @Test
  void shouldApplyFileThenEnvironmentOverrides(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("rs.properties");
    Files.writeString(file, "history.max.events=100\nregistry.url=http://registry:8080/apis/registry/v3\n"
        + "alert.outcome.stroke.critical.threshold=0.9\n");
    RiskStreamConfig c = RiskStreamConfig.load(file, Map.of("RISKSTREAM_HISTORY_MAX_EVENTS", "50",
        "RISKSTREAM_ALERT_OUTCOME_STROKE_COOLDOWN_HOURS", "2", "PATH", "/bin"));
    assertThat(c.getInt(RiskStreamConfig.HISTORY_MAX_EVENTS_CONFIG)).isEqualTo(50);
    assertThat(c.getString(RiskStreamConfig.REGISTRY_URL_CONFIG)).startsWith("http://registry");
    assertThat(c.alertPolicy().forOutcome("stroke").criticalThreshold()).isEqualTo(0.9);
    assertThat(c.alertPolicy().forOutcome("stroke").cooldown()).isEqualTo(Duration.ofHours(2));
    assertThat(c.alertPolicy().forOutcome("heart_failure").criticalThreshold()).isEqualTo(0.6);
  }

  @Test
  void shouldUseTheModelsOperatingPointsOnlyWhereTheConfigurationSetsNoThreshold() {
    Map<String, io.riskstream.scoring.model.OperatingPoint> points = Map.of(
        "ckd", new io.riskstream.scoring.model.OperatingPoint(0.04, 0.12),
        "mi", new io.riskstream.scoring.model.OperatingPoint(0.02, 0.05));

    AlertPolicy none = new RiskStreamConfig(Map.of("alert.outcome.mi.critical.threshold", "0.5",
        RiskStreamConfig.ALERT_COOLDOWN_HOURS_CONFIG, "5")).alertPolicy().withOperatingPoints(points);
    assertThat(none.forOutcome("ckd").warningThreshold()).isEqualTo(0.04);
    assertThat(none.forOutcome("ckd").criticalThreshold()).isEqualTo(0.12);
    assertThat(none.forOutcome("ckd").cooldown()).isEqualTo(Duration.ofHours(5));
    assertThat(none.usesOperatingPoint("ckd")).isTrue();
    // a threshold configured for the outcome: the configuration's thresholds, never mixed with the model's
    assertThat(none.forOutcome("mi").criticalThreshold()).isEqualTo(0.5);
    assertThat(none.forOutcome("mi").warningThreshold()).isEqualTo(0.3);
    assertThat(none.usesOperatingPoint("mi")).isFalse();
    assertThat(none.forOutcome("stroke").warningThreshold()).isEqualTo(0.3);  // no point: the defaults

    AlertPolicy global = new RiskStreamConfig(Map.of(RiskStreamConfig.ALERT_WARNING_THRESHOLD_CONFIG, "0.07"))
        .alertPolicy().withOperatingPoints(points);
    assertThat(global.forOutcome("ckd").warningThreshold()).isEqualTo(0.07);
    assertThat(global.forOutcome("ckd").criticalThreshold()).isEqualTo(0.6);
    assertThat(global.usesOperatingPoint("ckd")).isFalse();
  }

  @Test
  void shouldReadTheReasonRules() {
    RiskStreamConfig c = new RiskStreamConfig(Map.of(RiskStreamConfig.ALERT_REASONS_MIN_CONTRIBUTION_CONFIG, "0.01",
        RiskStreamConfig.ALERT_REASONS_EXCLUDED_CODES_CONFIG, "QALY, 76437-3"));
    assertThat(c.alertPolicy().reasonRules().minContribution()).isEqualTo(0.01);
    // defaults: 3 reasons cited among the 16 newest groups, each at least 0.0005 and a tenth of p
    AlertPolicy.Reasons defaults = new RiskStreamConfig(Map.of()).alertPolicy().reasonRules();
    assertThat(defaults.count()).isEqualTo(3);
    assertThat(defaults.occluded()).isEqualTo(16);
    assertThat(defaults.floor(0.02)).isEqualTo(0.002, org.assertj.core.data.Offset.offset(1e-12));
    assertThat(defaults.floor(0.001)).isEqualTo(0.0005);
    // never fewer candidates than reasons; none without reasons
    assertThat(new RiskStreamConfig(Map.of(RiskStreamConfig.ALERT_REASONS_CONFIG, "5",
        RiskStreamConfig.ALERT_REASONS_CANDIDATES_CONFIG, "2")).alertPolicy().reasonRules().occluded()).isEqualTo(5);
    assertThat(new RiskStreamConfig(Map.of(RiskStreamConfig.ALERT_REASONS_CONFIG, "0")).alertPolicy().reasonRules()
        .occluded()).isZero();
    assertThat(new AlertPolicy.Reasons(3, 16, 0, 0, java.util.Set.of()).floor(0.5)).isPositive();
    assertThatThrownBy(() -> new RiskStreamConfig(Map.of(RiskStreamConfig.ALERT_REASONS_CANDIDATES_CONFIG, "33")))
        .isInstanceOf(ConfigException.class);
    assertThatThrownBy(() -> new RiskStreamConfig(Map.of(RiskStreamConfig.ALERT_REASONS_MIN_SHARE_CONFIG, "-0.1")))
        .isInstanceOf(ConfigException.class);
    assertThat(c.alertPolicy().reasonRules().excludedCodes()).containsExactlyInAnyOrder("QALY", "76437-3");
    assertThat(new RiskStreamConfig(Map.of()).alertPolicy().reasonRules().excludedCodes())
        .containsExactlyInAnyOrder("QALY", "DALY", "QOLS");
    assertThatThrownBy(() -> new RiskStreamConfig(Map.of(RiskStreamConfig.ALERT_REASONS_MIN_CONTRIBUTION_CONFIG, "2")))
        .isInstanceOf(ConfigException.class);
  }

  @Test
  void shouldHidePasswordsInToString() {
    RiskStreamConfig c = new RiskStreamConfig(Map.of("registry.password", "s3cret-value"));
    assertThat(c.registryPassword().value()).isEqualTo("s3cret-value");
    assertThat(c.toString()).doesNotContain("s3cret-value");
    assertThat(c.values().toString()).doesNotContain("s3cret-value");
  }

  @Test
  void shouldTakeKafkaSecretsFromTheEnvironmentAndGiveThemToEveryClientHidden(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("rs.properties");
    Files.writeString(file, "bootstrap.servers=kafka-0:9093\nsecurity.protocol=SASL_SSL\nsasl.mechanism=SCRAM-SHA-512\n"
        + "kafka.consumer.session.timeout.ms=45000\nkafka.request.timeout.ms=20000\n");
    String jaas = "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"rs\" password=\"pw-42\";";
    RiskStreamConfig c = RiskStreamConfig.load(file, Map.of("RISKSTREAM_SASL_JAAS_CONFIG", jaas,
        "RISKSTREAM_SSL_KEY_PASSWORD", "key-pw-42"));

    assertThat(c.getPassword("sasl.jaas.config").value()).isEqualTo(jaas);
    assertThat(c.getPassword("ssl.key.password").value()).isEqualTo("key-pw-42");
    assertThat(c.toString()).doesNotContain("pw-42");
    assertThat(c.streamsProperties()).containsEntry("security.protocol", "SASL_SSL")
        .containsEntry("consumer.session.timeout.ms", "45000").containsEntry("request.timeout.ms", "20000")
        .containsEntry("bootstrap.servers", "kafka-0:9093").containsEntry("application.id", "riskstream");
    assertThat(c.streamsProperties().toString()).doesNotContain("pw-42");
    for (Map<String, Object> client : java.util.List.of(c.adminProperties(), c.consumerProperties(),
        c.producerProperties())) {
      assertThat(client).containsEntry("security.protocol", "SASL_SSL").containsEntry("sasl.mechanism", "SCRAM-SHA-512")
          .containsKeys("sasl.jaas.config", "ssl.key.password").containsEntry("request.timeout.ms", "20000");
      assertThat(client.toString()).doesNotContain("pw-42");
    }
    assertThat(c.consumerProperties()).containsEntry("session.timeout.ms", "45000");
    assertThat(c.adminProperties()).doesNotContainKey("session.timeout.ms");
  }

  @Test
  void shouldRejectSaslWithoutAJaasConfigurationBeforeConnecting() {
    assertThatThrownBy(() -> new RiskStreamConfig(Map.of("security.protocol", "SASL_SSL",
        "sasl.mechanism", "SCRAM-SHA-512"))).isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("sasl.jaas.config is required");
  }

  @Test
  void shouldMapTheSixEhrTablesByDefault() {
    SourceMapping m = new RiskStreamConfig(Map.of()).sourceMapping();
    assertThat(m.tables()).containsOnlyKeys("patients", "encounters", "conditions", "observations", "medications", "procedures");
    assertThat(m.table("observations").orElseThrow().valueColumn()).isEqualTo("value_numeric");
    assertThat(m.table("patients").orElseThrow().kind()).isEqualTo(EventKind.DEMOGRAPHICS);
    assertThat(m.table("patients").orElseThrow().patientColumn()).isEqualTo("id");
    assertThat(m.table("conditions").orElseThrow().patientColumn()).isEqualTo("patient_id");
  }

  @Test
  void shouldOverrideATableColumn() {
    SourceMapping m = new RiskStreamConfig(Map.of("source.table.conditions.code.column", "icd10")).sourceMapping();
    assertThat(m.table("conditions").orElseThrow().codeColumn()).isEqualTo("icd10");
  }

  @Test
  void shouldDocumentEveryKeyBriefly() {
    // the longer story of a key belongs in topology/README.md ("Configuration notes"), not in its description
    for (ConfigDef.ConfigKey key : RiskStreamConfig.configDef().configKeys().values()) {
      assertThat(key.documentation).as(key.name).isNotBlank().hasSizeLessThanOrEqualTo(240);
    }
  }

  @Test
  void shouldGenerateMarkdownReferenceWithEveryKey() {
    String md = ConfigDocs.markdown(RiskStreamConfig.configDef());
    for (String name : RiskStreamConfig.configDef().names()) {
      assertThat(md).contains("`" + name + "`");
    }
    assertThat(md).contains("RISKSTREAM_HISTORY_MAX_EVENTS");
  }

  @Test
  void shouldKeepTheCommittedConfigurationReferenceUpToDate() throws Exception {
    Path committed = Path.of("CONFIGURATION.md");
    assertThat(committed).exists();
    assertThat(Files.readString(committed)).as("regenerate with: riskstream config-docs --out topology/CONFIGURATION.md")
        .isEqualTo(ConfigDocs.document(RiskStreamConfig.configDef()));
  }
}
