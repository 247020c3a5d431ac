package io.riskstream.app.helm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import com.marcnuri.helm.TemplateCommand;
import io.riskstream.topology.config.RiskStreamConfig;
import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.function.UnaryOperator;
import org.apache.kafka.common.config.ConfigDef;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Helm chart in {@code helm/riskstream}, linted and rendered by helm-java (the Helm 3 library) and checked against
 * this module's {@link RiskStreamConfig}, so the chart cannot ship a key or value the application rejects.
 */
class HelmChartTest {

  /** Relative to the module directory, where Maven runs the tests (as the other tests find repository files). */
  private static final Path CHART = Path.of("..", "helm", "riskstream");
  private static final String PROPERTIES = "riskstream.properties";
  /** Keys the chart sets itself (from other values or a Secret), refused in {@code .Values.config}. */
  /** Keys the chart sets itself, and every password-typed key: a secret never goes into the ConfigMap. */
  private static final Set<String> CHART_OWNED_KEYS = chartOwnedKeys();
  /** helm template's built-in default (1.20) is older than the chart's kubeVersion constraint. */
  private static final String KUBE_VERSION = "1.30.0";
  private static final YAMLMapper YAML = new YAMLMapper();

  @TempDir
  Path tmp;

  @Test
  void shouldLintWithoutErrorsOrWarnings() {
    LintResult result = new Helm(CHART).lint().strict().call();

    assertThat(result.isFailed()).as("helm lint --strict: %s", result.getMessages()).isFalse();
    assertThat(result.getMessages()).noneMatch(m -> m.contains("[ERROR]") || m.contains("[WARNING]"));
  }

  @Test
  void shouldRenderStatefulSetConfigMapServiceProbesAndStateVolumeClaimByDefault() throws IOException {
    Rendered r = render(t -> t);

    JsonNode sts = r.one("StatefulSet");
    JsonNode pod = sts.at("/spec/template/spec");
    JsonNode container = pod.at("/containers/0");
    assertThat(sts.at("/spec/replicas").asInt()).isEqualTo(1);
    assertThat(sts.at("/spec/serviceName").asText()).isEqualTo("rs-riskstream-headless");
    assertThat(texts(container.get("args"))).containsExactly("run", "--config", "/etc/riskstream/riskstream.properties");
    assertThat(container.at("/ports/0/containerPort").asInt()).isEqualTo(8080);
    assertThat(container.at("/livenessProbe/httpGet/path").asText()).isEqualTo("/health/live");
    assertThat(container.at("/livenessProbe/httpGet/port").asText()).isEqualTo("http");
    assertThat(container.at("/readinessProbe/httpGet/path").asText()).isEqualTo("/health/ready");
    assertThat(container.at("/readinessProbe/httpGet/port").asText()).isEqualTo("http");
    assertThat(container.at("/startupProbe/httpGet/path").asText()).isEqualTo("/health/live");
    assertThat(env(container, "JAVA_TOOL_OPTIONS").path("value").asText()).startsWith("-Xmx1g ");
    assertThat(container.at("/resources/limits").has("nvidia.com/gpu")).isFalse();
    assertThat(container.at("/securityContext/readOnlyRootFilesystem").asBoolean()).isTrue();
    assertThat(pod.at("/securityContext/runAsNonRoot").asBoolean()).isTrue();
    assertThat(pod.get("enableServiceLinks").asBoolean()).as("RISKSTREAM_* service link variables").isFalse();
    assertThat(pod.at("/terminationGracePeriodSeconds").asInt()).isGreaterThan(30);

    JsonNode claim = sts.at("/spec/volumeClaimTemplates/0");
    assertThat(claim.at("/metadata/name").asText()).isEqualTo("state");
    assertThat(claim.at("/spec/resources/requests/storage").asText()).isEqualTo("10Gi");
    assertThat(mountPath(container, "state")).isEqualTo("/var/lib/riskstream/state");
    assertThat(mountPath(container, "tmp")).isEqualTo("/tmp");
    assertThat(mountPath(container, "config")).isEqualTo("/etc/riskstream");
    assertThat(volume(pod, "config").at("/configMap/name").asText()).isEqualTo("rs-riskstream");

    JsonNode service = r.named("Service", "rs-riskstream");
    assertThat(service.at("/spec/type").asText()).isEqualTo("ClusterIP");
    assertThat(service.at("/spec/ports/0/targetPort").asText()).isEqualTo("http");
    assertThat(r.named("Service", "rs-riskstream-headless").at("/spec/clusterIP").asText()).isEqualTo("None");

    Properties props = r.properties();
    assertThat(props.getProperty(RiskStreamConfig.STATE_DIR_CONFIG)).isEqualTo("/var/lib/riskstream/state");
    assertThat(props.getProperty(RiskStreamConfig.HTTP_PORT_CONFIG)).isEqualTo("8080");
    assertThat(props.getProperty(RiskStreamConfig.SCORER_CONFIG)).isEqualTo("onnxruntime");
    assertThat(r.all("ServiceMonitor")).isEmpty();
    assertThat(r.all("PodDisruptionBudget")).isEmpty();
    assertThat(r.all("Secret")).isEmpty();
  }

