package io.riskstream.app.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.riskstream.topology.AlertState;
import io.riskstream.topology.config.RiskStreamConfig;
import io.riskstream.topology.serde.TestCertificates;
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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLContext;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyQueryMetadata;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.HostInfo;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link PatientRouting} between instances that are real HTTP endpoints on loopback ports, each over its own store
 * copies as the test sets them: forwarding to the owner with the caller's token, no forwarding loops, stale answers
 * from local and remote standbys, 503 and 404 only where they belong, and the same over HTTPS.
 */
class PatientRoutingTest {

  private static final String TOKEN = "routing-test-token";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final AlertState STATE = AlertState.empty()
      .with("ckd", new AlertState.Outcome(0.25, true, true, null, null));

  @TempDir
  static Path dir;

  private static Path tokens;
  private static TestCertificates certificates;
  private static Path serverKeystore;

  private final List<Instance> instances = new ArrayList<>();

  /** The store copies of one instance: an active copy, a standby copy, both or neither. */
  private static final class Copies implements PatientRouting.StoreCopies {
    volatile KeyQueryMetadata owner = KeyQueryMetadata.NOT_AVAILABLE;
    volatile Map<String, AlertState> active;
    volatile Map<String, AlertState> standby;
    volatile Long lag;

    @Override
    public KeyQueryMetadata owner(String patientId) {
      return owner;
    }

    @Override
    public AlertState active(String patientId, Integer partition) {
      if (active == null) {
        throw new InvalidStateStoreException("no active copy here");
      }
      return active.get(patientId);
    }

    @Override
    public AlertState anyCopy(String patientId, Integer partition) {
      if (active == null && standby == null) {
        throw new InvalidStateStoreException("no copy here");
      }
      return active != null ? active.get(patientId) : standby.get(patientId);
    }

    @Override
    public Long lag(int partition) {
      return lag;
    }
  }

  /** One instance: its endpoints, its copies, and the queries that reached it. */
  private record Instance(HttpEndpoints endpoints, HostInfo host, Copies copies,
      List<PatientQueries.Caller> callers) {
    String name() {
      return host.host() + ":" + host.port();
    }
  }

  @BeforeAll
  static void makeCredentials() throws Exception {
    tokens = dir.resolve("tokens");
    Files.writeString(tokens, TOKEN + "\n", StandardCharsets.UTF_8);
    certificates = TestCertificates.authority(dir);
    serverKeystore = certificates.keystore("server");
  }

  @AfterEach
  void stop() {
    instances.forEach(i -> i.endpoints().close());
  }

  private Instance start(boolean tls) throws IOException {
    Map<String, String> config = new HashMap<>();
    config.put(RiskStreamConfig.HTTP_AUTH_TOKENS_FILE_CONFIG, tokens.toString());
    if (tls) {
      config.putAll(HttpTlsTest.serverConfig(certificates, serverKeystore));
    }
    HttpSecurity security = HttpSecurity.fromConfig(new RiskStreamConfig(config));
    Copies copies = new Copies();
    List<PatientQueries.Caller> callers = new CopyOnWriteArrayList<>();
    AtomicReference<PatientQueries> routing = new AtomicReference<>();
    HttpEndpoints endpoints = HttpEndpoints.start("127.0.0.1", 0, security, () -> KafkaStreams.State.RUNNING,
        () -> true, () -> "", (id, caller) -> {
          callers.add(caller);
          return routing.get().query(id, caller);
        });
    HostInfo self = new HostInfo("127.0.0.1", endpoints.port());
    routing.set(new PatientRouting(copies, self, new PeerClient(security, self, Duration.ofSeconds(20))));
    Instance instance = new Instance(endpoints, self, copies, callers);
    instances.add(instance);
    return instance;
  }

  /** Two instances that agree the second owns patient "p 1", whose active copy holds it. */
  private Instance[] askedAndOwnerWithThePatient(boolean tls) throws IOException {
    Instance asked = start(tls);
    Instance owner = start(tls);
    owner.copies().active = Map.of("p 1", STATE);
    asked.copies().owner = ownedBy(owner.host());
    owner.copies().owner = ownedBy(owner.host());
    return new Instance[] {asked, owner};
  }

  private static KeyQueryMetadata ownedBy(HostInfo active, HostInfo... standbys) {
    return new KeyQueryMetadata(active, Set.of(standbys), 1);
  }

