package io.riskstream.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.riskstream.app.demo.EmbeddedKafka;
import io.riskstream.app.replay.AuditReplay;
import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import io.riskstream.topology.config.RiskStreamConfig;
import io.riskstream.topology.serde.AvroSerdes;
import io.riskstream.topology.serde.ConfluentTestRegistry;
import io.riskstream.topology.serde.PlainConfluentReader;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code riskstream run}'s instance end to end on the embedded broker with each kind of registry it can be given,
 * then a second, fresh process (a new registry client or in-memory registry, its own application id, scoring only
 * from {@code emr-events}) that must read every {@code emr-events} record the first one wrote:
 * {@code registry.api=confluent} against {@link ConfluentTestRegistry} (basic auth) with the scores decoded by a
 * plain Confluent-framed reader, and {@code registry.url=mem://}, whose ids a fresh registry reproduces.
 */
class RegistryRestartIT {

  private static final String MODEL = "../scoring/src/test/resources/models/test-tiny";
  private static final Duration WAIT = Duration.ofSeconds(180);

  @TempDir
  Path dir;

  /** What AvroSerdes logs: the line by which run says which registry it uses. */
  private final List<ILoggingEvent> registryLines = new java.util.concurrent.CopyOnWriteArrayList<>();

  @BeforeEach
  void captureRegistryLines() {
    Logger logger = (Logger) LoggerFactory.getLogger(AvroSerdes.class);
    AppenderBase<ILoggingEvent> appender = new AppenderBase<>() {
      @Override
      protected void append(ILoggingEvent event) {
        registryLines.add(event);
      }
    };
    appender.start();
    logger.addAppender(appender);
    logger.setLevel(Level.INFO);
  }

  @Test
  void shouldScoreThroughAConfluentApiRegistryAndReadItsRecordsAfterARestart() throws Exception {
    try (EmbeddedKafka kafka = EmbeddedKafka.start();
        ConfluentTestRegistry registry = ConfluentTestRegistry.http("riskstream", "registry-pw")) {
      RiskStreamConfig config = config(kafka, "registry.url=" + registry.url(), "registry.api=confluent",
          "registry.username=riskstream", "registry.password=registry-pw");
      List<ConsumerRecord<byte[], byte[]>> scores = runAndScore(kafka, config, "risk-scores");
      assertThat(registryLines).anySatisfy(e -> {
        assertThat(e.getLevel()).isEqualTo(Level.INFO);
        assertThat(e.getFormattedMessage()).startsWith("schema registry: Confluent API at " + registry.url()
            + ", durable").doesNotContain("registry-pw");
      });

      PlainConfluentReader plain = new PlainConfluentReader(registry.url(), "riskstream", "registry-pw",
          HttpClient.newHttpClient());
      GenericRecord score = plain.read(scores.get(0).value());
      assertThat(score.get("patientId")).hasToString("p-1");
      assertThat(score.getSchema().getName()).isEqualTo("RiskScore");
      assertThat(registry.subjects()).contains("emr-events-value", "risk-scores-value");

      List<ConsumerRecord<byte[], byte[]>> again = rescoreInAFreshProcess(kafka, config);
      assertThat(plain.read(again.get(0).value()).get("patientId")).hasToString("p-1");
      assertThat(PlainConfluentReader.schemaId(again.get(0).value()))
          .isEqualTo(PlainConfluentReader.schemaId(scores.get(0).value()));
    }
  }

  @Test
  void shouldReadWhatAnEarlierProcessWroteWithTheInMemoryRegistry() throws Exception {
    try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
      RiskStreamConfig config = config(kafka, "registry.url=mem://");
      List<ConsumerRecord<byte[], byte[]>> scores = runAndScore(kafka, config, "risk-scores");
      assertThat(registryLines).anySatisfy(e -> {
        assertThat(e.getLevel()).isEqualTo(Level.WARN);
        assertThat(e.getFormattedMessage()).startsWith("schema registry: in-memory (registry.url=mem://), not durable");
      });
      List<ConsumerRecord<byte[], byte[]>> again = rescoreInAFreshProcess(kafka, config);
      // the fresh process's in-memory registry gave RiskScore the same id as the first one's
      assertThat(PlainConfluentReader.schemaId(again.get(0).value()))
          .isEqualTo(PlainConfluentReader.schemaId(scores.get(0).value()));
    }
  }

  private RiskStreamConfig config(EmbeddedKafka kafka, String... registry) throws Exception {
    List<String> lines = new ArrayList<>(List.of(
        "bootstrap.servers=" + kafka.bootstrapServers(),
        "application.id=registry-it",
        "state.dir=" + dir.resolve("state"),
        "model.name=" + MODEL,
        "http.port=0",
        "topic.partitions=2"));
    lines.addAll(List.of(registry));
    Path file = dir.resolve("riskstream.properties");
    Files.writeString(file, String.join("\n", lines), StandardCharsets.UTF_8);
    return RiskStreamConfig.load(file, Map.of("RISKSTREAM_SCORER", "onnxruntime"));
  }

  /** Runs {@code config}'s instance until p-1's score is in {@code topic}; the first process. */
  private List<ConsumerRecord<byte[], byte[]>> runAndScore(EmbeddedKafka kafka, RiskStreamConfig config,
      String topic) throws Exception {
    kafka.createTopics(1, "ehr.clinical.patients", "ehr.clinical.conditions");
    try (RunCommand.Running running = RunCommand.Running.start(config, Map.of())) {
      OnePatientFeed.produce(kafka.bootstrapServers(), false);
      return awaitScores(kafka, topic);
    }
  }

  /**
   * A restarted process: a new registry instance, its own application id and output topics, scoring only from the
   * {@code emr-events} that the first process wrote (read from the start).
   */
  private List<ConsumerRecord<byte[], byte[]>> rescoreInAFreshProcess(EmbeddedKafka kafka, RiskStreamConfig config)
      throws Exception {
    RiskStreamConfig fresh = AuditReplay.replayConfig(config, "restart", dir.resolve("state-fresh"));
    try (RunCommand.Running running = RunCommand.Running.start(fresh, Map.of())) {
      List<ConsumerRecord<byte[], byte[]>> scores = awaitScores(kafka,
          fresh.getString(RiskStreamConfig.TOPIC_RISK_SCORES_CONFIG));
      assertThat(running.app().deadLetters().total()).isZero();
      return scores;
    }
  }

  private static List<ConsumerRecord<byte[], byte[]>> awaitScores(EmbeddedKafka kafka, String topic) {
    List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
        "bootstrap.servers", kafka.bootstrapServers(), "group.id", "registry-it-" + UUID.randomUUID(),
        "auto.offset.reset", "earliest", "isolation.level", "read_committed"),
        new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      consumer.subscribe(List.of(topic));
      long deadline = System.nanoTime() + WAIT.toNanos();
      while (out.isEmpty() && System.nanoTime() < deadline) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
          if ("p-1".equals(new String(r.key(), StandardCharsets.UTF_8))) {
            out.add(r);
          }
        }
      }
    }
    assertThat(out).as("scores of p-1 in %s", topic).isNotEmpty();
    return out;
  }
}