  @Test
  void shouldRenderOnlyKeysAndValuesThatRiskStreamConfigAccepts() throws IOException {
    Path custom = valuesFile("""
        config:
          bootstrap.servers: [kafka-0.kafka:9092, kafka-1.kafka:9092]
          source.topic.pattern: 'ehr\\.clinical\\.[a-z_]+'
          fhir.max.record.bytes: 16777216
          alert.warning.threshold: 0.25
          trigger.close.on.source.progress: false
          alert.outcome.ckd_stage3.warning.threshold: 0.2
          history.max.age.days: null
        """);
    for (Rendered r : List.of(render(t -> t), render(t -> t.set("gpu.enabled", "true")),
        render(t -> t.withValuesFile(custom)))) {
      Properties props = r.properties();
      Set<String> defined = RiskStreamConfig.configDef().names();
      assertThat(props.stringPropertyNames()).allMatch(k -> defined.contains(k)
          || k.startsWith(RiskStreamConfig.SOURCE_TABLE_PREFIX) || k.startsWith(RiskStreamConfig.ALERT_OUTCOME_PREFIX),
          "a key RiskStreamConfig defines");

      RiskStreamConfig config = new RiskStreamConfig(props);

      assertThat(config.getString(RiskStreamConfig.STATE_DIR_CONFIG)).isEqualTo("/var/lib/riskstream/state");
    }

    RiskStreamConfig config = new RiskStreamConfig(render(t -> t.withValuesFile(custom)).properties());
    assertThat(config.getList(RiskStreamConfig.BOOTSTRAP_SERVERS_CONFIG))
        .containsExactly("kafka-0.kafka:9092", "kafka-1.kafka:9092");
    assertThat(config.sourceTopicPattern().pattern()).isEqualTo("ehr\\.clinical\\.[a-z_]+");
    assertThat(config.getInt(RiskStreamConfig.FHIR_MAX_RECORD_BYTES_CONFIG)).isEqualTo(16_777_216);
    assertThat(config.getDouble(RiskStreamConfig.ALERT_WARNING_THRESHOLD_CONFIG)).isEqualTo(0.25);
    assertThat(config.getBoolean(RiskStreamConfig.TRIGGER_CLOSE_ON_SOURCE_PROGRESS_CONFIG)).isFalse();
    assertThat(config.alertPolicy().forOutcome("ckd_stage3").warningThreshold()).isEqualTo(0.2);
    assertThat(config.originals()).doesNotContainKey(RiskStreamConfig.HISTORY_MAX_AGE_DAYS_CONFIG);
  }

  @Test
  void shouldAcceptInTheValuesSchemaExactlyTheKeysRiskStreamConfigDefinesExceptTheChartsOwn() throws IOException {
    JsonNode schema = new ObjectMapper().readTree(CHART.resolve("values.schema.json").toFile());
    Set<String> schemaKeys = new HashSet<>(texts(schema.at("/properties/config/propertyNames/anyOf/0/enum")));

    Set<String> expected = new HashSet<>(RiskStreamConfig.configDef().names());
    expected.removeAll(CHART_OWNED_KEYS);
    assertThat(schemaKeys).isEqualTo(expected);
  }

  @Test
  void shouldRefuseUnknownAndChartOwnedConfigKeys() {
    assertThatThrownBy(() -> render(t -> t.set("config.bootstrap\\.server", "kafka:9092")))
        .hasMessageContaining("bootstrap.server");
    for (String owned : CHART_OWNED_KEYS) {
      assertThatThrownBy(() -> render(t -> t.set("config." + owned.replace(".", "\\."), "x")))
          .as(owned).hasMessageContaining(owned);
    }
  }

