package io.riskstream.app.evaluate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.riskstream.schemas.AlertSeverity;
import io.riskstream.scoring.encoder.OutcomeSpec;
import io.riskstream.topology.config.AlertPolicy;
import io.riskstream.topology.config.RiskStreamConfig;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The stream's alert policy over hand-built timelines: exact alerts, counts and figures. */
class AlertEvaluationTest {

  static final OutcomeSpec OUTCOME = new OutcomeSpec("x", List.of("1"), 365);

  /** warning 0.2, critical 0.5, margin 0.05, cooldown 30 days, no alert below 18. */
  static AlertPolicy policy(double minAge) {
    return new RiskStreamConfig(Map.of(RiskStreamConfig.ALERT_WARNING_THRESHOLD_CONFIG, "0.2",
        RiskStreamConfig.ALERT_CRITICAL_THRESHOLD_CONFIG, "0.5", RiskStreamConfig.ALERT_HYSTERESIS_MARGIN_CONFIG, "0.05",
        RiskStreamConfig.ALERT_COOLDOWN_HOURS_CONFIG, "720")).alertPolicy().withMinimumAge(minAge);
  }

  static long at(String date) {
    return LocalDate.parse(date).atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
  }

  /**
   * One outcome; scores at {@code dates} with probabilities {@code p}; born {@code birth}; the onset diagnosis in the
   * stream's history from the onset on (the outcome diagnosed at each score at or after it); no death recorded.
   */
  static PatientTimeline timeline(String id, String birth, String[] dates, double[] p, String onset, String end) {
    long[] asOf = new long[dates.length];
    double[] ages = new double[dates.length];
    float[][] probabilities = new float[dates.length][];
    long[] diagnosed = new long[dates.length];
    for (int i = 0; i < dates.length; i++) {
      asOf[i] = at(dates[i]);
      ages[i] = (asOf[i] - at(birth)) / 86_400_000.0 / 365.25;
      probabilities[i] = new float[] {(float) p[i]};
      diagnosed[i] = onset != null && at(onset) <= asOf[i] ? 1L : 0L;
    }
    return new PatientTimeline(id, asOf, ages, probabilities, diagnosed, new Long[] {onset == null ? null : at(onset)},
        at(end), null);
  }

  /** {@code t} as a stream whose bounded history no longer holds the onset diagnosis (evicted) would score it. */
  static PatientTimeline evicted(PatientTimeline t) {
    return new PatientTimeline(t.patientId(), t.asOf(), t.ageYears(), t.probabilities(), new long[t.size()],
        t.onsets(), t.dataEnd(), t.deathTime());
  }

  /** {@code t} of a patient who died on {@code date}. */
  static PatientTimeline died(PatientTimeline t, String date) {
    return new PatientTimeline(t.patientId(), t.asOf(), t.ageYears(), t.probabilities(), t.diagnosed(), t.onsets(),
        at(date), at(date));
  }

  /** An adult with a warning, an escalation, a re-armed warning after the cooldown, then the onset. */
  static final PatientTimeline DETECTED = timeline("p1", "1970-01-01",
      new String[] {"2020-01-01", "2020-03-01", "2020-04-01", "2020-06-01", "2020-06-15"},
      new double[] {0.1, 0.3, 0.6, 0.1, 0.3}, "2020-09-01", "2021-01-01");
  /** A child at high risk from age 5: a critical alert only once 18. */
  static final PatientTimeline CHILD = timeline("p2", "2010-01-01",
      new String[] {"2015-01-01", "2028-06-01", "2029-01-01"}, new double[] {0.7, 0.7, 0.7}, null, "2030-01-01");
  /**
   * The onset at the first score, p at the warning threshold: the alert is withheld (already diagnosed), and there is
   * no onset the stream could warn of.
   */
  static final PatientTimeline PREVALENT = timeline("p3", "1960-01-01", new String[] {"2021-01-01"},
      new double[] {0.3}, "2021-01-01", "2022-01-01");

  @Test
  void shouldRaiseTheAlertsOfTheStreamsPolicyWithItsCooldownHysteresisAndAgeFloor() {
    assertThat(AlertReplay.alerts(DETECTED, 0, "x", policy(18))).extracting(AlertReplay.Alert::severity,
        AlertReplay.Alert::score).containsExactly(org.assertj.core.groups.Tuple.tuple(AlertSeverity.WARNING, 1),
        org.assertj.core.groups.Tuple.tuple(AlertSeverity.CRITICAL, 2),
        org.assertj.core.groups.Tuple.tuple(AlertSeverity.WARNING, 4));
    assertThat(AlertReplay.alerts(CHILD, 0, "x", policy(18))).extracting(AlertReplay.Alert::score,
        AlertReplay.Alert::severity).containsExactly(org.assertj.core.groups.Tuple.tuple(1, AlertSeverity.CRITICAL));
    // without the floor the child's alert comes at age 5 and, never re-armed, not again
    assertThat(AlertReplay.alerts(CHILD, 0, "x", policy(0))).extracting(AlertReplay.Alert::score)
        .containsExactly(0);
  }

