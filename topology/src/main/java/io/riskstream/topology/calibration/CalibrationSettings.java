package io.riskstream.topology.calibration;

import io.riskstream.topology.config.RiskStreamConfig;
import java.time.Duration;

/** The calibration keys of the configuration ({@code calibration.*}), typed. */
public record CalibrationSettings(Duration window, Duration step, Duration grace, int minLabelled, double bandLower,
    double bandUpper, int maxPendingPerPatient, String topic) {

  public static CalibrationSettings of(RiskStreamConfig config) {
    return new CalibrationSettings(
        Duration.ofDays(config.getInt(RiskStreamConfig.CALIBRATION_WINDOW_DAYS_CONFIG)),
        Duration.ofDays(config.getInt(RiskStreamConfig.CALIBRATION_WINDOW_STEP_DAYS_CONFIG)),
        Duration.ofDays(config.getInt(RiskStreamConfig.CALIBRATION_GRACE_DAYS_CONFIG)),
        config.getInt(RiskStreamConfig.CALIBRATION_MIN_LABELLED_CONFIG),
        config.getDouble(RiskStreamConfig.CALIBRATION_BAND_LOWER_CONFIG),
        config.getDouble(RiskStreamConfig.CALIBRATION_BAND_UPPER_CONFIG),
        config.getInt(RiskStreamConfig.CALIBRATION_MAX_PENDING_CONFIG),
        config.getString(RiskStreamConfig.TOPIC_CALIBRATION_DRIFT_CONFIG));
  }
}
