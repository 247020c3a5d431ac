package io.riskstream.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.riskstream.topology.config.RiskStreamConfig;
import io.riskstream.connectors.ehr.EhrRow;
import io.riskstream.app.demo.CdcFeed;
import io.riskstream.app.demo.EmbeddedKafka;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Predicate;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code riskstream run}'s instance on the embedded broker, configured from a file plus an environment override:
 * health, readiness, Prometheus metrics with the dead-letter counter, and the per-patient risk query.
 */
class RunCommandIT {

  private static final String MODEL = "../scoring/src/test/resources/models/test-tiny";

  @TempDir
  Path dir;

  private final HttpClient http = HttpClient.newHttpClient();

  @Test
  void shouldServeHealthMetricsAndPatientRiskWhileRunning() throws Exception {
    try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
      kafka.createTopics(1, "ehr.clinical.patients", "ehr.clinical.conditions");
      Path file = dir.resolve("riskstream.properties");
      Files.writeString(file, String.join("\n",
          "bootstrap.servers=" + kafka.bootstrapServers(),
          "application.id=run-it",
          "state.dir=" + dir.resolve("state"),
          "registry.url=mem://",
          "model.name=" + MODEL,
          "http.port=0",
          "topic.partitions=2"), StandardCharsets.UTF_8);
      RiskStreamConfig config = RiskStreamConfig.load(file, Map.of("RISKSTREAM_SCORER", "onnxruntime"));
      assertThat(config.getString(RiskStreamConfig.SCORER_CONFIG)).isEqualTo("onnxruntime");

      RunCommand.Running running = RunCommand.Running.start(config, Map.of());
      try {
        int port = running.httpPort();
        assertThat(get(port, "/health/live").statusCode()).isEqualTo(200);
        HttpResponse<String> ready = await(port, "/health/ready", r -> r.statusCode() == 200);
        assertThat(ready.body()).contains("\"streams\":\"RUNNING\"");

        produce(kafka.bootstrapServers());
        HttpResponse<String> risk = await(port, "/patients/p-1/risk", r -> r.statusCode() == 200);
        assertThat(risk.body()).contains("\"patientId\":\"p-1\"", "\"a\":{\"probability\":", "\"b\":", "\"c\":");
        assertThat(get(port, "/patients/nobody/risk").statusCode()).isEqualTo(404);

        HttpResponse<String> metrics = await(port, "/metrics",
            r -> r.body().matches("(?s).*dead_letter_malformed_json_total\\{[^}]*} 1\\.0.*"));
        assertThat(metrics.body()).contains("riskstream_batcher_requests_total", "kafka_stream_thread_process_total",
            "kafka_stream_riskstream_trigger_close_idle_flush_total", "kafka_stream_riskstream_trigger_close_linger_total");
      } finally {
        running.close();
      }
      assertThat(running.app().state()).isEqualTo(KafkaStreams.State.NOT_RUNNING);
    }
  }

  private static void produce(String bootstrap) {
    Map<String, Object> p = new LinkedHashMap<>();
    p.put("id", "p-1");
    p.put("birthdate", LocalDate.parse("1960-01-01"));
    p.put("deathdate", null);
    p.put("gender", "female");
    p.put("race", null);
    p.put("ethnicity", null);
    EhrRow patient = new EhrRow("patients", p);
    Map<String, Object> c = new LinkedHashMap<>();
    c.put("id", "c-1");
    c.put("patient_id", "p-1");
    c.put("encounter_id", null);
    c.put("start_time", Instant.parse("2020-01-01T00:00:00Z"));
    c.put("stop_time", null);
    c.put("code_system", "SNOMED-CT");
    c.put("code", "1");
    c.put("description", "test");
    EhrRow condition = new EhrRow("conditions", c);
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of("bootstrap.servers", bootstrap),
        new ByteArraySerializer(), new ByteArraySerializer())) {
      producer.send(new ProducerRecord<>("ehr.clinical.patients", CdcFeed.key(patient), CdcFeed.create(patient, 1, 1, 1)));
      producer.send(new ProducerRecord<>("ehr.clinical.conditions", CdcFeed.key(condition),
          CdcFeed.create(condition, 2, 2, 2)));
      producer.send(new ProducerRecord<>("ehr.clinical.conditions", "k".getBytes(StandardCharsets.UTF_8),
          "{not json".getBytes(StandardCharsets.UTF_8)));
    }
  }

  private HttpResponse<String> get(int port, String path) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + path)).GET().build(),
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
