package io.riskstream.scoring.tensorrt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class ProfileSpecTest {

  private final ProfileSpec spec = new ProfileSpec(256, 64, List.of(16, 32, 64, 128), 2);

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
  void shouldGiveEveryContextItsOwnProfilePerBucket() {
    assertThat(spec.profileCount()).isEqualTo(8);
    assertThat(spec.profileIndex(0, 0)).isZero();
    assertThat(spec.profileIndex(0, 3)).isEqualTo(3);
    assertThat(spec.profileIndex(1, 0)).isEqualTo(4);
    assertThat(spec.profileIndex(1, 3)).isEqualTo(7);
    assertThat(spec.minLengthOf(0)).isEqualTo(1);
    assertThat(spec.minLengthOf(2)).isEqualTo(33);
    assertThatThrownBy(() -> spec.profileIndex(2, 0)).isInstanceOf(IndexOutOfBoundsException.class);
  }

  @Test
  void shouldPadBatchesToPowersOfTwoUpToTheMaximum() {
    assertThat(spec.paddedBatch(1)).isEqualTo(1);
    assertThat(spec.paddedBatch(3)).isEqualTo(4);
    assertThat(spec.paddedBatch(64)).isEqualTo(64);
    assertThat(spec.paddedBatch(65)).isEqualTo(128);
    assertThat(new ProfileSpec(100, 50, List.of(16), 1).paddedBatch(65)).isEqualTo(100);
    assertThatThrownBy(() -> spec.paddedBatch(257)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void shouldWriteACanonicalFormThatNamesEveryField() {
    assertThat(spec.canonical()).isEqualTo("b1-256@64;L16,32,64,128;k2");
  }

  @Test
  void shouldBuildDoublingBucketsEndingAtTheMaximumLength() {
    assertThat(ProfileSpec.doubling(128, 16, 100, 1).lengthBuckets()).containsExactly(16, 32, 64, 100);
    assertThat(ProfileSpec.doubling(128, 16, 128, 1).lengthBuckets()).containsExactly(16, 32, 64, 128);
  }

  @Test
  void shouldRejectUnsortedBucketsAndBadBatchBounds() {
    assertThatThrownBy(() -> new ProfileSpec(8, 8, List.of(32, 16), 1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new ProfileSpec(8, 9, List.of(16), 1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new ProfileSpec(8, 8, List.of(16), 0)).isInstanceOf(IllegalArgumentException.class);
  }
}
