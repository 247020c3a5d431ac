package io.riskstream.scoring.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class OperatingPointsTest {

  /** 1,000 index times scored i/1000 (i = 0..999); onsets at the top scores where {@code onset} says. */
  private static double[] scores() {
    double[] s = new double[1000];
    for (int i = 0; i < s.length; i++) {
      s[i] = i / 1000.0;
    }
    return s;
  }

  @Test
  void shouldChooseTheLowestWarningWithinTheRateAndTheLowestCriticalThatReachesThePpvFloor() {
    double[] s = scores();
    int[] y = new int[s.length];
    for (int i = 990; i < 1000; i += 2) {
      y[i] = 1;  // 5 onsets among the top 10 scores (0.990..0.999), none below
    }
    boolean[] all = new boolean[s.length];
    Arrays.fill(all, true);

    OperatingPoints.Outcome p = OperatingPoints.choose("x", s, y, all, new OperatingPoints.Target(5, 1, 0.4, 5));

    assertThat(p.warningThreshold()).isEqualTo(0.9491);  // flags 0.950..0.999: 50 of 1000
    assertThat(p.warningSelection().per100()).isEqualTo(5.0);
    assertThat(OperatingPoints.achieved(0.949, s, y).per100()).isGreaterThan(5);  // one step lower is over the rate
    assertThat(p.criticalThreshold()).isEqualTo(0.99);
    assertThat(p.ppvFloorMet()).isTrue();
    assertThat(p.criticalSelection().flagged()).isEqualTo(10);
    assertThat(p.criticalSelection().ppv()).isEqualTo(0.5);
    assertThat(p.criticalSelection().sensitivity()).isEqualTo(1.0);
  }

  @Test
  void shouldFallBackToTheCriticalRateAndSaySoWhenNoThresholdReachesThePpvFloor() {
    double[] s = scores();
    int[] y = new int[s.length];
    for (int i = 990; i < 1000; i += 2) {
      y[i] = 1;
    }
    boolean[] all = new boolean[s.length];
    Arrays.fill(all, true);

    OperatingPoints.Outcome p = OperatingPoints.choose("x", s, y, all, new OperatingPoints.Target(5, 1, 0.6, 5));

    assertThat(p.ppvFloorMet()).isFalse();  // 10 flags hold PPV 0.5; fewer flags hold fewer than 5 onsets
    assertThat(p.criticalThreshold()).isEqualTo(0.9891);
    assertThat(p.criticalSelection().flagged()).isEqualTo(10);
  }

  @Test
  void shouldReportOnTheCheckPatientsWhatTheSelectionsThresholdsAchieve() {
    double[] s = scores();
    int[] y = new int[s.length];
    y[999] = 1;
    y[998] = 1;
    boolean[] selection = new boolean[s.length];
    for (int i = 0; i < s.length; i += 2) {
      selection[i] = true;  // even ranks choose, odd ranks check
    }

    OperatingPoints.Outcome p = OperatingPoints.choose("x", s, y, selection, OperatingPoints.Target.defaults());

    assertThat(p.warningSelection().n()).isEqualTo(500);
    assertThat(p.warningCheck().n()).isEqualTo(500);
    assertThat(p.warningCheck().positives()).isEqualTo(1);
    assertThat(p.warningCheck().truePositives()).isEqualTo(1);
    assertThat(p.warningCheck().sensitivity()).isEqualTo(1.0);
    assertThat(p.warningCheck().per100()).isCloseTo(5.0, org.assertj.core.data.Offset.offset(0.5));
  }

  @Test
  void shouldRefuseATargetThatCannotHold() {
    assertThatThrownBy(() -> new OperatingPoints.Target(1, 5, 0.1, 5)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> OperatingPoints.choose("x", new double[1], new int[1], new boolean[1],
        OperatingPoints.Target.defaults())).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("x");
  }
}
