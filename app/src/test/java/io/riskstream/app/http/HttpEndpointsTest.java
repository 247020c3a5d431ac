package io.riskstream.app.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.riskstream.topology.AlertState;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class HttpEndpointsTest {

  private final AtomicReference<KafkaStreams.State> state = new AtomicReference<>(KafkaStreams.State.REBALANCING);
  private final AtomicBoolean scorerReady = new AtomicBoolean(true);
  private final AtomicBoolean storeQueryable = new AtomicBoolean(true);
  private final HttpClient client = HttpClient.newHttpClient();
  private HttpEndpoints endpoints;

  @BeforeEach
  void start() throws Exception {
    AlertState p1 = AlertState.empty()
        .with("type2_diabetes", new AlertState.Outcome(0.42, false, true, 1_600_000_000_000L, "WARNING"))
        .with("ckd", new AlertState.Outcome(0.05, true, true, null, null));
    endpoints = HttpEndpoints.start(0, state::get, scorerReady::get,
        () -> "# TYPE riskstream_batcher_batches_total counter\nriskstream_batcher_batches_total 3.0\n", id -> {
          if (!storeQueryable.get()) {
            throw new InvalidStateStoreException("rebalancing");
          }
          return "p 1".equals(id) ? Optional.of(p1) : Optional.empty();
        });
  }

  @AfterEach
  void stop() {
    endpoints.close();
  }

  private HttpResponse<String> get(String path) throws Exception {
    return client.send(HttpRequest.newBuilder(URI.create("http://localhost:" + endpoints.port() + path)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void shouldReportLiveUnlessStreamsFailed() throws Exception {
    assertThat(get("/health/live").statusCode()).isEqualTo(200);
    state.set(KafkaStreams.State.ERROR);
    HttpResponse<String> failed = get("/health/live");
    assertThat(failed.statusCode()).isEqualTo(503);
    assertThat(failed.body()).contains("\"streams\":\"ERROR\"");
  }

  @Test
  void shouldReportReadyOnlyWhenStreamsRunAndScorerIsReady() throws Exception {
    assertThat(get("/health/ready").statusCode()).isEqualTo(503);
    state.set(KafkaStreams.State.RUNNING);
    HttpResponse<String> ready = get("/health/ready");
    assertThat(ready.statusCode()).isEqualTo(200);
    assertThat(ready.body()).contains("\"scorer\":\"READY\"");
    scorerReady.set(false);
    assertThat(get("/health/ready").statusCode()).isEqualTo(503);
  }

  @Test
  void shouldServeMetricsInPrometheusTextFormat() throws Exception {
    HttpResponse<String> metrics = get("/metrics");
    assertThat(metrics.statusCode()).isEqualTo(200);
    assertThat(metrics.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("text/plain"));
    assertThat(metrics.body()).contains("riskstream_batcher_batches_total 3.0");
  }

  @Test
  void shouldAnswerAPatientsLatestRiskPerOutcome() throws Exception {
    HttpResponse<String> risk = get("/patients/p%201/risk");
    assertThat(risk.statusCode()).isEqualTo(200);
    assertThat(risk.body()).contains("\"patientId\":\"p 1\"")
        .contains("\"type2_diabetes\":{\"probability\":0.42,\"warningArmed\":false,\"criticalArmed\":true,"
            + "\"lastAlertAt\":\"2020-09-13T12:26:40Z\",\"lastSeverity\":\"WARNING\"}")
        .contains("\"ckd\":{\"probability\":0.05");
  }

  @Test
  void shouldAnswer404ForUnknownPatientsAndPaths() throws Exception {
    assertThat(get("/patients/p2/risk").statusCode()).isEqualTo(404);
    assertThat(get("/patients//risk").statusCode()).isEqualTo(404);
    assertThat(get("/patients/p1/history").statusCode()).isEqualTo(404);
    assertThat(get("/patients/a/b/risk").statusCode()).isEqualTo(404);
  }

  @Test
  void shouldAnswer503WhileTheStoreIsNotQueryable() throws Exception {
    storeQueryable.set(false);
    assertThat(get("/patients/p%201/risk").statusCode()).isEqualTo(503);
  }

  @Test
  void shouldRefuseOtherMethods() throws Exception {
    HttpResponse<String> post = client.send(HttpRequest.newBuilder(
            URI.create("http://localhost:" + endpoints.port() + "/health/live"))
        .POST(HttpRequest.BodyPublishers.ofString(Map.of().toString())).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(post.statusCode()).isEqualTo(405);
  }
}