  @Test
  void shouldRefuseChartOwnedConfigKeysInTheTemplatesToo() throws IOException {
    // helm install --skip-schema-validation bypasses values.schema.json; the templates refuse the keys themselves
    Path copy = tmp.resolve("riskstream-without-schema");
    try (var files = Files.walk(CHART)) {
      for (Path f : files.toList()) {
        Path target = copy.resolve(CHART.relativize(f).toString());
        if (Files.isDirectory(f)) {
          Files.createDirectories(target);
        } else if (!f.getFileName().toString().equals("values.schema.json")) {
          Files.copy(f, target);
        }
      }
    }
    for (String owned : CHART_OWNED_KEYS) {
      assertThatThrownBy(() -> new Helm(copy).template().withName("rs").withKubeVersion(KUBE_VERSION)
          .set("config." + owned.replace(".", "\\."), "x").call())
          .as(owned).hasMessageContaining("config." + owned + " is set by the chart");
    }
  }

  @Test
  void shouldAddGpuLimitSchedulingTensorRtScorerAndEngineCacheVolumeWithGpuEnabled() throws IOException {
    Rendered r = render(t -> t.set("gpu.enabled", "true")
        .set("gpu.nodeSelector.nvidia\\.com/gpu\\.present", "true")
        .set("gpu.tolerations[0].key", "nvidia.com/gpu")
        .set("gpu.tolerations[0].operator", "Exists")
        .set("gpu.tolerations[0].effect", "NoSchedule"));

    JsonNode pod = r.one("StatefulSet").at("/spec/template/spec");
    JsonNode container = pod.at("/containers/0");
    assertThat(container.at("/resources/limits").get("nvidia.com/gpu").asInt()).isEqualTo(1);
    assertThat(container.at("/resources/limits/memory").asText()).isEqualTo("2Gi");
    assertThat(pod.at("/nodeSelector").get("nvidia.com/gpu.present").asText()).isEqualTo("true");
    assertThat(pod.at("/tolerations/0/key").asText()).isEqualTo("nvidia.com/gpu");
    assertThat(mountPath(container, "tensorrt-engines")).isEqualTo("/var/cache/riskstream/tensorrt-engines");
    assertThat(volume(pod, "tensorrt-engines").has("emptyDir")).isTrue();
    Properties props = r.properties();
    assertThat(props.getProperty(RiskStreamConfig.SCORER_CONFIG)).isEqualTo("tensorrt");
    assertThat(props.getProperty(RiskStreamConfig.TENSORRT_ENGINE_CACHE_DIR_CONFIG))
        .isEqualTo("/var/cache/riskstream/tensorrt-engines");

    JsonNode init = pod.at("/initContainers/0");
    assertThat(init.at("/name").asText()).isEqualTo("build-engine");
    assertThat(init.get("args").toString()).isEqualTo("[\"build-engine\",\"--config\",\"/etc/riskstream/riskstream.properties\"]");
    assertThat(init.at("/resources/limits").get("nvidia.com/gpu").asInt()).isEqualTo(1);
    assertThat(mountPath(init, "tensorrt-engines")).isEqualTo(mountPath(container, "tensorrt-engines"));
    assertThat(mountPath(init, "config")).isEqualTo(mountPath(container, "config"));
    for (JsonNode c : List.of(container, init)) {
      assertThat(env(c, "JAVA_TOOL_OPTIONS").path("value").asText()).contains("-Dorg.bytedeco.javacpp.maxPhysicalBytes=0").doesNotContain("  ");
    }
    JsonNode withoutInit = render(t -> t.set("gpu.enabled", "true").set("gpu.buildEngine", "false"))
        .one("StatefulSet").at("/spec/template/spec");
    assertThat(withoutInit.has("initContainers")).isFalse();
    JsonNode cpu = render(t -> t).one("StatefulSet").at("/spec/template/spec");
    assertThat(cpu.has("initContainers")).isFalse();
    assertThat(env(cpu.at("/containers/0"), "JAVA_TOOL_OPTIONS").path("value").asText()).doesNotContain("maxPhysicalBytes");

    Rendered onClaim = render(t -> t.set("gpu.enabled", "true").set("gpu.engineCache.type", "persistentVolumeClaim"));
    JsonNode sts = onClaim.one("StatefulSet");
    assertThat(sts.at("/spec/volumeClaimTemplates").findValuesAsText("name")).contains("state", "tensorrt-engines");
    assertThat(volume(sts.at("/spec/template/spec"), "tensorrt-engines").isMissingNode()).isTrue();
  }

