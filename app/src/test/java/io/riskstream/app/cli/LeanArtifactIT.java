package io.riskstream.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.riskstream.app.demo.EmbeddedKafka;
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
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The production artifact (target/riskstream.jar, whose manifest lists target/lib/) as the image ships it: no
 * developer-only library in lib/, {@code run} scores from it alone in its own JVM, and a developer command says what
 * it lacks.
 */
class LeanArtifactIT {

  private static final Path JAR = Path.of("target/riskstream.jar");
  private static final Path LIB = Path.of("target/lib");
  private static final Path LIB_DEV = Path.of("target/lib-dev");
  /** Artifacts only the developer commands (demo, bench, cohort, cdc) or the tests need. */
  private static final List<String> DEVELOPER_ONLY = List.of("kafka-test-common", "kafka-server-", "kafka_2.13",
      "synthea", "debezium", "postgresql", "jfreechart", "junit", "assertj", "helm-java");

  @TempDir
  Path dir;

  private static List<String> jars(Path folder) throws IOException {
    try (Stream<Path> files = Files.list(folder)) {
      return files.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  @Test
  void shouldShipNoDeveloperOnlyLibrary() throws IOException {
    List<String> lib = jars(LIB);
    assertThat(lib).isNotEmpty().allSatisfy(jar -> assertThat(DEVELOPER_ONLY).noneMatch(jar::startsWith));
    assertThat(lib).anyMatch(j -> j.startsWith("kafka-streams-")).anyMatch(j -> j.startsWith("onnxruntime-"));
    assertThat(jars(LIB_DEV)).anyMatch(j -> j.startsWith("synthea-")).anyMatch(j -> j.startsWith("kafka_2.13-"))
        .anyMatch(j -> j.startsWith("debezium-embedded-"));
    assertThat(jars(LIB_DEV)).doesNotContainAnyElementsOf(lib);
  }

  @Test
  void shouldScoreWithRunFromTheLeanArtifactAlone() throws Exception {
    try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
      kafka.createTopics(1, "ehr.clinical.patients", "ehr.clinical.conditions");
      int port = freePort();
      String token = "lean-it-token";
      Path tokens = dir.resolve("tokens");
      Files.writeString(tokens, token + "\n", StandardCharsets.UTF_8);
      Path config = dir.resolve("riskstream.properties");
      Files.writeString(config, String.join("\n", "bootstrap.servers=" + kafka.bootstrapServers(),
          "application.id=lean-it", "state.dir=" + dir.resolve("state"), "registry.url=mem://",
          "model.name=" + Path.of("../scoring/src/test/resources/models/test-tiny").toAbsolutePath(),
          "scorer=onnxruntime", "http.port=" + port, "topic.partitions=1", "http.auth.tokens.file=" + tokens),
          StandardCharsets.UTF_8);
      Process run = start(List.of("run", "--config", config.toString()), dir.resolve("run.log"));
      try {
        OnePatientFeed.produce(kafka.bootstrapServers(), false);
        HttpClient http = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        int status = -1;
        String body = "";
        while (status != 200 && run.isAlive() && System.nanoTime() < deadline) {
          Thread.sleep(500);
          try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(
                URI.create("http://localhost:" + port + "/patients/p-1/risk")).header("Authorization", "Bearer " + token)
                .GET().build(),
                HttpResponse.BodyHandlers.ofString());
            status = r.statusCode();
            body = r.body();
          } catch (IOException notListeningYet) {
            status = -1;
          }
        }
        assertThat(status).as("risk of p-1 from the lean artifact; its log:%n%s",
            Files.readString(dir.resolve("run.log"))).isEqualTo(200);
        assertThat(body).contains("\"patientId\":\"p-1\"");
        assertThat(Files.readString(dir.resolve("run.log"))).as("the start-up log names the mode, never the token")
            .contains("patient data for bearer tokens (1 accepted)").doesNotContain(token);
      } finally {
        run.destroy();
        assertThat(run.waitFor(60, TimeUnit.SECONDS)).isTrue();
      }
    }
  }

  @Test
  void shouldSayWhatADeveloperCommandLacksInTheLeanArtifact() throws Exception {
    Path log = dir.resolve("demo.log");
    Process demo = start(List.of("demo", "--patients", "2"), log);
    assertThat(demo.waitFor(120, TimeUnit.SECONDS)).isTrue();
    String out = Files.readString(log);
    assertThat(demo.exitValue()).as(out).isEqualTo(2);
    assertThat(out).contains("riskstream demo: this command needs the embedded Kafka broker, which the production artifact leaves out").doesNotContain("\tat ");
  }

  private static Process start(List<String> args, Path log) throws IOException {
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx512m", "-jar", JAR.toAbsolutePath().toString()));
    command.addAll(args);
    return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
