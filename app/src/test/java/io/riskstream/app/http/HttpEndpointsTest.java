package io.riskstream.app.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import io.riskstream.topology.AlertState;
import io.riskstream.topology.config.RiskStreamConfig;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HttpEndpointsTest {

  private static final String TOKEN = "s3cret-token-1";

  @TempDir
  Path dir;

  private final AtomicReference<KafkaStreams.State> state = new AtomicReference<>(KafkaStreams.State.REBALANCING);
  private final AtomicBoolean scorerReady = new AtomicBoolean(true);
  private final AtomicReference<PatientQueries.Answer> unknownPatient = new AtomicReference<>(
      new PatientQueries.NotFound("local"));
  private final AtomicReference<PatientQueries.Caller> lastCaller = new AtomicReference<>();
  private final HttpClient client = HttpClient.newHttpClient();
  private final AlertState p1 = AlertState.empty()
      .with("type2_diabetes", new AlertState.Outcome(0.42, false, true, 1_600_000_000_000L, "WARNING"))
      .with("ckd", new AlertState.Outcome(0.05, true, true, null, null));
  private Path tokens;
  private HttpEndpoints endpoints;

  @BeforeEach
  void start() throws Exception {
    tokens = dir.resolve("tokens");
    Files.writeString(tokens, "# rotated monthly\n" + TOKEN + "\n\nother-token\n", StandardCharsets.UTF_8);
    endpoints = start(Map.of(RiskStreamConfig.HTTP_AUTH_TOKENS_FILE_CONFIG, tokens.toString()));
  }

  private HttpEndpoints start(Map<String, String> config) throws Exception {
    return start(config, List.of());
  }

  private HttpEndpoints start(Map<String, String> config, List<HttpRoute> routes) throws Exception {
    Map<String, String> props = new HashMap<>(config);
    props.put(RiskStreamConfig.HTTP_BIND_ADDRESS_CONFIG, "127.0.0.1");
    RiskStreamConfig cfg = new RiskStreamConfig(props);
    return HttpEndpoints.start(cfg.getString(RiskStreamConfig.HTTP_BIND_ADDRESS_CONFIG), 0,
        HttpSecurity.fromConfig(cfg), state::get, scorerReady::get,
        () -> "# TYPE riskstream_batcher_batches_total counter\nriskstream_batcher_batches_total 3.0\n", (id, caller) -> {
          lastCaller.set(caller);
          return "p 1".equals(id) ? new PatientQueries.Found(p1, false, null, "local") : unknownPatient.get();
        }, routes);
  }

  @AfterEach
  void stop() {
    endpoints.close();
  }

  private HttpResponse<String> get(String path, String... headers) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + endpoints.port() + path)).GET();
    if (headers.length > 0) {
      request.headers(headers);
    }
    return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> getWithToken(String path, String token) throws Exception {
    return get(path, "Authorization", "Bearer " + token);
  }

  @Test
  void shouldReportLiveUnlessStreamsFailedWithoutAuthentication() throws Exception {
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
  void shouldServeMetricsInPrometheusTextFormatWithoutAuthentication() throws Exception {
    HttpResponse<String> metrics = get("/metrics");
    assertThat(metrics.statusCode()).isEqualTo(200);
    assertThat(metrics.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("text/plain"));
    assertThat(metrics.body()).contains("riskstream_batcher_batches_total 3.0");
  }

  @Test
  void shouldRefuseAPatientQueryWithoutATokenWithABearerChallenge() throws Exception {
    HttpResponse<String> risk = get("/patients/p%201/risk");

    assertThat(risk.statusCode()).isEqualTo(401);
    assertThat(risk.headers().firstValue("WWW-Authenticate")).hasValue("Bearer realm=\"riskstream\"");
    assertThat(risk.body()).doesNotContain("p 1").doesNotContain("probability");
    assertThat(lastCaller.get()).as("the query never ran").isNull();
  }

  @Test
  void shouldRefuseAPatientQueryWithAWrongTokenOrScheme() throws Exception {
    for (HttpResponse<String> risk : new HttpResponse[] {getWithToken("/patients/p%201/risk", "s3cret-token-2"),
        getWithToken("/patients/p%201/risk", TOKEN + "x"), get("/patients/p%201/risk", "Authorization", "Basic " + TOKEN),
        get("/patients/p%201/risk", "Authorization", "Bearer")}) {
      assertThat(risk.statusCode()).isEqualTo(401);
      assertThat(risk.headers().firstValue("WWW-Authenticate"))
          .hasValue("Bearer realm=\"riskstream\", error=\"invalid_token\"");
      assertThat(risk.body()).doesNotContain("probability");
    }
    assertThat(lastCaller.get()).isNull();
  }

  @Test
  void shouldAnswerAPatientsLatestRiskPerOutcomeToAnAcceptedToken() throws Exception {
    HttpResponse<String> risk = getWithToken("/patients/p%201/risk", TOKEN);
    assertThat(risk.statusCode()).isEqualTo(200);
    assertThat(risk.body()).contains("\"patientId\":\"p 1\"")
        .contains("\"type2_diabetes\":{\"probability\":0.42,\"warningArmed\":false,\"criticalArmed\":true,"
            + "\"lastAlertAt\":\"2020-09-13T12:26:40Z\",\"lastSeverity\":\"WARNING\"}")
        .contains("\"ckd\":{\"probability\":0.05").contains("\"stale\":false").doesNotContain("\"lag\"");
    assertThat(lastCaller.get()).isEqualTo(new PatientQueries.Caller("Bearer " + TOKEN, null));
    assertThat(get("/patients/p%201/risk", "Authorization", "bearer other-token").statusCode()).isEqualTo(200);
  }

  @Test
  void shouldPassTheForwardingMarkToTheQueries() throws Exception {
    HttpResponse<String> risk = get("/patients/p%201/risk", "Authorization", "Bearer " + TOKEN,
        PeerClient.FORWARDED_BY, "rs-1.rs:8080");
    assertThat(risk.statusCode()).isEqualTo(200);
    assertThat(lastCaller.get()).isEqualTo(new PatientQueries.Caller("Bearer " + TOKEN, "rs-1.rs:8080"));
  }

  @Test
  void shouldMarkAnAnswerFromAStaleCopyWithItsLag() throws Exception {
    unknownPatient.set(new PatientQueries.Found(p1, true, 17L, "rs-2.rs:8080"));
    HttpResponse<String> risk = getWithToken("/patients/p2/risk", TOKEN);
    assertThat(risk.statusCode()).isEqualTo(200);
    assertThat(risk.body()).contains("\"stale\":true,\"lag\":17,\"servedBy\":\"rs-2.rs:8080\"");
  }

  @Test
  void shouldPassOnAnotherInstancesAnswer() throws Exception {
    unknownPatient.set(new PatientQueries.Relayed(404, "{\"error\":\"no score for this patient\"}"));
    HttpResponse<String> risk = getWithToken("/patients/p2/risk", TOKEN);
    assertThat(risk.statusCode()).isEqualTo(404);
    assertThat(risk.body()).isEqualTo("{\"error\":\"no score for this patient\"}");
  }

  @Test
  void shouldAcceptTokensOfTheRewrittenFileAndNoLongerTheRemovedOnes() throws Exception {
    Files.writeString(tokens, "rotated-token\n", StandardCharsets.UTF_8);
    Files.setLastModifiedTime(tokens, FileTime.from(Instant.now().plusSeconds(60)));
    assertThat(getWithToken("/patients/p%201/risk", "rotated-token").statusCode()).isEqualTo(200);
    assertThat(getWithToken("/patients/p%201/risk", TOKEN).statusCode()).isEqualTo(401);
  }

  @Test
  void shouldRefuseEveryPatientQueryWhenNoTokensFileIsConfigured() throws Exception {
    endpoints.close();
    endpoints = start(Map.of());
    assertThat(getWithToken("/patients/p%201/risk", TOKEN).statusCode()).isEqualTo(401);
    assertThat(get("/health/live").statusCode()).isEqualTo(200);
  }

  @Test
  void shouldServePatientDataWithoutAuthenticationOnlyWhenConfiguredSo() throws Exception {
    endpoints.close();
    endpoints = start(Map.of(RiskStreamConfig.HTTP_AUTH_CONFIG, "none"));
    assertThat(get("/patients/p%201/risk").statusCode()).isEqualTo(200);
  }

  @Test
  void shouldAnswer404ForUnknownPatientsAndPaths() throws Exception {
    assertThat(getWithToken("/patients/p2/risk", TOKEN).statusCode()).isEqualTo(404);
    assertThat(getWithToken("/patients//risk", TOKEN).statusCode()).isEqualTo(404);
    assertThat(getWithToken("/patients/p1/history", TOKEN).statusCode()).isEqualTo(404);
    assertThat(getWithToken("/patients/a/b/risk", TOKEN).statusCode()).isEqualTo(404);
  }

  @Test
  void shouldAnswer503WithRetryAfterWhileNoCopyIsQueryable() throws Exception {
    unknownPatient.set(new PatientQueries.Unavailable("rebalancing; retry"));
    HttpResponse<String> risk = getWithToken("/patients/p2/risk", TOKEN);
    assertThat(risk.statusCode()).isEqualTo(503);
    assertThat(risk.headers().firstValue("Retry-After")).hasValue("1");
  }

  @Test
  void shouldRefuseOtherMethods() throws Exception {
    HttpResponse<String> post = client.send(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + endpoints.port() + "/health/live"))
        .POST(HttpRequest.BodyPublishers.ofString(Map.of().toString())).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(post.statusCode()).isEqualTo(405);
  }

  /** A clinician route's stand-in: answers 200 with its path and method, and records that it ran. */
  private static HttpRoute route(String path, HttpRoute.Access access, List<String> ran) {
    return new HttpRoute(path, access, ex -> answer(ex, ran));
  }

  private static void answer(HttpExchange ex, List<String> ran) throws IOException {
    try (ex) {
      ex.getRequestBody().readAllBytes();
      String request = ex.getRequestMethod() + " " + ex.getRequestURI();
      ran.add(request);
      byte[] body = ("served " + request).getBytes(StandardCharsets.UTF_8);
      ex.sendResponseHeaders(200, body.length);
      ex.getResponseBody().write(body);
    }
  }

  @Test
  void shouldGuardClinicianPatientDataRoutesAsPatientQueriesAndLeaveOpenRoutesOpen() throws Exception {
    endpoints.close();
    List<String> ran = new CopyOnWriteArrayList<>();
    endpoints = start(Map.of(RiskStreamConfig.HTTP_AUTH_TOKENS_FILE_CONFIG, tokens.toString()), List.of(
        route("/fhir/RiskAssessment", HttpRoute.Access.PATIENT_DATA, ran),
        route("/cds-services/riskstream-risk", HttpRoute.Access.PATIENT_DATA, ran),
        route("/cds-services", HttpRoute.Access.OPEN, ran),
        route("/inbox", HttpRoute.Access.OPEN, ran)));
    String cdsRequest = "{\"hook\":\"patient-view\",\"context\":{\"patientId\":\"x\"}}";

    HttpResponse<String> fhir = get("/fhir/RiskAssessment?patient=x");
    HttpResponse<String> cds = post("/cds-services/riskstream-risk", cdsRequest);
    HttpResponse<String> wrongToken = post("/cds-services/riskstream-risk", cdsRequest, "Authorization", "Bearer nope");

    assertThat(fhir.statusCode()).isEqualTo(401);
    assertThat(fhir.headers().firstValue("WWW-Authenticate")).hasValue("Bearer realm=\"riskstream\"");
    assertThat(cds.statusCode()).isEqualTo(401);
    assertThat(cds.headers().firstValue("WWW-Authenticate")).hasValue("Bearer realm=\"riskstream\"");
    assertThat(wrongToken.statusCode()).isEqualTo(401);
    assertThat(wrongToken.headers().firstValue("WWW-Authenticate"))
        .hasValue("Bearer realm=\"riskstream\", error=\"invalid_token\"");
    assertThat(ran).as("no patient-data handler ran for a refused request").isEmpty();

    HttpResponse<String> fhirWithToken = getWithToken("/fhir/RiskAssessment?patient=x", TOKEN);
    HttpResponse<String> cdsWithToken = post("/cds-services/riskstream-risk", cdsRequest,
        "Authorization", "Bearer " + TOKEN);
    assertThat(fhirWithToken.statusCode()).isEqualTo(200);
    assertThat(fhirWithToken.body()).isEqualTo("served GET /fhir/RiskAssessment?patient=x");
    assertThat(cdsWithToken.statusCode()).isEqualTo(200);
    assertThat(cdsWithToken.body()).isEqualTo("served POST /cds-services/riskstream-risk");

    HttpResponse<String> inbox = get("/inbox");
    HttpResponse<String> discovery = get("/cds-services");
    assertThat(inbox.statusCode()).isEqualTo(200);
    assertThat(inbox.body()).isEqualTo("served GET /inbox");
    assertThat(discovery.statusCode()).isEqualTo(200);
    assertThat(discovery.body()).isEqualTo("served GET /cds-services");
  }

  @Test
  void shouldAcceptTheInboxSessionOnlyOnInboxRoutesAndOnlyWithTheHeaderForWrites() throws Exception {
    endpoints.close();
    List<String> ran = new CopyOnWriteArrayList<>();
    RiskStreamConfig cfg = new RiskStreamConfig(Map.of(RiskStreamConfig.HTTP_AUTH_TOKENS_FILE_CONFIG, tokens.toString()));
    HttpSecurity security = HttpSecurity.fromConfig(cfg);
    endpoints = HttpEndpoints.start("127.0.0.1", 0, security, state::get, scorerReady::get, () -> "", (id, c) ->
        new PatientQueries.Found(p1, false, null, "local"), List.of(
            route("/inbox/feedback", HttpRoute.Access.INBOX, ran),
            route("/fhir/RiskAssessment", HttpRoute.Access.PATIENT_DATA, ran)));
    String cookie = "riskstream_inbox=" + security.sessions().issue();

    HttpResponse<String> read = get("/inbox/feedback", "Cookie", cookie);
    HttpResponse<String> writeWithoutHeader = post("/inbox/feedback", "{}", "Cookie", cookie);
    HttpResponse<String> write = post("/inbox/feedback", "{}", "Cookie", cookie, InboxSessions.CSRF_HEADER, "1");
    HttpResponse<String> writeWithToken = post("/inbox/feedback", "{}", "Authorization", "Bearer " + TOKEN);
    HttpResponse<String> elsewhere = get("/fhir/RiskAssessment?patient=x", "Cookie", cookie);
    HttpResponse<String> risk = get("/patients/p%201/risk", "Cookie", cookie);
    HttpResponse<String> forged = get("/inbox/feedback", "Cookie", cookie.substring(0, cookie.length() - 2) + "AA");

    assertThat(read.statusCode()).isEqualTo(200);
    assertThat(writeWithoutHeader.statusCode()).isEqualTo(403);
    assertThat(write.statusCode()).isEqualTo(200);
    assertThat(writeWithToken.statusCode()).as("a bearer token needs no header").isEqualTo(200);
    assertThat(ran).containsExactly("GET /inbox/feedback", "POST /inbox/feedback", "POST /inbox/feedback");
    assertThat(elsewhere.statusCode()).as("the session is the inbox's only").isEqualTo(401);
    assertThat(risk.statusCode()).isEqualTo(401);
    assertThat(forged.statusCode()).isEqualTo(401);
    assertThat(forged.headers().firstValue("Set-Cookie")).hasValueSatisfying(c -> assertThat(c).contains("Max-Age=0"));
    assertThat(forged.body()).contains("sign in again");
  }

  @Test
  void shouldStartAndEndAnInboxSessionForAnAcceptedToken() throws Exception {
    endpoints.close();
    HttpSecurity security = HttpSecurity.fromConfig(new RiskStreamConfig(Map.of(
        RiskStreamConfig.HTTP_AUTH_TOKENS_FILE_CONFIG, tokens.toString())));
    endpoints = HttpEndpoints.start("127.0.0.1", 0, security, state::get, scorerReady::get, () -> "",
        (id, c) -> unknownPatient.get(), List.of(AlertInbox.sessionRoute(security)));

    HttpResponse<String> before = get("/inbox/session");
    HttpResponse<String> wrong = post("/inbox/session", "", "Authorization", "Bearer nope");
    HttpResponse<String> signIn = post("/inbox/session", "", "Authorization", "Bearer " + TOKEN);
    String cookie = signIn.headers().firstValue("Set-Cookie").orElseThrow();
    HttpResponse<String> signedIn = get("/inbox/session", "Cookie", cookie.substring(0, cookie.indexOf(';')));
    HttpResponse<String> signOut = delete("/inbox/session");

    assertThat(before.statusCode()).isEqualTo(401);
    assertThat(HttpExchanges.JSON.readTree(before.body()).path("signIn").asBoolean(false)).isTrue();
    assertThat(HttpExchanges.JSON.readTree(before.body()).path("authenticated").asBoolean(true)).isFalse();
    assertThat(wrong.statusCode()).isEqualTo(401);
    assertThat(wrong.headers().firstValue("Set-Cookie")).isEmpty();
    assertThat(signIn.statusCode()).isEqualTo(200);
    assertThat(cookie).startsWith("riskstream_inbox=v1.").contains("; Path=/inbox; Max-Age=28800; HttpOnly; SameSite=Strict")
        .doesNotContain(TOKEN).doesNotContain("Secure");
    assertThat(signedIn.statusCode()).isEqualTo(200);
    assertThat(signOut.statusCode()).isEqualTo(200);
    assertThat(signOut.headers().firstValue("Set-Cookie")).hasValueSatisfying(c -> assertThat(c)
        .startsWith("riskstream_inbox=;").contains("Max-Age=0"));
  }

  @Test
  void shouldAskNoSignInWithoutAuthentication() throws Exception {
    endpoints.close();
    HttpSecurity security = HttpSecurity.fromConfig(new RiskStreamConfig(Map.of(RiskStreamConfig.HTTP_AUTH_CONFIG,
        "none")));
    endpoints = HttpEndpoints.start("127.0.0.1", 0, security, state::get, scorerReady::get, () -> "",
        (id, c) -> unknownPatient.get(), List.of(AlertInbox.sessionRoute(security)));

    HttpResponse<String> status = get("/inbox/session");
    HttpResponse<String> signIn = post("/inbox/session", "", "Authorization", "Bearer " + TOKEN);

    assertThat(status.statusCode()).isEqualTo(200);
    assertThat(HttpExchanges.JSON.readTree(status.body()).path("signIn").asBoolean(true)).isFalse();
    assertThat(signIn.statusCode()).isEqualTo(400);
    assertThat(signIn.headers().firstValue("Set-Cookie")).isEmpty();
  }

  private HttpResponse<String> delete(String path) throws Exception {
    return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + endpoints.port() + path)).DELETE()
        .build(), HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> post(String path, String body, String... headers) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + endpoints.port() + path))
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
    if (headers.length > 0) {
      request.headers(headers);
    }
    return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }
}
