package io.riskstream.topology.calibration;

import io.riskstream.schemas.EmrEvent;
import io.riskstream.topology.OnsetCodes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Labels scores once their outcome is known (pure: no Kafka). An outcome's onset is the first DIAGNOSIS with one of its
 * codes ({@link OnsetCodes}), as in training ({@code DatasetBuilder}).
 * A score of asOf {@code a} and horizon {@code h} is, per outcome:
 * <ul>
 *   <li>excluded when an onset at or before {@code a} is known (the patient was not at risk);</li>
 *   <li>positive when the first known onset falls in {@code (a, a + h]};</li>
 *   <li>negative otherwise,</li>
 * </ul>
 * decided once the outcome <em>closes</em>: the patient's event time passes {@code a + h}. "Known" means: the onset
 * arrived before the close, i.e. the patient's event time at its arrival (recorded with it) had not passed
 * {@code a + h}, and it was not deleted before the close. A score whose patient has no event after {@code a + h}
 * (records that stopped: death, a move) stays unlabelled, as training leaves out index times whose horizon the data do
 * not cover; the task's stream time is not used, because a patient whose history is loaded later (a backfill) has
 * event times far behind it. Scores arrive from the scorer asynchronously, so the moment a score reaches this code
 * depends on timing; its label does not, because it depends only on the patient's emr-events order (the arrival event
 * times of onsets and deletions) and on the score. Bounded: {@code maxPending} scores per patient (beyond it the oldest
 * asOf is dropped unlabelled and counted) and {@link #MAX_ONSETS} onsets per outcome (the earliest are kept).
 */
public final class CalibrationLabeller {

  /** Onsets kept per outcome and patient: only the first one decides a label, a few more cover deletions. */
  public static final int MAX_ONSETS = 4;
  private static final long DAY = Duration.ofDays(1).toMillis();

  private final List<String> outcomes;
  private final long[] horizons;
  private final OnsetCodes codes;
  private final int maxPending;

  /**
   * @param outcomes outcome names in the model's order
   * @param horizonDays each outcome's horizon
   * @param onsetCodes each outcome's onset codes (an outcome without codes is never labelled)
   */
  public CalibrationLabeller(List<String> outcomes, List<Integer> horizonDays, List<List<String>> onsetCodes,
      int maxPending) {
    this.outcomes = List.copyOf(outcomes);
    this.horizons = horizonDays.stream().mapToLong(d -> d * DAY).toArray();
    this.codes = new OnsetCodes(onsetCodes);
    this.maxPending = maxPending;
    if (horizons.length != outcomes.size() || codes.size() != outcomes.size()) {
      throw new IllegalArgumentException("one horizon and one list of codes per outcome expected");
    }
    if (outcomes.size() > 31) {
      throw new IllegalArgumentException("calibration labels at most 31 outcomes, the model has " + outcomes.size());
    }
  }

  public List<String> outcomes() {
    return outcomes;
  }

  /** Whether any outcome is labelled at all (some outcome has onset codes). */
  public boolean labelsAny() {
    return codes.any();
  }

  /** The outcomes (indexes) whose onset {@code e} is ({@link OnsetCodes#outcomesOf}); empty for any other event. */
  public List<Integer> outcomesOf(EmrEvent e) {
    return OnsetCodes.indexes(codes.outcomesOf(e));
  }

  /** A labelled score of one outcome. */
  public record Label(String outcome, long asOf, double probability, boolean positive) {
  }

  /** The patient's pending state after a step and the labels that step decided. */
  public record Step(PatientCalibration state, List<Label> labels, int dropped, int excluded) {
  }

  /**
   * An onset (or an upsert of a known one) of outcomes {@code ks} arrived; {@code patientTime} is the patient's newest
   * event time including it.
   */
  public PatientCalibration onOnset(PatientCalibration state, List<Integer> ks, String eventId, long time,
      long patientTime) {
    List<PatientCalibration.Onset> onsets = new ArrayList<>(state.onsets());
    for (int k : ks) {
      boolean known = onsets.stream().anyMatch(o -> o.outcome() == k && o.eventId().equals(eventId));
      if (!known) {
        onsets.add(new PatientCalibration.Onset(k, eventId, time, patientTime, null));
        List<PatientCalibration.Onset> ofK = onsets.stream().filter(o -> o.outcome() == k)
            .sorted(Comparator.comparingLong(PatientCalibration.Onset::time).thenComparing(PatientCalibration.Onset::eventId))
            .toList();
        if (ofK.size() > MAX_ONSETS) {
          onsets.remove(ofK.get(ofK.size() - 1));
        }
      }
    }
    return new PatientCalibration(onsets, state.pending());
  }

  /** A DELETE of {@code eventId} arrived: an onset it names no longer counts for outcomes that close after this. */
  public PatientCalibration onDelete(PatientCalibration state, String eventId, long patientTime) {
    boolean changed = false;
    List<PatientCalibration.Onset> onsets = new ArrayList<>();
    for (PatientCalibration.Onset o : state.onsets()) {
      if (o.eventId().equals(eventId) && o.deletedPatientTime() == null) {
        onsets.add(new PatientCalibration.Onset(o.outcome(), o.eventId(), o.time(), o.patientTime(), patientTime));
        changed = true;
      } else {
        onsets.add(o);
      }
    }
    return changed ? new PatientCalibration(onsets, state.pending()) : state;
  }

  /** Whether {@code eventId} names a known onset (a DELETE of it matters). */
  public static boolean namesOnset(PatientCalibration state, String eventId) {
    return state.onsets().stream().anyMatch(o -> o.eventId().equals(eventId));
  }

  /** A score arrived: keeps it pending, then labels what the clocks have closed. */
  public Step onScore(PatientCalibration state, long asOf, double[] probabilities, long patientTime) {
    List<PatientCalibration.Pending> pending = new ArrayList<>(state.pending());
    pending.add(new PatientCalibration.Pending(asOf, probabilities, 0));
    int dropped = 0;
    pending.sort(Comparator.comparingLong(PatientCalibration.Pending::asOf));
    while (pending.size() > maxPending) {
      pending.remove(0);
      dropped++;
    }
    Step step = close(new PatientCalibration(state.onsets(), pending), patientTime);
    return new Step(step.state(), step.labels(), dropped, step.excluded());
  }

  /** Labels every outcome of every pending score that the patient's event time has closed. */
  public Step close(PatientCalibration state, long patientTime) {
    List<Label> labels = new ArrayList<>();
    List<PatientCalibration.Pending> still = new ArrayList<>();
    int excluded = 0;
    int all = (1 << outcomes.size()) - 1;
    for (PatientCalibration.Pending p : state.pending()) {
      int done = p.closedOutcomes();
      for (int k = 0; k < outcomes.size(); k++) {
        if ((done & (1 << k)) != 0) {
          continue;
        }
        if (!codes.has(k)) {
          done |= 1 << k;
          continue;
        }
        long horizonEnd = p.asOf() + horizons[k];
        if (patientTime <= horizonEnd) {
          continue;
        }
        done |= 1 << k;
        Long onset = firstOnset(state.onsets(), k, horizonEnd);
        if (onset != null && onset <= p.asOf()) {
          excluded++;
        } else {
          labels.add(new Label(outcomes.get(k), p.asOf(), p.probabilities()[k], onset != null && onset <= horizonEnd));
        }
      }
      if (done != all) {
        still.add(new PatientCalibration.Pending(p.asOf(), p.probabilities(), done));
      }
    }
    return new Step(new PatientCalibration(state.onsets(), still), labels, 0, excluded);
  }

  /**
   * The first onset of outcome {@code k} known when the outcome closed: arrived while the patient's event time was at
   * most {@code bound} (asOf + horizon), and not deleted by then.
   */
  private static Long firstOnset(List<PatientCalibration.Onset> onsets, int k, long bound) {
    Long first = null;
    for (PatientCalibration.Onset o : onsets) {
      boolean arrived = o.outcome() == k && o.patientTime() <= bound;
      boolean deleted = o.deletedPatientTime() != null && o.deletedPatientTime() <= bound;
      if (arrived && !deleted && (first == null || o.time() < first)) {
        first = o.time();
      }
    }
    return first;
  }

  /**
   * The earliest event time of the patient at which a pending outcome closes (asOf + horizon), or
   * {@link Long#MAX_VALUE} when nothing is pending: until the patient's event time passes it, new events need not
   * look at the pending scores.
   */
  public long nextDeadline(PatientCalibration state) {
    long min = Long.MAX_VALUE;
    for (PatientCalibration.Pending p : state.pending()) {
      for (int k = 0; k < outcomes.size(); k++) {
        if ((p.closedOutcomes() & (1 << k)) == 0) {
          min = Math.min(min, p.asOf() + horizons[k]);
        }
      }
    }
    return min;
  }

  /** Whether a pending outcome with this {@link #nextDeadline} has closed at the patient's event time. */
  public static boolean due(long deadline, long patientTime) {
    return deadline != Long.MAX_VALUE && patientTime > deadline;
  }
}
