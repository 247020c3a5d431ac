package io.riskstream.app.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.riskstream.app.demo.EmbeddedKafka;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

/**
 * {@link GroupBacklog} on a real broker: a group's backlog in source partitions, whether or not it has committed
 * there (the partitions another instance reads look the same: only the group's offsets count), by topic name and by
 * pattern; a transactional upstream (commit markers after the records) reads empty once a read_committed consumer of
 * the group has read everything and committed; an old reading, and a backlog that has not moved for
 * {@link GroupBacklog#STUCK}, do not count. The clock is the test's: no waiting on time.
 */
class GroupBacklogIT {

  private static final String SOURCE = "ehr.clinical.patients";
  private static final String OWN = "emr-events";

  @Test
  void shouldSeeRecordsTheGroupHasNotCommittedOnAnyPartition() throws Exception {
    try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
      kafka.createTopics(2, SOURCE, OWN);
      AtomicLong clock = new AtomicLong(1_000);
      try (Admin admin = kafka.admin();
          KafkaProducer<byte[], byte[]> producer = producer(kafka, Map.of())) {
        GroupBacklog byName = new GroupBacklog(admin, "app", Set.of(SOURCE), List.of(), clock::get, false);
        GroupBacklog byPattern = new GroupBacklog(admin, "app", Set.of(), List.of(Pattern.compile("ehr\\.clinical\\..*")),
            clock::get, false);
        refresh(byName, byPattern);
        assertThat(byName.getAsBoolean()).as("empty topics").isFalse();
        assertThat(byPattern.getAsBoolean()).isFalse();

        for (int i = 0; i < 3; i++) {
          producer.send(new ProducerRecord<>(SOURCE, 0, null, new byte[] {(byte) i})).get();
        }
        producer.send(new ProducerRecord<>(OWN, 0, null, new byte[] {9})).get();  // the trigger's input: not asked
        refresh(byName, byPattern);
        assertThat(byName.getAsBoolean()).as("3 records, nothing committed").isTrue();
        assertThat(byPattern.getAsBoolean()).isTrue();

        commit(admin, "app", new TopicPartition(SOURCE, 0), 2);
        refresh(byName, byPattern);
        assertThat(byName.getAsBoolean()).as("1 record left").isTrue();
        assertThat(byPattern.getAsBoolean()).isTrue();

        commit(admin, "app", new TopicPartition(SOURCE, 0), 3);
        refresh(byName, byPattern);
        assertThat(byName.getAsBoolean()).as("all committed").isFalse();
        assertThat(byPattern.getAsBoolean()).isFalse();

        producer.send(new ProducerRecord<>(SOURCE, 1, null, new byte[] {4})).get();
        refresh(byName, byPattern);
        assertThat(byName.getAsBoolean()).as("a record on a partition the group never committed").isTrue();
        assertThat(byPattern.getAsBoolean()).isTrue();

        clock.addAndGet(GroupBacklog.STALE.toMillis() + 1);
        assertThat(byName.getAsBoolean()).as("an old reading").isFalse();

        refresh(byName);
        assertThat(byName.getAsBoolean()).as("the same backlog, %s s on", GroupBacklog.STALE.toSeconds() + 1).isTrue();
        clock.addAndGet(GroupBacklog.STUCK.toMillis());
        refresh(byName);
        assertThat(byName.getAsBoolean()).as("a backlog that has not moved for %s", GroupBacklog.STUCK).isFalse();
        producer.send(new ProducerRecord<>(SOURCE, 1, null, new byte[] {5})).get();
        refresh(byName);
        assertThat(byName.getAsBoolean()).as("it moved: a new record").isTrue();
      }
    }
  }

  @Test
  void shouldReadATransactionalUpstreamAsDoneOnceTheGroupHasReadAndCommittedIt() throws Exception {
    try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
      kafka.createTopics(1, SOURCE);
      AtomicLong clock = new AtomicLong(1_000);
      try (Admin admin = kafka.admin();
          KafkaProducer<byte[], byte[]> producer = producer(kafka, Map.of("transactional.id", "debezium-like"))) {
        producer.initTransactions();
        for (int t = 0; t < 3; t++) {
          producer.beginTransaction();
          producer.send(new ProducerRecord<>(SOURCE, 0, null, new byte[] {(byte) t}));
          producer.send(new ProducerRecord<>(SOURCE, 0, null, new byte[] {(byte) t}));
          producer.commitTransaction();
        }
        GroupBacklog backlog = new GroupBacklog(admin, "tx-app", Set.of(SOURCE), List.of(), clock::get, false);
        backlog.refresh();
        assertThat(backlog.getAsBoolean()).as("6 records and 3 markers, nothing read").isTrue();

        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of("bootstrap.servers",
            kafka.bootstrapServers(), "group.id", "tx-app", "isolation.level", "read_committed",
            "auto.offset.reset", "earliest", "enable.auto.commit", "false"), new ByteArrayDeserializer(),
            new ByteArrayDeserializer())) {
          consumer.assign(List.of(new TopicPartition(SOURCE, 0)));
          int read = 0;
          long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
          while (read < 6 && System.nanoTime() < deadline) {
            read += consumer.poll(Duration.ofMillis(200)).count();
          }
          assertThat(read).isEqualTo(6);
          consumer.poll(Duration.ofMillis(200));  // a last fetch: the position passes the final marker
          consumer.commitSync();
        }
        backlog.refresh();
        assertThat(backlog.getAsBoolean()).as("read and committed, markers included").isFalse();
      }
    }
  }

  private static KafkaProducer<byte[], byte[]> producer(EmbeddedKafka kafka, Map<String, Object> extra) {
    Map<String, Object> props = new java.util.HashMap<>(Map.of("bootstrap.servers", kafka.bootstrapServers(),
        "acks", "all"));
    props.putAll(extra);
    return new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
  }

  private static void refresh(GroupBacklog... backlogs) {
    for (GroupBacklog b : backlogs) {
      b.refresh();
    }
  }

  private static void commit(Admin admin, String group, TopicPartition partition, long offset) throws Exception {
    admin.alterConsumerGroupOffsets(group,
        Map.of(partition, new org.apache.kafka.clients.consumer.OffsetAndMetadata(offset))).all().get();
  }
}
