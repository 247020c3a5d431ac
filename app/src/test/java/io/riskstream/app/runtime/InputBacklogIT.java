package io.riskstream.app.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.riskstream.app.demo.EmbeddedKafka;
import io.riskstream.topology.InputBacklog;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

/** {@link InputBacklog} reads a real consumer's lag per partition (the metric names of the Kafka clients in use). */
class InputBacklogIT {

  private static final String TOPIC = "ehr.emr-events";

  @Test
  void shouldSeeAPartitionBehindUntilItsConsumerHasReadEveryRecord() throws Exception {
    try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
      kafka.createTopics(2, TOPIC);
      try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of("bootstrap.servers",
          kafka.bootstrapServers(), "acks", "all"), new ByteArraySerializer(), new ByteArraySerializer())) {
        for (int i = 0; i < 20; i++) {
          producer.send(new ProducerRecord<>(TOPIC, 0, null, new byte[] {(byte) i})).get();
        }
      }
      try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of("bootstrap.servers",
          kafka.bootstrapServers(), "client.id", "app-StreamThread-1-consumer", "max.poll.records", "1",
          "isolation.level", "read_committed", "auto.offset.reset", "earliest"), new ByteArrayDeserializer(),
          new ByteArrayDeserializer())) {
        consumer.assign(List.of(new TopicPartition(TOPIC, 0), new TopicPartition(TOPIC, 1)));
        InputBacklog backlog = new InputBacklog();
        backlog.readFrom(consumer::metrics);
        long clock = 0;
        int read = 0;
        while (read == 0) {
          read += consumer.poll(Duration.ofMillis(100)).count();
        }
        assertThat(backlog.behind(TOPIC, 0, clock)).isTrue();  // 1 of 20 read
        assertThat(backlog.behind(TOPIC, 1, clock)).isFalse();  // empty
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (read < 20 && System.nanoTime() < deadline) {
          read += consumer.poll(Duration.ofMillis(100)).count();
        }
        assertThat(read).isEqualTo(20);
        consumer.poll(Duration.ofMillis(100));
        clock += InputBacklog.REFRESH_MS;
        assertThat(backlog.behind(TOPIC, 0, clock)).isFalse();
      }
    }
  }
}
