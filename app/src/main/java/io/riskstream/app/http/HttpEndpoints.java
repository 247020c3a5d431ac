package io.riskstream.app.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import io.riskstream.topology.AlertProcessor;
import io.riskstream.topology.AlertState;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
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
import javax.net.ssl.SSLParameters;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP endpoints of a running instance, on the JDK's built-in server (no extra dependency for four GET routes),
 * over HTTPS when a keystore is configured ({@link HttpSecurity}):
 * <ul>
 *   <li>{@code GET /health/live}: 200 while the Kafka Streams client has not failed (not ERROR, PENDING_ERROR or
 *       NOT_RUNNING), else 503; open;</li>
 *   <li>{@code GET /health/ready}: 200 when streams are RUNNING and the scorer is ready, else 503; open;</li>
 *   <li>{@code GET /metrics}: Prometheus text format; open (counts and rates, no patient data);</li>
 *   <li>{@code GET /patients/{id}/risk}: the patient's latest probability per outcome and alert state
 *       ({@link PatientQueries}: the owner's copy, forwarded to the owner, or a copy marked {@code "stale": true});
 *       only for authenticated callers (401 with a {@code WWW-Authenticate} challenge otherwise, 403 when only client
 *       certificates are accepted and none came), 404 when the owner has no score of the patient, 503 while no copy
 *       is queryable.</li>
 * </ul>
 * Patient ids and credentials are never logged; the access log is not written.
 */
public final class HttpEndpoints implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(HttpEndpoints.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String PATIENTS_PREFIX = "/patients/";
  private static final String RISK_SUFFIX = "/risk";
  /** Enough threads that queries forwarded between instances do not wait for each other's pools. */
  private static final int THREADS = 8;

  /**
   * Looks up a patient's alert state in this instance's stores (the CDS Hooks service's indicator); throws
   * {@link InvalidStateStoreException} when the store is not queryable.
   */
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
   * Starts the endpoints on {@code port} (0 = a free port) of {@code bindAddress}.
   *
   * @param security TLS and the authentication of patient queries
   * @param state the Kafka Streams client's state
   * @param scorerReady whether the scorer is started and not closed
   * @param metrics the Prometheus text exposition
   * @param patients the answers to patient queries
   */
  public static HttpEndpoints start(String bindAddress, int port, HttpSecurity security,
      Supplier<KafkaStreams.State> state, BooleanSupplier scorerReady, Supplier<String> metrics,
      PatientQueries patients) throws IOException {
    return start(bindAddress, port, security, state, scorerReady, metrics, patients, List.of());
  }

  /**
   * As {@link #start(String, int, HttpSecurity, Supplier, BooleanSupplier, Supplier, PatientQueries)}, plus
   * {@code routes} (the clinician endpoints: FHIR, CDS Hooks, the alert inbox), each marked as patient data or open.
   * Every {@link HttpRoute.Access#PATIENT_DATA} route is checked by {@code security} exactly as
   * {@code /patients/{id}/risk} is (401 with the {@code WWW-Authenticate} challenge, or 403 without a trusted client
   * certificate, before its handler runs); {@link HttpRoute.Access#INBOX} routes also accept the alert inbox's
   * session cookie ({@link #securedInbox}); {@link HttpRoute.Access#OPEN} routes are served to anyone.
   */
  public static HttpEndpoints start(String bindAddress, int port, HttpSecurity security,
      Supplier<KafkaStreams.State> state, BooleanSupplier scorerReady, Supplier<String> metrics,
      PatientQueries patients, List<HttpRoute> routes) throws IOException {
    Objects.requireNonNull(security, "security");
    Objects.requireNonNull(routes, "routes");
    Objects.requireNonNull(state, "state");
    Objects.requireNonNull(scorerReady, "scorerReady");
    Objects.requireNonNull(metrics, "metrics");
    Objects.requireNonNull(patients, "patients");
    InetSocketAddress address = new InetSocketAddress(bindAddress, port);
    if (address.isUnresolved()) {
      throw new IllegalArgumentException("http.bind.address " + bindAddress + " is not an address of this host");
    }
    HttpServer server;
    if (security.serverTls() == null) {
      server = HttpServer.create(address, 0);
    } else {
      HttpsServer https = HttpsServer.create(address, 0);
      https.setHttpsConfigurator(new HttpsConfigurator(security.serverTls()) {
        @Override
        public void configure(HttpsParameters params) {
          SSLParameters ssl = getSSLContext().getDefaultSSLParameters();
          // "want", not "need": probes and token callers connect without a certificate
          ssl.setWantClientAuth(security.wantsClientCertificates());
          params.setSSLParameters(ssl);
        }
      });
      server = https;
    }
    ExecutorService executor = Executors.newFixedThreadPool(THREADS, r -> {
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
    server.createContext(PATIENTS_PREFIX, ex -> handle(ex, () -> {
      HttpSecurity.Verdict verdict = security.check(ex);
      if (!verdict.allowed()) {
        return refusal(security, verdict);
      }
      // the caller's header goes on with a forwarded query; a client certificate is replaced by this instance's
      String authorization = verdict == HttpSecurity.Verdict.TOKEN ? ex.getRequestHeaders().getFirst("Authorization") : null;
      return patientRisk(ex.getRequestURI().getRawPath(), patients,
          new PatientQueries.Caller(authorization, ex.getRequestHeaders().getFirst(PeerClient.FORWARDED_BY)));
    }));
    for (HttpRoute route : routes) {
      server.createContext(route.path(), switch (route.access()) {
        case PATIENT_DATA -> secured(security, route.handler());
        case INBOX -> securedInbox(security, route.handler());
        case OPEN -> route.handler();
      });
    }
    server.start();
    LOG.info("HTTP endpoints listening on port {} of {}: {}", server.getAddress().getPort(), bindAddress,
        security.describe());
    return new HttpEndpoints(server, executor);
  }

  /** A lookup in the {@value AlertProcessor#STORE} store of {@code streams} (this instance's partitions only). */
  public static PatientLookup alertStateLookup(KafkaStreams streams) {
    return id -> {
      ReadOnlyKeyValueStore<String, AlertState> store = streams.store(
          StoreQueryParameters.fromNameAndType(AlertProcessor.STORE, QueryableStoreTypes.<String, AlertState>keyValueStore()));
      return Optional.ofNullable(store.get(id));
    };
  }

  /** The port the server listens on. */
  public int port() {
    return server.getAddress().getPort();
  }

  private record Response(int status, String contentType, String body, Map<String, String> headers) {
    Response(int status, String contentType, String body) {
      this(status, contentType, body, Map.of());
    }
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
      send(ex, r);
    }
  }

  private static void send(HttpExchange ex, Response r) throws IOException {
    byte[] body = r.body().getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", r.contentType());
    r.headers().forEach(ex.getResponseHeaders()::set);
    boolean head = "HEAD".equals(ex.getRequestMethod());
    ex.sendResponseHeaders(r.status(), head ? -1 : body.length);
    if (!head) {
      try (OutputStream out = ex.getResponseBody()) {
        out.write(body);
      }
    }
  }

  /**
   * {@code handler} behind the same check as {@code /patients/{id}/risk}: a refused request (any method) gets the
   * refusal and never reaches the handler.
   */
  static HttpHandler secured(HttpSecurity security, HttpHandler handler) {
    return ex -> {
      HttpSecurity.Verdict verdict = security.check(ex);
      if (verdict.allowed()) {
        handler.handle(ex);
        return;
      }
      try (ex) {
        send(ex, refusal(security, verdict));
      }
    };
  }

  /**
   * {@code handler} behind {@link HttpSecurity#checkInbox}: the credentials of {@link #secured}, or the inbox's session
   * cookie. A request with only the cookie that is not GET or HEAD must carry {@value InboxSessions#CSRF_HEADER}
   * (403 otherwise), so no other site's page can make a signed-in browser write feedback.
   */
  static HttpHandler securedInbox(HttpSecurity security, HttpHandler handler) {
    return ex -> {
      HttpSecurity.Verdict verdict = security.checkInbox(ex);
      boolean reads = "GET".equals(ex.getRequestMethod()) || "HEAD".equals(ex.getRequestMethod());
      if (verdict.allowed() && (verdict != HttpSecurity.Verdict.SESSION || reads
          || ex.getRequestHeaders().containsKey(InboxSessions.CSRF_HEADER))) {
        handler.handle(ex);
        return;
      }
      try (ex) {
        send(ex, verdict.allowed()
            ? json(403, Map.of("error", "a request with the inbox session needs the " + InboxSessions.CSRF_HEADER
                + " header"))
            : refusal(security, verdict));
      }
    };
  }

  private static Response refusal(HttpSecurity security, HttpSecurity.Verdict verdict) throws IOException {
    if (!security.acceptsTokens()) {
      return json(403, Map.of("error", "a trusted client certificate is required"));
    }
    if (verdict == HttpSecurity.Verdict.INVALID_SESSION) {
      Response r = json(401, Map.of("error", "the inbox session has expired or is not valid; sign in again"));
      return new Response(r.status(), r.contentType(), r.body(), Map.of("WWW-Authenticate",
          "Bearer realm=\"riskstream\"", "Set-Cookie", InboxSessions.clearCookie(security.serverTls() != null)));
    }
    String challenge = "Bearer realm=\"riskstream\"" + (verdict == HttpSecurity.Verdict.INVALID
        ? ", error=\"invalid_token\"" : "");
    Response r = json(401, Map.of("error", verdict == HttpSecurity.Verdict.INVALID
        ? "the bearer token is not accepted" : "authentication required"));
    return new Response(r.status(), r.contentType(), r.body(), Map.of("WWW-Authenticate", challenge));
  }

  private static Response patientRisk(String rawPath, PatientQueries patients, PatientQueries.Caller caller)
      throws IOException {
    if (!rawPath.startsWith(PATIENTS_PREFIX) || !rawPath.endsWith(RISK_SUFFIX)
        || rawPath.length() <= PATIENTS_PREFIX.length() + RISK_SUFFIX.length()) {
      return json(404, Map.of("error", "not found; use /patients/{id}/risk"));
    }
    String raw = rawPath.substring(PATIENTS_PREFIX.length(), rawPath.length() - RISK_SUFFIX.length());
    if (raw.contains("/")) {
      return json(404, Map.of("error", "not found; use /patients/{id}/risk"));
    }
    String id = URLDecoder.decode(raw, StandardCharsets.UTF_8);
    PatientQueries.Answer answer;
    try {
      answer = patients.query(id, caller);
    } catch (InvalidStateStoreException e) {
      answer = new PatientQueries.Unavailable("state store not queryable yet; retry");
    }
    if (answer instanceof PatientQueries.Found found) {
      return json(200, body(id, found));
    }
    if (answer instanceof PatientQueries.Relayed relayed) {
      return new Response(relayed.status(), "application/json", relayed.body());
    }
    if (answer instanceof PatientQueries.NotFound notFound) {
      return json(404, Map.of("error", "no score for this patient", "servedBy", notFound.servedBy()));
    }
    Response r = json(503, Map.of("error", ((PatientQueries.Unavailable) answer).reason()));
    return new Response(503, r.contentType(), r.body(), Map.of("Retry-After", "1"));
  }

  private static Map<String, Object> body(String id, PatientQueries.Found found) {
    Map<String, Object> outcomes = new LinkedHashMap<>();
    found.state().outcomes().entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> {
      AlertState.Outcome o = e.getValue();
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("probability", o.lastProbability());
      m.put("warningArmed", o.warningArmed());
      m.put("criticalArmed", o.criticalArmed());
      m.put("lastAlertAt", o.lastAlertAt() == null ? null : Instant.ofEpochMilli(o.lastAlertAt()).toString());
      m.put("lastSeverity", o.lastSeverity());
      outcomes.put(e.getKey(), m);
    });
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("patientId", id);
    body.put("outcomes", outcomes);
    body.put("stale", found.stale());
    if (found.lag() != null) {
      body.put("lag", found.lag());
    }
    body.put("servedBy", found.servedBy());
    return body;
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
