package io.riskstream.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.riskstream.app.demo.EmbeddedKafka;
import io.riskstream.topology.config.RiskStreamConfig;
import io.riskstream.topology.serde.TestCertificates;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * RiskStream against a secured broker (one per class): a SASL_SSL listener with SCRAM-SHA-512, an SSL listener that
 * requires client certificates, a CA and certificates made by the test, and the StandardAuthorizer (no ACL, no
 * access; the broker's own PLAINTEXT listeners are the super user's). The right credentials score end to end; a wrong
 * password, a principal without ACLs and a missing client certificate each end the start with one line and exit
 * status 2; no password or JAAS configuration reaches the console or the log.
 */
class SecuredKafkaIT {

  private static final String MODEL = "../scoring/src/test/resources/models/test-tiny";
  private static final String USER = "riskstream";
  private static final String USER_PASSWORD = "scram-Secret-4711";
  private static final String UNGRANTED = "nogrants";
  private static final String TOPICS_ONLY = "topicsonly";
  private static final String CLIENT_CN = "riskstream-client";

  @TempDir
  static Path certDir;

  private static EmbeddedKafka kafka;
  private static TestCertificates certs;
  private static Path brokerStore;
  private static Path clientStore;

  @TempDir
  Path dir;

  private CapturedLog log;

