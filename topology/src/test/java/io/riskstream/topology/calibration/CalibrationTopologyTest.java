package io.riskstream.topology.calibration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.riskstream.schemas.CalibrationDrift;
import io.riskstream.schemas.CalibrationState;
import io.riskstream.schemas.EmrEvent;
import io.riskstream.schemas.EventKind;
import io.riskstream.schemas.EventOp;
import io.riskstream.schemas.RiskScore;
import io.riskstream.schemas.SourceCoordinates;
import io.riskstream.topology.CodeTokenTestEncoder;
import io.riskstream.topology.DeadLetterCounts;
import io.riskstream.topology.ErrorHandling;
import io.riskstream.topology.RiskTopology;
import io.riskstream.topology.ScoringBackend;
import io.riskstream.topology.TokenSumTestScorer;
import io.riskstream.topology.config.RiskStreamConfig;
import io.riskstream.topology.config.Topics;
import io.riskstream.topology.serde.AvroSerdes;
import io.riskstream.topology.serde.InMemorySchemaRegistry;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
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

/**
 * The calibration part of the whole topology on TopologyTestDriver, fed emr-events directly. The test scorer's p(a) is
 * 0.10 for a history holding code "110"; code "900" is outcome a's onset, "901" outcome b's (whose p is 0).
 */
class CalibrationTopologyTest {

  private static final long DAY = 86_400_000L;
  /** 2020-01-01, the cohort's first day. */
  private static final long DAY0 = Instant.parse("2020-01-01T00:00:00Z").toEpochMilli() / DAY;
  private static final long WINDOW = 90 * DAY;

  @TempDir
  Path stateDir;

  private TopologyTestDriver driver;
  private TestInputTopic<String, EmrEvent> events;
  private TestOutputTopic<String, CalibrationDrift> drifts;
  private TestOutputTopic<String, RiskScore> scores;
  private final CalibrationStatus status = new CalibrationStatus();
  private long recordTime = Instant.parse("2026-01-01T00:00:00Z").toEpochMilli();
  private int eventIds;

  private void start(Object... overrides) {
    Map<String, Object> props = new HashMap<>();
    props.put(RiskStreamConfig.STATE_DIR_CONFIG, stateDir.toString());
    props.put(RiskStreamConfig.NORMALIZE_ENABLED_CONFIG, "false");
    props.put(RiskStreamConfig.CALIBRATION_ENABLED_CONFIG, "true");
    props.put(RiskStreamConfig.CALIBRATION_WINDOW_DAYS_CONFIG, "90");
    props.put(RiskStreamConfig.CALIBRATION_WINDOW_STEP_DAYS_CONFIG, "90");
    props.put(RiskStreamConfig.CALIBRATION_GRACE_DAYS_CONFIG, "30");
    props.put(RiskStreamConfig.CALIBRATION_MIN_LABELLED_CONFIG, "20");
    for (int i = 0; i < overrides.length; i += 2) {
      props.put((String) overrides[i], overrides[i + 1]);
    }
    RiskStreamConfig config = new RiskStreamConfig(props);
    AvroSerdes serdes = AvroSerdes.withClient(new InMemorySchemaRegistry());
    DeadLetterCounts deadLetters = new DeadLetterCounts();
    Properties p = config.streamsProperties();
    p.putAll(ErrorHandling.streamsProperties(config, serdes, deadLetters));
    ScoringBackend backend = TokenSumTestScorer.synchronousBackend()
        .withOnsetCodes(List.of(List.of("900"), List.of("901")));
    driver = new TopologyTestDriver(RiskTopology.build(new StreamsBuilder(new TopologyConfig(new StreamsConfig(p))),
        config, serdes, new CodeTokenTestEncoder(), backend, deadLetters, status), p,
        Instant.parse("2026-01-01T00:00:00Z"));
    events = driver.createInputTopic(Topics.DEFAULTS.emrEvents().name(), Serdes.String().serializer(),
        serdes.value(EmrEvent.class).serializer());
    drifts = driver.createOutputTopic(config.getString(RiskStreamConfig.TOPIC_CALIBRATION_DRIFT_CONFIG),
        Serdes.String().deserializer(), serdes.value(CalibrationDrift.class).deserializer());
    scores = driver.createOutputTopic(Topics.DEFAULTS.riskScores().name(), Serdes.String().deserializer(),
        serdes.value(RiskScore.class).deserializer());
  }

