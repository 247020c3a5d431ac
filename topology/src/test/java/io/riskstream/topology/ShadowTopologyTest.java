package io.riskstream.topology;

import static io.riskstream.connectors.debezium.Cdc.change;
import static io.riskstream.connectors.debezium.Cdc.condition;
import static io.riskstream.connectors.debezium.Cdc.key;
import static io.riskstream.connectors.debezium.Cdc.patient;
import static org.assertj.core.api.Assertions.assertThat;

import io.riskstream.schemas.AlertSeverity;
import io.riskstream.schemas.DeadLetter;
import io.riskstream.schemas.RiskAlert;
import io.riskstream.schemas.RiskScore;
import io.riskstream.scoring.Scored;
import io.riskstream.scoring.ScorerInfo;
import io.riskstream.scoring.model.OperatingPoint;
import io.riskstream.topology.config.RiskStreamConfig;
import io.riskstream.topology.config.Topics;
import io.riskstream.topology.serde.AvroSerdes;
import io.riskstream.topology.serde.InMemorySchemaRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyConfig;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The shadow model in the topology: its own topics, model and alert state, and never in production's way. */
class ShadowTopologyTest {

  /** The shadow: the token-sum scorer at twice the probability (capped at 1), another model and sha256. */
  private static final ScorerInfo SHADOW_INFO = new ScorerInfo("test", "fp32", "token-sum-x2", "2", "feedbeef",
      List.of("a", "b"));

  @TempDir
  Path stateDir;

  private TopologyTestDriver driver;
  private TestInputTopic<byte[], byte[]> conditions;
  private TestOutputTopic<String, RiskScore> scores;
  private TestOutputTopic<String, RiskAlert> alerts;
  private TestOutputTopic<String, RiskScore> shadowScores;
  private TestOutputTopic<String, RiskAlert> shadowAlerts;
  private TestOutputTopic<byte[], DeadLetter> dlq;
  private TestOutputTopic<String, String> assessments;
  private final DeadLetterCounts deadLetters = new DeadLetterCounts();
  private final ShadowCounts counts = new ShadowCounts();

  private static ScoringBackend doubled() {
    return doubled(0);
  }

  /** The doubled shadow whose card covers patients from {@code minimumAgeYears}. */
  private static ScoringBackend doubled(double minimumAgeYears) {
    TokenSumTestScorer s = new TokenSumTestScorer();
    return new ScoringBackend(SHADOW_INFO, List.of(365, 365), in -> {
      float[] p = s.score(List.of(in))[0];
      return CompletableFuture.completedFuture(new Scored(new float[] {Math.min(1f, 2 * p[0]), Math.min(1f, 2 * p[1])},
          "test", "fp32"));
    }, List.of("a", "b"), List.of(List.of(), List.of()), Map.of(), millis -> { }, minimumAgeYears);
  }

  private static ScoringBackend failing(RuntimeException e) {
    return new ScoringBackend(SHADOW_INFO, List.of(365, 365), in -> CompletableFuture.failedFuture(e));
  }

