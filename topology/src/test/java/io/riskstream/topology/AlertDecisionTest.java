package io.riskstream.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.riskstream.schemas.AlertSeverity;
import io.riskstream.topology.config.AlertPolicy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.Size;

/**
 * Properties of the alert policy over random policies and random score sequences of one outcome (probability and
 * event-time step per score).
 */
class AlertDecisionTest {

  /** One score of the sequence: its probability and the event time since the previous score. */
  record Step(double p, long dtMillis) {
  }

  record Run(List<Step> steps, List<AlertDecision> decisions, List<Long> times) {
    AlertSeverity severity(int i) {
      return decisions.get(i).severity();
    }
  }

  @Provide
  Arbitrary<AlertPolicy.Outcome> policies() {
    Arbitrary<Double> unit = Arbitraries.doubles().between(0.0, 1.0).ofScale(3);
    return Combinators.combine(unit, unit, Arbitraries.doubles().between(0.0, 0.2).ofScale(3),
        Arbitraries.longs().between(0, 24L * 90)).as((a, b, margin, hours) -> new AlertPolicy.Outcome(
            Math.min(a, b), Math.max(a, b), margin, Duration.ofHours(hours)));
  }

  @Provide
  Arbitrary<List<Step>> sequences() {
    // probabilities on a coarse grid so that scores hit thresholds exactly, too
    Arbitrary<Double> p = Arbitraries.oneOf(Arbitraries.doubles().between(0.0, 1.0).ofScale(3),
        Arbitraries.integers().between(0, 20).map(i -> i / 20.0));
    Arbitrary<Long> dt = Arbitraries.oneOf(Arbitraries.just(0L), Arbitraries.longs().between(0, Duration.ofDays(120).toMillis()));
    return Combinators.combine(p, dt).as(Step::new).list().ofMinSize(1).ofMaxSize(60);
  }

  private static Run run(AlertPolicy.Outcome policy, List<Step> steps) {
    List<AlertDecision> decisions = new ArrayList<>();
    List<Long> times = new ArrayList<>();
    AlertState.Outcome state = AlertState.Outcome.initial();
    long t = 1_600_000_000_000L;
    for (Step s : steps) {
      t += s.dtMillis();
      AlertDecision d = AlertDecision.decide(policy, state, s.p(), t);
      decisions.add(d);
      times.add(t);
      state = d.next();
    }
    return new Run(steps, decisions, times);
  }

  @Property
  void shouldAlertOnlyAtOrAboveTheThresholdItNames(@ForAll("policies") AlertPolicy.Outcome policy,
      @ForAll("sequences") List<Step> steps) {
    Run r = run(policy, steps);
    for (int i = 0; i < steps.size(); i++) {
      double p = steps.get(i).p();
      AlertDecision d = r.decisions().get(i);
      if (d.severity() == null) {
        assertThat(d.threshold()).isZero();
      } else {
        double expected = d.severity() == AlertSeverity.CRITICAL ? policy.criticalThreshold() : policy.warningThreshold();
        assertThat(d.threshold()).isEqualTo(expected);
        assertThat(p).isGreaterThanOrEqualTo(expected);
      }
      if (p < policy.warningThreshold()) {
        assertThat(d.severity()).isNull();
      }
      assertThat(d.next().lastProbability()).isEqualTo(p);
    }
  }

  @Property
  void shouldRaiseTheSameSeverityAgainOnlyAfterFallingBelowThresholdMinusMargin(
      @ForAll("policies") AlertPolicy.Outcome policy, @ForAll("sequences") List<Step> steps) {
    Run r = run(policy, steps);
    for (int i = 0; i < steps.size(); i++) {
      AlertSeverity s = r.severity(i);
      if (s == null) {
        continue;
      }
      // a WARNING needs a re-arm after the last alert of any severity; a CRITICAL after the last CRITICAL
      double threshold = s == AlertSeverity.CRITICAL ? policy.criticalThreshold() : policy.warningThreshold();
      int last = -1;
      for (int j = i - 1; j >= 0; j--) {
        if (r.severity(j) != null && (s == AlertSeverity.WARNING || r.severity(j) == AlertSeverity.CRITICAL)) {
          last = j;
          break;
        }
      }
      if (last >= 0) {
        boolean rearmed = false;
        for (int k = last + 1; k < i; k++) {
          rearmed |= steps.get(k).p() < threshold - policy.hysteresisMargin();
        }
        assertThat(rearmed).as("%s at %d after the alert at %d", s, i, last).isTrue();
      }
    }
  }