  @AfterEach
  void close() {
    if (driver != null) {
      driver.close();
    }
  }

  private void diagnosis(String patient, long day, String code) {
    EmrEvent e = EmrEvent.newBuilder().setPatientId(patient).setEventId("conditions:" + (eventIds++))
        .setOp(EventOp.UPSERT).setKind(EventKind.DIAGNOSIS).setEventTime(Instant.ofEpochMilli((DAY0 + day) * DAY))
        .setCodeSystem("SNOMED-CT").setCode(code)
        .setSource(SourceCoordinates.newBuilder().setSystem("test").setTable("conditions").build()).build();
    events.pipeInput(patient, e, Instant.ofEpochMilli(recordTime += 1000));
  }

  /**
   * {@code patients} patients ({@code prefix}0…) with code "110" (p(a) = 0.10) on {@code day}, of whom the first
   * {@code onsets} get outcome a's onset 100 days later; then a visit on day + 400, which labels the first scores.
   */
  private void cohort(String prefix, int patients, int onsets, long day) {
    for (int i = 0; i < patients; i++) {
      diagnosis(prefix + i, day, "110");
    }
    for (int i = 0; i < onsets; i++) {
      diagnosis(prefix + i, day + 100, "900");
    }
    for (int i = 0; i < patients; i++) {
      diagnosis(prefix + i, day + 400, "1");
    }
  }

  private static long windowStart(long day) {
    return (DAY0 + day) * DAY / WINDOW * WINDOW;
  }

  @Test
  void shouldEmitADriftEventWhenOnsetsComeFarMoreOftenThanPredicted() {
    start();
    cohort("p", 40, 30, 0);
    // the labels of later scores move the windows' stream time past the first window's end + grace
    cohort("q", 40, 4, 400);

    assertThat(scores.readValuesToList()).hasSize(40 + 30 + 40 + 40 + 4 + 40);
    List<CalibrationDrift> out = drifts.readValuesToList();
    assertThat(out).hasSize(1);
    CalibrationDrift d = out.get(0);
    assertThat(d.getOutcome()).isEqualTo("a");
    assertThat(d.getState()).isEqualTo(CalibrationState.DRIFTED);
    assertThat(d.getWindowStart().toEpochMilli()).isEqualTo(windowStart(0));
    assertThat(d.getWindowEnd().toEpochMilli()).isEqualTo(windowStart(0) + WINDOW);
    assertThat(d.getLabelled()).isEqualTo(40);
    assertThat(d.getObserved()).isEqualTo(30);
    assertThat(d.getExpected()).isCloseTo(4.0, within(1e-5));
    assertThat(d.getRatio()).isCloseTo(7.5, within(1e-5));
    assertThat(d.getRatioLower()).isCloseTo(5.059, within(1e-3));
    assertThat(d.getRatioUpper()).isCloseTo(10.707, within(1e-3));
    assertThat(d.getCalibrationInTheLarge()).isCloseTo((30 - 4.0) / 40, within(1e-6));
    assertThat(d.getBandLower()).isEqualTo(0.5);
    assertThat(d.getBandUpper()).isEqualTo(2.0);
    assertThat(d.getHorizonDays()).isEqualTo(365);
    assertThat(d.getModel().getId()).isEqualTo("token-sum");
  }

