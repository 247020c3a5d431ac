package io.riskstream.topology;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.metrics.Gauge;
import org.apache.kafka.common.metrics.Metrics;
import org.junit.jupiter.api.Test;

class InputBacklogTest {

  private static void lag(Metrics metrics, String client, String topic, String partition, double[] value) {
    metrics.addMetric(new MetricName("records-lag", "consumer-fetch-manager-metrics", "",
        Map.of("client-id", client, "topic", topic, "partition", partition)), (Gauge<Double>) (c, now) -> value[0]);
  }

  @Test
  void shouldReportATaskBehindWhileItsPartitionOrAnotherTopicLags() {
    double[] own = {3};
    double[] sibling = {7};
    double[] source = {0};
    double[] restore = {500};
    try (Metrics metrics = new Metrics()) {
      lag(metrics, "app-StreamThread-1-consumer", "emr-events", "0", own);
      lag(metrics, "app-StreamThread-2-consumer", "emr-events", "1", sibling);
      lag(metrics, "app-StreamThread-2-consumer", "ehr.clinical.changes", "5", source);
      // a restore consumer reads a changelog, never the input
      lag(metrics, "app-StreamThread-1-restore-consumer", "app-trigger-open-changelog", "0", restore);
      InputBacklog backlog = new InputBacklog();
      assertThat(backlog.behind("emr-events", 0, 0)).isFalse();  // no client yet
      backlog.readFrom(metrics::metrics);

      assertThat(backlog.behind("emr-events", 0, 0)).isTrue();  // its own partition lags
      assertThat(backlog.behind("emr-events", 1, 0)).isTrue();
      assertThat(backlog.behind("emr-events", 2, 0)).isFalse();  // partitions 0 and 1 feed other tasks

      own[0] = 0;
      // one reading serves REFRESH_MS of the caller's clock, then the metrics are read again
      assertThat(backlog.behind("emr-events", 0, InputBacklog.REFRESH_MS - 1)).isTrue();
      assertThat(backlog.behind("emr-events", 0, InputBacklog.REFRESH_MS)).isFalse();

      source[0] = 2;  // the rest of a transaction may wait upstream, in the CDC source topic
      assertThat(backlog.behind("emr-events", 0, 2 * InputBacklog.REFRESH_MS)).isTrue();
      assertThat(backlog.behind("emr-events", 2, 2 * InputBacklog.REFRESH_MS)).isTrue();
    }
  }

  @Test
  void shouldReadTheOlderMetricNamesWithUnderscoresForDots() {
    try (Metrics metrics = new Metrics()) {
      lag(metrics, "app-StreamThread-1-consumer", "ehr_emr_events", "4", new double[] {1});
      InputBacklog backlog = new InputBacklog();
      backlog.readFrom(metrics::metrics);
      assertThat(backlog.behind("ehr.emr.events", 4, 0)).isTrue();
      assertThat(backlog.behind("ehr.emr.events", 3, 0)).isFalse();
    }
  }

  @Test
  void shouldAlsoReportTheConsumerGroupsBacklogOfOtherInstances() {
    try (Metrics metrics = new Metrics()) {
      lag(metrics, "app-StreamThread-1-consumer", "emr-events", "0", new double[] {0});
      boolean[] group = {true};
      InputBacklog backlog = new InputBacklog();
      backlog.readFrom(metrics::metrics);
      assertThat(backlog.behind("emr-events", 0, 0)).as("no group reader yet").isFalse();
      backlog.alsoFrom(() -> group[0]);
      assertThat(backlog.behind("emr-events", 0, 0)).as("another instance's source partition lags").isTrue();
      group[0] = false;
      assertThat(backlog.behind("emr-events", 0, 0)).isFalse();
    }
  }
}
