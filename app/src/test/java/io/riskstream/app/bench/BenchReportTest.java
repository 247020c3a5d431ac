package io.riskstream.app.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.riskstream.topology.TriggerProcessor;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BenchReportTest {

  @TempDir
  Path dir;

  /** 1,000 events over 8 partitions, the largest holding 400. */
  private static final List<Long> SKEWED = List.of(400L, 200L, 100L, 100L, 100L, 50L, 50L, 0L);

  /** The same 1,000 events as two threads consumed them: one thread got the 400 and the 200. */
  private static final List<Long> TWO_THREADS = List.of(400L, 600L);

  private static E2eBenchmark.Result result() {
    E2eBenchmark.Throughput pass = E2eBenchmark.Throughput.of(1000, 1000, 1000, 0, 1_000_000_000L, 3_000_000_000L);
    E2eBenchmark.Throughput full = E2eBenchmark.Throughput.of(1000, 100, 100, 0, 2_000_000_000L, 6_000_000_000L)
        .withTriggerCloses(Map.of(TriggerProcessor.CloseRule.SOURCE_PROGRESS, 97L, TriggerProcessor.CloseRule.IDLE_FLUSH, 3L));
    E2eBenchmark.Latency latency = new E2eBenchmark.Latency(125, 500, 50, 50, 20, 90, 30, 95, List.of(10.0, 20.0, 90.0), Map.of());
    return new E2eBenchmark.Result(3, 1000, 100, pass, full, 7, latency, 1 << 30, 3000, 1000.0, Map.of("scorer", "auto"),
        null, null, java.util.List.of(pass), List.of(new E2eBenchmark.Scaling(1, 8, 36, pass, SKEWED,
        List.of(1000L)), new E2eBenchmark.Scaling(2, 8, 36, full, SKEWED, TWO_THREADS)));
  }

  @Test
  void shouldComputeThroughputFromTheFirstOutput() {
    E2eBenchmark.Throughput t = E2eBenchmark.Throughput.of(1000, 1000, 1000, 0, 1_000_000_000L, 3_000_000_000L);
    assertThat(t.seconds()).isEqualTo(3.0);
    assertThat(t.steadySeconds()).isEqualTo(2.0);
    assertThat(t.eventsPerSecond()).isEqualTo(500.0);
    assertThat(t.complete()).isTrue();
    assertThat(result().fullToPassThrough()).isEqualTo(0.5);
  }

  @Test
  void shouldMarkAPhaseThatStalledBeforeItsLastOutputIncomplete() {
    E2eBenchmark.Throughput t = E2eBenchmark.Throughput.of(1000, 90, 100, 0, 1_000_000_000L, 3_000_000_000L);
    assertThat(t.complete()).isFalse();
    assertThat(t.expectedOutputs()).isEqualTo(100);
  }

  @Test
  void shouldTakeNearestRankPercentiles() {
    List<Double> sorted = List.of(1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0);
    assertThat(E2eBenchmark.percentile(sorted, 50)).isEqualTo(5.0);
    assertThat(E2eBenchmark.percentile(sorted, 99)).isEqualTo(10.0);
    assertThat(E2eBenchmark.percentile(List.of(), 50)).isNaN();
  }

  @Test
  void shouldWriteJsonAndPng() throws Exception {
    Path json = dir.resolve("r/e2e.json");
    Path png = dir.resolve("r/e2e.png");
    BenchReport.writeJson(BenchReport.document(result(), Map.of("host", "h"), E2eBenchmark.STREAMS_OVERRIDES), json);
    assertThat(BenchReport.writePng(result(), "title", png)).as("no reason to skip it").isNull();
    JsonNode doc = new ObjectMapper().readTree(json.toFile());
    assertThat(doc.get("host").asText()).isEqualTo("h");
    assertThat(doc.get("passThrough").get("eventsPerSecond").asDouble()).isEqualTo(500.0);
    assertThat(doc.get("fullToPassThroughRatio").asDouble()).isEqualTo(0.5);
    assertThat(doc.get("latency").get("p99Ms").asDouble()).isEqualTo(90.0);
    assertThat(doc.get("stateStoreBytesPerPatient").asDouble()).isEqualTo(1000.0);
    assertThat(doc.get("full").get("triggerCloses").get("idle_flush").asLong()).isEqualTo(3);
    assertThat(doc.get("full").get("triggerCloses").get("source_progress").asLong()).isEqualTo(97);
    BufferedImage image = ImageIO.read(png.toFile());
    assertThat(image.getWidth()).isEqualTo(BenchReport.WIDTH);
    assertThat(doc.get("threadScaling")).hasSize(2);
    assertThat(doc.get("threadScaling").get(1).get("streamThreads").asInt()).isEqualTo(2);
    assertThat(doc.get("threadScaling").get(1).get("eventsPerSecond").asDouble()).isEqualTo(250.0);
    assertThat(doc.get("threadScaling").get(1).get("patients").asInt()).isEqualTo(36);
    assertThat(doc.get("threadScaling").get(1).get("assignedSpeedupBoundOverOneThread").asDouble()).isCloseTo(1.667,
        org.assertj.core.data.Offset.offset(0.001));
  }

  @Test
  void shouldSkipThePngWithAReasonWhereTheJvmHasNoFonts() throws Exception {
    Path png = dir.resolve("r/e2e.png");

    String skipped = BenchReport.writePng(() -> {
      throw new Error("Fontconfig head is null, check your fonts or fonts configuration");
    }, png);

    assertThat(skipped).isEqualTo("Error: Fontconfig head is null, check your fonts or fonts configuration");
    assertThat(png).doesNotExist();
  }

  @Test
  void shouldReadThePeakRssOfThisProcess() {
    assertThat(E2eBenchmark.peakRssBytes()).isGreaterThan(1L << 20);
  }

  @Test
  void shouldBoundTheScalingByTheLargestPartition() {
    E2eBenchmark.Throughput t = E2eBenchmark.Throughput.of(1000, 100, 100, 0, 1_000_000_000L, 3_000_000_000L);
    assertThat(new E2eBenchmark.Scaling(1, 8, 36, t, SKEWED, List.of()).speedupBound()).isEqualTo(1.0);
    assertThat(new E2eBenchmark.Scaling(2, 8, 36, t, SKEWED, List.of()).speedupBound()).isEqualTo(2.0);
    assertThat(new E2eBenchmark.Scaling(8, 8, 36, t, SKEWED, List.of()).largestPartitionShare()).isEqualTo(0.4);
    assertThat(new E2eBenchmark.Scaling(8, 8, 36, t, SKEWED, List.of()).speedupBound()).isEqualTo(2.5);
    Map<String, Object> doc = BenchReport.document(result(), Map.of("host", "h"), E2eBenchmark.STREAMS_OVERRIDES);
    assertThat((List<?>) doc.get("threadScaling")).first().isInstanceOfSatisfying(Map.class, run -> {
      assertThat(run.get("eventsPerPartition")).isEqualTo(SKEWED);
      assertThat(run.get("speedupBoundOverOneThread")).isEqualTo(1.0);
    });
  }

  @Test
  void shouldBoundTheScalingByTheBusiestThreadAsTheTasksFell() {
    E2eBenchmark.Throughput t = E2eBenchmark.Throughput.of(1000, 100, 100, 0, 1_000_000_000L, 3_000_000_000L);
    E2eBenchmark.Scaling two = new E2eBenchmark.Scaling(2, 8, 36, t, SKEWED, TWO_THREADS);
    // the partitions allow 2x (400 of 1,000 fits in half); the assignment gave one thread 600: at most 1/0.6
    assertThat(two.speedupBound()).isEqualTo(2.0);
    assertThat(two.eventsPerThread()).containsExactly(600L, 400L);
    assertThat(two.busiestThreadShare()).isEqualTo(0.6);
    assertThat(two.assignedSpeedupBound()).isCloseTo(1.667, org.assertj.core.data.Offset.offset(0.001));
    assertThat(new E2eBenchmark.Scaling(2, 8, 36, t, SKEWED, List.of()).assignedSpeedupBound()).isEqualTo(2.0);
    Map<String, Object> doc = BenchReport.document(result(), Map.of("host", "h"), E2eBenchmark.STREAMS_OVERRIDES);
    assertThat((List<?>) doc.get("threadScaling")).last().isInstanceOfSatisfying(Map.class, run -> {
      assertThat(run.get("eventsPerThread")).isEqualTo(List.of(600L, 400L));
      assertThat(run.get("busiestThreadShare")).isEqualTo(0.6);
    });
  }
}
