package io.riskstream.scoring.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.riskstream.scoring.ModelInput;
import io.riskstream.scoring.encoder.EncoderSpec;
import io.riskstream.scoring.model.ModelBundle;
import io.riskstream.scoring.model.ValidationSet;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class OnnxRuntimeScorerTest {

  private static ModelBundle bundle;

  @BeforeAll
  static void load() {
    bundle = ModelBundle.load("test-tiny");
  }

  static List<ModelInput> randomInputs(int count, int maxLength, int vocabulary, long seed) {
    Random random = new Random(seed);
    List<ModelInput> inputs = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      int n = 1 + random.nextInt(maxLength);
      long[] t = new long[n];
      float[] a = new float[n];
      float[] r = new float[n];
      for (int j = 0; j < n; j++) {
        t[j] = 1 + random.nextInt(vocabulary - 1);
        a[j] = 0.18f + random.nextFloat() * 0.7f;
        r[j] = random.nextFloat();
      }
      inputs.add(new ModelInput(t, a, r));
    }
    return inputs;
  }

  @Test
  void shouldReproducePyTorchOnTheValidationSet() {
    ValidationSet validation = bundle.validation().orElseThrow();
    try (OnnxRuntimeScorer scorer = new OnnxRuntimeScorer(bundle, OnnxRuntimeScorer.Options.defaults())) {
      float[][] out = scorer.score(validation.inputs());
      float[][] expected = validation.expectedRows();
      assertThat(out.length).isEqualTo(expected.length);
      for (int i = 0; i < out.length; i++) {
        for (int k = 0; k < expected[i].length; k++) {
          assertThat(out[i][k]).as("row %d outcome %d", i, k).isCloseTo(expected[i][k], within(1e-5f));
        }
      }
      assertThat(scorer.info().backend()).isEqualTo("onnxruntime");
      assertThat(scorer.info().modelSha256()).isEqualTo(bundle.sha256());
      assertThat(scorer.info().outcomes()).containsExactly("a", "b", "c");
    }
  }

  @ParameterizedTest(name = "threads={0} slice={1}")
  @CsvSource({"1, 1", "2, 1", "1, 4", "2, 8"})
  void shouldGiveBitwiseIdenticalProbabilitiesWhateverTheBatch(int threads, int slice) {
    int maxLength = bundle.spec().maxLength();
    List<ModelInput> inputs = randomInputs(60, maxLength, bundle.spec().vocabularySize(), 5);
    try (OnnxRuntimeScorer scorer = new OnnxRuntimeScorer(bundle, new OnnxRuntimeScorer.Options(threads, 16, slice))) {
      List<float[]> alone = new ArrayList<>();
      for (ModelInput input : inputs) {
        alone.add(scorer.score(List.of(input))[0]);
      }
      Random random = new Random(9);
      for (int size : new int[] {2, 3, 7, 16, 33, 60}) {
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < inputs.size(); i++) {
          order.add(i);
        }
        Collections.shuffle(order, random);
        for (int from = 0; from < order.size(); from += size) {
          List<Integer> ids = order.subList(from, Math.min(order.size(), from + size));
          float[][] out = scorer.score(ids.stream().map(inputs::get).toList());
          for (int j = 0; j < ids.size(); j++) {
            float[] expected = alone.get(ids.get(j));
            for (int k = 0; k < expected.length; k++) {
              assertThat(Float.floatToRawIntBits(out[j][k]))
                  .as("input %d outcome %d in a batch of %d", ids.get(j), k, ids.size())
                  .isEqualTo(Float.floatToRawIntBits(expected[k]));
            }
          }
        }
      }
    }
  }

  @Test
  void shouldRejectInputsOutsideTheModelContract() {
    try (OnnxRuntimeScorer scorer = new OnnxRuntimeScorer(bundle, OnnxRuntimeScorer.Options.defaults())) {
      int max = bundle.spec().maxLength();
      ModelInput tooLong = new ModelInput(new long[max + 1], new float[max + 1], new float[max + 1]);
      java.util.Arrays.fill(tooLong.tokens(), 2L);
      assertThatThrownBy(() -> scorer.score(List.of(tooLong))).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("outside 1.." + max);
      ModelInput badToken = new ModelInput(new long[] {bundle.spec().vocabularySize()}, new float[1], new float[1]);
      assertThatThrownBy(() -> scorer.score(List.of(badToken))).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("token id");
    }
  }

  @Test
  void shouldFailFastWhenTheSpecListsOtherOutcomesThanTheModelHas(@TempDir Path dir) throws Exception {
    Path copy = dir.resolve("tiny");
    Files.createDirectories(copy);
    for (String file : List.of("model.onnx", "model.onnx.sha256", "model-card.json")) {
      Files.copy(Path.of("src/test/resources/models/test-tiny").resolve(file), copy.resolve(file));
    }
    EncoderSpec spec = bundle.spec();
    new EncoderSpec(spec.formatVersion(), spec.vocabulary(), spec.minCount(), spec.binCount(), spec.binEdges(),
        spec.maxLength(), spec.ageBands(), spec.ageScale(), spec.recency(), spec.recencyScale(),
        spec.outcomes().subList(0, 2)).write(copy.resolve("encoder-spec.json"));
    ModelBundle mismatched = ModelBundle.load(copy.toString());

    assertThatThrownBy(() -> new OnnxRuntimeScorer(mismatched, OnnxRuntimeScorer.Options.defaults()))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("lists 2 outcomes");
  }

  @Test
  void shouldPadLengthsToBucketsThatDependOnlyOnTheLength() {
    LengthBuckets buckets = new LengthBuckets(16, 40);
    assertThat(buckets.bucketOf(1)).isEqualTo(16);
    assertThat(buckets.bucketOf(16)).isEqualTo(16);
    assertThat(buckets.bucketOf(17)).isEqualTo(32);
    assertThat(buckets.bucketOf(33)).isEqualTo(40);
    assertThat(buckets.bucketOf(40)).isEqualTo(40);
    assertThatThrownBy(() -> buckets.bucketOf(41)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> buckets.bucketOf(0)).isInstanceOf(IllegalArgumentException.class);
  }
}
