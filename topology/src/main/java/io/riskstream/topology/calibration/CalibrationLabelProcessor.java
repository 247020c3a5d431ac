package io.riskstream.topology.calibration;

import io.riskstream.schemas.EmrEvent;
import io.riskstream.schemas.EventOp;
import io.riskstream.schemas.OutcomeProbability;
import io.riskstream.schemas.RiskScore;
import io.riskstream.topology.DeadLetters;
import java.util.List;
import org.apache.kafka.common.metrics.Sensor;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * calibration-label: sees every emr-events record and every score of its task's patients (both keyed by patient, in
 * the scoring sub-topology) and forwards each score's label per outcome ({@link CalibrationLabeller}) keyed by outcome,
 * with the score's asOf as the record timestamp, for the windowed aggregation. Stores: {@value #CLOCK_STORE} (per
 * patient: newest event time and the earliest pending deadline; written on every event, small) and
 * {@value #PENDING_STORE} (per patient: onsets and pending scores; read and written only on onsets, deletions, scores
 * and when the patient's event time passes the deadline). Labels depend only on each patient's emr-events order and
 * scores, not on when the scores arrive. Metrics (group stream-riskstream-metrics, per task):
 * calibration-labelled-positive-total, calibration-labelled-negative-total, calibration-excluded-total,
 * calibration-pending-dropped-total, calibration-before-epoch-total (scores with an asOf before 1970, which cannot be a
 * record timestamp and are not labelled; Synthea's cohorts hold patients who died before 1970).
 */
public final class CalibrationLabelProcessor implements Processor<String, Object, String, CalibrationLabeller.Label> {

  public static final String CLOCK_STORE = "calibration-clock";
  public static final String PENDING_STORE = "calibration-pending";

  private final CalibrationLabeller labeller;
  private final CalibrationStatus status;
  private ProcessorContext<String, CalibrationLabeller.Label> context;
  private KeyValueStore<String, PatientClock> clocks;
  private KeyValueStore<String, PatientCalibration> pendingStore;
  private Sensor positives;
  private Sensor negatives;
  private Sensor excluded;
  private Sensor dropped;
  private Sensor beforeEpoch;

  /** @param status where the labels are counted (running totals per outcome) */
  public CalibrationLabelProcessor(CalibrationLabeller labeller, CalibrationStatus status) {
    this.labeller = labeller;
    this.status = status;
  }

  @Override
  public void init(ProcessorContext<String, CalibrationLabeller.Label> context) {
    this.context = context;
    this.clocks = context.getStateStore(CLOCK_STORE);
    this.pendingStore = context.getStateStore(PENDING_STORE);
    String task = context.taskId().toString();
    this.positives = sensor(task, "calibration-labelled-positive");
    this.negatives = sensor(task, "calibration-labelled-negative");
    this.excluded = sensor(task, "calibration-excluded");
    this.dropped = sensor(task, "calibration-pending-dropped");
    this.beforeEpoch = sensor(task, "calibration-before-epoch");
  }

  private Sensor sensor(String task, String name) {
    return context.metrics().addRateTotalSensor(DeadLetters.METRICS_SCOPE, task, name, Sensor.RecordingLevel.INFO);
  }

  @Override
  public void process(Record<String, Object> record) {
    String patient = record.key();
    if (patient == null) {
      return;
    }
    if (record.value() instanceof EmrEvent e) {
      onEvent(patient, e);
    } else if (record.value() instanceof RiskScore s) {
      onScore(patient, s);
    }
  }

  private void onEvent(String patient, EmrEvent e) {
    long time = e.getEventTime().toEpochMilli();
    PatientClock clock = clocks.get(patient);
    if (clock == null) {
      clock = PatientClock.initial();
    }
    long patientTime = Math.max(clock.eventTime(), time);
    List<Integer> onsetOf = labeller.outcomesOf(e);
    boolean due = CalibrationLabeller.due(clock.deadline(), patientTime);
    long deadline = clock.deadline();
    if (!onsetOf.isEmpty() || due || e.getOp() == EventOp.DELETE) {
      PatientCalibration stored = pendingStore.get(patient);
      PatientCalibration state = stored == null ? PatientCalibration.empty() : stored;
      boolean changed = false;
      if (!onsetOf.isEmpty()) {
        state = labeller.onOnset(state, onsetOf, e.getEventId(), time, patientTime);
        changed = true;
      } else if (e.getOp() == EventOp.DELETE && CalibrationLabeller.namesOnset(state, e.getEventId())) {
        state = labeller.onDelete(state, e.getEventId(), patientTime);
        changed = true;
      }
      if (due) {
        state = forward(labeller.close(state, patientTime));
        changed = true;
      }
      if (changed) {
        save(patient, state);
      }
      deadline = labeller.nextDeadline(state);
    }
    clocks.put(patient, new PatientClock(patientTime, deadline));
  }

  private void onScore(String patient, RiskScore s) {
    long asOf = s.getAsOf().toEpochMilli();
    if (asOf < 0) {
      // a record timestamp (the window's time) cannot be before 1970: such historical scores are not labelled
      beforeEpoch.record();
      return;
    }
    List<String> outcomes = labeller.outcomes();
    double[] p = new double[outcomes.size()];
    for (OutcomeProbability o : s.getOutcomes()) {
      int k = outcomes.indexOf(o.getOutcome());
      if (k >= 0) {
        p[k] = o.getProbability();
      }
    }
    PatientClock clock = clocks.get(patient);
    long patientTime = clock == null ? asOf : Math.max(clock.eventTime(), asOf);
    PatientCalibration stored = pendingStore.get(patient);
    CalibrationLabeller.Step step = labeller.onScore(stored == null ? PatientCalibration.empty() : stored, asOf, p,
        patientTime);
    record(dropped, step.dropped());
    PatientCalibration state = forward(step);
    save(patient, state);
    clocks.put(patient, new PatientClock(patientTime, labeller.nextDeadline(state)));
  }

  /** Forwards a step's labels (key = outcome, timestamp = asOf); returns its state. */
  private PatientCalibration forward(CalibrationLabeller.Step step) {
    record(excluded, step.excluded());
    for (CalibrationLabeller.Label label : step.labels()) {
      (label.positive() ? positives : negatives).record();
      status.labelled(label.outcome(), label.probability(), label.positive());
      context.forward(new Record<>(label.outcome(), label, label.asOf()));
    }
    return step.state();
  }

  private static void record(Sensor sensor, int times) {
    for (int i = 0; i < times; i++) {
      sensor.record();
    }
  }

  private void save(String patient, PatientCalibration state) {
    if (state.isEmpty()) {
      pendingStore.delete(patient);
    } else {
      pendingStore.put(patient, state);
    }
  }
}
