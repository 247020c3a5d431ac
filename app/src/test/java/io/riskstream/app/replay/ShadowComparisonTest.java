package io.riskstream.app.replay;

import static org.assertj.core.api.Assertions.assertThat;

import io.riskstream.schemas.AlertSeverity;
import io.riskstream.schemas.ModelInfo;
import io.riskstream.schemas.RiskAlert;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ShadowComparisonTest {

  private static final ModelInfo PRODUCTION = new ModelInfo("emr-risk-small", "1", "aaaa");
  private static final ModelInfo SHADOW = new ModelInfo("emr-risk-base", "1", "bbbb");

  private static RiskAlert alert(String id, ModelInfo model, String patient, String asOf, String outcome,
      AlertSeverity severity) {
    return RiskAlert.newBuilder().setAlertId(id).setPatientId(patient).setOutcome(outcome).setProbability(0.5)
        .setSeverity(severity).setThreshold(0.3).setPreviousProbability(null).setAsOf(Instant.parse(asOf))
        .setModel(model).setReasons(List.of()).setScoreId("s-" + id).build();
  }

  private static RiskAlert prod(String id, String patient, String asOf, String outcome, AlertSeverity severity) {
    return alert(id, PRODUCTION, patient, asOf, outcome, severity);
  }

  private static RiskAlert shadow(String id, String patient, String asOf, String outcome, AlertSeverity severity) {
    return alert(id, SHADOW, patient, asOf, outcome, severity);
  }

  private static ShadowComparison.Result compare(List<RiskAlert> production, List<RiskAlert> shadow) {
    return ShadowComparison.compare(production, shadow, point -> true, point -> true, null, null, Duration.ZERO);
  }

  @Test
  void shouldCountAlertsOnlyProductionOnlyTheShadowAndBothRaisedPerOutcome() {
    ShadowComparison.Result r = compare(
        List.of(prod("p1", "A", "2020-01-01T00:00:00Z", "t2d", AlertSeverity.WARNING),
            prod("p2", "A", "2020-02-01T00:00:00Z", "t2d", AlertSeverity.CRITICAL),
            prod("p3", "B", "2020-01-01T00:00:00Z", "t2d", AlertSeverity.WARNING),
            prod("p4", "B", "2020-01-01T00:00:00Z", "ckd", AlertSeverity.WARNING)),
        List.of(shadow("s1", "A", "2020-01-01T00:00:00Z", "t2d", AlertSeverity.WARNING),
            shadow("s2", "A", "2020-02-01T00:00:00Z", "t2d", AlertSeverity.WARNING),
            shadow("s3", "C", "2020-01-01T00:00:00Z", "t2d", AlertSeverity.WARNING)));

    ShadowComparison.Outcome t2d = r.outcomes().get("t2d");
    assertThat(t2d.production()).isEqualTo(3);
    assertThat(t2d.shadow()).isEqualTo(3);
    assertThat(t2d.both()).isEqualTo(2);
    assertThat(t2d.severityDiffers()).isEqualTo(1);
    assertThat(t2d.onlyProduction()).isEqualTo(1);
    assertThat(t2d.onlyShadow()).isEqualTo(1);
    assertThat(t2d.agreement()).isEqualTo(0.5);
    assertThat(t2d.patientsProduction()).isEqualTo(2);
    assertThat(t2d.patientsShadow()).isEqualTo(2);
    assertThat(t2d.patientsBoth()).isEqualTo(1);
    assertThat(t2d.examples()).isEqualTo(Map.of("onlyProduction", List.of("p3"), "onlyShadow", List.of("s3"),
        "severityDiffers", List.of("p2")));
    ShadowComparison.Outcome ckd = r.outcomes().get("ckd");
    assertThat(ckd.onlyProduction()).isEqualTo(1);
    assertThat(ckd.agreement()).isZero();
    assertThat(r.total().both()).isEqualTo(2);
    assertThat(r.total().onlyProduction()).isEqualTo(2);
    assertThat(r.total().onlyShadow()).isEqualTo(1);
    assertThat(r.total().agreement()).isEqualTo(0.4);
    assertThat(r.productionModels()).containsExactly(new ShadowComparison.Model("emr-risk-small", "1", "aaaa", 4));
    assertThat(r.shadowModels()).containsExactly(new ShadowComparison.Model("emr-risk-base", "1", "bbbb", 3));
  }

  @Test
  void shouldLeaveOutAlertsAtHistoriesTheOtherModelDidNotScore() {
    RiskAlert early = prod("p1", "A", "2020-01-01T00:00:00Z", "t2d", AlertSeverity.WARNING);
    RiskAlert later = prod("p2", "A", "2020-03-01T00:00:00Z", "t2d", AlertSeverity.WARNING);
    String laterPoint = ShadowComparison.scoredPoint("A", Instant.parse("2020-03-01T00:00:00Z"));

    ShadowComparison.Result r = ShadowComparison.compare(List.of(early, later), List.of(), laterPoint::equals,
        point -> true, null, null, Duration.ZERO);

    assertThat(r.notScoredByShadow()).isEqualTo(1);
    assertThat(r.total().production()).isEqualTo(1);
    assertThat(r.total().onlyProduction()).isEqualTo(1);
    assertThat(r.total().examples().get("onlyProduction")).containsExactly("p2");
  }

  @Test
  void shouldCountARedeliveredAlertOnceAndKeepOnlyThePeriod() {
    RiskAlert a = prod("p1", "A", "2020-01-01T00:00:00Z", "t2d", AlertSeverity.WARNING);
    ShadowComparison.Result r = ShadowComparison.compare(
        List.of(a, a, prod("p2", "A", "2021-01-01T00:00:00Z", "t2d", AlertSeverity.WARNING)),
        List.of(shadow("s1", "A", "2020-01-01T00:00:00Z", "t2d", AlertSeverity.WARNING)), p -> true, p -> true,
        Instant.parse("2019-01-01T00:00:00Z"), Instant.parse("2020-06-01T00:00:00Z"), Duration.ZERO);

    assertThat(r.total().production()).isEqualTo(1);
    assertThat(r.total().both()).isEqualTo(1);
    assertThat(r.total().agreement()).isEqualTo(1.0);
  }

  @Test
  void shouldMatchAlertsOfAPatientAndOutcomeWithinTheWindowOneToOneEarliestFirst() {
    List<RiskAlert> production = List.of(prod("p1", "A", "2020-01-10T00:00:00Z", "t2d", AlertSeverity.WARNING),
        prod("p2", "A", "2020-03-01T00:00:00Z", "t2d", AlertSeverity.WARNING),
        prod("p3", "A", "2020-01-10T00:00:00Z", "ckd", AlertSeverity.WARNING));
    List<RiskAlert> shadow = List.of(shadow("s1", "A", "2020-01-01T00:00:00Z", "t2d", AlertSeverity.CRITICAL),
        shadow("s2", "A", "2020-01-05T00:00:00Z", "t2d", AlertSeverity.WARNING),
        shadow("s3", "B", "2020-01-10T00:00:00Z", "t2d", AlertSeverity.WARNING));

    ShadowComparison.Result r = ShadowComparison.compare(production, shadow, p -> true, p -> true, null, null,
        Duration.ofDays(30));

    // A's t2d: s1 (9 days earlier) pairs with p1; s2 finds no production alert within 30 days of it left (p2 is 56 days
    // later); B's and A's ckd alerts have no counterpart of their patient and outcome
    ShadowComparison.Outcome t2d = r.outcomes().get("t2d");
    assertThat(t2d.both()).isEqualTo(1);
    assertThat(t2d.severityDiffers()).isEqualTo(1);
    assertThat(t2d.medianShadowLagDays()).isEqualTo(-9.0);
    assertThat(t2d.onlyProduction()).isEqualTo(1);
    assertThat(t2d.onlyShadow()).isEqualTo(2);
    assertThat(t2d.examples().get("onlyProduction")).containsExactly("p2");
    assertThat(t2d.examples().get("onlyShadow")).containsExactly("s2", "s3");
    assertThat(r.outcomes().get("ckd").onlyProduction()).isEqualTo(1);
    assertThat(r.total().both()).isEqualTo(1);
    assertThat(r.total().agreement()).isEqualTo(1.0 / 5);
    assertThat(ShadowComparison.compare(production, shadow, p -> true, p -> true, null, null, Duration.ZERO).total()
        .both()).isZero();
  }

  @Test
  void shouldReportNoAgreementRateWithoutAnyAlert() {
    ShadowComparison.Result r = compare(List.of(), List.of());

    assertThat(r.outcomes()).isEmpty();
    assertThat(r.total().agreement()).isNull();
  }
}
