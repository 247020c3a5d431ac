package io.riskstream.scoring.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class MetricsTest {

  // Ties across classes at 0.4 (two negatives, one positive).
  static final int[] Y = {0, 0, 1, 1, 0, 1, 0, 1, 1, 0, 0, 0};
  static final double[] S = {0.1, 0.4, 0.35, 0.8, 0.4, 0.4, 0.2, 0.9, 0.05, 0.3, 0.6, 0.4};

  @Test
  void shouldMatchHandComputedValues() {
    double[] s = {0.1, 0.4, 0.35, 0.8};
    int[] y = {0, 0, 1, 1};
    // Pairs (pos > neg): 0.35 > 0.1, 0.8 > 0.1, 0.8 > 0.4; 0.35 < 0.4: 3 of 4.
    assertThat(Metrics.auroc(s, y)).isEqualTo(0.75);
    // Descending: 0.8 (+) P=1 R=1/2; 0.4 (-); 0.35 (+) P=2/3 R=1: AP = 1/2 * 1 + 1/2 * 2/3.
    assertThat(Metrics.averagePrecision(s, y)).isCloseTo(5.0 / 6.0, within(1e-12));
    assertThat(Metrics.brier(s, y)).isCloseTo((0.01 + 0.16 + 0.4225 + 0.04) / 4, within(1e-12));
    // A tie between one positive and one negative counts one half.
    assertThat(Metrics.auroc(new double[] {0.5, 0.5}, new int[] {0, 1})).isEqualTo(0.5);
  }

  @Test
  void shouldMatchScikitLearnWithTies() {
    // sklearn 1.2: roc_auc_score, average_precision_score, brier_score_loss on Y, S.
    assertThat(Metrics.auroc(S, Y)).isCloseTo(0.6142857142857143, within(1e-12));
    assertThat(Metrics.averagePrecision(S, Y)).isCloseTo(0.6690476190476191, within(1e-12));
    assertThat(Metrics.brier(S, Y)).isCloseTo(0.22624999999999998, within(1e-12));
  }

  @Test
  void shouldReturnNaNWhenAClassIsMissing() {
    assertThat(Metrics.auroc(new double[] {0.1, 0.2}, new int[] {1, 1})).isNaN();
    assertThat(Metrics.averagePrecision(new double[] {0.1, 0.2}, new int[] {0, 0})).isNaN();
  }

  @Test
  void shouldGiveASeededBootstrapIntervalAroundTheEstimate() {
    Metrics.Interval a = Metrics.bootstrap(S, Y, Metrics::auroc, 500, 7);
    Metrics.Interval b = Metrics.bootstrap(S, Y, Metrics::auroc, 500, 7);
    Metrics.Interval c = Metrics.bootstrap(S, Y, Metrics::auroc, 500, 8);

    assertThat(a).isEqualTo(b);
    assertThat(c).isNotEqualTo(a);
    assertThat(a.estimate()).isEqualTo(Metrics.auroc(S, Y));
    assertThat(a.lower()).isLessThan(a.estimate()).isGreaterThanOrEqualTo(0.0);
    assertThat(a.upper()).isGreaterThan(a.estimate()).isLessThanOrEqualTo(1.0);
    Metrics.Interval perfect = Metrics.bootstrap(new double[] {0.1, 0.2, 0.8, 0.9}, new int[] {0, 0, 1, 1},
        Metrics::auroc, 200, 1);
    assertThat(perfect).isEqualTo(new Metrics.Interval(1.0, 1.0, 1.0));
  }

  @Test
  void shouldInterpolatePercentilesLikeNumpy() {
    // numpy.percentile([1, 2, 3, 4], 2.5) = 1.075, 97.5 -> 3.925
    assertThat(Metrics.percentile(new double[] {1, 2, 3, 4}, 2.5)).isCloseTo(1.075, within(1e-12));
    assertThat(Metrics.percentile(new double[] {1, 2, 3, 4}, 97.5)).isCloseTo(3.925, within(1e-12));
  }

  @Test
  void shouldRejectLabelsOtherThanZeroAndOne() {
    assertThatThrownBy(() -> Metrics.auroc(new double[] {0.1}, new int[] {-1}))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("0 or 1");
    assertThatThrownBy(() -> Metrics.brier(new double[] {0.1, 0.2}, new int[] {1}))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
