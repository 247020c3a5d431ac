package io.riskstream.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.riskstream.app.demo.DemoSummary;
import io.riskstream.topology.AlertDecision;
import io.riskstream.topology.TriggerProcessor;
import io.riskstream.topology.calibration.CalibrationStatus;
import io.riskstream.topology.calibration.CalibrationWindow;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DemoCommandTest {

  private static final Path LOG = Path.of("/home/u/.cache/riskstream/demo/logs/demo-20260101-120000-7.log");

  private static DemoSummary summary(double p50Ms, double p99Ms) {
    return new DemoSummary(235, 157_136, 3_899, 0, 157_136, 157_136, 3_899, 3_899, 101,
        Map.of("ckd_stage3plus", Map.of("CRITICAL", 60L, "WARNING", 41L)), 0, Map.of("ckd_stage3plus", 0.214), 3_899,
        p50Ms, p99Ms, 14.9, 80.0, 97.0, 1_054 * 1024, false, Map.of(TriggerProcessor.CloseRule.IDLE_FLUSH, 7L));
  }

  /** {@code base} with these calibration windows, labels, label totals and withheld alerts, no shadow report. */
  private static DemoSummary with(DemoSummary base, Map<String, CalibrationStatus.Latest> calibration,
      DemoSummary.Labels labels, Map<String, CalibrationStatus.Totals> totals,
      Map<AlertDecision.Withheld, Long> withheld) {
    return new DemoSummary(base.patients(), base.eventsProduced(), base.transactions(), base.rejected(),
        base.eventsConsumed(), base.emrEvents(), base.scores(), base.distinctScores(), base.alerts(),
        base.alertsByOutcome(), base.deadLetters(), base.maxProbability(), base.latencySamples(), base.p50LatencyMs(),
        base.p99LatencyMs(), base.firstAlertSeconds(), base.feedSeconds(), base.wallSeconds(), base.peakRssKb(),
        base.interrupted(), base.transactionCloses(), calibration, labels, totals, java.util.List.of(), withheld);
  }

  private static String print(DemoSummary s, double speed) {
    StringWriter text = new StringWriter();
    DemoCommand.print(new PrintWriter(text), s, speed, LOG);
    return text.toString();
  }

  @Test
  void shouldFormatTheLatencyAndSayWhatItMeasuresWhenFedAsFastAsPossible() {
    String text = print(summary(66_028, 112_345.6), 0);

    assertThat(text).contains("latency event→score     p50 66.0 s, p99 112.3 s (3,899 scores: from producing a"
        + " transaction's last change event to receiving its score)");
    assertThat(text).contains("fed as fast as possible (--speed 0): mostly time queued behind the backlog, not the"
        + " stream's own latency");
    assertThat(text).doesNotContain("66028");
  }

  @Test
  void shouldLeaveOutTheBacklogNoteForAPacedFeed() {
    String text = print(summary(85.2, 1_450), 3e7);

    assertThat(text).contains("p50 85 ms, p99 1.5 s").doesNotContain("as fast as possible");
  }

  @Test
  void shouldNameTheLogOfKafkasMessages() {
    assertThat(print(summary(1, 2), 0)).contains("risk scores             3,899", "risk alerts             101",
        "Kafka's messages        " + LOG);
  }

  @Test
  void shouldPrintEachOutcomesNewestCalibrationWindowOnOneLine() {
    DemoSummary s = with(summary(1, 2), Map.of(
            "hypertension", new CalibrationStatus.Latest(0, 90L * 86_400_000L, new CalibrationWindow(812, 3, 2.41), false),
            "ckd_stage3plus", new CalibrationStatus.Latest(0, 90L * 86_400_000L, new CalibrationWindow(700, 9, 2.0), true)),
        new DemoSummary.Labels(12, 3_400, 80, 7),
        Map.of("ckd_stage3plus", new CalibrationStatus.Totals(1_706, 12, 9.5)), Map.of());

    assertThat(print(s, 0)).contains("  calibration             labels: 12 positive, 3,400 negative, 80 excluded, 7 late;"
        + " all labels: ckd_stage3plus O/E 12/9.50 (1,706); newest closed window: ckd_stage3plus O/E 9/2.00 = 4.50 (700 labelled, window to"
        + " 1970-04-01) DRIFTED; hypertension O/E 3/2.41 = 1.24 (812 labelled, window to 1970-04-01)\n");
    assertThat(print(summary(1, 2), 0)).contains("  calibration             no calibration window closed");
  }

  @Test
  void shouldPrintTheAlertsWithheldByReasonOnOneLine() {
    DemoSummary s = with(summary(1, 2), Map.of(), DemoSummary.Labels.NONE, Map.of(),
        Map.of(AlertDecision.Withheld.DIAGNOSED, 1_234L, AlertDecision.Withheld.DECEASED, 4L));

    assertThat(print(s, 0)).contains("  alerts withheld         1,234 outcome already diagnosed, 4 after death\n");
    assertThat(print(summary(1, 2), 0)).contains("  alerts withheld         0 outcome already diagnosed, 0 after death\n");
  }
}