  private static HttpResponse<String> get(Instance at, SSLContext tls) throws Exception {
    HttpClient.Builder client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(30));
    if (tls != null) {
      client.sslContext(tls);
    }
    return client.build().send(HttpRequest.newBuilder(URI.create((tls == null ? "http" : "https") + "://127.0.0.1:"
            + at.host().port() + "/patients/p%201/risk")).header("Authorization", "Bearer " + TOKEN)
        .timeout(Duration.ofSeconds(60)).GET().build(), HttpResponse.BodyHandlers.ofString());
  }

  private static HostInfo unreachable() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return new HostInfo("127.0.0.1", s.getLocalPort());
    }
  }

  @Test
  void shouldForwardToTheOwnerWithTheCallersTokenAndAMark() throws Exception {
    Instance[] pair = askedAndOwnerWithThePatient(false);
    Instance asked = pair[0];
    Instance owner = pair[1];

    HttpResponse<String> r = get(asked, null);

    assertThat(r.statusCode()).isEqualTo(200);
    JsonNode body = JSON.readTree(r.body());
    assertThat(body.path("servedBy").asText()).isEqualTo(owner.name());
    assertThat(body.path("stale").asBoolean()).isFalse();
    assertThat(body.at("/outcomes/ckd/probability").asDouble()).isEqualTo(0.25);
    assertThat(owner.callers()).containsExactly(new PatientQueries.Caller("Bearer " + TOKEN, asked.name()));
  }

  @Test
  void shouldPassOnTheOwners404() throws Exception {
    Instance asked = start(false);
    Instance owner = start(false);
    owner.copies().active = Map.of();
    asked.copies().owner = ownedBy(owner.host());
    owner.copies().owner = ownedBy(owner.host());

    HttpResponse<String> r = get(asked, null);

    assertThat(r.statusCode()).isEqualTo(404);
    assertThat(JSON.readTree(r.body()).path("servedBy").asText()).isEqualTo(owner.name());
  }

  @Test
  void shouldNeverForwardAForwardedQueryAgain() throws Exception {
    // during a rebalance the two disagree: each thinks the other owns the patient
    Instance a = start(false);
    Instance b = start(false);
    a.copies().owner = ownedBy(b.host());
    b.copies().owner = ownedBy(a.host());

    HttpResponse<String> r = get(a, null);

    assertThat(r.statusCode()).isEqualTo(503);
    assertThat(r.headers().firstValue("Retry-After")).isPresent();
    assertThat(a.callers()).hasSize(1);
    assertThat(b.callers()).hasSize(1);
  }

  @Test
  void shouldAnswerFromTheLocalStandbyMarkedStaleWhenTheOwnerIsUnreachable() throws Exception {
    Instance asked = start(false);
    asked.copies().owner = ownedBy(unreachable(), asked.host());
    asked.copies().standby = Map.of("p 1", STATE);
    asked.copies().lag = 5L;

    HttpResponse<String> r = get(asked, null);

    assertThat(r.statusCode()).isEqualTo(200);
    JsonNode body = JSON.readTree(r.body());
    assertThat(body.path("stale").asBoolean()).isTrue();
    assertThat(body.path("lag").asLong()).isEqualTo(5);
    assertThat(body.path("servedBy").asText()).isEqualTo(asked.name());
  }

  @Test
  void shouldAskAnotherInstancesStandbyWhenTheOwnerIsUnreachableAndNoCopyIsHere() throws Exception {
    Instance asked = start(false);
    Instance standby = start(false);
    HostInfo gone = unreachable();
    asked.copies().owner = ownedBy(gone, standby.host());
    standby.copies().owner = ownedBy(gone, standby.host());
    standby.copies().standby = Map.of("p 1", STATE);

    HttpResponse<String> r = get(asked, null);

    assertThat(r.statusCode()).isEqualTo(200);
    JsonNode body = JSON.readTree(r.body());
    assertThat(body.path("stale").asBoolean()).isTrue();
    assertThat(body.path("servedBy").asText()).isEqualTo(standby.name());
  }

  @Test
  void shouldAnswer503NotA404FromAStaleCopyWithoutThePatient() throws Exception {
    Instance asked = start(false);
    asked.copies().owner = ownedBy(unreachable(), asked.host());
    asked.copies().standby = Map.of();

    assertThat(get(asked, null).statusCode()).isEqualTo(503);

    asked.copies().owner = KeyQueryMetadata.NOT_AVAILABLE; // rebalancing: an active copy is not trusted for a 404
    asked.copies().active = Map.of();
    assertThat(get(asked, null).statusCode()).isEqualTo(503);
  }

  @Test
  void shouldAnswerFromALocalStandbyMarkedStaleWhileNoMetadataIsAvailable() throws Exception {
    Instance asked = start(false);
    asked.copies().standby = Map.of("p 1", STATE);

    HttpResponse<String> r = get(asked, null);

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(JSON.readTree(r.body()).path("stale").asBoolean()).isTrue();
  }

  @Test
  void shouldAnswerFromItsOwnActiveCopyAsTheOwner() throws Exception {
    Instance owner = start(false);
    owner.copies().owner = ownedBy(owner.host());
    owner.copies().active = Map.of("p 1", STATE);

    HttpResponse<String> r = get(owner, null);

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(JSON.readTree(r.body()).path("stale").asBoolean()).isFalse();
    assertThat(owner.callers()).hasSize(1);
  }

  @Test
  void shouldForwardOverHttpsBetweenInstancesWithTls() throws Exception {
    Instance[] pair = askedAndOwnerWithThePatient(true);
    Instance asked = pair[0];
    Instance owner = pair[1];

    HttpResponse<String> r = get(asked, certificates.sslContext(null));

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(JSON.readTree(r.body()).path("servedBy").asText()).isEqualTo(owner.name());
    assertThat(owner.callers()).containsExactly(new PatientQueries.Caller("Bearer " + TOKEN, asked.name()));
  }
}
