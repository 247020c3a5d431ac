package io.riskstream.app.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

class EmbeddedKafkaIT {

  @Test
  void shouldServeTransactionsOnALoopbackPort() throws Exception {
    try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
      assertThat(kafka.bootstrapServers()).matches("(localhost|127\\.0\\.0\\.1):\\d+(,.*)?");
      kafka.createTopics(2, "t");
      kafka.createTopics(2, "t"); // idempotent
      try (Admin admin = kafka.admin()) {
        assertThat(admin.describeTopics(List.of("t")).allTopicNames().get().get("t").partitions()).hasSize(2);
      }
      try (KafkaProducer<String, String> p = new KafkaProducer<>(Map.of("bootstrap.servers", kafka.bootstrapServers(),
          "transactional.id", "tx-1"), new StringSerializer(), new StringSerializer())) {
        p.initTransactions();
        p.beginTransaction();
        p.send(new ProducerRecord<>("t", "k", "committed"));
        p.commitTransaction();
        p.beginTransaction();
        p.send(new ProducerRecord<>("t", "k", "aborted"));
        p.flush();
        p.abortTransaction();
      }
      List<String> seen = new ArrayList<>();
      try (KafkaConsumer<String, String> c = new KafkaConsumer<>(Map.of("bootstrap.servers", kafka.bootstrapServers(),
          "group.id", "g", "auto.offset.reset", "earliest", "isolation.level", "read_committed"),
          new StringDeserializer(), new StringDeserializer())) {
        c.subscribe(List.of("t"));
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (seen.isEmpty() && System.nanoTime() < deadline) {
          for (ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(200))) {
            seen.add(r.value());
          }
        }
        for (ConsumerRecord<String, String> r : c.poll(Duration.ofSeconds(1))) {
          seen.add(r.value());
        }
      }
      assertThat(seen).containsExactly("committed");
    }
  }
}
