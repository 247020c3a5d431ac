package io.riskstream.topology.calibration;

import static org.assertj.core.api.Assertions.assertThat;

import io.riskstream.schemas.EmrEvent;
import io.riskstream.schemas.EventKind;
import io.riskstream.schemas.EventOp;
import io.riskstream.schemas.SourceCoordinates;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class CalibrationLabellerTest {

  private static final long DAY = 86_400_000L;
  private static final CalibrationLabeller LABELLER = new CalibrationLabeller(List.of("a", "b"), List.of(365, 365),
      List.of(List.of("900"), List.of("901", "902")), 8);

  private static long day(long d) {
    return d * DAY;
  }

  private static CalibrationLabeller.Step score(PatientCalibration state, long asOfDay, long patientDay) {
    return LABELLER.onScore(state, day(asOfDay), new double[] {0.2, 0.1}, day(patientDay));
  }

  private static EmrEvent diagnosis(String id, String code, EventOp op) {
    return EmrEvent.newBuilder().setPatientId("p").setEventId(id).setOp(op).setKind(EventKind.DIAGNOSIS)
        .setEventTime(Instant.ofEpochMilli(day(30))).setCodeSystem("SNOMED-CT").setCode(code)
        .setSource(SourceCoordinates.newBuilder().setSystem("s").setTable("conditions").build()).build();
  }

  private static PatientCalibration onset(PatientCalibration state, String id, int outcome, long day, long patientDay) {
    return LABELLER.onOnset(state, List.of(outcome), id, day(day), day(patientDay));
  }

  @Test
  void shouldLabelPositiveWhenTheOnsetFollowsWithinTheHorizonAndNegativeWhereNoneDoes() {
    CalibrationLabeller.Step scored = score(PatientCalibration.empty(), 10, 10);
    assertThat(scored.labels()).isEmpty();
    assertThat(scored.state().pending()).hasSize(1);

    PatientCalibration withOnset = onset(scored.state(), "conditions:x", 0, 100, 100);
    assertThat(LABELLER.close(withOnset, day(375)).labels()).as("patient time at asOf + horizon: open").isEmpty();
    CalibrationLabeller.Step closed = LABELLER.close(withOnset, day(376));

    assertThat(closed.labels()).containsExactly(new CalibrationLabeller.Label("a", day(10), 0.2, true),
        new CalibrationLabeller.Label("b", day(10), 0.1, false));
    assertThat(closed.excluded()).isZero();
    assertThat(closed.state().pending()).isEmpty();
    assertThat(closed.state().onsets()).hasSize(1);
  }

  @Test
  void shouldExcludeScoresOfPatientsWhoAlreadyHadTheOutcome() {
    PatientCalibration before = onset(PatientCalibration.empty(), "conditions:old", 1, 5, 5);
    CalibrationLabeller.Step closed = LABELLER.close(score(before, 10, 10).state(), day(400));

    assertThat(closed.excluded()).isEqualTo(1);
    assertThat(closed.labels()).containsExactly(new CalibrationLabeller.Label("a", day(10), 0.2, false));
  }

  @Test
  void shouldCountTheHorizonsEndsAsInTraining() {
    // an onset at asOf is not a future onset (excluded); one at exactly asOf + horizon is within it (positive)
    PatientCalibration atAsOf = onset(score(PatientCalibration.empty(), 10, 10).state(), "c:1", 0, 10, 10);
    PatientCalibration atEnd = onset(score(PatientCalibration.empty(), 10, 10).state(), "c:2", 0, 375, 375);

    CalibrationLabeller.Step excluded = LABELLER.close(atAsOf, day(376));
    CalibrationLabeller.Step positive = LABELLER.close(atEnd, day(376));

    assertThat(excluded.excluded()).isEqualTo(1);
    assertThat(excluded.labels()).extracting(CalibrationLabeller.Label::outcome).containsExactly("b");
    assertThat(positive.labels()).extracting(CalibrationLabeller.Label::positive).containsExactly(true, false);
  }

  @Test
  void shouldIgnoreAnOnsetThatArrivesAfterThePatientsTimePassedTheHorizonWhicheverComesFirstTheScoreOrTheOnset() {
    // the score reached calibration early: pending, labelled negative when the patient's time passed day 375
    CalibrationLabeller.Step early = LABELLER.close(score(PatientCalibration.empty(), 10, 10).state(), day(400));
    PatientCalibration lateOnset = onset(early.state(), "conditions:late", 0, 100, 400);
    // the same score reached calibration after the late onset (the scorer was slow): the same labels
    PatientCalibration onsetFirst = onset(PatientCalibration.empty(), "conditions:late", 0, 100, 400);
    CalibrationLabeller.Step late = score(onsetFirst, 10, 400);

    assertThat(early.labels()).extracting(CalibrationLabeller.Label::positive).containsExactly(false, false);
    assertThat(LABELLER.close(lateOnset, day(400)).labels()).isEmpty();
    assertThat(late.labels()).isEqualTo(early.labels());
  }

  @Test
  void shouldCountALateOnsetThatArrivesBeforeTheClose() {
    // out of event-time order but before the patient's time passed asOf + horizon: it counts
    PatientCalibration pending = score(PatientCalibration.empty(), 10, 200).state();
    PatientCalibration withOnset = onset(pending, "conditions:late", 0, 50, 200);

    assertThat(LABELLER.close(withOnset, day(376)).labels())
        .extracting(CalibrationLabeller.Label::positive).containsExactly(true, false);
  }

  @Test
  void shouldLeaveAScoreUnlabelledUntilThePatientsTimePassesTheHorizonAsTrainingLeavesOutCensoredIndexTimes() {
    PatientCalibration pending = score(PatientCalibration.empty(), 10, 10).state();

    assertThat(LABELLER.close(pending, day(375)).labels()).isEmpty();
    assertThat(CalibrationLabeller.due(LABELLER.nextDeadline(pending), day(375))).isFalse();
    assertThat(CalibrationLabeller.due(LABELLER.nextDeadline(pending), day(376))).isTrue();
    assertThat(CalibrationLabeller.due(LABELLER.nextDeadline(PatientCalibration.empty()), day(10_000))).isFalse();
  }

  @Test
  void shouldNotCountAnOnsetDeletedBeforeTheCloseButKeepOneDeletedAfter() {
    PatientCalibration pending = score(PatientCalibration.empty(), 10, 10).state();
    PatientCalibration withOnset = onset(pending, "conditions:x", 0, 100, 100);
    PatientCalibration deletedBefore = LABELLER.onDelete(withOnset, "conditions:x", day(120));
    PatientCalibration deletedAfter = LABELLER.onDelete(withOnset, "conditions:x", day(380));

    assertThat(LABELLER.close(deletedBefore, day(376)).labels())
        .extracting(CalibrationLabeller.Label::positive).containsExactly(false, false);
    assertThat(LABELLER.close(deletedAfter, day(380)).labels())
        .extracting(CalibrationLabeller.Label::positive).containsExactly(true, false);
  }

  @Test
  void shouldLabelEachOutcomeWithItsOwnCodesAndKeepARepeatedOnsetOnce() {
    PatientCalibration pending = score(PatientCalibration.empty(), 10, 10).state();
    List<Integer> ks = LABELLER.outcomesOf(diagnosis("conditions:y", "902", EventOp.UPSERT));
    PatientCalibration b = LABELLER.onOnset(pending, ks, "conditions:y", day(30), day(30));
    PatientCalibration again = LABELLER.onOnset(b, ks, "conditions:y", day(31), day(31));

    assertThat(ks).containsExactly(1);
    assertThat(LABELLER.outcomesOf(diagnosis("conditions:z", "903", EventOp.UPSERT))).isEmpty();
    assertThat(LABELLER.outcomesOf(diagnosis("conditions:y", "902", EventOp.DELETE))).isEmpty();
    assertThat(again.onsets()).hasSize(1);
    assertThat(LABELLER.close(again, day(376)).labels())
        .extracting(CalibrationLabeller.Label::positive).containsExactly(false, true);
  }

  @Test
  void shouldKeepAtMostMaxPendingScoresDroppingTheOldest() {
    PatientCalibration state = PatientCalibration.empty();
    int dropped = 0;
    for (int d = 1; d <= 10; d++) {
      CalibrationLabeller.Step step = score(state, d, d);
      state = step.state();
      dropped += step.dropped();
    }

    assertThat(dropped).isEqualTo(2);
    assertThat(state.pending()).extracting(PatientCalibration.Pending::asOf)
        .containsExactly(day(3), day(4), day(5), day(6), day(7), day(8), day(9), day(10));
  }

  @Test
  void shouldCountLabelsOfACohortExactly() {
    // 10 patients scored on day 10: 3 get outcome a within the horizon, 2 had it before, 1 gets it after the horizon,
    // 4 never get it; all are labelled when their time reaches day 400
    int positives = 0;
    int negatives = 0;
    int excluded = 0;
    for (int i = 0; i < 10; i++) {
      PatientCalibration s = PatientCalibration.empty();
      if (i >= 3 && i < 5) {
        s = onset(s, "c:" + i, 0, 2, 2);
      }
      s = score(s, 10, 10).state();
      if (i < 3) {
        s = onset(s, "c:" + i, 0, 200, 200);
      } else if (i == 5) {
        s = onset(s, "c:" + i, 0, 380, 380);
      }
      CalibrationLabeller.Step step = LABELLER.close(s, day(400));
      excluded += step.excluded();
      for (CalibrationLabeller.Label l : step.labels()) {
        if (l.outcome().equals("a")) {
          positives += l.positive() ? 1 : 0;
          negatives += l.positive() ? 0 : 1;
        }
      }
    }

    assertThat(positives).isEqualTo(3);
    assertThat(negatives).isEqualTo(5);
    assertThat(excluded).isEqualTo(2);
  }

  @Test
  void shouldSumAWindowsLabelsIntoObservedAndExpected() {
    CalibrationWindow w = CalibrationWindow.empty()
        .add(new CalibrationLabeller.Label("a", 0, 0.25, true))
        .add(new CalibrationLabeller.Label("a", 0, 0.25, false))
        .add(new CalibrationLabeller.Label("a", 0, 0.5, true));

    assertThat(w).isEqualTo(new CalibrationWindow(3, 2, 1.0));
    assertThat(w.ratio()).isEqualTo(2.0);
    assertThat(w.calibrationInTheLarge()).isEqualTo(1.0 / 3);
    assertThat(CalibrationWindow.empty().ratio()).isNull();
    assertThat(CalibrationWindow.empty().ratioInterval()).isNull();
  }

  @Test
  void shouldBoundTheRatioWithPoissonLimitsCloseToTheExactOnes() {
    // exact 95% limits of a Poisson count: 0 → [0, 3.689], 2 → [0.242, 7.225], 30 → [20.24, 42.83]
    assertThat(new CalibrationWindow(100, 0, 1.0).ratioInterval()[0]).isZero();
    assertThat(new CalibrationWindow(100, 0, 1.0).ratioInterval()[1]).isCloseTo(3.689, org.assertj.core.data.Percentage.withPercentage(1));
    assertThat(new CalibrationWindow(100, 2, 1.0).ratioInterval()[1]).isCloseTo(7.225, org.assertj.core.data.Percentage.withPercentage(1));
    assertThat(new CalibrationWindow(100, 30, 2.0).ratioInterval())
        .satisfies(ci -> assertThat(ci[0]).isCloseTo(20.24 / 2, org.assertj.core.data.Percentage.withPercentage(1)))
        .satisfies(ci -> assertThat(ci[1]).isCloseTo(42.83 / 2, org.assertj.core.data.Percentage.withPercentage(1)));
  }
}
