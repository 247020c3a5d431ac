package io.riskstream.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.riskstream.app.demo.EmbeddedKafka;
import io.riskstream.topology.config.RiskStreamConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.function.Predicate;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code riskstream run}'s instance on the embedded broker, configured from a file plus an environment override:
 * health, readiness, Prometheus metrics with the dead-letter counter, and the per-patient risk query (with a bearer
 * token; refused without).
 */
class RunCommandIT {

  private static final String MODEL = "../scoring/src/test/resources/models/test-tiny";
  private static final String TOKEN = "run-it-token";

  @TempDir
  Path dir;

  private final HttpClient http = HttpClient.newHttpClient();

  @Test
  void shouldServeHealthMetricsAndPatientRiskWhileRunning() throws Exception {
    try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
      kafka.createTopics(1, "ehr.clinical.patients", "ehr.clinical.conditions");
      Path tokens = dir.resolve("tokens");
      Files.writeString(tokens, TOKEN + "\n", StandardCharsets.UTF_8);
      Path file = dir.resolve("riskstream.properties");
      Files.writeString(file, String.join("\n",
          "bootstrap.servers=" + kafka.bootstrapServers(),
          "application.id=run-it",
          "state.dir=" + dir.resolve("state"),
          "registry.url=mem://",
          "model.name=" + MODEL,
          "http.port=0",
          "http.bind.address=127.0.0.1",
          "http.auth.tokens.file=" + tokens,
          "topic.partitions=2"), StandardCharsets.UTF_8);
      RiskStreamConfig config = RiskStreamConfig.load(file, Map.of("RISKSTREAM_SCORER", "onnxruntime"));
      assertThat(config.getString(RiskStreamConfig.SCORER_CONFIG)).isEqualTo("onnxruntime");

      RunCommand.Running running = RunCommand.Running.start(config, Map.of());
      try {
        int port = running.httpPort();
        assertThat(get(port, "/health/live").statusCode()).isEqualTo(200);
        HttpResponse<String> ready = await(port, "/health/ready", r -> r.statusCode() == 200);
        assertThat(ready.body()).contains("\"streams\":\"RUNNING\"");

        OnePatientFeed.produce(kafka.bootstrapServers(), true);
        HttpResponse<String> risk = await(port, "/patients/p-1/risk", r -> r.statusCode() == 200);
        assertThat(risk.body()).contains("\"patientId\":\"p-1\"", "\"a\":{\"probability\":", "\"b\":", "\"c\":",
            "\"stale\":false");
        HttpResponse<String> anonymous = http.send(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + port + "/patients/p-1/risk")).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(anonymous.statusCode()).isEqualTo(401);
        assertThat(anonymous.body()).doesNotContain("probability");
        assertThat(get(port, "/patients/nobody/risk").statusCode()).isEqualTo(404);

        HttpResponse<String> metrics = await(port, "/metrics",
            r -> r.body().matches("(?s).*dead_letter_malformed_json_total\\{[^}]*} 1\\.0.*"));
        assertThat(metrics.body()).containsPattern(
            "riskstream_dead_letters_total\\{[^}]*reason=\"malformed_json\"[^}]*stage=\"normalize\"[^}]*} 1\\.0");
        assertThat(metrics.body()).contains("riskstream_batcher_requests_total", "kafka_stream_thread_process_total",
            "kafka_stream_riskstream_trigger_close_idle_flush_total", "kafka_stream_riskstream_trigger_close_linger_total");
      } finally {
        running.close();
      }
      assertThat(running.app().state()).isEqualTo(KafkaStreams.State.NOT_RUNNING);
    }
  }

  private HttpResponse<String> get(int port, String path) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .header("Authorization", "Bearer " + TOKEN).GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> await(int port, String path, Predicate<HttpResponse<String>> done) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    HttpResponse<String> last = get(port, path);
    while (!done.test(last) && System.nanoTime() < deadline) {
      Thread.sleep(250);
      last = get(port, path);
    }
    assertThat(done.test(last)).as("%s: %s %s", path, last.statusCode(), last.body()).isTrue();
    return last;
  }
}