  private void start(RequestEncoder shadowEncoder, ScoringBackend shadowBackend, Object... overrides) {
    Map<String, Object> props = new HashMap<>();
    props.put(RiskStreamConfig.SOURCE_TOPICS_CONFIG, "ehr.clinical.conditions");
    props.put(RiskStreamConfig.STATE_DIR_CONFIG, stateDir.toString());
    props.put(RiskStreamConfig.TRIGGER_IDLE_FLUSH_MS_CONFIG, "0");
    props.put(RiskStreamConfig.ALERT_WARNING_THRESHOLD_CONFIG, "0.3");
    props.put(RiskStreamConfig.ALERT_CRITICAL_THRESHOLD_CONFIG, "0.6");
    props.put(RiskStreamConfig.SHADOW_MODEL_CONFIG, "token-sum-x2");
    for (int i = 0; i < overrides.length; i += 2) {
      props.put((String) overrides[i], overrides[i + 1]);
    }
    RiskStreamConfig config = new RiskStreamConfig(props);
    AvroSerdes serdes = AvroSerdes.withClient(new InMemorySchemaRegistry());
    Properties p = config.streamsProperties();
    p.putAll(ErrorHandling.streamsProperties(config, serdes, deadLetters));
    StreamsBuilder b = new StreamsBuilder(new TopologyConfig(new StreamsConfig(p)));
    driver = new TopologyTestDriver(RiskTopology.build(b, config, serdes, new CodeTokenTestEncoder(),
        TokenSumTestScorer.synchronousBackend(), deadLetters, new ShadowModel(shadowEncoder, shadowBackend, counts)), p,
        Instant.parse("2026-01-01T00:00:00Z"));
    conditions = driver.createInputTopic("ehr.clinical.conditions", Serdes.ByteArray().serializer(),
        Serdes.ByteArray().serializer());
    Topics topics = config.topics();
    scores = driver.createOutputTopic(topics.riskScores().name(), Serdes.String().deserializer(),
        serdes.value(topics.riskScores()).deserializer());
    alerts = driver.createOutputTopic(topics.riskAlerts().name(), Serdes.String().deserializer(),
        serdes.value(topics.riskAlerts()).deserializer());
    shadowScores = driver.createOutputTopic(topics.riskScoresShadow().name(), Serdes.String().deserializer(),
        serdes.value(topics.riskScoresShadow()).deserializer());
    shadowAlerts = driver.createOutputTopic(topics.riskAlertsShadow().name(), Serdes.String().deserializer(),
        serdes.value(topics.riskAlertsShadow()).deserializer());
    dlq = driver.createOutputTopic(topics.deadLetters().name(), Serdes.ByteArray().deserializer(),
        serdes.value(topics.deadLetters()).deserializer());
    assessments = driver.createOutputTopic(topics.riskAssessments(), Serdes.String().deserializer(),
        Serdes.String().deserializer());
  }

  @AfterEach
  void close() {
    if (driver != null) {
      driver.close();
    }
  }

  /** Three histories of p1 (a = 0.2, 0.4, 0.7) and one of p2 (a = 0.1), each event its own transaction. */
  private void feed() {
    cond("c1", "p1", "2020-01-01T00:00:00Z", "120", 1000);
    cond("c2", "p1", "2020-02-01T00:00:00Z", "120", 1001);
    cond("c3", "p1", "2020-03-01T00:00:00Z", "130", 1002);
    cond("x1", "p2", "2020-03-01T00:00:00Z", "110", 1003);
  }

  private void cond(String id, String patient, String time, String code, long ts) {
    conditions.pipeInput(key("k"), change("conditions", "c", condition(id, patient, time, code), null, ts),
        Instant.ofEpochMilli(ts));
  }

