package io.riskstream.app.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.riskstream.topology.AlertState;
import io.riskstream.topology.config.RiskStreamConfig;
import io.riskstream.topology.fhir.RecentAssessments;
import io.riskstream.topology.fhir.RiskAssessments;
import java.io.IOException;
import java.net.ServerSocket;
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
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyQueryMetadata;
import org.apache.kafka.streams.state.HostInfo;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link OwnerRouting} between instances that are real HTTP endpoints on loopback ports, each with the FHIR search
 * route and a stand-in POST route that answers from "its store" (what it is given): a request about a patient another
 * instance owns is relayed there with its body and the caller's token and answered by the owner (FHIR links pointing
 * where the caller called), a relayed request is never relayed again, and an owner that does not answer gives 503.
 */
class OwnerRoutingTest {

  private static final String TOKEN = "owner-routing-test-token";

  @TempDir
  static Path dir;

  private static Path tokens;

  private final List<Instance> instances = new ArrayList<>();
  private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(30)).build();

  /** The copies as one instance sees them: only who owns the patient matters here. */
  private static final class Copies implements PatientRouting.StoreCopies {
    volatile KeyQueryMetadata owner = KeyQueryMetadata.NOT_AVAILABLE;
    volatile List<HostInfo> hosts = List.of();

    @Override
    public KeyQueryMetadata owner(String patientId) {
      return owner;
    }

    @Override
    public java.util.Collection<HostInfo> hosts() {
      return hosts;
    }

    @Override
    public AlertState active(String patientId, Integer partition) {
      throw new UnsupportedOperationException("OwnerRouting reads no store");
    }

    @Override
    public AlertState anyCopy(String patientId, Integer partition) {
      throw new UnsupportedOperationException("OwnerRouting reads no store");
    }

    @Override
    public Long lag(int partition) {
      return null;
    }
  }

  private record Instance(HttpEndpoints endpoints, HostInfo host, Copies copies, List<String> answered) {
  }

  @BeforeAll
  static void writeTokens() throws IOException {
    tokens = dir.resolve("tokens");
    Files.writeString(tokens, TOKEN + "\n", StandardCharsets.UTF_8);
  }

  @AfterEach
  void stop() {
    instances.forEach(i -> i.endpoints().close());
  }

  /** An instance whose store holds {@code assessments} (by patient), with a forward timeout of {@code timeout}. */
  private Instance start(Map<String, RecentAssessments> assessments, Duration timeout) throws IOException {
    return start(assessments, timeout, Set.of());
  }

  /**
   * As {@link #start(Map, Duration)}, knowing the alerts {@code known} ("alert:..."): the stand-in route answers a
   * "patient" starting with "alert:" as feedback on that alert.
   */
  private Instance start(Map<String, RecentAssessments> assessments, Duration timeout, Set<String> known)
      throws IOException {
    HttpSecurity security = HttpSecurity.fromConfig(new RiskStreamConfig(Map.of(
        RiskStreamConfig.HTTP_AUTH_TOKENS_FILE_CONFIG, tokens.toString())));
    Copies copies = new Copies();
    List<String> answered = new CopyOnWriteArrayList<>();
    HostInfo self = new HostInfo("127.0.0.1", freePort());
    OwnerRouting routing = new OwnerRouting(copies, self, new PeerClient(security, self, timeout));
    HttpRoute echo = new HttpRoute("/echo", HttpRoute.Access.PATIENT_DATA, ex -> HttpExchanges.serve(ex, e -> {
      byte[] body = HttpExchanges.body(e);
      String patient = HttpExchanges.query(e).get("patient").get(0);
      Optional<HttpExchanges.Response> elsewhere = patient.startsWith("alert:")
          ? (known.contains(patient) ? Optional.empty()
              : routing.forUnknownAlert(e, body, reason -> HttpExchanges.Response.error(503, reason)))
          : routing.forPatient(e, patient, body, reason -> HttpExchanges.Response.error(503, reason));
      if (elsewhere.isPresent()) {
        return elsewhere.get();
      }
      if (patient.startsWith("alert:") && !known.contains(patient)) {
        return HttpExchanges.Response.error(404, "unknown alert");
      }
      answered.add(e.getRequestMethod() + " " + patient);
      return HttpExchanges.Response.text(200, "text/plain", "answered by " + self.port() + ": "
          + new String(body, StandardCharsets.UTF_8));
    }));
    HttpRoute search = new FhirEndpoints(id -> Optional.ofNullable(assessments.get(id)), FHIR, routing).route();
    HttpEndpoints endpoints = HttpEndpoints.start("127.0.0.1", self.port(), security,
        () -> KafkaStreams.State.RUNNING, () -> true, () -> "", (id, caller) -> new PatientQueries.NotFound("x"),
        List.of(echo, search));
    Instance instance = new Instance(endpoints, self, copies, answered);
    instances.add(instance);
    return instance;
  }

  /** Two instances that agree the second, whose store holds {@code assessments}, owns the patient. */
  private Instance[] askedAndOwner(Map<String, RecentAssessments> assessments) throws IOException {
    Instance asked = start(Map.of(), Duration.ofSeconds(20));
    Instance owner = start(assessments, Duration.ofSeconds(20));
    asked.copies().owner = ownedBy(owner.host());
    owner.copies().owner = ownedBy(owner.host());
    return new Instance[] {asked, owner};
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  private static KeyQueryMetadata ownedBy(HostInfo active) {
    return new KeyQueryMetadata(active, Set.of(), 1);
  }

  private HttpResponse<String> post(Instance at, String patient, String body) throws Exception {
    return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + at.host().port() + "/echo?patient="
            + patient)).header("Authorization", "Bearer " + TOKEN).header("Content-Type", "application/json")
        .timeout(Duration.ofSeconds(60)).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> search(Instance at, String patient) throws Exception {
    return client.send(HttpRequest.newBuilder(URI.create("http://localhost:" + at.host().port()
            + "/fhir/RiskAssessment?patient=" + patient)).header("Authorization", "Bearer " + TOKEN)
        .timeout(Duration.ofSeconds(60)).GET().build(), HttpResponse.BodyHandlers.ofString());
  }

  private static RecentAssessments oneAssessment(String id) {
    return RecentAssessments.empty().with(new RecentAssessments.Stored(id, 1_700_000_000_000L,
        "{\"resourceType\":\"RiskAssessment\",\"id\":\"" + id + "\",\"status\":\"final\","
            + "\"subject\":{\"reference\":\"Patient/p1\"}}"), 8);
  }

  @Test
  void shouldRelayARequestWithItsBodyToTheOwnerAndPassOnItsAnswer() throws Exception {
    Instance[] pair = askedAndOwner(Map.of());
    Instance asked = pair[0];
    Instance owner = pair[1];

    HttpResponse<String> r = post(asked, "p1", "{\"context\":{\"patientId\":\"p1\"}}");

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo("answered by " + owner.host().port() + ": {\"context\":{\"patientId\":\"p1\"}}");
    assertThat(asked.answered()).isEmpty();
    assertThat(owner.answered()).containsExactly("POST p1");
  }

  @Test
  void shouldAnswerHereWhenThisInstanceOwnsThePatient() throws Exception {
    Instance owner = start(Map.of(), Duration.ofSeconds(20));
    owner.copies().owner = ownedBy(owner.host());

    assertThat(post(owner, "p1", "x").body()).isEqualTo("answered by " + owner.host().port() + ": x");
  }

  @Test
  void shouldSearchTheOwnersStoreWithLinksWhereTheCallerCalled() throws Exception {
    Instance[] pair = askedAndOwner(Map.of("p1", oneAssessment("ra-1")));
    Instance asked = pair[0];
    Instance owner = pair[1];

    HttpResponse<String> r = search(asked, "p1");

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Type")).hasValue("application/fhir+json");
    JsonNode bundle = HttpExchanges.JSON.readTree(r.body());
    assertThat(bundle.path("total").asInt()).isEqualTo(1);
    assertThat(bundle.at("/entry/0/fullUrl").asText())
        .isEqualTo("http://localhost:" + asked.host().port() + "/fhir/RiskAssessment/ra-1");
  }

  @Test
  void shouldRefuseARelayedRequestWithoutTheCallersToken() throws Exception {
    Instance[] pair = askedAndOwner(Map.of());
    Instance asked = pair[0];
    Instance owner = pair[1];

    HttpResponse<String> anonymous = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
        + asked.host().port() + "/echo?patient=p1")).POST(HttpRequest.BodyPublishers.ofString("x")).build(),
        HttpResponse.BodyHandlers.ofString());

    assertThat(anonymous.statusCode()).isEqualTo(401);
    assertThat(owner.answered()).isEmpty();
  }

  @Test
  void shouldNeverRelayARelayedRequestAgain() throws Exception {
    // during a rebalance the two disagree: each thinks the other owns the patient
    Instance a = start(Map.of(), Duration.ofSeconds(20));
    Instance b = start(Map.of(), Duration.ofSeconds(20));
    a.copies().owner = ownedBy(b.host());
    b.copies().owner = ownedBy(a.host());

    HttpResponse<String> r = post(a, "p1", "x");

    assertThat(r.statusCode()).isEqualTo(503);
    assertThat(r.body()).contains("no longer owns");
    assertThat(a.answered()).isEmpty();
    assertThat(b.answered()).isEmpty();
  }

  @Test
  void shouldAnswer503WhenTheOwnerIsUnknownOrDoesNotAnswer() throws Exception {
    Instance asked = start(Map.of(), Duration.ofSeconds(2));
    HttpResponse<String> rebalancing = post(asked, "p1", "x");
    asked.copies().owner = ownedBy(new HostInfo("127.0.0.1", freePort()));
    HttpResponse<String> gone = post(asked, "p1", "x");
    HttpResponse<String> fhir = search(asked, "p1");

    assertThat(rebalancing.statusCode()).isEqualTo(503);
    assertThat(gone.statusCode()).isEqualTo(503);
    assertThat(gone.body()).contains("did not answer");
    assertThat(fhir.statusCode()).isEqualTo(503);
    assertThat(fhir.body()).contains("OperationOutcome").contains("transient");
    assertThat(asked.answered()).isEmpty();
  }

  @Test
  void shouldRelayFeedbackOnAnAlertUnknownHereToTheInstanceThatKnowsIt() throws Exception {
    Instance asked = start(Map.of(), Duration.ofSeconds(20));
    Instance other = start(Map.of(), Duration.ofSeconds(20));
    Instance knows = start(Map.of(), Duration.ofSeconds(20), Set.of("alert:a1"));
    asked.copies().hosts = List.of(asked.host(), other.host(), knows.host());

    HttpResponse<String> r = post(asked, "alert:a1", "accepted");
    HttpResponse<String> unknown = post(asked, "alert:a2", "accepted");

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo("answered by " + knows.host().port() + ": accepted");
    assertThat(knows.answered()).containsExactly("POST alert:a1");
    assertThat(unknown.statusCode()).isEqualTo(404);
    assertThat(other.answered()).isEmpty();
  }

  @Test
  void shouldAnswer503ForAnUnknownAlertWhenAnInstanceDidNotAnswer() throws Exception {
    Instance asked = start(Map.of(), Duration.ofSeconds(2));
    asked.copies().hosts = List.of(asked.host(), new HostInfo("127.0.0.1", freePort()));

    assertThat(post(asked, "alert:a1", "accepted").statusCode()).isEqualTo(503);
  }

  private static final RiskAssessments FHIR = new RiskAssessments(Map.of());
}