  @Test
  void shouldEmitNoDriftEventForACalibratedStreamAndReportItsWindow() {
    start();
    cohort("p", 40, 4, 0);
    cohort("q", 40, 4, 400);

    assertThat(drifts.readValuesToList()).isEmpty();
    CalibrationStatus.Latest a = status.latest("a").orElseThrow();
    assertThat(a.windowStart()).isEqualTo(windowStart(0));
    assertThat(a.window().labelled()).isEqualTo(40);
    assertThat(a.window().observed()).isEqualTo(4);
    assertThat(a.window().expected()).isCloseTo(4.0, within(1e-5));
    assertThat(a.drifted()).isFalse();
    // every label so far: the day-0 and day-400 scores of both cohorts that their patients' later visits closed
    assertThat(status.totals("a").labelled()).isEqualTo(80);
    assertThat(status.totals("a").observed()).isEqualTo(8);
    assertThat(status.totals("a").expected()).isCloseTo(8.0, within(1e-5));
  }

  @Test
  void shouldEmitARecoveryWhenALaterWindowIsBackInTheBand() {
    start();
    cohort("p", 40, 30, 0);
    cohort("q", 40, 4, 400);
    cohort("r", 40, 4, 800);

    List<CalibrationDrift> out = drifts.readValuesToList();
    assertThat(out).extracting(CalibrationDrift::getState)
        .containsExactly(CalibrationState.DRIFTED, CalibrationState.RECOVERED);
    assertThat(out.get(1).getWindowStart().toEpochMilli()).isEqualTo(windowStart(400));
    assertThat(out.get(1).getLabelled()).isEqualTo(40);
    assertThat(out.get(1).getObserved()).isEqualTo(4);
  }

  @Test
  void shouldRaiseNoDriftWhenTooFewOnsetsWereExpectedToTellOutsideTheBandFromChance() {
    // p(a) 0.01 (code "101"): 40 scores expect 0.4 onsets; none observed is a ratio of 0, but 0 onsets happen 2 times
    // in 3 at that rate, so the interval (0 to 9.2) overlaps the band
    start();
    for (int i = 0; i < 40; i++) {
      diagnosis("p" + i, 0, "101");
    }
    for (int i = 0; i < 40; i++) {
      diagnosis("p" + i, 400, "1");
    }
    cohort("q", 40, 4, 400);

    assertThat(drifts.readValuesToList()).isEmpty();
    CalibrationStatus.Latest a = status.latest("a").orElseThrow();
    assertThat(a.window().labelled()).isEqualTo(40);
    assertThat(a.window().observed()).isZero();
    assertThat(a.window().ratio()).isZero();
  }

  @Test
  void shouldNeitherRaiseNorClearADriftOnAWindowWithTooFewLabelledScores() {
    start(RiskStreamConfig.CALIBRATION_MIN_LABELLED_CONFIG, "41");
    cohort("p", 40, 30, 0);
    cohort("q", 40, 4, 400);

    assertThat(drifts.readValuesToList()).isEmpty();
    assertThat(status.latest("a").orElseThrow().window().observed()).isEqualTo(30);
  }

  @Test
  void shouldAddNothingWhenCalibrationIsDisabled() {
    start(RiskStreamConfig.CALIBRATION_ENABLED_CONFIG, "false");
    cohort("p", 40, 30, 0);
    cohort("q", 40, 4, 400);

    assertThat(driver.producedTopicNames()).doesNotContain("calibration-drift");
    assertThat(status.all()).isEmpty();
  }

  @Test
  void shouldLeaveScoresFromBefore1970UnlabelledAndKeepStreaming() {
    start();
    // a patient whose record lies before the epoch (Synthea has such deceased patients): no window can hold its scores
    diagnosis("old", -DAY0 - 30, "110");
    diagnosis("old", -DAY0 - 20, "900");
    diagnosis("old", -DAY0 + 400, "1");
    cohort("p", 40, 30, 0);
    cohort("q", 40, 4, 400);

    assertThat(scores.readValuesToList()).hasSize(3 + 194);
    assertThat(drifts.readValuesToList()).extracting(CalibrationDrift::getObserved).containsExactly(30L);
    assertThat(driver.metrics().entrySet()).filteredOn(e -> e.getKey().name().equals("calibration-before-epoch-total"))
        .extracting(e -> e.getValue().metricValue()).containsExactly(2.0);
  }
}
