package io.riskstream.scoring.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.riskstream.schemas.EmrEvent;
import io.riskstream.scoring.ModelInput;
import io.riskstream.scoring.Scoring;
import io.riskstream.scoring.TestEvents;
import io.riskstream.scoring.TinyModel;
import io.riskstream.scoring.encoder.HistoryEncoder;
import io.riskstream.scoring.model.ModelBundle;
import io.riskstream.scoring.onnx.OnnxRuntimeScorer;
import io.riskstream.scoring.tensorrt.Precision;
import io.riskstream.scoring.tensorrt.ProfileSpec;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ScorerBenchmarkTest {

  private static final ModelBundle TINY = ModelBundle.fromClasspath("test-tiny");

  @TempDir
  Path dir;

  @Test
  void shouldDrawLengthsOnlyFromThePool() {
    List<ModelInput> inputs = ScorerBenchmark.inputs(List.of(3, 7, 7, 20), 200, 100, 1);

    assertThat(inputs).hasSize(200).allSatisfy(in -> assertThat(in.length()).isIn(3, 7, 20));
    assertThat(inputs).allSatisfy(in -> assertThat(java.util.Arrays.stream(in.tokens()).allMatch(t -> t >= 1 && t <= 99)).isTrue());
    assertThat(inputs.stream().mapToInt(ModelInput::length).distinct().count()).isEqualTo(3);
  }

  @Test
  void shouldWriteInputsRightPaddedInLittleEndian() throws Exception {
    List<ModelInput> inputs = List.of(new ModelInput(new long[] {5, 6}, new float[] {40f, 41f}, new float[] {1f, .5f}),
        new ModelInput(new long[] {9}, new float[] {70f}, new float[] {1f}));
    Path file = dir.resolve("inputs.bin");

    ScorerBenchmark.writeInputs(inputs, 4, file);

    ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
    assertThat(b.capacity()).isEqualTo(8 + 2 * 4 + 2 * 4 * 16);
    assertThat(b.getInt()).isEqualTo(2);
    assertThat(b.getInt()).isEqualTo(4);
    assertThat(b.getInt()).isEqualTo(2);
    assertThat(b.getInt()).isEqualTo(1);
    assertThat(new long[] {b.getLong(), b.getLong(), b.getLong(), b.getLong(), b.getLong()})
        .containsExactly(5, 6, 0, 0, 9);
    b.position(8 + 8 + 2 * 4 * 8);
    assertThat(b.getFloat()).isEqualTo(40f);
    assertThat(b.getFloat()).isEqualTo(41f);
    assertThat(b.getFloat()).isZero();
  }

  @Test
  void shouldMeasureLatencyAndThroughputOfAScorer() {
    List<ModelInput> inputs = TinyModel.inputs(40, 30, 2, TINY.spec().vocabularySize());
    try (OnnxRuntimeScorer ort = new OnnxRuntimeScorer(TINY, OnnxRuntimeScorer.Options.defaults())) {
      ScorerBenchmark.Point p = ScorerBenchmark.measure(ort, "onnxruntime-cpu", "fp32", inputs, 8, 0.0, 5);

      assertThat(p.iterations()).isGreaterThanOrEqualTo(5);
      assertThat(p.batch()).isEqualTo(8);
      assertThat(p.p99Ms()).isGreaterThanOrEqualTo(p.p50Ms()).isPositive();
      assertThat(p.sequencesPerSecond()).isCloseTo(8 * 1000 / p.meanMs(), within(1e-6 * p.sequencesPerSecond()));
      assertThat(p.tokensPerSecond()).isGreaterThan(p.sequencesPerSecond());

      ScorerBenchmark.Point both = ScorerBenchmark.measureConcurrently(ort, "ort-2threads", "fp32", inputs, 4, 0.0, 2);
      assertThat(both.iterations()).isGreaterThanOrEqualTo(40);
      assertThat(both.sequencesPerSecond()).isPositive();
      assertThat(both.p99Ms()).isGreaterThanOrEqualTo(both.p50Ms());
    }
  }

  @Test
  void shouldMeasureOnnxRuntimeOnlyAndSayWhyWhereTensorRtCannotRun() throws Exception {
    Assumptions.assumeTrue(Scoring.tensorRtUnavailableReason().isPresent(), "this host runs TensorRT: see TensorRtGpuIT");
    ScorerBenchmark.Settings settings = new ScorerBenchmark.Settings(TINY, List.of(5, 20, 64), 64, List.of(1, 4),
        List.of(Precision.FP16), ProfileSpec.doubling(4, 16, 64, 1), dir.resolve("engines"), 1, 4, 0.0, dir,
        dir.resolve("inputs.bin"));

    Map<String, Object> result = ScorerBenchmark.run(settings);

    assertThat(result.get("model")).isEqualTo("test-tiny");
    assertThat((String) result.get("tensorrt")).startsWith("unavailable: ");
    assertThat((List<?>) result.get("points")).hasSize(2)
        .allSatisfy(p -> assertThat(((ScorerBenchmark.Point) p).runtime()).isEqualTo("onnxruntime-cpu"));
    assertThat(dir.resolve("scorer-bench-test-tiny.json")).isRegularFile();
    assertThat(Files.size(dir.resolve("inputs.bin"))).isEqualTo(8 + 4 * 64 + 64L * 64 * 16);
  }

  @Test
  void shouldTakeOneServingLengthPerEncounterWithEverythingBeforeTheNextOne() {
    HistoryEncoder encoder = new HistoryEncoder(TINY.spec());
    List<EmrEvent> history = new java.util.ArrayList<>(List.of(TestEvents.demographics("p", 0, "female")));
    for (int e = 0; e < 3; e++) {
      double day = 10_000 + 100 * e;
      history.add(TestEvents.encounter("p", "encounters:e" + e, day, day, "ambulatory", "185349003"));
      for (int d = 0; d <= e; d++) {
        history.add(TestEvents.diagnosis("p", "conditions:c" + e + "-" + d, day, "44054006"));
      }
    }
    List<EmrEvent> noEncounters = List.of(TestEvents.demographics("q", 0, "male"),
        TestEvents.diagnosis("q", "conditions:x", 500, "44054006"));

    List<Integer> lengths = ScorerBenchmark.servingLengths(Map.of("p", history, "q", noEncounters), encoder);

    assertThat(lengths).hasSize(3).isSorted();
    assertThat(lengths.get(0)).isLessThan(lengths.get(2));
    assertThat(lengths.get(2)).isEqualTo(encoder.encodeLatest(history).input().length());
    assertThat(lengths.get(0)).isEqualTo(encoder.encode(history, 10_100L * TestEvents.DAY).input().length());
  }

  @Test
  void shouldRefuseLengthsTheModelCannotTake() {
    assertThatThrownBy(() -> new ScorerBenchmark.Settings(TINY, List.of(65), 8, List.of(1), List.of(),
        ProfileSpec.doubling(4, 16, 64, 1), dir, 1, 4, 0.0, dir, dir.resolve("x")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("1..64");
  }
}
