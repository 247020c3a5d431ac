package io.riskstream.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.riskstream.app.demo.DebeziumChangeEvents;
import io.riskstream.app.demo.EmbeddedKafka;
import io.riskstream.connectors.ehr.EhrRow;
import io.riskstream.topology.config.RiskStreamConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.internals.BuiltInPartitioner;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The idle flush with two instances: one transaction of a patient (the patient's row and a condition, the same source
 * transaction, no transaction metadata) whose condition waits in a source partition the other instance normalizes
 * while that instance is frozen (SIGSTOP; its partitions stay assigned to it). The instance that holds the patient's
 * open transaction sees no backlog in its own consumers, only in the consumer group's offsets ({@code GroupBacklog}):
 * it must not close the transaction as idle; once the other instance runs again, the transaction is scored once, with
 * both events. Without the group's backlog the idle flush closed it after {@code trigger.idle.flush.ms} (2 s) and the
 * condition made a second score. Instance A runs in this JVM, B is {@code riskstream run} in its own.
 */
class TwoInstanceIdleFlushIT {

  private static final Path JAR = Path.of("target/riskstream.jar");
  private static final String MODEL = Path.of("../scoring/src/test/resources/models/test-tiny").toAbsolutePath()
      .toString();
  private static final String PATIENTS = "ehr.clinical.patients";
  private static final String CONDITIONS = "ehr.clinical.conditions";
  private static final int PARTITIONS = 4;
  private static final Duration PATIENCE = Duration.ofSeconds(120);

  @TempDir
  Path dir;

