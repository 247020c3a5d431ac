package io.riskstream.app.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.riskstream.scoring.FailoverScorer;
import io.riskstream.scoring.ModelInput;
import io.riskstream.scoring.Scored;
import io.riskstream.scoring.batch.DynamicBatcher;
import io.riskstream.topology.AlertDecision;
import io.riskstream.topology.NamedTestScorer;
import io.riskstream.topology.ScoringBackend;
import io.riskstream.topology.WithheldAlertCounts;
import io.riskstream.topology.calibration.CalibrationStatus;
import io.riskstream.topology.calibration.CalibrationWindow;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class RiskStreamMetricsTest {

  private static final ModelInput INPUT = new ModelInput(new long[] {110, 120}, new float[] {40f, 41f},
      new float[] {1f, 0f});

  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final NamedTestScorer gpu = new NamedTestScorer("tensorrt", "fp16");
  private final NamedTestScorer cpu = new NamedTestScorer("onnxruntime", "fp32");

  private static Scored score(DynamicBatcher batcher) throws Exception {
    return batcher.submit(INPUT).get(30, TimeUnit.SECONDS);
  }

  @Test
  void shouldCountFailoversAndShowTheEngineInUse() throws Exception {
    try (DynamicBatcher batcher = new DynamicBatcher(new FailoverScorer(gpu, cpu, 1), 4, Duration.ZERO)) {
      RiskStreamMetrics.bindScoring(registry, batcher);
      Scored first = score(batcher);
      String before = registry.scrape();

      gpu.failing.set(true);
      Scored second = score(batcher);
      String after = registry.scrape();

      assertThat(first.backend()).isEqualTo("tensorrt");
      assertThat(second.backend()).isEqualTo("onnxruntime");
      assertThat(before).contains("riskstream_scorer_failovers_total 0.0",
          "riskstream_scorer_engine{backend=\"tensorrt\",precision=\"fp16\"} 1.0");
      assertThat(after).contains("riskstream_scorer_failovers_total 1.0",
          "riskstream_scorer_engine{backend=\"tensorrt\",precision=\"fp16\"} 0.0",
          "riskstream_scorer_engine{backend=\"onnxruntime\",precision=\"fp32\"} 1.0");
    }
  }

  @Test
  void shouldRecordQueueWaitComputeTimeAndBatchSizeAsHistograms() throws Exception {
    try (DynamicBatcher batcher = new DynamicBatcher(cpu, 4, Duration.ZERO)) {
      RiskStreamMetrics.bindScoring(registry, batcher);
      for (int i = 0; i < 3; i++) {
        score(batcher);  // one at a time: three batches of one
      }

      String text = registry.scrape();

      assertThat(text).contains("riskstream_batcher_queue_wait_seconds_count 3",
          "riskstream_batcher_compute_seconds_count 3", "riskstream_batcher_batch_size_count 3",
          "riskstream_batcher_batch_size_sum 3.0", "riskstream_batcher_batch_size_bucket{le=\"1.0\"} 3",
          "riskstream_batcher_queue_wait_seconds_bucket{le=\"+Inf\"} 3");
    }
  }

  @Test
  void shouldRecordEventToScoreLatencyAsAHistogram() {
    try (DynamicBatcher batcher = new DynamicBatcher(cpu, 4, Duration.ZERO)) {
      ScoringBackend.ScoreLatencyListener latency = RiskStreamMetrics.bindScoring(registry, batcher);

      latency.scored(250);
      latency.scored(1_500);

      assertThat(registry.scrape()).contains("riskstream_event_to_score_seconds_count 2",
          "riskstream_event_to_score_seconds_sum 1.75", "riskstream_event_to_score_seconds_bucket{le=\"+Inf\"} 2");
    }
  }

  @Test
  void shouldExportTheNewestClosedCalibrationWindowOfEachOutcome() {
    CalibrationStatus status = new CalibrationStatus();
    RiskStreamMetrics.bindCalibration(registry, status, List.of("ckd_stage3plus", "hypertension"));
    String before = registry.scrape();

    status.closed("ckd_stage3plus", new CalibrationStatus.Latest(0, 90L * 86_400_000L,
        new CalibrationWindow(40, 30, 4.0), true));
    status.closed("ckd_stage3plus", new CalibrationStatus.Latest(-90L * 86_400_000L, 0,
        new CalibrationWindow(10, 1, 1.0), false));
    status.labelled("hypertension", 0.25, true);
    status.labelled("hypertension", 0.5, false);
    String after = registry.scrape();

    assertThat(before).contains("riskstream_calibration_observed{outcome=\"ckd_stage3plus\"} NaN");
    assertThat(after).contains("riskstream_calibration_observed{outcome=\"ckd_stage3plus\"} 30.0",
        "riskstream_calibration_expected{outcome=\"ckd_stage3plus\"} 4.0",
        "riskstream_calibration_ratio{outcome=\"ckd_stage3plus\"} 7.5",
        "riskstream_calibration_labelled{outcome=\"ckd_stage3plus\"} 40.0",
        "riskstream_calibration_window_end_seconds{outcome=\"ckd_stage3plus\"} 7776000.0",
        "riskstream_calibration_drifted{outcome=\"ckd_stage3plus\"} 1.0",
        "riskstream_calibration_ratio{outcome=\"hypertension\"} NaN",
        "riskstream_calibration_labels_total{outcome=\"hypertension\"} 2.0",
        "riskstream_calibration_labels_observed_total{outcome=\"hypertension\"} 1.0",
        "riskstream_calibration_labels_expected_total{outcome=\"hypertension\"} 0.75");
  }

  @Test
  void shouldExportTheAlertsWithheldByReason() {
    WithheldAlertCounts counts = new WithheldAlertCounts();
    RiskStreamMetrics.bindWithheldAlerts(registry, counts);
    counts.add(AlertDecision.Withheld.DIAGNOSED);
    counts.add(AlertDecision.Withheld.DIAGNOSED);
    counts.add(AlertDecision.Withheld.DECEASED);

    assertThat(registry.scrape()).contains("riskstream_alerts_withheld_total{reason=\"diagnosed\"} 2.0",
        "riskstream_alerts_withheld_total{reason=\"deceased\"} 1.0");
  }
}
