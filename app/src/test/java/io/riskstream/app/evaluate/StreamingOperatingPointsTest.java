package io.riskstream.app.evaluate;

import static org.assertj.core.api.Assertions.assertThat;

import io.riskstream.scoring.eval.OperatingPoints;
import io.riskstream.topology.config.AlertPolicy;
import io.riskstream.topology.config.RiskStreamConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StreamingOperatingPointsTest {

  /**
   * Ten adults, ten years and a day each (100.01 patient-years): a yearly score of 0.001 but for one year at 0.01 x (i + 1); patient i's onset follows
   * that peak by half a year when {@code onsetAfterPeak} holds for it.
   */
  static List<PatientTimeline> cohort(java.util.function.IntPredicate onsetAfterPeak) {
    List<PatientTimeline> out = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      String[] dates = new String[10];
      double[] p = new double[10];
      for (int y = 0; y < 10; y++) {
        dates[y] = (2010 + y) + "-01-01";
        p[y] = y == 5 ? 0.01 * (i + 1) : 0.001;
      }
      out.add(AlertEvaluationTest.timeline("p" + i, "1960-01-01", dates, p, onsetAfterPeak.test(i) ? "2015-07-01" : null,
          "2020-01-02"));
    }
    return out;
  }

  static final AlertPolicy BASE = new RiskStreamConfig(Map.of()).alertPolicy().withMinimumAge(18);

  @Test
  void shouldChooseTheLowestThresholdsWithinTheRatesOnTheSelectionAndCheckThemOnTheOthers() {
    List<PatientTimeline> selection = cohort(i -> i == 9);
    // 100 patient-years: at most 5 alerts (the peaks 0.06..0.10), at most 1 critical (0.10, followed by its onset)
    StreamingOperatingPoints.Choice c = StreamingOperatingPoints.choose(selection, cohort(i -> false), 0,
        AlertEvaluationTest.OUTCOME, BASE, new OperatingPoints.Target(5, 1, 0.5, 1), 0, 1);

    assertThat(c.warningThreshold()).isEqualTo(0.0501);
    assertThat(c.criticalThreshold()).isEqualTo(0.0901);
    assertThat(c.ppvFloorMet()).isTrue();
    assertThat(c.selection().patientYears()).isCloseTo(100, org.assertj.core.data.Offset.offset(0.1));
    assertThat(List.of(c.selection().warnings(), c.selection().criticals(), c.selection().criticalsFollowedByOnset()))
        .containsExactly(4, 1, 1);
    assertThat(List.of(c.check().alerts(), c.check().onsets())).containsExactly(5, 0);
  }

  @Test
  void shouldRaiseTheCriticalThresholdToReachThePpvFloorAndSayWhenItCannot() {
    // the onset follows the 0.09 peak only: the lowest critical threshold within the rate (0.0901) has PPV 0, the
    // next one that changes the alerts (0.0900, below it) is out of the rate: no threshold reaches the floor
    StreamingOperatingPoints.Choice none = StreamingOperatingPoints.choose(cohort(i -> i == 8), cohort(i -> false), 0,
        AlertEvaluationTest.OUTCOME, BASE, new OperatingPoints.Target(5, 1, 0.5, 1), 0, 1);
    assertThat(none.ppvFloorMet()).isFalse();
    assertThat(none.criticalThreshold()).isEqualTo(0.0901);

    // a rate of 2 criticals allows 0.0801 (PPV 0.5); the PPV floor 1.0, with one onset after the 0.10 peak, 0.0901
    StreamingOperatingPoints.Choice raised = StreamingOperatingPoints.choose(cohort(i -> i == 9), cohort(i -> false),
        0, AlertEvaluationTest.OUTCOME, BASE, new OperatingPoints.Target(5, 2, 1.0, 1), 0, 1);
    assertThat(raised.ppvFloorMet()).isTrue();
    assertThat(raised.criticalThreshold()).isEqualTo(0.0901);
  }

  @Test
  void shouldFindTheLowestGridPointByBisection() {
    assertThat(StreamingOperatingPoints.lowest(g -> g >= 37, 1, 10_000)).isEqualTo(37);
    assertThat(StreamingOperatingPoints.lowest(g -> false, 1, 10_000)).isEqualTo(10_000);
  }
}