  @Test
  void shouldInjectTheRegistryPasswordOnlyAsSecretKeyRef() throws IOException {
    String password = "s3cret-registry-pw";
    Rendered created = render(t -> t.set("registryPassword.value", password));
    Rendered existing = render(t -> t.set("registryPassword.existingSecret", "apicurio-credentials")
        .set("registryPassword.existingSecretKey", "riskstream"));

    JsonNode ref = env(created.one("StatefulSet").at("/spec/template/spec/containers/0"), "RISKSTREAM_REGISTRY_PASSWORD");
    assertThat(ref.has("value")).isFalse();
    assertThat(ref.at("/valueFrom/secretKeyRef/name").asText()).isEqualTo("rs-riskstream-registry");
    assertThat(ref.at("/valueFrom/secretKeyRef/key").asText()).isEqualTo("password");
    assertThat(created.one("Secret").at("/data/password").asText())
        .isEqualTo(java.util.Base64.getEncoder().encodeToString(password.getBytes()));
    for (JsonNode doc : created.docs()) {
      if (!doc.path("kind").asText().equals("Secret")) {
        assertThat(doc.toString()).as(doc.path("kind").asText()).doesNotContain(password);
      }
    }
    assertThat(created.properties().stringPropertyNames()).doesNotContain(RiskStreamConfig.REGISTRY_PASSWORD_CONFIG);

    JsonNode existingRef = env(existing.one("StatefulSet").at("/spec/template/spec/containers/0"),
        "RISKSTREAM_REGISTRY_PASSWORD");
    assertThat(existingRef.at("/valueFrom/secretKeyRef/name").asText()).isEqualTo("apicurio-credentials");
    assertThat(existingRef.at("/valueFrom/secretKeyRef/key").asText()).isEqualTo("riskstream");
    assertThat(existing.all("Secret")).isEmpty();
    assertThat(RiskStreamConfig.envName(RiskStreamConfig.REGISTRY_PASSWORD_CONFIG)).isEqualTo("RISKSTREAM_REGISTRY_PASSWORD");
  }