  @Test
  void shouldCountAlertsOnsetsAndLeadTimeAgainstTheFirstOnset() {
    List<AlertReplay.Alert> alerts = AlertReplay.alerts(DETECTED, 0, "x", policy(18));
    OutcomeCounts c = OutcomeCounts.of(alerts, at("2020-09-01"), at("2020-01-01"), 365 * 86_400_000L,
        365 * 86_400_000L);

    assertThat(c).isEqualTo(new OutcomeCounts(2, 1, 2, 1, 0, true, true, true,
        ChronoUnit.DAYS.between(LocalDate.parse("2020-03-01"), LocalDate.parse("2020-09-01"))));
    // a warning at the onset (one the stream raises when its history no longer holds the diagnosis) counts as after it
    OutcomeCounts prevalent = OutcomeCounts.of(AlertReplay.alerts(evicted(PREVALENT), 0, "x", policy(18)),
        at("2021-01-01"), at("2021-01-01"), 365 * 86_400_000L, 365 * 86_400_000L);
    assertThat(prevalent).isEqualTo(new OutcomeCounts(1, 0, 0, 0, 1, false, false, false, Double.NaN));
  }

  @Test
  void shouldWithholdTheAlertsOfAnOutcomeAlreadyDiagnosedAndAfterDeathAsTheStreamDoes() {
    assertThat(AlertReplay.alerts(PREVALENT, 0, "x", policy(18))).isEmpty();
    assertThat(AlertReplay.alerts(evicted(PREVALENT), 0, "x", policy(18))).extracting(AlertReplay.Alert::score)
        .containsExactly(0);
    // DETECTED warns on 2020-03-01, escalates on 2020-04-01 and warns again on 2020-06-15: dead from 2020-03-15 on,
    // only the first is raised
    assertThat(AlertReplay.alerts(died(DETECTED, "2020-03-15"), 0, "x", policy(18)))
        .extracting(AlertReplay.Alert::score, AlertReplay.Alert::severity)
        .containsExactly(org.assertj.core.groups.Tuple.tuple(1, AlertSeverity.WARNING));
    // the same decisions as the alert processor's: AlertDecision with the withholding of the stream's requests
    for (int i = 0; i < PREVALENT.size(); i++) {
      assertThat(PREVALENT.withheld(i, 0)).isEqualTo(io.riskstream.topology.AlertDecision.Withheld.DIAGNOSED);
    }
    assertThat(died(DETECTED, "2020-03-15").withheld(2, 0))
        .isEqualTo(io.riskstream.topology.AlertDecision.Withheld.DECEASED);
    assertThat(died(DETECTED, "2020-03-15").withheld(1, 0)).isNull();
  }

  @Test
  void shouldReportRatesSensitivityPpvAndLeadOverPatients() {
    AlertBurden b = AlertEvaluation.burden(List.of(DETECTED, CHILD, PREVALENT), 0, OUTCOME,
        policy(18).forOutcome("x"), policy(18), 200, 7);

    double days = ChronoUnit.DAYS.between(LocalDate.parse("2020-01-01"), LocalDate.parse("2021-01-01"))
        + ChronoUnit.DAYS.between(LocalDate.parse("2015-01-01"), LocalDate.parse("2030-01-01"))
        + ChronoUnit.DAYS.between(LocalDate.parse("2021-01-01"), LocalDate.parse("2022-01-01"));
    double years = days / 365.25;
    assertThat(b.patients()).isEqualTo(3);
    assertThat(b.patientYears()).isCloseTo(years, within(1e-9));
    // PREVALENT's warning at its onset is withheld: no alert after an onset the history holds
    assertThat(List.of(b.alerts(), b.warnings(), b.criticals(), b.alertsFollowedByOnset(),
        b.criticalsFollowedByOnset(), b.alertsAfterOnset(), b.onsets(), b.detected(), b.detectedCritical()))
        .containsExactly(4, 2, 2, 3, 1, 0, 1, 1, 1);
    assertThat(b.alertsPer100PatientYears().estimate()).isCloseTo(400 / years, within(1e-9));
    assertThat(b.warningsPer100PatientYears().estimate()).isCloseTo(200 / years, within(1e-9));
    assertThat(b.criticalsPer100PatientYears().estimate()).isCloseTo(200 / years, within(1e-9));
    assertThat(b.sensitivity().estimate()).isEqualTo(1.0);
    assertThat(b.ppv().estimate()).isEqualTo(0.75);
    assertThat(b.criticalPpv().estimate()).isEqualTo(0.5);
    assertThat(b.medianLeadDays().estimate()).isEqualTo(184.0);
    assertThat(b.ppv().lower()).isLessThanOrEqualTo(0.75);
    assertThat(b.ppv().upper()).isGreaterThanOrEqualTo(0.75).isLessThanOrEqualTo(1.0);
  }

  @Test
  void shouldEvaluateEachOutcomeWithItsOwnRule() {
    AlertPolicy perOutcome = new RiskStreamConfig(Map.of("alert.outcome.x.warning.threshold", "0.65",
        "alert.outcome.x.critical.threshold", "0.9")).alertPolicy().withMinimumAge(18);

    AlertEvaluation.PolicyResult r = AlertEvaluation.evaluate("strict", "test", perOutcome,
        List.of(DETECTED, CHILD, PREVALENT), List.of(OUTCOME), 0, 1);

    assertThat(r.rules().get("x").warningThreshold()).isEqualTo(0.65);
    assertThat(r.outcomes().get("x").alerts()).isEqualTo(1);  // the child's 0.7 once 18
    assertThat(r.outcomes().get("x").sensitivity().estimate()).isEqualTo(0.0);
    assertThat(r.outcomes().get("x").ppv().lower()).isNaN();   // no resamples: estimates only
  }
}
