package io.riskstream.topology.calibration;

import io.riskstream.schemas.EmrEvent;
import io.riskstream.schemas.EventKind;
import io.riskstream.schemas.EventOp;
import io.riskstream.schemas.OutcomeProbability;
import io.riskstream.schemas.RiskScore;
import io.riskstream.topology.DeadLetters;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.common.metrics.Sensor;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * calibration-label: sees every emr-events record and every score of its task's patients (both keyed by patient, in
 * the scoring sub-topology) and forwards each score's label per outcome ({@link CalibrationLabeller}) keyed by outcome,
 * with the score's asOf as the record timestamp, for the windowed aggregation. Stores: {@value #CLOCK_STORE} (per
 * patient: newest event time and the earliest pending deadline; written on every event), {@value #PENDING_STORE} (per
 * patient: onsets and pending scores; written on onsets, scores and labels) and {@value #TASK_TIME_STORE} (the task's
 * newest event time). Patients whose events stopped are labelled by the task's event time, checked every
 * {@link #SCAN_INTERVAL} of wall-clock time (when it moved): that only decides when such labels are forwarded, not
 * what they say.
 */
public final class CalibrationLabelProcessor implements Processor<String, Object, String, CalibrationLabeller.Label> {

  public static final String CLOCK_STORE = "calibration-clock";
  public static final String PENDING_STORE = "calibration-pending";
  public static final String TASK_TIME_STORE = "calibration-task-time";
  static final Duration SCAN_INTERVAL = Duration.ofSeconds(5);
  private static final String TASK_TIME_KEY = "event-time";

  private final CalibrationLabeller labeller;
  private ProcessorContext<String, CalibrationLabeller.Label> context;
  private KeyValueStore<String, PatientClock> clocks;
  private KeyValueStore<String, PatientCalibration> pendingStore;
  private KeyValueStore<String, Long> taskTimeStore;
  private long taskTime;
  private long scannedAt;
  private Sensor positives;
  private Sensor negatives;
  private Sensor excluded;
  private Sensor dropped;

  public CalibrationLabelProcessor(CalibrationLabeller labeller) {
    this.labeller = labeller;
  }

  @Override
  public void init(ProcessorContext<String, CalibrationLabeller.Label> context) {
    this.context = context;
    this.clocks = context.getStateStore(CLOCK_STORE);
    this.pendingStore = context.getStateStore(PENDING_STORE);
    this.taskTimeStore = context.getStateStore(TASK_TIME_STORE);
    Long stored = taskTimeStore.get(TASK_TIME_KEY);
    this.taskTime = stored == null ? Long.MIN_VALUE : stored;
    this.scannedAt = taskTime;
    String task = context.taskId().toString();
    this.positives = sensor(task, "calibration-labelled-positive");
    this.negatives = sensor(task, "calibration-labelled-negative");
    this.excluded = sensor(task, "calibration-excluded");
    this.dropped = sensor(task, "calibration-pending-dropped");
    context.schedule(SCAN_INTERVAL, PunctuationType.WALL_CLOCK_TIME, t -> closeByTaskTime());
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
    if (time > taskTime) {
      taskTime = time;
      taskTimeStore.put(TASK_TIME_KEY, taskTime);
    }
    PatientClock clock = clocks.get(patient);
    if (clock == null) {
      clock = PatientClock.initial();
    }
    long patientTime = Math.max(clock.eventTime(), time);
    List<Integer> onsetOf = e.getOp() == EventOp.UPSERT && e.getKind() == EventKind.DIAGNOSIS
        ? labeller.outcomesOf(e.getCode()) : List.of();
    boolean due = labeller.due(clock.deadline(), patientTime, taskTime);
    PatientCalibration state = null;
    if (!onsetOf.isEmpty() || due || e.getOp() == EventOp.DELETE) {
      state = pendingStore.get(patient);
      PatientCalibration before = state == null ? PatientCalibration.empty() : state;
      PatientCalibration after = before;
      if (!onsetOf.isEmpty()) {
        after = labeller.onOnset(after, onsetOf, e.getEventId(), time, patientTime, taskTime);
      } else if (e.getOp() == EventOp.DELETE && CalibrationLabeller.namesOnset(after, e.getEventId())) {
        after = labeller.onDelete(after, e.getEventId(), patientTime, taskTime);
      }
      if (due) {
        after = forward(labeller.close(after, patientTime, taskTime));
      }
      if (!after.equals(before)) {
        save(patient, after);
      }
      clock = new PatientClock(patientTime, labeller.nextDeadline(after));
    } else {
      clock = new PatientClock(patientTime, clock.deadline());
    }
    clocks.put(patient, clock);
  }

  private void onScore(String patient, RiskScore s) {
    List<String> outcomes = labeller.outcomes();
    double[] p = new double[outcomes.size()];
    for (OutcomeProbability o : s.getOutcomes()) {
      int k = outcomes.indexOf(o.getOutcome());
      if (k >= 0) {
        p[k] = o.getProbability();
      }
    }
    PatientClock clock = clocks.get(patient);
    long asOf = s.getAsOf().toEpochMilli();
    long patientTime = clock == null ? asOf : Math.max(clock.eventTime(), asOf);
    PatientCalibration state = pendingStore.get(patient);
    CalibrationLabeller.Step step = labeller.onScore(state == null ? PatientCalibration.empty() : state, asOf, p,
        patientTime, taskTime);
    record(dropped, step.dropped());
    PatientCalibration after = forward(step);
    save(patient, after);
    clocks.put(patient, new PatientClock(patientTime, labeller.nextDeadline(after)));
  }

  /** Labels the pending scores of every patient whose outcomes the task's event time has closed. */
  private void closeByTaskTime() {
    if (taskTime == scannedAt) {
      return;
    }
    scannedAt = taskTime;
    List<KeyValue<String, PatientCalibration>> changed = new java.util.ArrayList<>();
    try (KeyValueIterator<String, PatientCalibration> all = pendingStore.all()) {
      while (all.hasNext()) {
        KeyValue<String, PatientCalibration> kv = all.next();
        if (kv.value.pending().isEmpty() || !labeller.due(labeller.nextDeadline(kv.value), Long.MIN_VALUE, taskTime)) {
          continue;
        }
        PatientClock clock = clocks.get(kv.key);
        long patientTime = clock == null ? Long.MIN_VALUE : clock.eventTime();
        changed.add(KeyValue.pair(kv.key, forward(labeller.close(kv.value, patientTime, taskTime))));
      }
    }
    for (KeyValue<String, PatientCalibration> kv : changed) {
      save(kv.key, kv.value);
      PatientClock clock = clocks.get(kv.key);
      clocks.put(kv.key, new PatientClock(clock == null ? Long.MIN_VALUE : clock.eventTime(),
          labeller.nextDeadline(kv.value)));
    }
  }

  /** Forwards a step's labels (key = outcome, timestamp = asOf); returns its state. */
  private PatientCalibration forward(CalibrationLabeller.Step step) {
    record(excluded, step.excluded());
    for (CalibrationLabeller.Label label : step.labels()) {
      (label.positive() ? positives : negatives).record();
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
