package io.riskstream.scoring.tensorrt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class AurocTest {

  @Test
  void shouldBeOneForAPerfectRankingAndZeroForAReversedOne() {
    assertThat(Auroc.of(new float[] {0.1f, 0.2f, 0.8f, 0.9f}, new int[] {0, 0, 1, 1})).isEqualTo(1.0);
    assertThat(Auroc.of(new float[] {0.9f, 0.8f, 0.2f, 0.1f}, new int[] {0, 0, 1, 1})).isEqualTo(0.0);
  }

  @Test
  void shouldCountTiesAsHalf() {
    assertThat(Auroc.of(new float[] {0.5f, 0.5f, 0.5f, 0.5f}, new int[] {0, 1, 0, 1})).isEqualTo(0.5);
  }

  @Test
  void shouldMatchAHandComputedExample() {
    // positives 0.8, 0.4; negatives 0.6, 0.3, 0.2: pairs won 3 + 2 = 5 of 6
    double auc = Auroc.of(new float[] {0.8f, 0.6f, 0.4f, 0.3f, 0.2f}, new int[] {1, 0, 1, 0, 0});
    assertThat(auc).isCloseTo(5.0 / 6.0, within(1e-12));
  }

  @Test
  void shouldBeNaNWithOneClass() {
    assertThat(Auroc.of(new float[] {0.1f, 0.9f}, new int[] {1, 1})).isNaN();
  }
}
