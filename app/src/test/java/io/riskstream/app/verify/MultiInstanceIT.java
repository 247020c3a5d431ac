package io.riskstream.app.verify;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.riskstream.app.bench.ChangeEventFeed;
import io.riskstream.app.demo.EmbeddedKafka;
import io.riskstream.schemas.RiskAlert;
import io.riskstream.schemas.RiskScore;
import io.riskstream.topology.config.RiskStreamConfig;
import java.io.File;
import java.io.IOException;
import java.io.Writer;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three instances of {@code riskstream run} ({@link InstanceChild}, real scorer, exactly-once, one standby replica,
 * {@code application.server} set, bearer tokens) in child JVMs on one embedded broker read the committed cohort; the
 * instance that owns a patient is SIGKILLed once a tenth of the scores are committed, and the other two take over.
 * Throughout, every live instance is asked for every patient that has a committed score: it answers 200 (from the
 * owner, directly or forwarded, or from a copy marked stale) or, while no copy is queryable, 503, and never 404.
 * At the end every live instance answers every patient from an up-to-date copy, answers FHIR search and CDS Hooks
 * cards as the owner does (a non-owner relays them), takes CDS Hooks feedback on another instance's alert, and the
 * committed scores and alerts
 * equal those of a one-instance run (a TopologyTestDriver run, as in {@link CrashRecoveryIT}).
 */
class MultiInstanceIT {

