package io.riskstream.topology.calibration;

import io.riskstream.schemas.CalibrationDrift;
import io.riskstream.schemas.CalibrationState;
import io.riskstream.schemas.ModelInfo;
import java.time.Instant;
import org.apache.kafka.streams.kstream.Windowed;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * calibration-drift: each closed window of an outcome updates {@link CalibrationStatus}; a window with at least
 * {@code minLabelled} labelled scores whose observed/expected ratio is outside {@code [lower, upper]} while the outcome
 * is in band emits a DRIFTED {@link CalibrationDrift} (key = outcome), the first such window back inside the band a
 * RECOVERED one. A window with no expected onsets is outside the band when it observed any. State per outcome in store
 * {@value #STORE}.
 */
public final class CalibrationDriftProcessor
    implements Processor<Windowed<String>, CalibrationWindow, String, CalibrationDrift> {

  public static final String STORE = "calibration-drift-state";

  /** An outcome's drift state and the newest closed window it saw. */
  public record DriftState(boolean drifted, long windowStart, long windowEnd, CalibrationWindow window) {
  }

  private final CalibrationSettings settings;
  private final Outcomes outcomes;
  private final ModelInfo model;
  private final CalibrationStatus status;
  private ProcessorContext<String, CalibrationDrift> context;
  private KeyValueStore<String, DriftState> store;

  /** The outcomes' display names and horizons (by name). */
  public interface Outcomes {
    String displayName(String outcome);

    int horizonDays(String outcome);
  }

  public CalibrationDriftProcessor(CalibrationSettings settings, Outcomes outcomes, ModelInfo model,
      CalibrationStatus status) {
    this.settings = settings;
    this.outcomes = outcomes;
    this.model = model;
    this.status = status;
  }

  @Override
  public void init(ProcessorContext<String, CalibrationDrift> context) {
    this.context = context;
    this.store = context.getStateStore(STORE);
    try (KeyValueIterator<String, DriftState> all = store.all()) {
      all.forEachRemaining(kv -> status.closed(kv.key, latest(kv.value)));
    }
  }

  @Override
  public void process(Record<Windowed<String>, CalibrationWindow> record) {
    String outcome = record.key().key();
    long start = record.key().window().start();
    long end = record.key().window().end();
    CalibrationWindow w = record.value();
    DriftState before = store.get(outcome);
    boolean drifted = before != null && before.drifted();
    if (w.labelled() >= settings.minLabelled()) {
      boolean outside = outside(w);
      if (outside != drifted) {
        drifted = outside;
        context.forward(new Record<>(outcome, drift(outcome, start, end, w,
            outside ? CalibrationState.DRIFTED : CalibrationState.RECOVERED), record.timestamp()));
      }
    }
    DriftState after = new DriftState(drifted, start, end, w);
    store.put(outcome, after);
    status.closed(outcome, latest(after));
  }

  /** Whether the window's observed/expected ratio is outside the band. */
  boolean outside(CalibrationWindow w) {
    Double ratio = w.ratio();
    if (ratio == null) {
      return w.observed() > 0;
    }
    return ratio < settings.bandLower() || ratio > settings.bandUpper();
  }

  private CalibrationDrift drift(String outcome, long start, long end, CalibrationWindow w, CalibrationState state) {
    return CalibrationDrift.newBuilder()
        .setOutcome(outcome)
        .setOutcomeDisplayName(outcomes.displayName(outcome))
        .setState(state)
        .setWindowStart(Instant.ofEpochMilli(start))
        .setWindowEnd(Instant.ofEpochMilli(end))
        .setLabelled(w.labelled())
        .setObserved(w.observed())
        .setExpected(w.expected())
        .setRatio(w.ratio())
        .setCalibrationInTheLarge(w.calibrationInTheLarge())
        .setBandLower(settings.bandLower())
        .setBandUpper(settings.bandUpper())
        .setHorizonDays(outcomes.horizonDays(outcome))
        .setModel(model)
        .build();
  }

  private static CalibrationStatus.Latest latest(DriftState s) {
    return new CalibrationStatus.Latest(s.windowStart(), s.windowEnd(), s.window(), s.drifted());
  }
}