  @Property
  void shouldOnlyEscalateWithinTheCooldown(@ForAll("policies") AlertPolicy.Outcome policy,
      @ForAll("sequences") List<Step> steps) {
    Run r = run(policy, steps);
    int last = -1;
    for (int i = 0; i < steps.size(); i++) {
      if (r.severity(i) == null) {
        continue;
      }
      if (last >= 0 && r.times().get(i) - r.times().get(last) < policy.cooldown().toMillis()) {
        assertThat(r.severity(i)).as("alert at %d within the cooldown of %d", i, last).isEqualTo(AlertSeverity.CRITICAL);
        assertThat(r.severity(last)).isEqualTo(AlertSeverity.WARNING);
      }
      last = i;
    }
  }

  @Property
  void shouldAlertOnTheFirstScoreAtOrAboveWarning(@ForAll("policies") AlertPolicy.Outcome policy,
      @ForAll @DoubleRange(min = 0.0, max = 1.0) double p) {
    AlertDecision d = AlertDecision.decide(policy, AlertState.Outcome.initial(), p, 0L);
    AlertSeverity expected = p >= policy.criticalThreshold() ? AlertSeverity.CRITICAL
        : p >= policy.warningThreshold() ? AlertSeverity.WARNING : null;
    assertThat(d.severity()).isEqualTo(expected);
  }

  @Property
  void shouldAlertAgainOnceReArmedAndCooledDown(@ForAll("policies") AlertPolicy.Outcome policy,
      @ForAll("sequences") @Size(min = 1) List<Step> steps) {
    Run r = run(policy, steps);
    AlertState.Outcome state = r.decisions().get(steps.size() - 1).next();
    long t = r.times().get(steps.size() - 1);
    double low = policy.warningThreshold() - policy.hysteresisMargin() - 0.001;
    if (low < 0) {
      return; // no probability re-arms a warning threshold at or below the margin
    }
    state = AlertDecision.decide(policy, state, low, t).next();
    t += policy.cooldown().toMillis();
    AlertDecision d = AlertDecision.decide(policy, state, policy.warningThreshold(), t);
    assertThat(d.severity()).isNotNull();
  }

  @Property
  void shouldDecideTheSameForTheSameInput(@ForAll("policies") AlertPolicy.Outcome policy,
      @ForAll("sequences") List<Step> steps) {
    assertThat(run(policy, steps).decisions()).isEqualTo(run(policy, steps).decisions());
  }

  @Property
  void shouldRaiseNothingForAPatientOutsideThePopulationAndKeepEverythingArmed(
      @ForAll("policies") AlertPolicy.Outcome policy, @ForAll("sequences") List<Step> steps) {
    AlertState.Outcome state = AlertState.Outcome.initial();
    long t = 1_600_000_000_000L;
    for (Step s : steps) {
      t += s.dtMillis();
      AlertDecision d = AlertDecision.decide(policy, state, s.p(), t, false, null);
      assertThat(d.severity()).isNull();
      state = d.next();
    }
    assertThat(state).isEqualTo(new AlertState.Outcome(steps.get(steps.size() - 1).p(), true, true, null, null));
    // once covered, the first score at or above warning alerts as a first score would
    double p = policy.warningThreshold();
    assertThat(AlertDecision.decide(policy, state, p, t, true, null).severity())
        .isEqualTo(AlertDecision.decide(policy, AlertState.Outcome.initial(), p, t).severity());
  }

  @Property
  void shouldWithholdExactlyTheAlertsOfTheScoresFromTheOnsetOnAndMoveTheStateAsIfRaised(
      @ForAll("policies") AlertPolicy.Outcome policy, @ForAll("sequences") List<Step> steps,
      @ForAll boolean deceased) {
    Run without = run(policy, steps);
    int onset = steps.size() / 2;  // the outcome is diagnosed (or the patient has died) from this score on
    AlertDecision.Withheld reason = AlertDecision.Withheld.of(deceased, !deceased);
    AlertState.Outcome state = AlertState.Outcome.initial();
    for (int i = 0; i < steps.size(); i++) {
      AlertDecision d = AlertDecision.decide(policy, state, steps.get(i).p(), without.times().get(i), true,
          i >= onset ? reason : null);
      AlertDecision plain = without.decisions().get(i);
      if (i < onset) {
        assertThat(d).isEqualTo(plain);
      } else {
        // the alert the policy raises is withheld and named; nothing else is, and the state is the same
        assertThat(d.severity()).isNull();
        assertThat(d.withheld()).isEqualTo(plain.severity() == null ? null : reason);
        assertThat(d.next()).isEqualTo(plain.next());
      }
      state = d.next();
    }
  }

  @Property
  void shouldNameDeathBeforeADiagnosis(@ForAll boolean diagnosed) {
    assertThat(AlertDecision.Withheld.of(true, diagnosed)).isEqualTo(AlertDecision.Withheld.DECEASED);
    assertThat(AlertDecision.Withheld.of(false, diagnosed))
        .isEqualTo(diagnosed ? AlertDecision.Withheld.DIAGNOSED : null);
  }
}
