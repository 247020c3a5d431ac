package io.riskstream.scoring.model;

/**
 * The alert thresholds of one outcome that a model card recommends (its {@code operating_points}): chosen on held-out
 * data for a stated target, used as the alert policy's defaults when the configuration sets none.
 */
public record OperatingPoint(double warningThreshold, double criticalThreshold) {

  public OperatingPoint {
    if (!(warningThreshold > 0 && warningThreshold <= criticalThreshold && criticalThreshold <= 1)) {
      throw new IllegalArgumentException("operating point thresholds must satisfy 0 < warning <= critical <= 1, got "
          + warningThreshold + " and " + criticalThreshold);
    }
  }
}