  private static final String TOKEN = "multi-instance-it-token";
  private static final int INSTANCES = 3;
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  Path dir;

  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(30)).build();

  /** What the queries saw. */
  private static final class Tally {
    int fresh;
    int stale;
    int forwarded;
    int unavailable;
    final List<String> wrong = new ArrayList<>();
    /** Clinician requests (FHIR search, CDS Hooks cards and feedback) answered for a patient another instance owns. */
    int clinicianRelayed;
  }

  @Test
  void shouldAnswerEveryPatientOnEveryLiveInstanceThroughAKillAndScoreAsOneInstance() throws Exception {
    ChangeEventFeed feed = CohortRuns.feed();
    CohortRuns.Output expected = CohortRuns.oneInstanceRun(feed, "multi-ttd", dir.resolve("ttd"));

    List<RiskScore> scores = new ArrayList<>();
    List<RiskAlert> alerts = new ArrayList<>();
    Tally tally = new Tally();
    Path tokens = dir.resolve("tokens");
    Files.writeString(tokens, TOKEN + "\n", StandardCharsets.UTF_8);
    int[] ports = freePorts();
    Process[] children = new Process[INSTANCES];
    int killed = -1;
    int scoresAtKill = -1;
    try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
      kafka.createTopics(1, CohortRuns.SOURCE_TOPIC, CohortRuns.TRANSACTION_TOPIC);
      CohortRuns.produce(kafka.bootstrapServers(), feed);
      try (KafkaConsumer<byte[], byte[]> reader = CohortRuns.committedReader(kafka.bootstrapServers(), "multi-reader")) {
        for (int i = 0; i < INSTANCES; i++) {
          children[i] = startChild(i, configFile(i, ports, kafka.bootstrapServers(), feed, tokens));
        }
        int want = expected.scores().size() + expected.alerts().size();
        long deadline = System.nanoTime() + Duration.ofSeconds(240).toNanos();
        while (scores.size() + alerts.size() < want && System.nanoTime() < deadline) {
          CohortRuns.pollInto(reader, Duration.ofMillis(200), scores, alerts);
          for (int i = 0; i < INSTANCES; i++) {
            assertThat(i == killed || children[i].isAlive()).as("instance %d alive (log %s)", i, log(i)).isTrue();
          }
          Map<String, String> owners = queryAll(children, ports, patientsWithScores(scores), tally);
          if (killed < 0 && scores.size() >= feed.transactions() / 10 && !owners.isEmpty()) {
            // mid-stream: kill the instance that served a patient from its up-to-date copy
            String owner = owners.values().iterator().next();
            for (int i = 0; i < INSTANCES; i++) {
              if (owner.equals(name(ports[i]))) {
                killed = i;
              }
            }
            children[killed].destroyForcibly(); // SIGKILL: no shutdown hook, no commit, the group notices in 6 s
            assertThat(children[killed].waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(children[killed].exitValue()).isEqualTo(137);
            scoresAtKill = scores.size();
          }
        }
        long quiet = System.nanoTime() + Duration.ofSeconds(4).toNanos(); // nothing more may come
        while (System.nanoTime() < quiet) {
          CohortRuns.pollInto(reader, Duration.ofMillis(500), scores, alerts);
        }
        // at the end, every live instance answers every patient from the owner's up-to-date copy
        for (String patient : patientsWithScores(scores)) {
          for (int i = 0; i < INSTANCES; i++) {
            if (i != killed) {
              JsonNode answer = awaitFresh(ports[i], patient);
              assertThat(answer.path("patientId").asText()).isEqualTo(patient);
              assertThat(answer.path("outcomes").size()).isPositive();
            }
          }
        }
        clinicianRoutesAnswerAsTheOwner(children, ports, patientsWithScores(scores), alerts, tally);
      } finally {
        for (Process child : children) {
          stop(child);
        }
      }
    }
    System.out.printf("multi-instance: %d transactions; killed instance %d after %d committed scores; afterwards %d"
        + " scores, %d alerts (expected %d, %d); answers: %d up to date (%d of them forwarded), %d stale, %d 503;"
        + " %d clinician requests answered as the owner by a non-owner%n",
        feed.transactions(), killed, scoresAtKill, scores.size(), alerts.size(), expected.scores().size(),
        expected.alerts().size(), tally.fresh, tally.forwarded, tally.stale, tally.unavailable, tally.clinicianRelayed);
    assertThat(killed).as("an owner was killed mid-stream").isNotNegative();
    assertThat(scoresAtKill).isLessThan(feed.transactions());
    assertThat(tally.wrong).as("answers other than 200 or 503").isEmpty();
    assertThat(tally.forwarded).as("queries answered by the owner after forwarding").isPositive();
    assertThat(tally.clinicianRelayed).as("clinician requests to a non-owner answered as the owner").isPositive();
    CohortRuns.Output actual = new CohortRuns.Output(scores, alerts);
    assertThat(actual.scores()).isEqualTo(expected.scores());
    assertThat(actual.alerts()).isEqualTo(expected.alerts());
  }

  /**
   * FHIR search and CDS Hooks cards for every patient on every live instance equal the owner's (the owner found by
   * {@code /patients/{id}/risk}'s servedBy), and CDS Hooks feedback on an alert sent to a non-owner is written.
   */
  private void clinicianRoutesAnswerAsTheOwner(Process[] children, int[] ports, Set<String> patients,
      List<RiskAlert> alerts, Tally tally) throws Exception {
    for (String patient : patients) {
      String owner = awaitFresh(ports[live(children, 0)], patient).path("servedBy").asText();
      Map<String, List<String>> bundles = new TreeMap<>();
      Map<String, List<String>> cards = new TreeMap<>();
      for (int i = 0; i < INSTANCES; i++) {
        if (!children[i].isAlive()) {
          continue;
        }
        JsonNode bundle = JSON.readTree(awaitOk(ports[i], "GET", "/fhir/RiskAssessment?patient="
            + URLEncoder.encode(patient, StandardCharsets.UTF_8), null).body());
        List<String> ids = new ArrayList<>();
        bundle.path("entry").forEach(e -> ids.add(e.path("resource").path("id").asText()));
        String base = "http://127.0.0.1:" + ports[i] + "/fhir/RiskAssessment/";
        bundle.path("entry").forEach(e -> assertThat(e.path("fullUrl").asText()).as("links where the caller called")
            .startsWith(base));
        assertThat(ids).as("assessments of a scored patient").isNotEmpty();
        bundles.put(name(ports[i]), ids);
        JsonNode answer = JSON.readTree(awaitOk(ports[i], "POST", "/cds-services/riskstream-risk", JSON
            .createObjectNode().put("hook", "patient-view").put("hookInstance", "h-" + i)
            .set("context", JSON.createObjectNode().put("patientId", patient).put("userId", "Practitioner/1"))
            .toString()).body());
        List<String> summaries = new ArrayList<>();
        answer.path("cards").forEach(c -> summaries.add(c.path("uuid").asText() + " " + c.path("indicator").asText()
            + " " + c.path("summary").asText()));
        cards.put(name(ports[i]), summaries);
        if (!name(ports[i]).equals(owner)) {
          tally.clinicianRelayed++;
        }
      }
      assertThat(bundles).as("FHIR search for one patient on every live instance").containsKey(owner);
      assertThat(Set.copyOf(bundles.values())).as("every instance answers the owner's resources").hasSize(1);
      assertThat(Set.copyOf(cards.values())).as("every instance answers the owner's cards").hasSize(1);
    }
    // feedback on a card of a patient another instance owns: relayed to the instance that knows the alert
    RiskAlert alert = alerts.get(alerts.size() - 1);
    String owner = awaitFresh(ports[live(children, 0)], alert.getPatientId()).path("servedBy").asText();
    int other = -1;
    for (int i = 0; i < INSTANCES; i++) {
      if (children[i].isAlive() && !name(ports[i]).equals(owner)) {
        other = i;
      }
    }
    String feedback = JSON.createObjectNode().set("feedback", JSON.createArrayNode().add(JSON.createObjectNode()
        .put("card", io.riskstream.app.http.AlertFeedback.cardUuid(alert.getAlertId())).put("outcome", "accepted")
        .put("outcomeTimestamp", "2026-12-05T04:00:00Z"))).toString();
    assertThat(awaitOk(ports[other], "POST", "/cds-services/riskstream-risk/feedback", feedback).statusCode())
        .isEqualTo(200);
    tally.clinicianRelayed++;
  }

  private static int live(Process[] children, int from) {
    for (int i = from; i < children.length; i++) {
      if (children[i].isAlive()) {
        return i;
      }
    }
    throw new IllegalStateException("no live instance");
  }

  /** Sends until the answer is 200 (a rebalance answers 503 for a while); fails on any other status. */
  private HttpResponse<String> awaitOk(int port, String method, String path, String body) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
    while (true) {
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
          .header("Authorization", "Bearer " + TOKEN).header("Content-Type", "application/json")
          .timeout(Duration.ofSeconds(60)).method(method, body == null ? HttpRequest.BodyPublishers.noBody()
              : HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() == 200 || r.statusCode() != 503 || System.nanoTime() > deadline) {
        assertThat(r.statusCode()).as("%s %s on %s: %s", method, path, port, r.body()).isEqualTo(200);
        return r;
      }
      Thread.sleep(500);
    }
  }

  private static Set<String> patientsWithScores(List<RiskScore> scores) {
    Set<String> out = new LinkedHashSet<>();
    scores.forEach(s -> out.add(s.getPatientId()));
    return out;
  }

  /**
   * Asks every live instance for every patient once; counts the answers and keeps the wrong ones. Returns, by patient,
   * the instance that served it from an up-to-date copy.
   */
  private Map<String, String> queryAll(Process[] children, int[] ports, Set<String> patients, Tally tally)
      throws Exception {
    Map<String, String> owners = new TreeMap<>();
    for (String patient : patients) {
      for (int i = 0; i < INSTANCES; i++) {
        if (!children[i].isAlive()) {
          continue;
        }
        HttpResponse<String> r = query(ports[i], patient);
        if (r.statusCode() == 200) {
          JsonNode body = JSON.readTree(r.body());
          if (body.path("stale").asBoolean()) {
            tally.stale++;
          } else {
            tally.fresh++;
            owners.put(patient, body.path("servedBy").asText());
            if (!name(ports[i]).equals(body.path("servedBy").asText())) {
              tally.forwarded++;
            }
          }
        } else if (r.statusCode() == 503) {
          tally.unavailable++;
        } else {
          tally.wrong.add("instance " + i + ": " + r.statusCode() + " " + r.body());
        }
      }
    }
    return owners;
  }

  private JsonNode awaitFresh(int port, String patient) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
    HttpResponse<String> last = query(port, patient);
    while (!isFresh(last) && System.nanoTime() < deadline) {
      Thread.sleep(500);
      last = query(port, patient);
    }
    assertThat(isFresh(last)).as("up-to-date answer of %s: %s %s", name(port), last.statusCode(), last.body()).isTrue();
    return JSON.readTree(last.body());
  }

  private static boolean isFresh(HttpResponse<String> r) throws IOException {
    return r.statusCode() == 200 && !JSON.readTree(r.body()).path("stale").asBoolean();
  }

  private HttpResponse<String> query(int port, String patient) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/patients/"
            + URLEncoder.encode(patient, StandardCharsets.UTF_8) + "/risk"))
        .header("Authorization", "Bearer " + TOKEN).timeout(Duration.ofSeconds(60)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static String name(int port) {
    return "127.0.0.1:" + port;
  }

  private static int[] freePorts() throws IOException {
    int[] ports = new int[INSTANCES];
    List<ServerSocket> open = new ArrayList<>();
    try {
      for (int i = 0; i < INSTANCES; i++) {
        ServerSocket s = new ServerSocket(0);
        open.add(s);
        ports[i] = s.getLocalPort();
      }
    } finally {
      for (ServerSocket s : open) {
        s.close();
      }
    }
    return ports;
  }

  private Path configFile(int i, int[] ports, String bootstrap, ChangeEventFeed feed, Path tokens) throws IOException {
    Properties p = new Properties();
    CohortRuns.props(feed, bootstrap, "multi-it", dir.resolve("state-" + i)).forEach((k, v) -> p.put(k, v.toString()));
    p.put(RiskStreamConfig.REGISTRY_URL_CONFIG, "mem://");
    p.put(RiskStreamConfig.HTTP_BIND_ADDRESS_CONFIG, "127.0.0.1");
    p.put(RiskStreamConfig.HTTP_PORT_CONFIG, Integer.toString(ports[i]));
    p.put(RiskStreamConfig.APPLICATION_SERVER_CONFIG, name(ports[i]));
    p.put(RiskStreamConfig.NUM_STANDBY_REPLICAS_CONFIG, "1");
    p.put(RiskStreamConfig.HTTP_AUTH_TOKENS_FILE_CONFIG, tokens.toString());
    Path file = dir.resolve("instance-" + i + ".properties");
    try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      p.store(w, "MultiInstanceIT instance " + i);
    }
    return file;
  }

  private static Path log(int i) {
    return Path.of("target", "multi-instance-it-" + i + ".log"); // kept for a look after a failure
  }

  private Process startChild(int i, Path config) throws IOException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> command = List.of(java, "-Xmx512m", "-cp", System.getProperty("java.class.path"),
        InstanceChild.class.getName(), config.toString());
    return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log(i).toFile())
        .directory(new File(System.getProperty("user.dir"))).start();
  }

  private static void stop(Process child) throws InterruptedException {
    if (child != null && child.isAlive()) {
      child.destroy();
      if (!child.waitFor(40, TimeUnit.SECONDS)) {
        child.destroyForcibly();
      }
    }
  }
}
