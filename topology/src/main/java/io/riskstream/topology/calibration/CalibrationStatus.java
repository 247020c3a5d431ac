package io.riskstream.topology.calibration;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The newest closed calibration window of every outcome that this application instance aggregates, and whether the
 * outcome is drifted (exported as gauges {@code riskstream_calibration_*{outcome}}; the demo's summary prints it).
 * Written by the stream threads, read by the metrics; thread-safe.
 */
public final class CalibrationStatus {

  /** One outcome's newest closed window ([start, end) over the scores' asOf) and its drift state after it. */
  public record Latest(long windowStart, long windowEnd, CalibrationWindow window, boolean drifted) {
  }

  private final Map<String, Latest> latest = new ConcurrentHashMap<>();

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
