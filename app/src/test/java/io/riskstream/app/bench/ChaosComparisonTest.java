package io.riskstream.app.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.riskstream.schemas.AlertSeverity;
import io.riskstream.schemas.EmrEvent;
import io.riskstream.schemas.EngineInfo;
import io.riskstream.schemas.ModelInfo;
import io.riskstream.schemas.OutcomeProbability;
import io.riskstream.schemas.RiskAlert;
import io.riskstream.schemas.RiskScore;
import io.riskstream.schemas.ScoreProvenance;
import io.riskstream.schemas.SourceOffset;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ChaosComparisonTest {

  private static RiskScore score(String id, String patient, String tx, double p, long... offsets) {
    return RiskScore.newBuilder().setScoreId(id).setPatientId(patient).setHistoryVersion(3)
        .setAsOf(Instant.parse("2020-06-01T00:00:00Z"))
        .setOutcomes(List.of(OutcomeProbability.newBuilder().setOutcome("a").setHorizonDays(365).setProbability(p)
            .build()))
        .setModel(ModelInfo.newBuilder().setId("m").setVersion("1").setSha256("ab").build())
        .setEngine(EngineInfo.newBuilder().setBackend("onnxruntime").setPrecision("fp32").build())
        .setProvenance(ScoreProvenance.newBuilder().setEventCount(2).setNewestEventIds(List.of("conditions:c1"))
            .setTriggerTxId(tx).setSourceOffsets(java.util.Arrays.stream(offsets)
                .mapToObj(o -> new SourceOffset("ehr.clinical.changes", 0, o)).toList()).build())
        .build();
  }

  private static RiskAlert alert(String id, String scoreId, double p) {
    return RiskAlert.newBuilder().setAlertId(id).setPatientId("p").setOutcome("a").setProbability(p)
        .setSeverity(AlertSeverity.WARNING).setThreshold(0.3).setPreviousProbability(null)
        .setAsOf(Instant.parse("2020-06-01T00:00:00Z"))
        .setModel(ModelInfo.newBuilder().setId("m").setVersion("1").setSha256("ab").build())
        .setReasons(List.of()).setScoreId(scoreId).build();
  }

  private static final List<RiskScore> REFERENCE = List.of(score("s1", "p1", "11", 0.2, 0, 1),
      score("s2", "p2", "12", 0.4, 2), score("s3", "p1", "13", 0.7, 3, 4, 5));
  private static final List<RiskAlert> REFERENCE_ALERTS = List.of(alert("a1", "s2", 0.4), alert("a2", "s3", 0.7));

  @Test
  void shouldFindARunInAnotherOrderIdentical() {
    List<RiskScore> run = new ArrayList<>(REFERENCE);
    Collections.reverse(run);
    ChaosComparison.Result r = ChaosComparison.compare(REFERENCE, REFERENCE_ALERTS, run,
        List.of(REFERENCE_ALERTS.get(1), REFERENCE_ALERTS.get(0)));
    assertThat(r.identical()).isTrue();
    assertThat(r.scores().matched()).isEqualTo(3);
    assertThat(r.alerts().matched()).isEqualTo(2);
    assertThat(r.splitTransactions()).isZero();
  }

  @Test
  void shouldCountAnEqualSecondRecordOfAnIdAsADuplicate() {
    ChaosComparison.Result r = ChaosComparison.compare(REFERENCE, REFERENCE_ALERTS,
        List.of(REFERENCE.get(0), REFERENCE.get(1), REFERENCE.get(1), REFERENCE.get(2)),
        List.of(REFERENCE_ALERTS.get(0), REFERENCE_ALERTS.get(1), REFERENCE_ALERTS.get(1)));
    assertThat(r.identical()).isFalse();
    assertThat(List.of(r.scores().records(), r.scores().matched(), r.scores().duplicated(), r.scores().lost(),
        r.scores().extra())).containsExactly(4, 3, 1, 0, 0);
    assertThat(r.scores().examples()).containsEntry("duplicated", List.of("s2"));
    assertThat(r.alerts().duplicated()).isEqualTo(1);
  }

  @Test
  void shouldCountLostExtraAndDifferingScoresApartFromSplits() {
    ChaosComparison.Result r = ChaosComparison.compare(REFERENCE, REFERENCE_ALERTS,
        List.of(score("s1", "p1", "11", 0.2, 0, 1), score("s3", "p1", "13", 0.71, 3, 4, 5),
            score("s9", "p3", "19", 0.1, 9)),
        List.of(REFERENCE_ALERTS.get(1)));
    ChaosComparison.Counts s = r.scores();
    assertThat(List.of(s.reference(), s.records(), s.matched(), s.lost(), s.lostFromSplits(), s.extra(),
        s.extraFromSplits(), s.differing(), s.differingProbabilities())).containsExactly(3, 3, 1, 1, 0, 1, 0, 1, 1);
    assertThat(s.examples()).containsEntry("lost", List.of("s2")).containsEntry("extra", List.of("s9"))
        .containsEntry("differing", List.of("s3"));
    assertThat(r.alerts().lost()).isEqualTo(1);
    assertThat(r.alerts().examples()).containsEntry("lost", List.of("a1"));
    assertThat(r.splitTransactions()).isZero();
  }

  @Test
  void shouldTellATransactionScoredInTwoPartsFromOtherDifferences() {
    // transaction 13 closed early after offset 3 (an extra score of its own), then the rest (4, 5) under s3
    RiskScore early = score("s3-early", "p1", "13", 0.65, 3);
    RiskScore rest = score("s3", "p1", "13", 0.7, 4, 5);
    ChaosComparison.Result r = ChaosComparison.compare(REFERENCE, REFERENCE_ALERTS,
        List.of(REFERENCE.get(0), REFERENCE.get(1), early, rest),
        List.of(REFERENCE_ALERTS.get(0), alert("a-early", "s3-early", 0.65), REFERENCE_ALERTS.get(1)));
    assertThat(r.splitTransactions()).isEqualTo(1);
    ChaosComparison.Counts s = r.scores();
    assertThat(List.of(s.matched(), s.lost(), s.extra(), s.extraFromSplits(), s.differing(),
        s.differingProbabilities())).as("s3 differs in its provenance only").containsExactly(2, 0, 1, 1, 1, 0);
    assertThat(List.of(r.alerts().extra(), r.alerts().extraFromSplits(), r.alerts().matched()))
        .containsExactly(1, 1, 2);
    assertThat(r.splitPositions()).containsExactly(2);
    assertThat(r.identical()).isFalse();
  }

  @Test
  void shouldCountAScoreOfATransactionTheReferenceSplitAsLostFromASplit() {
    // the reference closed transaction 13 early; the run scored it whole
    List<RiskScore> reference = List.of(REFERENCE.get(0), REFERENCE.get(1), score("s3-early", "p1", "13", 0.65, 3),
        score("s3", "p1", "13", 0.7, 4, 5));
    ChaosComparison.Result r = ChaosComparison.compare(reference, List.of(alert("a-early", "s3-early", 0.65)),
        REFERENCE, List.of());
    assertThat(r.splitTransactions()).isEqualTo(1);
    assertThat(List.of(r.scores().lost(), r.scores().lostFromSplits(), r.scores().extra(), r.scores().differing()))
        .containsExactly(1, 1, 0, 1);
    assertThat(List.of(r.alerts().lost(), r.alerts().lostFromSplits())).containsExactly(1, 1);
  }

  private static ChaosSoak.RunSummary run(List<ChaosSoak.Fault> faults, boolean complete, long deadLetters) {
    return new ChaosSoak.RunSummary(faults, List.of(), 1 + (int) faults.stream()
        .filter(f -> f.type() == ChaosSoak.FaultType.KILL).count(), 143, complete, 3, 2, deadLetters, 100.0,
        Map.of("idle_flush", 2L, "source_progress", 100L));
  }

  @Test
  void shouldSumTheTriggerCloseCountersOfAPrometheusExpositionByRule() {
    String exposition = String.join("\n",
        "# HELP kafka_stream_riskstream_metrics_trigger_close_idle_flush_total The total number of occurrence",
        "# TYPE kafka_stream_riskstream_metrics_trigger_close_idle_flush_total counter",
        "kafka_stream_riskstream_metrics_trigger_close_idle_flush_total{kafka_version=\"4.3.1\",task_id=\"1_0\"} 2.0",
        "kafka_stream_riskstream_metrics_trigger_close_idle_flush_total{kafka_version=\"4.3.1\",task_id=\"1_1\"} 1.0",
        "kafka_stream_riskstream_metrics_trigger_close_source_progress_total{task_id=\"1_0\"} 1234.0",
        "kafka_stream_riskstream_metrics_trigger_close_idle_flush_rate{task_id=\"1_0\"} 0.5",
        "riskstream_batcher_batches_total 77.0");
    assertThat(ChaosSoak.triggerCloses(exposition)).containsExactly(java.util.Map.entry("idle_flush", 3L),
        java.util.Map.entry("source_progress", 1234L));
  }

  @Test
  void shouldWriteTheCountsFaultsAndVerdictIntoTheDocument() {
    ChaosSoak.Options options = new ChaosSoak.Options(1000, 2, 7, Map.of("num.stream.threads", "2"),
        List.of("-Xmx1g"), Duration.ofSeconds(180));
    ChaosComparison.Result identical = ChaosComparison.compare(REFERENCE, REFERENCE_ALERTS, REFERENCE,
        REFERENCE_ALERTS);
    List<ChaosSoak.Fault> faults = List.of(
        new ChaosSoak.Fault(ChaosSoak.FaultType.KILL, 1, 1, 5.0, -1, 0, 4.0, 50.0),
        new ChaosSoak.Fault(ChaosSoak.FaultType.STOP_LEADER, 1, 1, 60.0, 2, 3.0, null, null),
        new ChaosSoak.Fault(ChaosSoak.FaultType.START_STOPPED, 2, 2, 70.0, 2, 1.0, null, null),
        new ChaosSoak.Fault(ChaosSoak.FaultType.KILL, 2, 2, 80.0, -1, 0, 10.0, 45.0),
        new ChaosSoak.Fault(ChaosSoak.FaultType.RESTART_OTHER, 3, 3, 90.0, 1, 5.0, null, null));
    Map<String, Double> seconds = new LinkedHashMap<>(Map.of("total", 200.0));
    List<Long> kills = List.of(1L, 2L);
    List<Long> brokers = List.of(1L, 2L, 3L);
    ChaosSoak.Result passed = new ChaosSoak.Result(options, 2, 1000, 100, kills, brokers, run(List.of(), true, 0),
        run(faults, true, 0), identical, seconds);
    assertThat(passed.passed()).isTrue();
    Map<String, Object> doc = ChaosReport.document(passed, Map.of("benchmark", "riskstream bench chaos"));
    assertThat(doc).containsEntry("benchmark", "riskstream bench chaos").containsEntry("pass", true)
        .containsEntry("identical", true).containsEntry("complete", true).containsEntry("killPoints", kills)
        .containsEntry("faults", faults).containsEntry("chaos", passed.chaos());
    @SuppressWarnings("unchecked")
    Map<String, Object> counts = (Map<String, Object>) doc.get("counts");
    assertThat(counts).containsEntry("referenceScores", 3).containsEntry("deadLetters", 0L)
        .containsEntry("scores", identical.scores()).containsEntry("splitTransactions", 0);
    assertThat(ChaosReport.summary(passed)).anyMatch(l -> l.contains("mean 47.5 s, max 50.0 s"))
        .anyMatch(l -> l.contains("reference {idle_flush=2, source_progress=100}")).last().asString()
        .startsWith("PASS");

    assertThat(new ChaosSoak.Result(options, 2, 1000, 100, kills, brokers, run(List.of(), true, 0),
        run(faults.subList(0, 4), true, 0), identical, seconds).passed()).as("a fault left out").isFalse();
    assertThat(new ChaosSoak.Result(options, 2, 1000, 100, kills, brokers, run(List.of(), true, 0),
        run(faults, false, 0), identical, seconds).passed()).as("stalled").isFalse();
    ChaosSoak.Result deadLetter = new ChaosSoak.Result(options, 2, 1000, 100, kills, brokers, run(List.of(), true, 1),
        run(faults, true, 0), identical, seconds);
    assertThat(deadLetter.passed()).isFalse();
    assertThat(ChaosReport.summary(deadLetter)).last().asString().startsWith("FAIL").contains("1 dead letters");
    ChaosSoak.Result split = new ChaosSoak.Result(options, 2, 1000, 100, kills, brokers, run(List.of(), true, 0),
        run(faults, true, 0), ChaosComparison.compare(REFERENCE, REFERENCE_ALERTS, List.of(REFERENCE.get(0),
        REFERENCE.get(1), score("x", "p1", "13", 0.6, 3), score("s3", "p1", "13", 0.7, 4)), REFERENCE_ALERTS),
        seconds);
    assertThat(split.passed()).isFalse();
    assertThat(ChaosReport.document(split, Map.of())).containsEntry("pass", false).containsEntry("identical", false);
    assertThat(ChaosReport.summary(split)).anyMatch(l -> l.startsWith("1 transactions were scored under other"))
        .anyMatch(l -> l.startsWith("scores: reference 3, committed 4 records; matched 2, lost 0 (split 0),"
            + " duplicated 0, extra 1 (split 1), differing 1 (probabilities 0)"))
        .last().asString().startsWith("FAIL");
  }

  @Test
  void shouldCutWholePatientsInASeededOrderAndDrawAscendingPointsWithinTheRun() {
    Map<String, List<EmrEvent>> cohort = new LinkedHashMap<>();
    for (int i = 0; i < 10; i++) {
      List<EmrEvent> events = new ArrayList<>();
      for (int k = 0; k < 10; k++) {
        events.add(EmrEvent.newBuilder().setPatientId("p" + i).setEventId("e" + k)
            .setOp(io.riskstream.schemas.EventOp.UPSERT).setKind(io.riskstream.schemas.EventKind.DIAGNOSIS)
            .setEventTime(Instant.EPOCH).setSource(io.riskstream.schemas.SourceCoordinates.newBuilder()
                .setSystem("s").setTable("t").build()).build());
      }
      cohort.put("p" + i, events);
    }
    Map<String, List<EmrEvent>> cut = ChaosSoak.cut(cohort, 35, 7);
    assertThat(cut).hasSize(4);
    assertThat(cut.values()).allMatch(l -> l.size() == 10);
    assertThat(ChaosSoak.cut(cohort, 35, 7).keySet()).containsExactlyElementsOf(cut.keySet());
    assertThat(ChaosSoak.cut(cohort, 1000, 7)).hasSize(10);

    List<Long> points = ChaosSoak.points(new Random(3), 10, 1000);
    assertThat(points).hasSize(10).isSorted().allMatch(p -> p >= 50 && p <= 950);
    assertThat(ChaosSoak.points(new Random(3), 10, 1000)).isEqualTo(points);
  }
}
