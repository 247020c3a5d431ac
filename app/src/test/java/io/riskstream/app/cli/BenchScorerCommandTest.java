package io.riskstream.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.riskstream.scoring.Scoring;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code riskstream bench scorer} on the CPU (ONNX Runtime only), from the committed 3-patient Synthea cohort. */
class BenchScorerCommandTest {

  private static final Path COHORT = Path.of("src/test/resources/synthea/cohort3");
  /** scoring's test model, as a model directory (it is not on this module's classpath). */
  private static final String TINY = "../scoring/src/test/resources/models/test-tiny";

  @TempDir
  Path dir;

  private final CliRun cli = new CliRun();

  private int run(String... args) {
    return cli.run(args);
  }

  @Test
  void shouldNeedExactlyOneSourceOfLengths() {
    assertThat(run("bench", "scorer", "--out", dir.toString())).isNotZero();
    assertThat(cli.err()).contains("exactly one of --cohort and --lengths-dir");
    assertThat(run("bench", "scorer", "--cohort", COHORT.toString(), "--lengths-dir", dir.toString())).isNotZero();
  }

  @Test
  void shouldRefuseBatchSizesThatAreNotPowersOfTwo() {
    assertThat(run("bench", "scorer", "--lengths-dir", dir.toString(), "--batches", "1,3")).isNotZero();
    assertThat(cli.err()).contains("powers of two");
  }

  @Test
  void shouldWriteTheCohortsServingLengthsAndTimeOnnxRuntimeWhereTensorRtCannotRun() throws Exception {
    Assumptions.assumeTrue(Scoring.tensorRtUnavailableReason().isPresent(), "a GPU host runs the full benchmark");
    int code = run("bench", "scorer", "--cohort", COHORT.toString(), "--model", TINY, "--batches", "1,4",
        "--inputs", "32", "--seconds", "0", "--ort-threads", "1", "--cache", dir.resolve("engines").toString(),
        "--out", dir.toString());

    assertThat(code).as(cli.err()).isZero();
    List<String> lengths = Files.readAllLines(dir.resolve("lengths-test-tiny.txt"));
    assertThat(lengths).isNotEmpty().allSatisfy(l -> assertThat(Integer.parseInt(l)).isBetween(1, 64));
    JsonNode result = new ObjectMapper().readTree(dir.resolve("scorer-bench-test-tiny.json").toFile());
    assertThat(result.get("model").asText()).isEqualTo("test-tiny");
    assertThat(result.get("points")).hasSize(2);
    assertThat(result.get("points").get(1).get("batch").asInt()).isEqualTo(4);
    assertThat(cli.out()).contains("test-tiny: " + lengths.size() + " lengths");

    // the written lengths serve a second run without the cohort
    assertThat(run("bench", "scorer", "--lengths-dir", dir.toString(), "--model", TINY, "--batches", "2",
        "--inputs", "8", "--seconds", "0", "--ort-threads", "1", "--out", dir.resolve("again").toString())).isZero();
  }
}