  @Test
  void shouldRenderKafkaSecurityAsKeysMountsAndSecretEnvWithNoSecretInTheConfigMap() throws IOException {
    String password = "s3cret-sasl-pw";
    Rendered r = render(t -> t.set("kafka.security.protocol", "SASL_SSL").set("kafka.security.sasl.username", "rs")
        .set("kafka.security.sasl.password", password).set("kafka.security.tls.existingSecret", "kafka-stores")
        .set("kafka.security.tls.keystoreKey", "keystore.p12")
        .set("kafka.security.tls.passwordsSecret", "kafka-store-passwords")
        .set("replay.enabled", "true").set("replay.id", "r1"));

    Properties props = r.properties();
    assertThat(props).containsEntry("security.protocol", "SASL_SSL").containsEntry("sasl.mechanism", "SCRAM-SHA-512")
        .containsEntry("ssl.truststore.location", "/var/run/secrets/riskstream/kafka-tls/truststore.p12")
        .containsEntry("ssl.keystore.location", "/var/run/secrets/riskstream/kafka-tls/keystore.p12")
        .containsEntry("ssl.truststore.type", "PKCS12").containsEntry("ssl.keystore.type", "PKCS12");
    assertThat(props.stringPropertyNames()).allMatch(k -> RiskStreamConfig.configDef().names().contains(k))
        .noneMatch(k -> RiskStreamConfig.configDef().configKeys().get(k).type == ConfigDef.Type.PASSWORD);
    assertThat(r.one("ConfigMap").toString()).doesNotContain(password);
    for (JsonNode doc : r.docs()) {
      if (!doc.path("kind").asText().equals("Secret")) {
        assertThat(doc.toString()).as(doc.path("kind").asText()).doesNotContain(password);
      }
    }
    assertThat(r.named("Secret", "rs-riskstream-kafka-sasl").at("/data/password").asText())
        .isEqualTo(java.util.Base64.getEncoder().encodeToString(password.getBytes()));

    for (JsonNode pod : List.of(r.one("StatefulSet").at("/spec/template/spec"), r.one("Job").at("/spec/template/spec"))) {
      JsonNode container = pod.at("/containers/0");
      JsonNode sasl = env(container, "KAFKA_SASL_PASSWORD");
      assertThat(sasl.at("/valueFrom/secretKeyRef/name").asText()).isEqualTo("rs-riskstream-kafka-sasl");
      assertThat(sasl.at("/valueFrom/secretKeyRef/key").asText()).isEqualTo("password");
      // Kubernetes expands $(KAFKA_SASL_PASSWORD), defined before it, when it starts the container
      assertThat(env(container, RiskStreamConfig.envName("sasl.jaas.config")).path("value").asText()).isEqualTo(
          "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"rs\""
              + " password=\"$(KAFKA_SASL_PASSWORD)\";");
      assertThat(container.path("env").findValuesAsText("name")).containsSubsequence("KAFKA_SASL_PASSWORD",
          "RISKSTREAM_SASL_JAAS_CONFIG");
      for (String[] store : new String[][] {{"ssl.truststore.password", "truststore-password"},
          {"ssl.keystore.password", "keystore-password"}, {"ssl.key.password", "keystore-password"}}) {
        JsonNode ref = env(container, RiskStreamConfig.envName(store[0]));
        assertThat(ref.has("value")).isFalse();
        assertThat(ref.at("/valueFrom/secretKeyRef/name").asText()).isEqualTo("kafka-store-passwords");
        assertThat(ref.at("/valueFrom/secretKeyRef/key").asText()).isEqualTo(store[1]);
      }
      assertThat(mountPath(container, "kafka-tls")).isEqualTo("/var/run/secrets/riskstream/kafka-tls");
      assertThat(volume(pod, "kafka-tls").at("/secret/secretName").asText()).isEqualTo("kafka-stores");
    }

    Rendered existing = render(t -> t.set("kafka.security.protocol", "SASL_PLAINTEXT")
        .set("kafka.security.sasl.mechanism", "PLAIN").set("kafka.security.sasl.username", "rs")
        .set("kafka.security.sasl.existingSecret", "kafka-users").set("kafka.security.sasl.existingSecretKey", "rs"));
    JsonNode container = existing.one("StatefulSet").at("/spec/template/spec/containers/0");
    assertThat(env(container, "KAFKA_SASL_PASSWORD").at("/valueFrom/secretKeyRef/name").asText()).isEqualTo("kafka-users");
    assertThat(env(container, "RISKSTREAM_SASL_JAAS_CONFIG").path("value").asText()).startsWith(
        "org.apache.kafka.common.security.plain.PlainLoginModule required");
    assertThat(existing.all("Secret")).isEmpty();
    assertThat(volume(existing.one("StatefulSet").at("/spec/template/spec"), "kafka-tls").isMissingNode()).isTrue();
    assertThat(existing.properties()).containsEntry("sasl.mechanism", "PLAIN").doesNotContainKey("ssl.truststore.location");
  }

  @Test
  void shouldRenderNoKafkaSecurityByDefaultAndRefuseSaslWithoutCredentials() throws IOException {
    Rendered r = render(t -> t);
    JsonNode container = r.one("StatefulSet").at("/spec/template/spec/containers/0");
    assertThat(container.path("env").findValuesAsText("name")).noneMatch(n -> n.contains("SASL") || n.contains("SSL"));
    assertThat(r.properties().stringPropertyNames()).noneMatch(k -> k.startsWith("ssl.") || k.startsWith("sasl.")
        || k.equals("security.protocol"));
    assertThatThrownBy(() -> render(t -> t.set("kafka.security.protocol", "SASL_SSL")))
        .hasMessageContaining("kafka.security.sasl.username");
    assertThatThrownBy(() -> render(t -> t.set("kafka.security.protocol", "SASL_SSL")
        .set("kafka.security.sasl.username", "rs"))).hasMessageContaining("kafka.security.sasl.existingSecret");
    assertThatThrownBy(() -> render(t -> t.set("kafka.security.protocol", "TLS"))).hasMessageContaining("protocol");
  }

