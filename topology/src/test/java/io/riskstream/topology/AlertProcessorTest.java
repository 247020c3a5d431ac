package io.riskstream.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.riskstream.schemas.AlertSeverity;
import io.riskstream.schemas.EngineInfo;
import io.riskstream.schemas.ModelInfo;
import io.riskstream.schemas.OutcomeProbability;
import io.riskstream.schemas.RiskAlert;
import io.riskstream.schemas.RiskScore;
import io.riskstream.schemas.ScoreProvenance;
import io.riskstream.scoring.ModelInput;
import io.riskstream.topology.config.RiskStreamConfig;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class AlertProcessorTest {

  private static final Instant T0 = Instant.parse("2024-01-01T00:00:00Z");
  private MockProcessorContext<String, RiskAlert> context;
  private AlertProcessor processor;
  private long version;

  @BeforeEach
  void setUp() {
    RiskStreamConfig config = new RiskStreamConfig(Map.of(
        RiskStreamConfig.ALERT_WARNING_THRESHOLD_CONFIG, "0.3",
        RiskStreamConfig.ALERT_CRITICAL_THRESHOLD_CONFIG, "0.6",
        RiskStreamConfig.ALERT_HYSTERESIS_MARGIN_CONFIG, "0.1",
        RiskStreamConfig.ALERT_COOLDOWN_HOURS_CONFIG, "24",
        "alert.outcome.b.warning.threshold", "0.9", "alert.outcome.b.critical.threshold", "0.95"));
    context = new MockProcessorContext<>();
    KeyValueStore<String, AlertState> store = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(AlertProcessor.STORE),
        Serdes.String(), new AlertStateSerde()).withLoggingDisabled().build();
    store.init(context.getStateStoreContext(), store);
    context.addStateStore(store);
    processor = new AlertProcessor(config.alertPolicy(), TokenSumTestScorer.synchronousBackend());
    processor.init(context);
  }

  /** Scores p1 with probability pa for outcome a (and 0.5 for b) at T0 + hours; returns the alerts raised. */
  private List<RiskAlert> score(double pa, long hours) {
    return score(pa, 0.5, hours, 0L, null);
  }

  /**
   * Scores p1 with probabilities pa and pb at T0 + hours, with the outcomes {@code diagnosed} (bits) and the death
   * time {@code death} (null: none); returns the alerts raised.
   */
  private List<RiskAlert> score(double pa, double pb, long hours, long diagnosed, Instant death) {
    context.resetForwards();
    version++;
    RiskScore s = RiskScore.newBuilder().setScoreId("s" + version).setPatientId("p1").setHistoryVersion(version)
        .setAsOf(T0.plus(Duration.ofHours(hours)))
        .setOutcomes(List.of(new OutcomeProbability("a", 365, pa), new OutcomeProbability("b", 365, pb)))
        .setModel(new ModelInfo("m", "1", "sha")).setEngine(new EngineInfo("test", "fp32"))
        .setProvenance(new ScoreProvenance(1, List.of("conditions:c1"), null, List.of())).build();
    ModelInput in = new ModelInput(new long[] {1}, new float[1], new float[1]);
    ScoringRequest req = new ScoringRequest("p1", version, s.getAsOf().toEpochMilli(), 0, null, List.of(), 1,
        List.of("conditions:c1"), List.of(in), List.of(), null, diagnosed, death == null ? null : death.toEpochMilli());
    processor.process(new Record<>("p1", new ScoredRequest(s, req, List.of(new float[] {(float) pa, (float) pb})),
        0L));
    return context.forwarded().stream().map(f -> (RiskAlert) f.record().value()).toList();
  }

  @Test
  void shouldAlertOnceWhileAboveThresholdAndReArmOnlyBelowThresholdMinusMargin() {
    assertThat(score(0.35, 0)).extracting(RiskAlert::getSeverity).containsExactly(AlertSeverity.WARNING);
    assertThat(score(0.40, 100)).isEmpty();        // still above, disarmed
    assertThat(score(0.25, 200)).isEmpty();        // below threshold but not below 0.3 - 0.1
    assertThat(score(0.35, 300)).isEmpty();        // so not re-armed
    assertThat(score(0.15, 400)).isEmpty();        // below 0.2: re-armed
    List<RiskAlert> again = score(0.31, 500);
    assertThat(again).extracting(RiskAlert::getSeverity).containsExactly(AlertSeverity.WARNING);
    assertThat(again.get(0).getPreviousProbability()).isEqualTo(0.15);
    assertThat(again.get(0).getAlertId()).isEqualTo(Ids.alertId("s6", "a", "WARNING"));
  }

  private double withheld(String metric) {
    return context.metrics().metrics().entrySet().stream().filter(e -> e.getKey().name().equals(metric + "-total"))
        .mapToDouble(e -> ((Number) e.getValue().metricValue()).doubleValue()).sum();
  }

  @Test
  void shouldWithholdTheAlertOfAnOutcomeAlreadyDiagnosedAndRaiseTheOthers() {
    // a (bit 0) is diagnosed: its critical is withheld; b (threshold 0.9) raises its warning
    assertThat(score(0.7, 0.92, 0, 0b01L, null)).extracting(RiskAlert::getOutcome, RiskAlert::getSeverity)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("b", AlertSeverity.WARNING));
    assertThat(withheld("alerts-withheld-diagnosed")).isEqualTo(1.0);
    // the withheld alert moved a's state as a raised one would: disarmed, so no further alert and no further count
    assertThat(score(0.7, 0.5, 100, 0b01L, null)).isEmpty();
    assertThat(withheld("alerts-withheld-diagnosed")).isEqualTo(1.0);
    assertThat(withheld("alerts-withheld-deceased")).isZero();
  }

  @Test
  void shouldWithholdEveryAlertOfAPatientWhoDiedAtOrBeforeTheScore() {
    Instant death = T0.plus(Duration.ofHours(10));
    assertThat(score(0.7, 0.92, 0, 0L, death)).hasSize(2);    // alive at the score: both raised
    assertThat(score(0.1, 0.1, 5, 0L, death)).isEmpty();      // both re-armed
    assertThat(score(0.7, 0.92, 100, 0L, death)).isEmpty();   // after death: none
    assertThat(withheld("alerts-withheld-deceased")).isEqualTo(2.0);
    assertThat(withheld("alerts-withheld-diagnosed")).isZero();
  }

  @Test
  void shouldSuppressSameSeverityWithinCooldownButNotEscalation() {
    assertThat(score(0.35, 0)).hasSize(1);
    assertThat(score(0.10, 1)).isEmpty();          // re-armed
    assertThat(score(0.35, 2)).isEmpty();          // within the 24 h cooldown: suppressed, stays armed
    assertThat(score(0.70, 3)).extracting(RiskAlert::getSeverity).containsExactly(AlertSeverity.CRITICAL); // escalation
    assertThat(score(0.10, 4)).isEmpty();
    assertThat(score(0.70, 10)).isEmpty();         // critical within cooldown of the critical alert
    assertThat(score(0.70, 28)).extracting(RiskAlert::getSeverity).containsExactly(AlertSeverity.CRITICAL); // cooldown over
  }

  @Test
  void shouldUseCooldownInEventTimeEvenWhenScoresArriveOutOfOrder() {
    assertThat(score(0.35, 100)).hasSize(1);
    assertThat(score(0.10, 101)).isEmpty();
    assertThat(score(0.35, 50)).isEmpty();         // older event time than the last alert: within cooldown
  }

  /** Scores outcome a at {@code pa} with two reason groups whose occlusion leaves {@code pa - drop[i]}. */
  private List<RiskAlert> scoreExplained(double pa, double... drops) {
    context.resetForwards();
    version++;
    RiskScore s = RiskScore.newBuilder().setScoreId("s" + version).setPatientId("p1").setHistoryVersion(version)
        .setAsOf(T0).setOutcomes(List.of(new OutcomeProbability("a", 365, pa), new OutcomeProbability("b", 365, 0.5)))
        .setModel(new ModelInfo("m", "1", "sha")).setEngine(new EngineInfo("test", "fp32"))
        .setProvenance(new ScoreProvenance(3, List.of(), null, List.of())).build();
    ModelInput in = new ModelInput(new long[] {1, 2, 3}, new float[3], new float[3]);
    List<ScoringRequest.ReasonEvent> reasons = new java.util.ArrayList<>();
    List<float[]> probabilities = new java.util.ArrayList<>();
    probabilities.add(new float[] {(float) pa, 0.5f});
    for (int i = 0; i < drops.length; i++) {
      reasons.add(new ScoringRequest.ReasonEvent("observations:o" + i, "OBSERVATION", "LOINC", "c" + i, "Code " + i,
          i, List.of(i), i + 2));
      probabilities.add(new float[] {(float) (pa - drops[i]), 0.5f});
    }
    ScoringRequest req = new ScoringRequest("p1", version, 0, 0, null, List.of(), 3, List.of(), List.of(in), reasons);
    processor.process(new Record<>("p1", new ScoredRequest(s, req, probabilities), 0L));
    return context.forwarded().stream().map(f -> (RiskAlert) f.record().value()).toList();
  }

  @Test
  void shouldCiteOnlyGroupsAboveTheContributionFloorWithTheirCountAndDescription() {
    List<RiskAlert> alerts = scoreExplained(0.5, 0.001, 0.05, -0.02);  // floor (default) 0.005

    assertThat(alerts).hasSize(1);
    assertThat(alerts.get(0).getReasons()).singleElement().satisfies(r -> {
      assertThat(r.getEventId()).isEqualTo("observations:o1");
      assertThat(r.getDescription()).isEqualTo("Code 1");
      assertThat(r.getCount()).isEqualTo(3);
      assertThat(r.getContribution()).isCloseTo(0.05, org.assertj.core.data.Offset.offset(1e-6));
    });
  }

  @Test
  void shouldCarryTheOutcomesDisplayName() {
    ScoringBackend named = new ScoringBackend(TokenSumTestScorer.INFO, List.of(365, 365), in -> null,
        List.of("Outcome A", "Outcome B"), Map.of());
    processor = new AlertProcessor(new RiskStreamConfig(Map.of(RiskStreamConfig.ALERT_WARNING_THRESHOLD_CONFIG, "0.3"))
        .alertPolicy(), named);
    processor.init(context);

    assertThat(score(0.35, 0)).extracting(RiskAlert::getOutcome, RiskAlert::getOutcomeDisplayName)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("a", "Outcome A"),
            org.assertj.core.groups.Tuple.tuple("b", "Outcome B"));
  }

  @Test
  void shouldApplyPerOutcomeThresholds() {
    assertThat(score(0.5, 0)).extracting(RiskAlert::getOutcome).containsExactly("a"); // b = 0.5 < its 0.9 warning
  }

  /** Scores p1 at {@code asOf} with probability {@code pa} for outcome a, for a patient born at {@code birth}. */
  private List<RiskAlert> scoreAged(double pa, Instant asOf, Instant birth) {
    context.resetForwards();
    version++;
    RiskScore s = RiskScore.newBuilder().setScoreId("s" + version).setPatientId("p1").setHistoryVersion(version)
        .setAsOf(asOf)
        .setOutcomes(List.of(new OutcomeProbability("a", 365, pa), new OutcomeProbability("b", 365, 0.5)))
        .setModel(new ModelInfo("m", "1", "sha")).setEngine(new EngineInfo("test", "fp32"))
        .setProvenance(new ScoreProvenance(1, List.of("conditions:c1"), null, List.of())).build();
    ModelInput in = new ModelInput(new long[] {1}, new float[1], new float[1]);
    ScoringRequest req = new ScoringRequest("p1", version, asOf.toEpochMilli(), 0, null, List.of(), 1,
        List.of("conditions:c1"), List.of(in), List.of(), birth == null ? null : birth.toEpochMilli());
    processor.process(new Record<>("p1", new ScoredRequest(s, req, List.of(new float[] {(float) pa, 0.5f})), 0L));
    return context.forwarded().stream().map(f -> (RiskAlert) f.record().value()).toList();
  }

  /** Outcome a: warning 0.3, critical 0.6; b never alerts; no alert below 18. */
  private void adultsOnly() {
    processor = new AlertProcessor(new RiskStreamConfig(Map.of(RiskStreamConfig.ALERT_WARNING_THRESHOLD_CONFIG, "0.3",
        RiskStreamConfig.ALERT_CRITICAL_THRESHOLD_CONFIG, "0.6", "alert.outcome.b.warning.threshold", "0.9",
        "alert.outcome.b.critical.threshold", "0.95")).alertPolicy().withMinimumAge(18),
        TokenSumTestScorer.synchronousBackend());
    processor.init(context);
  }

  @Test
  void shouldRaiseNoAlertBelowTheModelsMinimumAgeAndAlertOnceTheFirstScoreIsAboveIt() {
    adultsOnly();
    Instant birth = Instant.parse("2000-01-01T00:00:00Z");

    assertThat(scoreAged(0.70, Instant.parse("2000-01-02T00:00:00Z"), birth)).isEmpty();   // a day old
    assertThat(scoreAged(0.70, Instant.parse("2017-12-01T00:00:00Z"), birth)).isEmpty();   // 17.9 years
    // 18: what stayed armed fires now
    assertThat(scoreAged(0.70, Instant.parse("2018-01-03T00:00:00Z"), birth)).extracting(RiskAlert::getSeverity)
        .containsExactly(AlertSeverity.CRITICAL);
  }

  @Test
  void shouldAlertWhenTheAgeIsUnknown() {
    adultsOnly();

    assertThat(scoreAged(0.35, Instant.parse("2000-01-02T00:00:00Z"), null)).extracting(RiskAlert::getSeverity)
        .containsExactly(AlertSeverity.WARNING);
  }
}
