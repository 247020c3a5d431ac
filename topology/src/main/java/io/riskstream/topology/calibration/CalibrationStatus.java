package io.riskstream.topology.calibration;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The newest closed calibration window of every outcome that this application instance aggregates, and whether the
 * outcome is drifted (exported as gauges {@code riskstream_calibration_*{outcome}}; the demo's summary prints it), and
 * the running totals of the labels its labellers forwarded (counters {@code riskstream_calibration_labels_*_total}).
 * Written by the stream threads, read by the metrics; thread-safe.
 */
public final class CalibrationStatus {

  /** One outcome's newest closed window ([start, end) over the scores' asOf) and its drift state after it. */
  public record Latest(long windowStart, long windowEnd, CalibrationWindow window, boolean drifted) {
  }

  /** Running totals of one outcome's labels since this instance started (not windowed, never dropped as late). */
  public record Totals(long labelled, long observed, double expected) {
  }

  private final Map<String, Latest> latest = new ConcurrentHashMap<>();
  private final Map<String, Totals> totals = new ConcurrentHashMap<>();

  /** Counts a label that this instance's labellers forwarded. */
  public void labelled(String outcome, double probability, boolean positive) {
    totals.merge(outcome, new Totals(1, positive ? 1 : 0, probability),
        (a, b) -> new Totals(a.labelled() + b.labelled(), a.observed() + b.observed(), a.expected() + b.expected()));
  }

  /** The outcome's label totals (zero before any). */
  public Totals totals(String outcome) {
    return totals.getOrDefault(outcome, new Totals(0, 0, 0.0));
  }

  /** Label totals of every outcome labelled so far. */
  public Map<String, Totals> allTotals() {
    return Map.copyOf(totals);
  }

  /** Records a closed window unless a later one of the outcome is already known. */
  public void closed(String outcome, Latest window) {
    latest.merge(outcome, window, (old, now) -> now.windowEnd() >= old.windowEnd() ? now : old);
  }

  public Optional<Latest> latest(String outcome) {
    return Optional.ofNullable(latest.get(outcome));
  }

  /** Every outcome with a closed window. */
  public Map<String, Latest> all() {
    return Map.copyOf(latest);
  }
}
