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
 * calibration-drift: each closed window of an outcome updates {@link CalibrationStatus}. A window with at least
 * {@code minLabelled} labelled scores drifts when the 95% confidence interval of its observed/expected ratio (observed
 * onsets as a Poisson count) lies entirely outside {@code [lower, upper]}: then, while the outcome is in band, a
 * DRIFTED {@link CalibrationDrift} goes out (key = outcome). A drifted outcome recovers, with a RECOVERED record, at the
 * first such window whose ratio itself is inside the band. Windows between change nothing, so that a few onsets more or
 * less in a small window neither raise nor clear a drift (with 3 expected onsets, 0 observed has a 5% chance). A window
 * with no expected onsets drifts when it observed any. State per outcome in store {@value #STORE}.
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
      if (!drifted && outside(w)) {
        drifted = true;
        context.forward(new Record<>(outcome, drift(outcome, start, end, w, CalibrationState.DRIFTED),
            record.timestamp()));
      } else if (drifted && inside(w)) {
        drifted = false;
        context.forward(new Record<>(outcome, drift(outcome, start, end, w, CalibrationState.RECOVERED),
            record.timestamp()));
      }
    }
    DriftState after = new DriftState(drifted, start, end, w);
    store.put(outcome, after);
    status.closed(outcome, latest(after));
  }

  /** Whether the whole confidence interval of the window's ratio is outside the band. */
  boolean outside(CalibrationWindow w) {
    double[] ci = w.ratioInterval();
    if (ci == null) {
      return w.observed() > 0;
    }
    return ci[1] < settings.bandLower() || ci[0] > settings.bandUpper();
  }

  /** Whether the window's ratio is inside the band. */
  boolean inside(CalibrationWindow w) {
    Double ratio = w.ratio();
    return ratio == null ? w.observed() == 0 : ratio >= settings.bandLower() && ratio <= settings.bandUpper();
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
        .setRatioLower(w.ratioInterval() == null ? null : w.ratioInterval()[0])
        .setRatioUpper(w.ratioInterval() == null ? null : w.ratioInterval()[1])
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
