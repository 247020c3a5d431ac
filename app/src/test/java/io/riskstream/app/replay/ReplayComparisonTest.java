package io.riskstream.app.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.riskstream.schemas.AlertReason;
import io.riskstream.schemas.AlertSeverity;
import io.riskstream.schemas.EngineInfo;
import io.riskstream.schemas.EventKind;
import io.riskstream.schemas.ModelInfo;
import io.riskstream.schemas.OutcomeProbability;
import io.riskstream.schemas.RiskAlert;
import io.riskstream.schemas.RiskScore;
import io.riskstream.schemas.ScoreProvenance;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReplayComparisonTest {

  private static final String SHA = "ab12";

  private static RiskScore score(String id, String asOf, double p, String sha) {
    return RiskScore.newBuilder().setScoreId(id).setPatientId("p-" + id).setHistoryVersion(3).setAsOf(Instant.parse(asOf))
        .setOutcomes(List.of(OutcomeProbability.newBuilder().setOutcome("a").setHorizonDays(365).setProbability(p).build()))
        .setModel(ModelInfo.newBuilder().setId("m").setVersion("1").setSha256(sha).build())
        .setEngine(EngineInfo.newBuilder().setBackend("onnxruntime").setPrecision("fp32").build())
        .setProvenance(ScoreProvenance.newBuilder().setEventCount(2).setNewestEventIds(List.of("conditions:c1"))
            .setTriggerTxId("7").setSourceOffsets(List.of()).build())
        .build();
  }

  private static RiskScore score(String id, double p) {
    return score(id, "2020-06-01T00:00:00Z", p, SHA);
  }

  private static RiskAlert alert(String id, double p, double contribution) {
    return RiskAlert.newBuilder().setAlertId(id).setPatientId("p").setOutcome("a").setProbability(p)
        .setSeverity(AlertSeverity.CRITICAL).setThreshold(0.6).setPreviousProbability(null)
        .setAsOf(Instant.parse("2020-06-01T00:00:00Z"))
        .setModel(ModelInfo.newBuilder().setId("m").setVersion("1").setSha256(SHA).build())
        .setReasons(List.of(AlertReason.newBuilder().setEventId("conditions:c1").setKind(EventKind.DIAGNOSIS)
            .setEventTime(Instant.parse("2020-05-01T00:00:00Z")).setContribution(contribution).build()))
        .setScoreId("s1").build();
  }

  private static ReplayComparison.Result compare(List<RiskScore> production, List<RiskScore> replay, double tolerance) {
    return ReplayComparison.compare(production, List.of(), replay, List.of(), SHA, null, null, tolerance);
  }

  @Test
  void shouldFindAnIdenticalReplayIdentical() {
    ReplayComparison.Result r = ReplayComparison.compare(List.of(score("s1", 0.7), score("s2", 0.2)),
        List.of(alert("x1", 0.7, 0.1)), List.of(score("s2", 0.2), score("s1", 0.7)), List.of(alert("x1", 0.7, 0.1)),
        SHA, null, null, 0);
    assertThat(r.identical()).isTrue();
    assertThat(r.scores().matched()).isEqualTo(2);
    assertThat(r.alerts().matched()).isEqualTo(1);
    assertThat(r.scores().maxProbabilityDifference()).isZero();
  }

  @Test
  void shouldCountMissingExtraAndDifferingScoresWithExamples() {
    ReplayComparison.Result r = compare(List.of(score("s1", 0.7), score("s2", 0.2), score("s3", 0.4)),
        List.of(score("s1", 0.7), score("s3", 0.4001), score("s4", 0.1)), 0);
    assertThat(r.identical()).isFalse();
    ReplayComparison.Counts c = r.scores();
    assertThat(List.of(c.production(), c.replay(), c.matched(), c.onlyInProduction(), c.onlyInReplay(), c.differing()))
        .containsExactly(3, 3, 1, 1, 1, 1);
    assertThat(c.examples()).containsEntry("onlyInProduction", List.of("s2")).containsEntry("onlyInReplay", List.of("s4"))
        .containsEntry("differing", List.of("s3"));
    assertThat(c.maxProbabilityDifference()).isCloseTo(1e-4, org.assertj.core.data.Offset.offset(1e-9));
  }

  @Test
  void shouldMatchProbabilitiesWithinTheToleranceOnly() {
    assertThat(compare(List.of(score("s1", 0.4)), List.of(score("s1", 0.4005)), 1e-3).identical()).isTrue();
    assertThat(compare(List.of(score("s1", 0.4)), List.of(score("s1", 0.402)), 1e-3).identical()).isFalse();
  }

  @Test
  void shouldTreatAnyOtherFieldDifferenceAsDiffering() {
    RiskScore other = RiskScore.newBuilder(score("s1", 0.4)).setProvenance(ScoreProvenance.newBuilder(
        score("s1", 0.4).getProvenance()).setEventCount(3).build()).build();
    ReplayComparison.Result r = compare(List.of(score("s1", 0.4)), List.of(other), 1.0);
    assertThat(r.scores().differing()).isEqualTo(1);
    assertThat(ReplayComparison.difference(alert("x", 0.7, 0.1), alert("x", 0.7, 0.1))).isZero();
    assertThat(ReplayComparison.difference(alert("x", 0.7, 0.1), alert("x", 0.7, 0.3))).isCloseTo(0.2,
        org.assertj.core.data.Offset.offset(1e-12));
    RiskAlert warning = RiskAlert.newBuilder(alert("x", 0.7, 0.1)).setSeverity(AlertSeverity.WARNING).build();
    assertThat(ReplayComparison.difference(alert("x", 0.7, 0.1), warning)).isInfinite();
  }

  @Test
  void shouldLeaveOutOtherModelsAndRecordsOutsideThePeriod() {
    List<RiskScore> production = List.of(score("s1", "2020-06-01T00:00:00Z", 0.4, SHA),
        score("s2", "2020-06-01T00:00:00Z", 0.4, "old-model"), score("s3", "2019-01-01T00:00:00Z", 0.4, SHA),
        score("s4", "2021-01-01T00:00:00Z", 0.4, SHA));
    ReplayComparison.Result r = ReplayComparison.compare(production, List.of(),
        List.of(score("s1", "2020-06-01T00:00:00Z", 0.4, SHA)), List.of(), SHA, Instant.parse("2020-01-01T00:00:00Z"),
        Instant.parse("2021-01-01T00:00:00Z"), 0);
    assertThat(r.identical()).isTrue();
    assertThat(r.otherModelScores()).isEqualTo(1);
    assertThat(r.scores().production()).isEqualTo(1);
  }

  @Test
  void shouldTakeEqualDuplicatesOnceAndDifferentOnesAsDiffering() {
    assertThat(compare(List.of(score("s1", 0.4), score("s1", 0.4)), List.of(score("s1", 0.4)), 0).identical()).isTrue();
    ReplayComparison.Result r = compare(List.of(score("s1", 0.4), score("s1", 0.5)), List.of(score("s1", 0.4)), 0);
    assertThat(r.scores().differing()).isEqualTo(1);
    assertThat(r.scores().maxProbabilityDifference()).isCloseTo(0.1, org.assertj.core.data.Offset.offset(1e-12));
    assertThatThrownBy(() -> compare(List.of(), List.of(), -1)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("tolerance");
  }
}
