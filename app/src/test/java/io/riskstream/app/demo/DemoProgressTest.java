package io.riskstream.app.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;

class DemoProgressTest {

  @Test
  void shouldEstimateTheTimeLeftFromTheRateSinceTheFirstCount() {
    // 10 patients at the first count, 57 of 195 after 47 s more: 1 patient a second, 138 to go
    assertThat(DemoProgress.secondsLeft(57, 195, 10, 47.0)).hasValue(138.0);
    assertThat(DemoProgress.secondsLeft(195, 195, 10, 47.0)).hasValue(0.0);
  }

  @Test
  void shouldNotEstimateWithoutARate() {
    assertThat(DemoProgress.secondsLeft(10, 195, 10, 30.0)).isEmpty();
    assertThat(DemoProgress.secondsLeft(12, 195, 10, 0.0)).isEmpty();
  }

  @Test
  void shouldRoundTheTimeLeftAsFarAsItDeserves() {
    assertThat(DemoProgress.timeLeft(2)).isEqualTo("~5 s left");
    assertThat(DemoProgress.timeLeft(42)).isEqualTo("~40 s left");
    assertThat(DemoProgress.timeLeft(138)).isEqualTo("~2 min left");
    assertThat(DemoProgress.timeLeft(3_900)).isEqualTo("~1 h 5 min left");
  }

  @Test
  void shouldShowPatientsGeneratedOfTheCohortWithTheTimeLeft() {
    assertThat(DemoProgress.generating(57, 200, OptionalDouble.of(138))).isEqualTo("cohort 57/200 generated, ~2 min left");
    assertThat(DemoProgress.generating(0, 1_000, OptionalDouble.empty())).isEqualTo("cohort 0/1,000 generated");
  }

  @Test
  void shouldComposeTheProgressLine() {
    assertThat(DemoProgress.line(37.94, "feeding part-1", "cohort ready", 21, 13_859, 89, 3, 0, 9_728))
        .isEqualTo("[  37.9s] feeding part-1 | cohort ready | fed 21 patients, 13,859 events | 89 scores, 3 alerts"
            + " | lag 9,728");
    assertThat(DemoProgress.line(1, "starting streams", "cohort 5/200 cached", 0, 0, 0, 0, 2, -1))
        .endsWith("| 0 scores, 0 alerts, 2 dead letters | lag ?");
  }

  @Test
  void shouldFormatLatenciesAsPeopleReadThem() {
    assertThat(DemoProgress.millis(850.4)).isEqualTo("850 ms");
    assertThat(DemoProgress.millis(66_028)).isEqualTo("66.0 s");
    assertThat(DemoProgress.millis(1_234_567)).isEqualTo("1,234.6 s");
    assertThat(DemoProgress.millis(Double.NaN)).isEqualTo("-");
  }
}
