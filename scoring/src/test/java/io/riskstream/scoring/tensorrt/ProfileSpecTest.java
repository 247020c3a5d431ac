package io.riskstream.scoring.tensorrt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class ProfileSpecTest {

  private final ProfileSpec spec = new ProfileSpec(1, 256, List.of(16, 32, 64, 128), 2);

  @Test
  void shouldPutEachLengthIntoTheSmallestBucketThatHoldsIt() {
    assertThat(spec.bucketOf(1)).isZero();
    assertThat(spec.bucketOf(16)).isZero();
    assertThat(spec.bucketOf(17)).isEqualTo(1);
    assertThat(spec.bucketOf(64)).isEqualTo(2);
    assertThat(spec.bucketOf(65)).isEqualTo(3);
    assertThat(spec.bucketOf(128)).isEqualTo(3);
  }

  @Test
  void shouldRejectLengthsOutsideTheBuckets() {
    assertThatThrownBy(() -> spec.bucketOf(129)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("129");
    assertThatThrownBy(() -> spec.bucketOf(0)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void shouldListPowerOfTwoBatchSizes() {
    assertThat(spec.batchSizes()).containsExactly(1, 2, 4, 8, 16, 32, 64, 128, 256);
    assertThat(new ProfileSpec(4, 64, List.of(16), 1).batchSizes()).containsExactly(4, 8, 16, 32, 64);
    assertThat(spec.batchSizeCount()).isEqualTo(9);
    assertThat(spec.batchSizeIndex(1)).isZero();
    assertThat(spec.batchSizeIndex(256)).isEqualTo(8);
    assertThatThrownBy(() -> spec.batchSizeIndex(48)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void shouldGiveEveryContextItsOwnStaticProfilePerShape() {
    assertThat(spec.shapeCount()).isEqualTo(36);
    assertThat(spec.profileCount()).isEqualTo(72);
    assertThat(spec.profileIndex(0, 0, 1)).isZero();
    assertThat(spec.profileIndex(0, 0, 256)).isEqualTo(8);
    assertThat(spec.profileIndex(0, 1, 1)).isEqualTo(9);
    assertThat(spec.profileIndex(0, 3, 256)).isEqualTo(35);
    assertThat(spec.profileIndex(1, 0, 1)).isEqualTo(36);
    assertThat(spec.profileIndex(1, 3, 256)).isEqualTo(71);
    assertThatThrownBy(() -> spec.profileIndex(2, 0, 1)).isInstanceOf(IndexOutOfBoundsException.class);
  }

  @Test
  void shouldCutABucketIntoChunksWithAtMostAQuarterOfPadding() {
    assertThat(spec.chunks(1)).containsExactly(1);
    assertThat(spec.chunks(3)).containsExactly(4);
    assertThat(spec.chunks(5)).containsExactly(4, 1);
    assertThat(spec.chunks(7)).containsExactly(8);
    assertThat(spec.chunks(200)).containsExactly(256);
    assertThat(spec.chunks(150)).containsExactly(128, 16, 8);
    assertThat(spec.chunks(256)).containsExactly(256);
    assertThat(spec.chunks(600)).containsExactly(256, 256, 64, 32);
    assertThat(new ProfileSpec(8, 64, List.of(16), 1).chunks(3)).containsExactly(8);
    assertThat(new ProfileSpec(8, 64, List.of(16), 1).chunks(11)).containsExactly(16);
    assertThat(new ProfileSpec(8, 64, List.of(16), 1).chunks(30)).containsExactly(32);
    assertThat(new ProfileSpec(8, 64, List.of(16), 1).chunks(21)).containsExactly(16, 8);
    assertThatThrownBy(() -> spec.chunks(0)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void shouldCoverEveryCountWithDistinctChunksBelowTheMaximumAndBoundedPadding() {
    for (int n = 1; n <= 1024; n++) {
      List<Integer> chunks = spec.chunks(n);
      int total = chunks.stream().mapToInt(Integer::intValue).sum();
      List<Integer> small = chunks.stream().filter(c -> c < 256).toList();
      assertThat(total).as("n=%d", n).isGreaterThanOrEqualTo(n);
      assertThat(total - n).as("padding for n=%d", n).isLessThanOrEqualTo(Math.max(0, chunks.get(chunks.size() - 1) / 4));
      assertThat(small).as("n=%d", n).doesNotHaveDuplicates();
      assertThat(chunks).as("n=%d", n).allSatisfy(c -> assertThat(spec.batchSizes()).contains(c));
    }
  }

  @Test
  void shouldCutChunksIntoEqualPartsForParallelContextsButNoneBelowTheMinimumPart() {
    assertThat(spec.chunks(200, 1)).containsExactly(256);
    assertThat(spec.chunks(200, 2)).containsExactly(128, 128);
    assertThat(spec.chunks(150, 2)).containsExactly(64, 64, 16, 8);
    assertThat(spec.chunks(30, 2)).as("a chunk of 32 stays whole").containsExactly(32);
    assertThat(spec.chunks(20, 2)).containsExactly(16, 4);
    assertThat(spec.chunks(64, 2)).containsExactly(32, 32);
    assertThat(spec.chunks(600, 2)).containsExactly(128, 128, 128, 128, 32, 32, 32);
    ProfileSpec four = new ProfileSpec(1, 1024, List.of(128), 4);
    assertThat(four.chunks(256, 4)).containsExactly(64, 64, 64, 64);
    assertThat(four.chunks(256, 3)).as("parts are a power of two").containsExactly(128, 128);
    assertThat(four.chunks(96, 4)).containsExactly(32, 32, 32, 32);
    assertThat(new ProfileSpec(64, 256, List.of(16), 4).chunks(128, 4)).as("no part below minBatch")
        .containsExactly(64, 64);
    assertThatThrownBy(() -> spec.chunks(10, 3)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("1..2");
    assertThatThrownBy(() -> spec.chunks(10, 0)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void shouldPadNoMoreWhenSplittingForParallelContexts() {
    ProfileSpec four = new ProfileSpec(1, 1024, List.of(128), 4);
    for (int n = 1; n <= 2048; n++) {
      for (int parallel = 1; parallel <= 4; parallel++) {
        List<Integer> parts = four.chunks(n, parallel);
        assertThat(parts.stream().mapToInt(Integer::intValue).sum()).as("n=%d p=%d", n, parallel)
            .isEqualTo(four.chunks(n).stream().mapToInt(Integer::intValue).sum());
        assertThat(parts).as("n=%d p=%d", n, parallel).allSatisfy(c -> assertThat(four.batchSizes()).contains(c));
      }
    }
  }

  @Test
  void shouldWriteACanonicalFormThatNamesEveryField() {
    assertThat(spec.canonical()).isEqualTo("b1-256;L16,32,64,128;k2;static");
  }

  @Test
  void shouldBuildDoublingBucketsEndingAtTheMaximumLength() {
    assertThat(ProfileSpec.doubling(128, 16, 100, 1).lengthBuckets()).containsExactly(16, 32, 64, 100);
    assertThat(ProfileSpec.doubling(128, 16, 128, 1).lengthBuckets()).containsExactly(16, 32, 64, 128);
    assertThat(ProfileSpec.doubling(128, 16, 128, 1).minBatch()).isEqualTo(1);
  }

  @Test
  void shouldRejectUnsortedBucketsAndBatchSizesThatAreNotPowersOfTwo() {
    assertThatThrownBy(() -> new ProfileSpec(1, 8, List.of(32, 16), 1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new ProfileSpec(1, 100, List.of(16), 1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new ProfileSpec(16, 8, List.of(16), 1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new ProfileSpec(3, 8, List.of(16), 1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new ProfileSpec(1, 8, List.of(16), 0)).isInstanceOf(IllegalArgumentException.class);
  }
}