  @Test
  void shouldAdvertiseEachPodUnderTheHeadlessServiceWithStandbyReplicas() throws IOException {
    Rendered r = render(t -> t.set("replicaCount", "3"));

    JsonNode sts = r.one("StatefulSet");
    JsonNode container = sts.at("/spec/template/spec/containers/0");
    JsonNode headless = r.named("Service", "rs-riskstream-headless");
    assertThat(sts.at("/spec/replicas").asInt()).isEqualTo(3);
    assertThat(sts.at("/spec/serviceName").asText()).isEqualTo(headless.at("/metadata/name").asText());
    assertThat(headless.at("/spec/clusterIP").asText()).isEqualTo("None");
    assertThat(headless.at("/spec/ports/0/port").asInt()).isEqualTo(8080);
    assertThat(env(container, "POD_NAME").at("/valueFrom/fieldRef/fieldPath").asText()).isEqualTo("metadata.name");
    // Kubernetes expands $(POD_NAME) from the variable defined before it
    assertThat(env(container, RiskStreamConfig.envName(RiskStreamConfig.APPLICATION_SERVER_CONFIG)).path("value").asText())
        .isEqualTo("$(POD_NAME).rs-riskstream-headless.clinical.svc.cluster.local:8080");
    RiskStreamConfig config = new RiskStreamConfig(r.properties());
    assertThat(config.getInt(RiskStreamConfig.NUM_STANDBY_REPLICAS_CONFIG)).isEqualTo(1);
    assertThat(config.getString(RiskStreamConfig.HTTP_AUTH_CONFIG)).isEqualTo("token");
    assertThat(config.getString(RiskStreamConfig.HTTP_AUTH_TOKENS_FILE_CONFIG)).as("no Secret: queries refused").isEmpty();
    assertThat(container.at("/readinessProbe/httpGet/scheme").asText()).isEqualTo("HTTP");
    assertThat(volume(sts.at("/spec/template/spec"), "http-tokens").isMissingNode()).isTrue();
  }

  @Test
  void shouldMountTheTokensAndTlsSecretsAndProbeOverHttps() throws IOException {
    Rendered r = render(t -> t.set("http.authTokens.existingSecret", "riskstream-tokens")
        .set("http.tls.enabled", "true").set("http.tls.existingSecret", "riskstream-tls")
        .set("http.tls.truststoreKey", "truststore.p12").set("config.http\\.auth", "token_or_mtls")
        .set("metrics.serviceMonitor.enabled", "true"));

    JsonNode pod = r.one("StatefulSet").at("/spec/template/spec");
    JsonNode container = pod.at("/containers/0");
    assertThat(mountPath(container, "http-tokens")).isEqualTo("/var/run/secrets/riskstream/http-tokens");
    assertThat(volume(pod, "http-tokens").at("/secret/secretName").asText()).isEqualTo("riskstream-tokens");
    assertThat(volume(pod, "http-tokens").at("/secret/items/0/key").asText()).isEqualTo("tokens");
    assertThat(mountPath(container, "http-tls")).isEqualTo("/var/run/secrets/riskstream/http-tls");
    assertThat(volume(pod, "http-tls").at("/secret/secretName").asText()).isEqualTo("riskstream-tls");
    assertThat(volume(pod, "http-tls").at("/secret/items").findValuesAsText("key"))
        .containsExactly("keystore.p12", "truststore.p12");
    for (String password : List.of(RiskStreamConfig.HTTP_TLS_KEYSTORE_PASSWORD_CONFIG,
        RiskStreamConfig.HTTP_TLS_TRUSTSTORE_PASSWORD_CONFIG)) {
      JsonNode ref = env(container, RiskStreamConfig.envName(password));
      assertThat(ref.has("value")).isFalse();
      assertThat(ref.at("/valueFrom/secretKeyRef/name").asText()).isEqualTo("riskstream-tls");
    }
    assertThat(env(container, "RISKSTREAM_HTTP_TLS_KEYSTORE_PASSWORD").at("/valueFrom/secretKeyRef/key").asText())
        .isEqualTo("keystore-password");
    for (String probe : List.of("startupProbe", "livenessProbe", "readinessProbe")) {
      assertThat(container.at("/" + probe + "/httpGet/scheme").asText()).as(probe).isEqualTo("HTTPS");
    }
    assertThat(r.one("ServiceMonitor").at("/spec/endpoints/0/scheme").asText()).isEqualTo("https");

    Properties props = r.properties();
    assertThat(props.getProperty(RiskStreamConfig.HTTP_AUTH_TOKENS_FILE_CONFIG))
        .isEqualTo("/var/run/secrets/riskstream/http-tokens/tokens");
    assertThat(props.getProperty(RiskStreamConfig.HTTP_TLS_KEYSTORE_PATH_CONFIG))
        .isEqualTo("/var/run/secrets/riskstream/http-tls/keystore.p12");
    assertThat(props.getProperty(RiskStreamConfig.HTTP_TLS_TRUSTSTORE_PATH_CONFIG))
        .isEqualTo("/var/run/secrets/riskstream/http-tls/truststore.p12");
    assertThat(props.stringPropertyNames()).noneMatch(k -> k.contains("password"));
    assertThat(new RiskStreamConfig(props).getString(RiskStreamConfig.HTTP_AUTH_CONFIG)).isEqualTo("token_or_mtls");

    assertThatThrownBy(() -> render(t -> t.set("http.tls.enabled", "true"))).hasMessageContaining("existingSecret");
  }