  @BeforeAll
  static void startSecuredBroker() throws Exception {
    certs = TestCertificates.authority(certDir);
    brokerStore = certs.keystore("localhost");
    clientStore = certs.keystore(CLIENT_CN);
    Map<String, String> broker = new HashMap<>();
    broker.put("listeners", "EXTERNAL://localhost:0,CONTROLLER://localhost:0,SECURE://localhost:0,MTLS://localhost:0");
    broker.put("listener.security.protocol.map", "EXTERNAL:PLAINTEXT,CONTROLLER:PLAINTEXT,SECURE:SASL_SSL,MTLS:SSL");
    broker.put("sasl.enabled.mechanisms", "SCRAM-SHA-512");
    broker.put("listener.name.secure.scram-sha-512.sasl.jaas.config",
        "org.apache.kafka.common.security.scram.ScramLoginModule required;");
    for (String listener : List.of("secure", "mtls")) {
      String prefix = "listener.name." + listener + ".";
      broker.put(prefix + "ssl.keystore.location", brokerStore.toString());
      broker.put(prefix + "ssl.keystore.type", "PKCS12");
      broker.put(prefix + "ssl.keystore.password", TestCertificates.PASSWORD);
      broker.put(prefix + "ssl.key.password", TestCertificates.PASSWORD);
      broker.put(prefix + "ssl.truststore.location", certs.truststore().toString());
      broker.put(prefix + "ssl.truststore.type", "PKCS12");
      broker.put(prefix + "ssl.truststore.password", TestCertificates.PASSWORD);
    }
    broker.put("listener.name.mtls.ssl.client.auth", "required");
    broker.put("authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer");
    broker.put("super.users", "User:ANONYMOUS");
    kafka = EmbeddedKafka.start(1, broker);
    kafka.createTopics(1, "ehr.clinical.patients", "ehr.clinical.conditions");
    try (Admin admin = kafka.admin()) {
      ScramCredentialInfo scram = new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 8192);
      admin.alterUserScramCredentials(List.of(new UserScramCredentialUpsertion(USER, scram, USER_PASSWORD),
          new UserScramCredentialUpsertion(UNGRANTED, scram, USER_PASSWORD),
          new UserScramCredentialUpsertion(TOPICS_ONLY, scram, USER_PASSWORD))).all().get();
      List<AclBinding> acls = new ArrayList<>();
      for (String principal : List.of("User:" + USER, "User:CN=" + CLIENT_CN)) {
        for (ResourceType type : List.of(ResourceType.TOPIC, ResourceType.GROUP, ResourceType.TRANSACTIONAL_ID)) {
          acls.add(new AclBinding(new ResourcePattern(type, "*", PatternType.LITERAL),
              new AccessControlEntry(principal, "*", AclOperation.ALL, AclPermissionType.ALLOW)));
        }
        for (AclOperation op : List.of(AclOperation.DESCRIBE, AclOperation.IDEMPOTENT_WRITE)) {
          acls.add(new AclBinding(new ResourcePattern(ResourceType.CLUSTER, "kafka-cluster", PatternType.LITERAL),
              new AccessControlEntry(principal, "*", op, AclPermissionType.ALLOW)));
        }
      }
      acls.add(new AclBinding(new ResourcePattern(ResourceType.TOPIC, "*", PatternType.LITERAL),
          new AccessControlEntry("User:" + TOPICS_ONLY, "*", AclOperation.ALL, AclPermissionType.ALLOW)));
      admin.createAcls(acls).all().get();
    }
    awaitCredentialsAndAclsOnTheBroker();
  }

  /** The broker applies SCRAM credentials and ACLs from its metadata log a moment after the controller took them. */
  private static void awaitCredentialsAndAclsOnTheBroker() throws Exception {
    Map<String, Object> client = Map.of("bootstrap.servers", "localhost:" + kafka.port("SECURE"),
        "security.protocol", "SASL_SSL", "sasl.mechanism", "SCRAM-SHA-512", "sasl.jaas.config", jaas(USER, USER_PASSWORD),
        "ssl.truststore.location", certs.truststore().toString(), "ssl.truststore.type", "PKCS12",
        "ssl.truststore.password", TestCertificates.PASSWORD);
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (true) {
      try (Admin admin = Admin.create(client)) {
        if (admin.listTopics().names().get().contains("ehr.clinical.patients")) {
          return;
        }
      } catch (java.util.concurrent.ExecutionException e) {
        if (System.nanoTime() > deadline) {
          throw e;
        }
      }
      assertThat(System.nanoTime()).as("credentials and ACLs applied").isLessThan(deadline);
      Thread.sleep(200);
    }
  }

  @AfterAll
  static void stopBroker() throws Exception {
    if (kafka != null) {
      kafka.close();
    }
  }

  @BeforeEach
  void captureLog() {
    log = CapturedLog.start();
  }

  @AfterEach
  void releaseLog() {
    log.close();
  }

  @Test
  void shouldScoreEndToEndOverSaslSslWithScramAndLogNoSecret() throws Exception {
    Path file = properties("sasl", "bootstrap.servers=localhost:" + kafka.port("SECURE"),
        "security.protocol=SASL_SSL", "sasl.mechanism=SCRAM-SHA-512",
        "ssl.truststore.location=" + certs.truststore(), "ssl.truststore.type=PKCS12");
    // the secrets come from the environment, as a Kubernetes Secret provides them
    RiskStreamConfig config = RiskStreamConfig.load(file, Map.of(
        "RISKSTREAM_SSL_TRUSTSTORE_PASSWORD", TestCertificates.PASSWORD,
        "RISKSTREAM_SASL_JAAS_CONFIG", jaas(USER, USER_PASSWORD)));

    assertScoresEndToEnd(config);
    assertThat(logged()).doesNotContain(USER_PASSWORD, TestCertificates.PASSWORD, "ScramLoginModule");
  }

  @Test
  void shouldScoreEndToEndOverMutualTls() throws Exception {
    Path file = properties("mtls", "bootstrap.servers=localhost:" + kafka.port("MTLS"), "security.protocol=SSL",
        "ssl.truststore.location=" + certs.truststore(), "ssl.truststore.type=PKCS12",
        "ssl.keystore.location=" + clientStore, "ssl.keystore.type=PKCS12");
    RiskStreamConfig config = RiskStreamConfig.load(file, Map.of(
        "RISKSTREAM_SSL_TRUSTSTORE_PASSWORD", TestCertificates.PASSWORD,
        "RISKSTREAM_SSL_KEYSTORE_PASSWORD", TestCertificates.PASSWORD,
        "RISKSTREAM_SSL_KEY_PASSWORD", TestCertificates.PASSWORD));

    assertScoresEndToEnd(config);
    assertThat(logged()).doesNotContain(TestCertificates.PASSWORD);
  }

  @Test
  void shouldEndAtOnceWithOneLineOnAWrongPassword() throws Exception {
    String line = runFailsWithOneLine(saslProperties("wrong", USER, "not-" + USER_PASSWORD));

    assertThat(line).contains("rejected the SASL credentials", "sasl.jaas.config");
    assertThat(line + logged()).doesNotContain(USER_PASSWORD, TestCertificates.PASSWORD, "ScramLoginModule");
  }

  @Test
  void shouldEndAtOnceWithOneLineWhenThePrincipalHasNoAcls() throws Exception {
    assertThat(runFailsWithOneLine(saslProperties("noacl", UNGRANTED, USER_PASSWORD)))
        .contains("TopicAuthorizationException", "ACLs");
  }

  @Test
  void shouldEndAtOnceWithOneLineWhenThePrincipalMayNotUseItsGroup() throws Exception {
    assertThat(runFailsWithOneLine(saslProperties("nogroup", TOPICS_ONLY, USER_PASSWORD)))
        .contains("GroupAuthorizationException", "ACLs");
  }

  @Test
  void shouldEndAtOnceWithOneLineWithoutAClientCertificate() throws Exception {
    Path file = properties("nocert", "bootstrap.servers=localhost:" + kafka.port("MTLS"), "security.protocol=SSL",
        "ssl.truststore.location=" + certs.truststore(), "ssl.truststore.type=PKCS12",
        "ssl.truststore.password=" + TestCertificates.PASSWORD);

    assertThat(runFailsWithOneLine(file)).contains("TLS handshake", "ssl.keystore.location");
  }

  /** A configuration of the SASL_SSL listener with {@code user}'s JAAS configuration and every secret in the file. */
  private Path saslProperties(String name, String user, String password) throws Exception {
    return properties(name, "bootstrap.servers=localhost:" + kafka.port("SECURE"), "security.protocol=SASL_SSL",
        "sasl.mechanism=SCRAM-SHA-512", "ssl.truststore.location=" + certs.truststore(), "ssl.truststore.type=PKCS12",
        "ssl.truststore.password=" + TestCertificates.PASSWORD, "sasl.jaas.config=" + jaas(user, password));
  }

  /** Runs {@code riskstream run} with {@code file}: it ends with exit status 2 and one line, which is returned. */
  private static String runFailsWithOneLine(Path file) {
    CliRun cli = new CliRun();
    assertThat(cli.run("run", "--config", file.toString())).isEqualTo(RiskstreamCli.EXIT_BAD_INPUT);
    assertThat(cli.out()).isEmpty();
    assertThat(cli.err().lines()).singleElement().asString().startsWith("riskstream run: ");
    return cli.err();
  }

  /** Starts the instance, feeds one patient over the secured listener and reads its score back over it. */
  private void assertScoresEndToEnd(RiskStreamConfig config) throws Exception {
    RunCommand.Running running = RunCommand.Running.start(config, Map.of());
    try {
      awaitState(running, KafkaStreams.State.RUNNING);
      OnePatientFeed.produce(config.producerProperties(), false);
      String scores = config.topics().riskScores().name();
      Map<String, Object> consumer = config.consumerProperties();
      consumer.put("isolation.level", "read_committed");
      try (KafkaConsumer<byte[], byte[]> reader = new KafkaConsumer<>(consumer, new ByteArrayDeserializer(),
          new ByteArrayDeserializer())) {
        List<TopicPartition> partitions = reader.partitionsFor(scores).stream()
            .map(p -> new TopicPartition(scores, p.partition())).toList();
        reader.assign(partitions);
        reader.seekToBeginning(partitions);
        List<String> keys = new ArrayList<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (keys.isEmpty() && System.nanoTime() < deadline) {
          reader.poll(Duration.ofMillis(500)).forEach(r -> keys.add(new String(r.key(), StandardCharsets.UTF_8)));
        }
        assertThat(keys).as("scores read back from %s", scores).isNotEmpty().allMatch(k -> k.contains("p-1"));
      }
    } finally {
      running.close();
    }
  }

  private static void awaitState(RunCommand.Running running, KafkaStreams.State state) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
    while (running.app().state() != state && System.nanoTime() < deadline) {
      Thread.sleep(100);
    }
    assertThat(running.app().state()).isEqualTo(state);
  }

  /** A properties file for the test {@code name}: its own application id, state, topics, then {@code lines}. */
  private Path properties(String name, String... lines) throws Exception {
    List<String> all = new ArrayList<>(List.of("application.id=secured-" + name, "state.dir=" + dir.resolve("state"),
        "registry.url=mem://", "model.name=" + MODEL, "scorer=onnxruntime", "http.port=0", "topic.partitions=1",
        "topic.emr.events=emr-events-" + name, "topic.risk.scores=risk-scores-" + name,
        "topic.risk.alerts=risk-alerts-" + name, "topic.dlq=riskstream-dlq-" + name, "startup.timeout.ms=60000"));
    all.addAll(List.of(lines));
    Path file = dir.resolve(name + ".properties");
    // Properties files treat backslashes as escapes; the JAAS line has none, paths on Linux neither
    Files.writeString(file, String.join("\n", all), StandardCharsets.UTF_8);
    return file;
  }

  private static String jaas(String user, String password) {
    return "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"" + user + "\" password=\""
        + password + "\";";
  }

  private String logged() {
    return log.text();
  }
}