  @Test
  void shouldNotCloseATransactionWhoseRestWaitsAtAnotherInstance() throws Exception {
    try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
      kafka.createTopics(PARTITIONS, PATIENTS, CONDITIONS);
      Process b = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx512m",
          "-jar", JAR.toAbsolutePath().toString(), "run", "--config", config(kafka, "b").toString())
          .redirectErrorStream(true).redirectOutput(dir.resolve("b.log").toFile()).start();
      try (RunCommand.Running a = RunCommand.Running.start(RiskStreamConfig.load(config(kafka, "a"), Map.of()),
          Map.of())) {
        RiskStreamConfig config = RiskStreamConfig.load(config(kafka, "a"), Map.of());
        String emrEvents = config.topics().emrEvents().name();
        // until both instances share the tasks: A holds some source and some emr-events partitions, B the others
        Set<TopicPartition> own = awaitSharedAssignment(a.app().streams(), b, emrEvents);
        int patientPartition = partitionOf(own, PATIENTS, true);
        int conditionPartition = partitionOf(own, PATIENTS, false);
        String patient = patientOn(own, emrEvents);

        signal(b, "STOP");
        try {
          produce(kafka, patient, patientPartition, conditionPartition);
          // four idle flush intervals and a group reading later: without the group's backlog it was scored here
          Thread.sleep(4 * config.getLong(RiskStreamConfig.TRIGGER_IDLE_FLUSH_MS_CONFIG) + 2_000);
          assertThat(scores(kafka, config, patient, Duration.ofSeconds(2)))
              .as("scores of the open transaction while its condition waits at the frozen instance").isEmpty();
        } finally {
          signal(b, "CONT");
        }
        List<String> scores = scores(kafka, config, patient, PATIENCE);
        assertThat(scores).as("B's log:%n%s", Files.readString(dir.resolve("b.log"))).hasSize(1);
        // settle: a split would follow within an idle flush interval or two
        Thread.sleep(3 * config.getLong(RiskStreamConfig.TRIGGER_IDLE_FLUSH_MS_CONFIG));
        assertThat(scores(kafka, config, patient, Duration.ofSeconds(2))).as("one score for one transaction")
            .hasSize(1);
      } finally {
        b.destroy();
        if (!b.waitFor(60, TimeUnit.SECONDS)) {
          b.destroyForcibly();
        }
      }
    }
  }

  private Path config(EmbeddedKafka kafka, String name) throws IOException {
    Path file = dir.resolve(name + ".properties");
    Files.writeString(file, String.join("\n", "bootstrap.servers=" + kafka.bootstrapServers(),
        "application.id=two-instances", "state.dir=" + dir.resolve("state-" + name), "registry.url=mem://",
        "model.name=" + MODEL, "scorer=onnxruntime", "http.port=0", "http.auth=none", "http.bind.address=127.0.0.1",
        "topic.partitions=" + PARTITIONS) + "\n", StandardCharsets.UTF_8);
    return file;
  }

  /** A's active partitions once A holds some but not all of the source and emr-events partitions. */
  private static Set<TopicPartition> awaitSharedAssignment(KafkaStreams a, Process b, String emrEvents)
      throws InterruptedException {
    long deadline = System.nanoTime() + PATIENCE.toNanos();
    Set<TopicPartition> own = Set.of();
    while (System.nanoTime() < deadline && b.isAlive()) {
      if (a.state() == KafkaStreams.State.RUNNING) {
        Set<TopicPartition> now = new HashSet<>();
        a.metadataForLocalThreads().forEach(t -> t.activeTasks().forEach(task -> now.addAll(task.topicPartitions())));
        long sources = now.stream().filter(p -> p.topic().equals(PATIENTS)).count();
        long events = now.stream().filter(p -> p.topic().equals(emrEvents)).count();
        if (sources > 0 && sources < PARTITIONS && events > 0) {
          own = now;
          break;
        }
      }
      Thread.sleep(250);
    }
    assertThat(own).as("A shares the source and emr-events partitions with B (alive: %s)", b.isAlive()).isNotEmpty();
    Thread.sleep(2_000);  // B's side of the same assignment settles too
    return own;
  }

  /** A source partition A normalizes ({@code mine}) or one B does. */
  private static int partitionOf(Set<TopicPartition> own, String topic, boolean mine) {
    for (int p = 0; p < PARTITIONS; p++) {
      if (own.contains(new TopicPartition(topic, p)) == mine) {
        return p;
      }
    }
    throw new AssertionError("no partition of " + topic + " for " + (mine ? "A" : "B"));
  }

  /** A patient id whose emr-events partition (the default partitioner on its UTF-8 bytes) is A's. */
  private static String patientOn(Set<TopicPartition> own, String emrEvents) {
    for (int i = 0; ; i++) {
      String id = "p-" + i;
      int p = BuiltInPartitioner.partitionForKey(id.getBytes(StandardCharsets.UTF_8), PARTITIONS);
      if (own.contains(new TopicPartition(emrEvents, p))) {
        return id;
      }
    }
  }

  private static void produce(EmbeddedKafka kafka, String patient, int patientPartition, int conditionPartition)
      throws Exception {
    EhrRow patientRow = OnePatientFeed.patient(patient);
    EhrRow conditionRow = OnePatientFeed.condition("c-of-" + patient, patient);
    try (KafkaProducer<byte[], byte[]> out = new KafkaProducer<>(Map.of("bootstrap.servers", kafka.bootstrapServers(),
        "acks", "all"), new ByteArraySerializer(), new ByteArraySerializer())) {
      // one source transaction (txId 7), its two rows in partitions of different instances
      out.send(new ProducerRecord<>(PATIENTS, patientPartition, DebeziumChangeEvents.key(patientRow),
          DebeziumChangeEvents.create(patientRow, 7, 100, 1))).get();
      out.send(new ProducerRecord<>(CONDITIONS, conditionPartition, DebeziumChangeEvents.key(conditionRow),
          DebeziumChangeEvents.create(conditionRow, 7, 101, 1))).get();
    }
  }

  /** The risk-scores records of {@code patient} (their keys), read for {@code wait} or until one arrived. */
  private static List<String> scores(EmbeddedKafka kafka, RiskStreamConfig config, String patient, Duration wait) {
    String topic = config.topics().riskScores().name();
    List<String> out = new ArrayList<>();
    try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of("bootstrap.servers",
        kafka.bootstrapServers(), "isolation.level", "read_committed", "auto.offset.reset", "earliest"),
        new StringDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
          .map(i -> new TopicPartition(topic, i.partition())).toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      long deadline = System.nanoTime() + wait.toNanos();
      while (System.nanoTime() < deadline) {
        consumer.poll(Duration.ofMillis(200)).forEach(r -> {
          if (r.key() != null && r.key().contains(patient)) {
            out.add(r.key());
          }
        });
        if (!out.isEmpty() && wait.compareTo(Duration.ofSeconds(2)) > 0) {
          break;
        }
      }
    }
    return out;
  }

  private static void signal(Process process, String signal) throws Exception {
    // the shell's kill: a POSIX sh is on every machine, a kill executable (procps) is not
    Process kill = new ProcessBuilder("sh", "-c", "kill -" + signal + " " + process.pid()).inheritIO().start();
    assertThat(kill.waitFor(10, TimeUnit.SECONDS)).isTrue();
    assertThat(kill.exitValue()).as("kill -%s", signal).isZero();
  }
}