  @Test
  void shouldChangeTheConfigChecksumWhenTheConfigChanges() throws IOException {
    String base = checksum(render(t -> t));
    String same = checksum(render(t -> t.set("podAnnotations.team", "sre")));
    String changed = checksum(render(t -> t.set("config.num\\.stream\\.threads", "2")));
    String gpu = checksum(render(t -> t.set("gpu.enabled", "true")));

    assertThat(base).matches("[0-9a-f]{64}");
    assertThat(same).isEqualTo(base);
    assertThat(changed).isNotEqualTo(base);
    assertThat(gpu).isNotEqualTo(base);
  }

  @Test
  void shouldRenderServiceMonitorAndDisruptionBudgetWhenEnabled() throws IOException {
    Rendered r = render(t -> t.set("metrics.serviceMonitor.enabled", "true").set("podDisruptionBudget.enabled", "true")
        .set("replicaCount", "3"));

    JsonNode monitor = r.one("ServiceMonitor");
    assertThat(monitor.get("apiVersion").asText()).isEqualTo("monitoring.coreos.com/v1");
    assertThat(monitor.at("/spec/endpoints/0/path").asText()).isEqualTo("/metrics");
    assertThat(monitor.at("/spec/endpoints/0/port").asText()).isEqualTo("http");
    assertThat(monitor.at("/spec/selector/matchExpressions/0/key").asText()).as("not the headless Service as well")
        .isEqualTo("riskstream.io/headless");
    assertThat(r.named("Service", "rs-riskstream-headless").at("/metadata/labels/riskstream.io~1headless").asText())
        .isEqualTo("true");
    assertThat(r.one("PodDisruptionBudget").at("/spec/maxUnavailable").asInt()).isEqualTo(1);
    assertThat(r.one("StatefulSet").at("/spec/replicas").asInt()).isEqualTo(3);
  }

  @Test
  void shouldRenderTheAuditReplayJobOnlyWhenEnabled() throws IOException {
    assertThat(render(t -> t).all("Job")).isEmpty();
    Path values = valuesFile(String.join("\n", "replay:", "  enabled: true", "  id: nov-2026",
        "  from: \"2026-11-01T00:00:00Z\"", "  to: \"2026-12-01T00:00:00Z\"", "  tolerance: 0.001", ""));
    Rendered r = render(t -> t.withValuesFile(values));

    JsonNode job = r.one("Job");
    assertThat(job.at("/metadata/name").asText()).isEqualTo("rs-riskstream-replay-nov-2026");
    assertThat(job.at("/spec/backoffLimit").asInt()).isZero();
    JsonNode pod = job.at("/spec/template/spec");
    JsonNode container = pod.at("/containers/0");
    assertThat(texts(container.get("args"))).containsExactly("replay", "--config", "/etc/riskstream/riskstream.properties",
        "--id", "nov-2026", "--report", "-", "--tolerance", "0.001", "--timeout-minutes", "60",
        "--from", "2026-11-01T00:00:00Z", "--to", "2026-12-01T00:00:00Z");
    assertThat(pod.at("/restartPolicy").asText()).isEqualTo("Never");
    assertThat(pod.get("enableServiceLinks").asBoolean()).isFalse();
    assertThat(env(container, "RISKSTREAM_SCORER").path("value").asText()).isEqualTo("onnxruntime");
    assertThat(volume(pod, "config").at("/configMap/name").asText()).isEqualTo("rs-riskstream");
    assertThat(volume(pod, "state").path("emptyDir").isObject()).isTrue();
    assertThat(mountPath(container, "state")).isEqualTo("/var/lib/riskstream/state");
    // the Services and the disruption budget select the StatefulSet's pods, never the replay's
    JsonNode selector = r.named("Service", "rs-riskstream").at("/spec/selector");
    JsonNode labels = job.at("/spec/template/metadata/labels");
    assertThat(selector.fieldNames()).toIterable().anyMatch(k -> !selector.get(k).equals(labels.get(k)));

    assertThatThrownBy(() -> render(t -> t.set("replay.enabled", "true"))).hasMessageContaining("replay.id is required");
    assertThatThrownBy(() -> render(t -> t.set("replay.enabled", "true").set("replay.id", "Nov_2026")))
        .hasMessageContaining("replay");
  }

