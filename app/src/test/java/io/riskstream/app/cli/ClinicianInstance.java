package io.riskstream.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.riskstream.app.demo.EmbeddedKafka;
import io.riskstream.schemas.RiskAlertFeedback;
import io.riskstream.topology.config.RiskStreamConfig;
import io.riskstream.topology.serde.AvroSerdes;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * {@code riskstream run}'s instance on an embedded broker for the clinician endpoints' tests: the tiny test model on
 * ONNX Runtime, an alert policy whose warning threshold is 0 (every outcome of a scored patient alerts; outcome
 * {@code a} critically), HTTP on a free port; plus the HTTP calls and the feedback topic's reader the tests share.
 */
final class ClinicianInstance implements AutoCloseable {

  private static final String MODEL = "../scoring/src/test/resources/models/test-tiny";

  /** The bearer token the instance accepts when it runs with {@code http.auth=token}. */
  static final String TOKEN = "clinician-it-token";

  private final EmbeddedKafka kafka;
  private final RiskStreamConfig config;
  private final RunCommand.Running running;
  private final String authorization;
  private final HttpClient http = HttpClient.newHttpClient();

  private ClinicianInstance(EmbeddedKafka kafka, RiskStreamConfig config, RunCommand.Running running,
      String authorization) {
    this.kafka = kafka;
    this.config = config;
    this.running = running;
    this.authorization = authorization;
  }

  /**
   * As {@link #start(Path, String, boolean)} with {@code http.auth=token} (run's default): {@link #get} and
   * {@link #post} send {@link #TOKEN}.
   */
  static ClinicianInstance start(Path dir, String applicationId) throws Exception {
    return start(dir, applicationId, true);
  }

  /** Starts the broker and the instance (state under {@code dir}) and waits until it is ready. */
  static ClinicianInstance start(Path dir, String applicationId, boolean token) throws Exception {
    EmbeddedKafka kafka = EmbeddedKafka.start();
    try {
      kafka.createTopics(1, "ehr.clinical.patients", "ehr.clinical.conditions");
      Path file = dir.resolve("riskstream.properties");
      Path tokens = dir.resolve("tokens");
      Files.writeString(tokens, TOKEN + "\n", StandardCharsets.UTF_8);
      // token: run's default authentication, with a tokens file; else none, on loopback only (a browser's EventSource
      // cannot send a bearer token)
      List<String> auth = token ? List.of("http.auth=token", "http.auth.tokens.file=" + tokens)
          : List.of("http.auth=none", "http.bind.address=127.0.0.1");
      Files.writeString(file, String.join("\n", auth) + "\n" + String.join("\n",
          "bootstrap.servers=" + kafka.bootstrapServers(),
          "application.id=" + applicationId,
          "state.dir=" + dir.resolve("state"),
          "registry.url=mem://",
          "model.name=" + MODEL,
          "scorer=onnxruntime",
          "http.port=0",
          "topic.partitions=2",
          "alert.warning.threshold=0.0",
          "alert.critical.threshold=1.0",
          "alert.outcome.a.critical.threshold=0.0"), StandardCharsets.UTF_8);
      RiskStreamConfig config = RiskStreamConfig.load(file, Map.of());
      ClinicianInstance instance = new ClinicianInstance(kafka, config, RunCommand.Running.start(config, Map.of()),
          token ? "Bearer " + TOKEN : null);
      instance.await("/health/ready", r -> r.statusCode() == 200);
      return instance;
    } catch (Exception | Error e) {
      kafka.close();
      throw e;
    }
  }

  /** Produces patient p-1 with one condition: one score and an alert per outcome (a, b, c). */
  void producePatient() {
    OnePatientFeed.produce(kafka.bootstrapServers(), false);
  }

  int port() {
    return running.httpPort();
  }

  RiskStreamConfig config() {
    return config;
  }

  /** GET with the instance's credentials (the bearer token when it runs with {@code http.auth=token}). */
  HttpResponse<String> get(String path) throws Exception {
    return send(HttpRequest.newBuilder(URI.create("http://localhost:" + port() + path)).GET(), authorization);
  }

  /** POST (JSON) with the instance's credentials. */
  HttpResponse<String> post(String path, String body) throws Exception {
    return send(postRequest(path, body), authorization);
  }

  /** GET without credentials. */
  HttpResponse<String> getAnonymously(String path) throws Exception {
    return send(HttpRequest.newBuilder(URI.create("http://localhost:" + port() + path)).GET(), null);
  }

  /** POST (JSON) without credentials. */
  HttpResponse<String> postAnonymously(String path, String body) throws Exception {
    return send(postRequest(path, body), null);
  }

  private HttpRequest.Builder postRequest(String path, String body) {
    return HttpRequest.newBuilder(URI.create("http://localhost:" + port() + path))
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
  }

  private HttpResponse<String> send(HttpRequest.Builder request, String authorization) throws Exception {
    if (authorization != null) {
      request.header("Authorization", authorization);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** GETs {@code path} until {@code done} holds (a generous timeout; a predicate that throws counts as not yet). */
  HttpResponse<String> await(String path, Predicate<HttpResponse<String>> done) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
    HttpResponse<String> last = get(path);
    while (!holds(done, last) && System.nanoTime() < deadline) {
      Thread.sleep(250);
      last = get(path);
    }
    assertThat(holds(done, last)).as("%s: %s %s", path, last.statusCode(), last.body()).isTrue();
    return last;
  }

  private static boolean holds(Predicate<HttpResponse<String>> done, HttpResponse<String> r) {
    try {
      return done.test(r);
    } catch (RuntimeException notYet) {
      return false;
    }
  }

  /** The feedback topic's records, read until {@code expected} arrived or a generous timeout passed. */
  List<ConsumerRecord<String, RiskAlertFeedback>> feedback(int expected) {
    AvroSerdes serdes = AvroSerdes.fromConfig(config);
    List<ConsumerRecord<String, RiskAlertFeedback>> out = new ArrayList<>();
    try (KafkaConsumer<String, RiskAlertFeedback> consumer = new KafkaConsumer<>(Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(), ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
        "earliest", ConsumerConfig.GROUP_ID_CONFIG, "feedback-check-" + System.nanoTime()), new StringDeserializer(),
        serdes.value(RiskAlertFeedback.class).deserializer())) {
      consumer.subscribe(List.of(config.topics().alertFeedback().name()));
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (out.size() < expected && System.nanoTime() < deadline) {
        consumer.poll(Duration.ofMillis(500)).forEach(out::add);
      }
    }
    return out;
  }

  @Override
  public void close() throws Exception {
    try {
      running.close();
    } finally {
      kafka.close();
    }
  }
}
