package io.riskstream.app.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.metrics.Gauge;
import org.apache.kafka.common.metrics.Metrics;
import org.junit.jupiter.api.Test;

class StreamsWaitsTest {

  private static void gauge(Metrics metrics, String group, String name, Map<String, String> tags, double value) {
    metrics.addMetric(new MetricName(name, group, "", tags), (Gauge<Double>) (config, now) -> value);
  }

  @Test
  void shouldSumThreadTimesAndCountRecordsWrittenPerTopic() {
    try (Metrics metrics = new Metrics()) {
      for (String thread : new String[] {"app-StreamThread-1", "app-StreamThread-2"}) {
        Map<String, String> t = Map.of("thread-id", thread);
        gauge(metrics, "stream-thread-metrics", "commit-total", t, 10);
        gauge(metrics, "stream-thread-metrics", "commit-latency-avg", t, 20);  // ms
        gauge(metrics, "stream-thread-metrics", "poll-total", t, 100);
        gauge(metrics, "stream-thread-metrics", "poll-latency-avg", t, 5);
        gauge(metrics, "stream-thread-metrics", "blocked-time-ns-total", t, 1.5e9);
      }
      String producer = "app-StreamThread-1-producer";
      gauge(metrics, "producer-metrics", "flush-time-ns-total", Map.of("client-id", producer), 2e9);
      gauge(metrics, "producer-topic-metrics", "record-send-total",
          Map.of("client-id", producer, "topic", "app-patient-history-events-changelog"), 30);
      gauge(metrics, "producer-topic-metrics", "record-send-total",
          Map.of("client-id", producer, "topic", "risk-scores"), 10);
      gauge(metrics, "stream-riskstream-metrics", "scoring-drain-wait-latency-max", Map.of("task-id", "1_0"), 40);
      gauge(metrics, "stream-riskstream-metrics", "scoring-drain-wait-latency-max", Map.of("task-id", "1_1"), 70);

      Map<String, Object> waits = StreamsWaits.of(metrics.metrics(), "app");

      assertThat(waits).containsEntry("commits", 20.0).containsEntry("threadCommitSeconds", 0.4)
          .containsEntry("threadPollSeconds", 1.0).containsEntry("threadBlockedOnKafkaSeconds", 3.0)
          .containsEntry("producerFlushSeconds", 2.0).containsEntry("scoreDrainWaitMsMax", 70.0)
          .containsEntry("recordsWrittenByTopic", Map.of("patient-history-events-changelog", 30.0, "risk-scores", 10.0));
      assertThat(StreamsWaits.recordsWrittenPerEvent(waits, 20)).isEqualTo(2.0);
    }
  }

  @Test
  void shouldCountTheRecordsEachStreamThreadConsumedFromATopic() {
    try (Metrics metrics = new Metrics()) {
      String topic = "emr-events";
      gauge(metrics, "consumer-fetch-manager-metrics", "records-consumed-total",
          Map.of("client-id", "app-1-StreamThread-2-consumer", "topic", topic), 600);
      gauge(metrics, "consumer-fetch-manager-metrics", "records-consumed-total",
          Map.of("client-id", "app-1-StreamThread-10-consumer", "topic", topic), 300);
      gauge(metrics, "consumer-fetch-manager-metrics", "records-consumed-total",
          Map.of("client-id", "app-1-StreamThread-1-consumer", "topic", topic), 100);
      // per partition, another topic, and the restore consumer are not the thread's share of the topic
      gauge(metrics, "consumer-fetch-manager-metrics", "records-consumed-total",
          Map.of("client-id", "app-1-StreamThread-1-consumer", "topic", topic, "partition", "0"), 100);
      gauge(metrics, "consumer-fetch-manager-metrics", "records-consumed-total",
          Map.of("client-id", "app-1-StreamThread-1-consumer", "topic", "other"), 5000);
      gauge(metrics, "consumer-fetch-manager-metrics", "records-consumed-total",
          Map.of("client-id", "app-1-StreamThread-1-restore-consumer", "topic", "app-store-changelog"), 7000);

      Map<String, Long> byThread = StreamsWaits.consumedByThread(metrics.metrics(), topic);

      assertThat(byThread).containsExactly(Map.entry("StreamThread-1", 100L), Map.entry("StreamThread-2", 600L),
          Map.entry("StreamThread-10", 300L));
    }
  }
}