  @Test
  void shouldKeepStateInAnEmptyDirWithoutPersistenceAndRenderEmptyDirsWithoutSizeLimits() throws IOException {
    Rendered r = render(t -> t.set("persistence.enabled", "false").set("tmp.sizeLimit", "")
        .set("gpu.enabled", "true").set("gpu.engineCache.sizeLimit", ""));

    JsonNode sts = r.one("StatefulSet");
    JsonNode pod = sts.at("/spec/template/spec");
    assertThat(sts.has("volumeClaimTemplates")).isFalse();
    for (String name : List.of("state", "tmp", "tensorrt-engines")) {
      assertThat(volume(pod, name).path("emptyDir").isObject()).as(name + ".emptyDir").isTrue();
    }
    assertThat(r.properties().getProperty(RiskStreamConfig.STATE_DIR_CONFIG)).isEqualTo("/var/lib/riskstream/state");
  }

  private static Set<String> chartOwnedKeys() {
    Set<String> owned = new HashSet<>(Set.of(RiskStreamConfig.STATE_DIR_CONFIG, RiskStreamConfig.HTTP_PORT_CONFIG,
        RiskStreamConfig.TENSORRT_ENGINE_CACHE_DIR_CONFIG, RiskStreamConfig.APPLICATION_SERVER_CONFIG,
        RiskStreamConfig.HTTP_AUTH_TOKENS_FILE_CONFIG, RiskStreamConfig.HTTP_TLS_KEYSTORE_PATH_CONFIG,
        RiskStreamConfig.HTTP_TLS_TRUSTSTORE_PATH_CONFIG, "security.protocol", "sasl.mechanism",
        "ssl.truststore.location", "ssl.truststore.type", "ssl.keystore.location", "ssl.keystore.type"));
    RiskStreamConfig.configDef().configKeys().values().stream().filter(k -> k.type == ConfigDef.Type.PASSWORD)
        .forEach(k -> owned.add(k.name));
    return Set.copyOf(owned);
  }

  private Rendered render(UnaryOperator<TemplateCommand> values) throws IOException {
    String yaml = values.apply(new Helm(CHART).template().withName("rs").withNamespace("clinical")
        .withKubeVersion(KUBE_VERSION)).call();
    List<JsonNode> docs = new ArrayList<>();
    for (JsonNode doc : YAML.readValues(YAML.createParser(yaml), JsonNode.class).readAll()) {
      if (doc != null && doc.has("kind")) {
        docs.add(doc);
      }
    }
    return new Rendered(docs);
  }

  private Path valuesFile(String yaml) throws IOException {
    Path file = tmp.resolve("values-" + System.nanoTime() + ".yaml");
    Files.writeString(file, yaml);
    return file;
  }

  private static String checksum(Rendered r) {
    return r.one("StatefulSet").at("/spec/template/metadata/annotations").path("checksum/config").asText();
  }

  private static JsonNode env(JsonNode container, String name) {
    for (JsonNode e : container.path("env")) {
      if (e.path("name").asText().equals(name)) {
        return e;
      }
    }
    throw new AssertionError("no env var " + name + " in " + container.path("env"));
  }

  private static String mountPath(JsonNode container, String volume) {
    for (JsonNode m : container.path("volumeMounts")) {
      if (m.path("name").asText().equals(volume)) {
        return m.path("mountPath").asText();
      }
    }
    throw new AssertionError("no mount of volume " + volume);
  }

  private static JsonNode volume(JsonNode podSpec, String name) {
    for (JsonNode v : podSpec.path("volumes")) {
      if (v.path("name").asText().equals(name)) {
        return v;
      }
    }
    return com.fasterxml.jackson.databind.node.MissingNode.getInstance();
  }

  private static List<String> texts(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }

  private record Rendered(List<JsonNode> docs) {
    List<JsonNode> all(String kind) {
      return docs.stream().filter(d -> d.path("kind").asText().equals(kind)).toList();
    }

    JsonNode one(String kind) {
      List<JsonNode> found = all(kind);
      assertThat(found).as(kind).hasSize(1);
      return found.get(0);
    }

    JsonNode named(String kind, String name) {
      return all(kind).stream().filter(d -> d.at("/metadata/name").asText().equals(name)).findFirst()
          .orElseThrow(() -> new AssertionError("no " + kind + " " + name));
    }

    Properties properties() throws IOException {
      Properties p = new Properties();
      p.load(new StringReader(one("ConfigMap").at("/data/" + PROPERTIES).asText()));
      return p;
    }
  }
}