  @Test
  void shouldScoreEveryHistoryWithTheShadowModelOnItsOwnTopicWithItsOwnProvenance() {
    start(new CodeTokenTestEncoder(), doubled());
    feed();

    List<RiskScore> production = scores.readValuesToList();
    List<RiskScore> shadow = shadowScores.readValuesToList();
    assertThat(production).hasSize(4);
    assertThat(shadow).extracting(RiskScore::getPatientId, RiskScore::getHistoryVersion, RiskScore::getAsOf)
        .containsExactlyElementsOf(production.stream()
            .map(s -> org.assertj.core.groups.Tuple.tuple(s.getPatientId(), s.getHistoryVersion(), s.getAsOf()))
            .toList());
    assertThat(shadow).allSatisfy(s -> {
      assertThat(s.getModel().getId()).isEqualTo("token-sum-x2");
      assertThat(s.getModel().getVersion()).isEqualTo("2");
      assertThat(s.getModel().getSha256()).isEqualTo("feedbeef");
      assertThat(s.getScoreId()).isEqualTo(Ids.scoreId(s.getPatientId(), s.getHistoryVersion(), "feedbeef"));
    });
    assertThat(production).extracting(s -> s.getModel().getSha256()).containsOnly("0123abcd");
    assertThat(shadow.get(2).getOutcomes().get(0).getProbability()).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-6));
    assertThat(counts.requests()).isEqualTo(4);
    assertThat(counts.scores()).isEqualTo(4);
  }

  @Test
  void shouldComputeShadowAlertsWithTheRealPolicyButNeverPublishThem() {
    start(new CodeTokenTestEncoder(), doubled());
    feed();

    // production: a = 0.2, 0.4 (warning), 0.7 (critical); the shadow: 0.4 (warning), 0.8 (critical), 1.0 (cooled down,
    // no new severity) and p2's 0.2 (none)
    List<RiskAlert> published = alerts.readValuesToList();
    assertThat(published).extracting(RiskAlert::getSeverity)
        .containsExactly(AlertSeverity.WARNING, AlertSeverity.CRITICAL);
    assertThat(published).extracting(a -> a.getModel().getSha256()).containsOnly("0123abcd");
    List<RiskAlert> wouldBe = shadowAlerts.readValuesToList();
    assertThat(wouldBe).extracting(RiskAlert::getPatientId, RiskAlert::getSeverity, RiskAlert::getAsOf)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("p1", AlertSeverity.WARNING, Instant.parse("2020-01-01T00:00:00Z")),
            org.assertj.core.groups.Tuple.tuple("p1", AlertSeverity.CRITICAL, Instant.parse("2020-02-01T00:00:00Z")));
    assertThat(wouldBe).allSatisfy(a -> {
      assertThat(a.getModel().getSha256()).isEqualTo("feedbeef");
      assertThat(a.getReasons()).isEmpty();
    });
    assertThat(counts.alerts()).isEqualTo(2);
    // the shadow's alert state is its own
    assertThat(driver.<String, AlertState>getKeyValueStore(AlertProcessor.SHADOW_STORE).get("p1")).isNotNull();
    assertThat(assessments.readValuesToList()).noneMatch(json -> json.contains("feedbeef"));
  }

  @Test
  void shouldWithholdTheShadowsAlertsForAnOutcomeDiagnosedByItsOwnOnsetCodes() {
    // the shadow's onset code of a is 120 (production's model has none): from c1 on p1 has a for the shadow only
    start(new CodeTokenTestEncoder(), doubled().withOnsetCodes(List.of(List.of("120"), List.of())));
    feed();

    // production raises its warning and critical as without onset codes; the shadow's two would-be alerts (0.4
    // warning, 0.8 critical) are withheld and counted under the shadow's own sensor
    assertThat(alerts.readValuesToList()).extracting(RiskAlert::getSeverity)
        .containsExactly(AlertSeverity.WARNING, AlertSeverity.CRITICAL);
    assertThat(shadowAlerts.readValuesToList()).isEmpty();
    assertThat(counts.alerts()).isZero();
    assertThat(metricTotal("shadow-alerts-withheld-diagnosed-total")).isEqualTo(2.0);
    assertThat(metricTotal("alerts-withheld-diagnosed-total")).isZero();
  }

  private double metricTotal(String name) {
    return driver.metrics().entrySet().stream().filter(e -> e.getKey().name().equals(name))
        .mapToDouble(e -> ((Number) e.getValue().metricValue()).doubleValue()).sum();
  }

  @Test
  void shouldKeepScoringProductionWhileTheShadowScorerFails() {
    start(new CodeTokenTestEncoder(), failing(new IllegalStateException("GPU lost")),
        RiskStreamConfig.SCORE_MAX_RETRIES_CONFIG, "1");
    feed();
    assertThat(scores.readValuesToList()).hasSize(4);
    assertThat(alerts.readValuesToList()).hasSize(2);

    // each request is re-submitted once after its backoff (a wall-clock punctuation), then given up for the shadow
    for (int i = 0; i < 100 && counts.failures(ShadowCounts.Failure.SCORER_FAILED) < 4; i++) {
      driver.advanceWallClockTime(Duration.ofSeconds(1));
    }
    assertThat(counts.failures(ShadowCounts.Failure.SCORER_FAILED)).isEqualTo(4);
    assertThat(shadowScores.isEmpty()).isTrue();
    assertThat(shadowAlerts.isEmpty()).isTrue();
    assertThat(dlq.isEmpty()).isTrue();
    assertThat(deadLetters.total()).isZero();
    try (var pending = driver.<String, ScoringRequest>getKeyValueStore(ScoreProcessor.SHADOW_STORE).all()) {
      assertThat(pending.hasNext()).isFalse();
    }

    // production goes on
    cond("c4", "p1", "2020-04-01T00:00:00Z", "110", 1004);
    assertThat(scores.readValuesToList()).extracting(RiskScore::getHistoryVersion).containsExactly(4L);
  }

  @Test
  void shouldSkipWhatTheShadowRejectsWithoutDeadLetteringIt() {
    start(new CodeTokenTestEncoder(), failing(new IllegalArgumentException("token outside the vocabulary")));
    feed();

    assertThat(scores.readValuesToList()).hasSize(4);
    assertThat(counts.failures(ShadowCounts.Failure.INVALID_INPUT)).isEqualTo(4);
    assertThat(shadowScores.isEmpty()).isTrue();
    assertThat(dlq.isEmpty()).isTrue();
    assertThat(deadLetters.total()).isZero();
  }

  @Test
  void shouldSkipHistoriesForTheShadowOnceItsBacklogIsFullWhileProductionGoesOn() {
    // a shadow scorer that never answers: its requests stay pending
    start(new CodeTokenTestEncoder(), new ScoringBackend(SHADOW_INFO, List.of(365, 365), in -> new CompletableFuture<>()),
        RiskStreamConfig.SHADOW_MAX_PENDING_CONFIG, "2");
    feed();

    assertThat(scores.readValuesToList()).hasSize(4);
    assertThat(alerts.readValuesToList()).hasSize(2);
    assertThat(counts.requests()).isEqualTo(4);
    assertThat(counts.failures(ShadowCounts.Failure.BACKLOG)).isEqualTo(2);
    assertThat(shadowScores.isEmpty()).isTrue();
    try (var pending = driver.<String, ScoringRequest>getKeyValueStore(ScoreProcessor.SHADOW_STORE).all()) {
      assertThat(pending).toIterable().hasSize(2);
    }
  }

  @Test
  void shouldSkipHistoriesTheShadowEncoderCannotEncode() {
    RequestEncoder refusing = (history, index, occlusions) -> {
      throw new IllegalArgumentException("nothing encodable");
    };
    start(refusing, doubled());
    feed();

    assertThat(scores.readValuesToList()).hasSize(4);
    assertThat(counts.failures(ShadowCounts.Failure.UNENCODABLE)).isEqualTo(4);
    assertThat(counts.requests()).isZero();
    assertThat(shadowScores.isEmpty()).isTrue();
    assertThat(dlq.isEmpty()).isTrue();
  }

  /** A child (born 2012) and an adult (born 1960), each with a condition coded 130 on 2020-01-01. */
  private void feedChildAndAdult() {
    TestInputTopic<byte[], byte[]> patients = driver.createInputTopic("ehr.clinical.patients",
        Serdes.ByteArray().serializer(), Serdes.ByteArray().serializer());
    patients.pipeInput(key("k"), change("patients", "c", patient("child", "2012-06-01", "female"), null, 1000),
        Instant.ofEpochMilli(1000));
    patients.pipeInput(key("k"), change("patients", "c", patient("adult", "1960-06-01", "male"), null, 1001),
        Instant.ofEpochMilli(1001));
    cond("k1", "child", "2020-01-01T00:00:00Z", "130", 1002);
    cond("k2", "adult", "2020-01-01T00:00:00Z", "130", 1003);
  }

  @Test
  void shouldRaiseNoShadowAlertBelowTheShadowCardsMinimumAge() {
    start(new CodeTokenTestEncoder(), doubled(18), RiskStreamConfig.SOURCE_TOPICS_CONFIG,
        "ehr.clinical.patients,ehr.clinical.conditions");
    feedChildAndAdult();

    // production's card covers every age: both get an alert; the shadow's covers adults only
    assertThat(alerts.readValuesToList()).extracting(RiskAlert::getPatientId).containsExactly("child", "adult");
    assertThat(shadowScores.readValuesToList()).extracting(RiskScore::getPatientId).contains("child", "adult");
    assertThat(shadowAlerts.readValuesToList()).extracting(RiskAlert::getPatientId).containsExactly("adult");
    assertThat(counts.alerts()).isEqualTo(1);
  }

  @Test
  void shouldTakeProductionsMinimumAgeForTheShadowWithProductionsThresholds() {
    start(new CodeTokenTestEncoder(), doubled(18), RiskStreamConfig.SOURCE_TOPICS_CONFIG,
        "ehr.clinical.patients,ehr.clinical.conditions", RiskStreamConfig.SHADOW_THRESHOLDS_CONFIG, "production");
    feedChildAndAdult();

    assertThat(shadowAlerts.readValuesToList()).extracting(RiskAlert::getPatientId).containsExactly("child", "adult");
  }

  @Test
  void shouldTakeTheShadowThresholdsFromItsCardElseProductionsUnlessToldToUseProductions() {
    Map<String, OperatingPoint> productionPoints = Map.of("a", new OperatingPoint(0.1, 0.2),
        "b", new OperatingPoint(0.3, 0.4));
    ScoringBackend production = new ScoringBackend(TokenSumTestScorer.INFO, List.of(365, 365), in -> null,
        List.of("a", "b"), productionPoints);
    ScoringBackend shadow = new ScoringBackend(SHADOW_INFO, List.of(365, 365), in -> null, List.of("a", "b"),
        Map.of("a", new OperatingPoint(0.05, 0.5)));
    RiskStreamConfig model = new RiskStreamConfig(Map.of(RiskStreamConfig.SHADOW_MODEL_CONFIG, "x"));
    RiskStreamConfig same = new RiskStreamConfig(Map.of(RiskStreamConfig.SHADOW_MODEL_CONFIG, "x",
        RiskStreamConfig.SHADOW_THRESHOLDS_CONFIG, "production"));

    assertThat(RiskTopology.shadowAlertPolicy(model, production, shadow).forOutcome("a").warningThreshold()).isEqualTo(0.05);
    assertThat(RiskTopology.shadowAlertPolicy(model, production, shadow).forOutcome("b").warningThreshold()).isEqualTo(0.3);
    assertThat(RiskTopology.shadowAlertPolicy(same, production, shadow).forOutcome("a").warningThreshold()).isEqualTo(0.1);
    ScoringBackend adults = new ScoringBackend(TokenSumTestScorer.INFO, List.of(365, 365), in -> null,
        List.of("a", "b"), List.of(List.of(), List.of()), productionPoints, millis -> { }, 18);
    ScoringBackend over65 = new ScoringBackend(SHADOW_INFO, List.of(365, 365), in -> null, List.of("a", "b"),
        List.of(List.of(), List.of()), Map.of(), millis -> { }, 65);
    assertThat(RiskTopology.shadowAlertPolicy(model, adults, over65).minimumAgeYears()).isEqualTo(65);
    assertThat(RiskTopology.shadowAlertPolicy(same, adults, over65).minimumAgeYears()).isEqualTo(18);
  }
}
