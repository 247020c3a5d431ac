package io.riskstream.app.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.riskstream.topology.AlertProcessor;
import io.riskstream.topology.AlertState;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP endpoints of a running instance, on the JDK's built-in server (no extra dependency for four GET routes):
 * <ul>
 *   <li>{@code GET /health/live}: 200 while the Kafka Streams client has not failed (not ERROR, PENDING_ERROR or
 *       NOT_RUNNING), else 503;</li>
 *   <li>{@code GET /health/ready}: 200 when streams are RUNNING and the scorer is ready, else 503;</li>
 *   <li>{@code GET /metrics}: Prometheus text format;</li>
 *   <li>{@code GET /patients/{id}/risk}: the patient's latest probability per outcome and alert state, read by an
 *       interactive query of store {@value AlertProcessor#STORE} on this instance (404 when the patient has no score
 *       here, 503 while the store is not queryable, e.g. during a rebalance).</li>
 * </ul>
 * Patient ids are never logged; the access log is not written.
 */
public final class HttpEndpoints implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(HttpEndpoints.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String PATIENTS_PREFIX = "/patients/";
  private static final String RISK_SUFFIX = "/risk";

  /** Looks up a patient's alert state; throws {@link InvalidStateStoreException} when the store is not queryable. */
  @FunctionalInterface
  public interface PatientLookup {
    Optional<AlertState> find(String patientId);
  }

  private final HttpServer server;
  private final ExecutorService executor;

  private HttpEndpoints(HttpServer server, ExecutorService executor) {
    this.server = server;
    this.executor = executor;
  }

  /**
   * Starts the endpoints on {@code port} of all interfaces (0 = a free port).
   *
   * @param state the Kafka Streams client's state
   * @param scorerReady whether the scorer is started and not closed
   * @param metrics the Prometheus text exposition
   * @param patients lookup of a patient's alert state
   */
  public static HttpEndpoints start(int port, Supplier<KafkaStreams.State> state, BooleanSupplier scorerReady,
      Supplier<String> metrics, PatientLookup patients) throws IOException {
    return start(port, state, scorerReady, metrics, patients, List.of());
  }

  /**
   * As {@link #start(int, Supplier, BooleanSupplier, Supplier, PatientLookup)}, plus {@code routes} (the clinician
   * endpoints: FHIR, CDS Hooks, the alert inbox), each marked as patient data or open.
   */
  public static HttpEndpoints start(int port, Supplier<KafkaStreams.State> state, BooleanSupplier scorerReady,
      Supplier<String> metrics, PatientLookup patients, List<HttpRoute> routes) throws IOException {
    Objects.requireNonNull(state, "state");
    Objects.requireNonNull(scorerReady, "scorerReady");
    Objects.requireNonNull(metrics, "metrics");
    Objects.requireNonNull(patients, "patients");
    HttpServer server = HttpServer.create(new InetSocketAddress(port), 0);
    ExecutorService executor = Executors.newFixedThreadPool(2, r -> {
      Thread t = new Thread(r, "riskstream-http");
      t.setDaemon(true);
      return t;
    });
    server.setExecutor(executor);
    server.createContext("/health/live", ex -> handle(ex, () -> {
      KafkaStreams.State s = state.get();
      boolean alive = s != KafkaStreams.State.ERROR && s != KafkaStreams.State.PENDING_ERROR
          && s != KafkaStreams.State.NOT_RUNNING;
      return json(alive ? 200 : 503, Map.of("status", alive ? "UP" : "DOWN", "streams", s.name()));
    }));
    server.createContext("/health/ready", ex -> handle(ex, () -> {
      KafkaStreams.State s = state.get();
      boolean scorer = scorerReady.getAsBoolean();
      boolean ready = s == KafkaStreams.State.RUNNING && scorer;
      Map<String, Object> body = new LinkedHashMap<>();
      body.put("status", ready ? "UP" : "DOWN");
      body.put("streams", s.name());
      body.put("scorer", scorer ? "READY" : "NOT_READY");
      return json(ready ? 200 : 503, body);
    }));
    server.createContext("/metrics", ex -> handle(ex,
        () -> new Response(200, "text/plain; version=0.0.4; charset=utf-8", metrics.get())));
    server.createContext(PATIENTS_PREFIX, ex -> handle(ex, () -> patientRisk(ex.getRequestURI().getRawPath(), patients)));
    for (HttpRoute route : routes) {
      server.createContext(route.path(), route.handler());
    }
    server.start();
    LOG.info("HTTP endpoints listening on port {}", server.getAddress().getPort());
    return new HttpEndpoints(server, executor);
  }

  /** A lookup in the {@value AlertProcessor#STORE} store of {@code streams} (this instance's partitions only). */
  public static PatientLookup alertStateLookup(KafkaStreams streams) {
    return id -> {
      // all local partitions of the store (a key lives in one of them; without application.server there is no
      // metadata to route to another instance)
      ReadOnlyKeyValueStore<String, AlertState> store = streams.store(
          StoreQueryParameters.fromNameAndType(AlertProcessor.STORE, QueryableStoreTypes.<String, AlertState>keyValueStore()));
      return Optional.ofNullable(store.get(id));
    };
  }

  /** The port the server listens on. */
  public int port() {
    return server.getAddress().getPort();
  }

  private record Response(int status, String contentType, String body) {
  }

  @FunctionalInterface
  private interface Handler {
    Response respond() throws IOException;
  }

  private static void handle(HttpExchange ex, Handler handler) throws IOException {
    try (ex) {
      Response r;
      if (!"GET".equals(ex.getRequestMethod()) && !"HEAD".equals(ex.getRequestMethod())) {
        r = json(405, Map.of("error", "method not allowed"));
      } else {
        try {
          r = handler.respond();
        } catch (RuntimeException e) {
          // the exception's message may carry a key; log its type only
          LOG.warn("HTTP {} failed: {}", ex.getHttpContext().getPath(), e.getClass().getSimpleName());
          r = json(500, Map.of("error", "internal error"));
        }
      }
      byte[] body = r.body().getBytes(StandardCharsets.UTF_8);
      ex.getResponseHeaders().set("Content-Type", r.contentType());
      boolean head = "HEAD".equals(ex.getRequestMethod());
      ex.sendResponseHeaders(r.status(), head ? -1 : body.length);
      if (!head) {
        try (OutputStream out = ex.getResponseBody()) {
          out.write(body);
        }
      }
    }
  }

  private static Response patientRisk(String rawPath, PatientLookup patients) throws IOException {
    if (!rawPath.startsWith(PATIENTS_PREFIX) || !rawPath.endsWith(RISK_SUFFIX)
        || rawPath.length() <= PATIENTS_PREFIX.length() + RISK_SUFFIX.length()) {
      return json(404, Map.of("error", "not found; use /patients/{id}/risk"));
    }
    String raw = rawPath.substring(PATIENTS_PREFIX.length(), rawPath.length() - RISK_SUFFIX.length());
    if (raw.contains("/")) {
      return json(404, Map.of("error", "not found; use /patients/{id}/risk"));
    }
    String id = URLDecoder.decode(raw, StandardCharsets.UTF_8);
    Optional<AlertState> state;
    try {
      state = patients.find(id);
    } catch (InvalidStateStoreException e) {
      return json(503, Map.of("error", "state store not queryable yet; retry"));
    }
    if (state.isEmpty()) {
      return json(404, Map.of("error", "no score for this patient on this instance"));
    }
    Map<String, Object> outcomes = new LinkedHashMap<>();
    state.get().outcomes().entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> {
      AlertState.Outcome o = e.getValue();
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("probability", o.lastProbability());
      m.put("warningArmed", o.warningArmed());
      m.put("criticalArmed", o.criticalArmed());
      m.put("lastAlertAt", o.lastAlertAt() == null ? null : java.time.Instant.ofEpochMilli(o.lastAlertAt()).toString());
      m.put("lastSeverity", o.lastSeverity());
      outcomes.put(e.getKey(), m);
    });
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("patientId", id);
    body.put("outcomes", outcomes);
    return json(200, body);
  }

  private static Response json(int status, Object body) throws IOException {
    return new Response(status, "application/json", JSON.writeValueAsString(body));
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
