package io.riskstream.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.riskstream.connectors.FieldRules;
import io.riskstream.schemas.EmrEvent;
import io.riskstream.schemas.EventKind;
import io.riskstream.schemas.EventOp;
import io.riskstream.schemas.OutcomeProbability;
import io.riskstream.schemas.RiskAlert;
import io.riskstream.schemas.RiskScore;
import io.riskstream.schemas.SourceCoordinates;
import io.riskstream.scoring.encoder.HistoryEncoder;
import io.riskstream.scoring.model.ModelBundle;
import io.riskstream.topology.config.AlertPolicy;
import io.riskstream.topology.config.RiskStreamConfig;
import io.riskstream.topology.config.Topics;
import io.riskstream.topology.serde.AvroSerdes;
import io.riskstream.topology.serde.InMemorySchemaRegistry;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.Test;

/**
 * Every store value and output record stays under the producer's default limit (max.request.size, 1 MiB) by
 * construction: with events whose every field is at its bound ({@link FieldRules}), a history at the largest
 * configurable number of reasons, the larger shipped model and ids at their longest, the largest values are measured
 * here. (Finding 7 of the issue: rows with 10 KB-1 MB codes made a 1.58 MB scoring request.)
 */
class RecordSizeBoundsTest {

  private static final int LIMIT = 1 << 20;

  private static String text(char c, int n) {
    return String.valueOf(c).repeat(n);
  }

  /** An event with every field at its bound: 3-byte UTF-8 characters in the texts. */
  private static EmrEvent largest(String patient, int i) {
    String id = ("conditions:" + i + "-" + text('x', FieldRules.MAX_ID_CHARS)).substring(0, FieldRules.MAX_ID_CHARS);
    return EmrEvent.newBuilder().setPatientId(patient).setEventId(id).setOp(EventOp.UPSERT)
        .setKind(EventKind.OBSERVATION).setEventTime(Instant.parse("2020-01-01T00:00:00Z").plusSeconds(i))
        .setCodeSystem(text('S', FieldRules.MAX_CODE_SYSTEM_CHARS)).setCode((i + "-" + text('9', 64)).substring(0, 64))
        .setDescription((i + text('€', FieldRules.MAX_TEXT_CHARS)).substring(0, FieldRules.MAX_TEXT_CHARS)).setCategory(text('€', FieldRules.MAX_TEXT_CHARS))
        .setValue(1.0).setValueText(text('€', FieldRules.MAX_TEXT_CHARS)).setUnit(text('u', FieldRules.MAX_UNIT_CHARS))
        .setEncounterId(text('e', FieldRules.MAX_ID_CHARS))
        .setSource(SourceCoordinates.newBuilder().setSystem("postgres:ehr").setTable("observations")
            .setTxId(text('7', FieldRules.MAX_ID_CHARS)).setTopic(text('t', 249)).setPartition(0).setOffset(1L)
            .setTransactionId(text('9', 256)).build())
        .build();
  }

  @Test
  void shouldKeepTheLargestScoringRequestScoreAndAlertUnderTheProducerLimit() {
    String patient = text('p', FieldRules.MAX_ID_CHARS);
    int maxReasons = 32; // alert.reasons' upper bound
    List<EmrEvent> history = new ArrayList<>();
    for (int i = 0; i < 512; i++) {
      history.add(largest(patient, i));
    }
    ModelBundle model = ModelBundle.load("emr-risk-base");
    RequestEncoder encoder = new HistoryEncoderAdapter(new HistoryEncoder(model.spec()));
    List<HistoryCommand.SourceOffset> offsets = new ArrayList<>();
    for (int i = 0; i < 32; i++) { // trigger.max.offsets' default; each topic name at Kafka's 249 characters
      offsets.add(new HistoryCommand.SourceOffset(text('t', 249), i, i));
    }
    HistoryCommand.Close close = new HistoryCommand.Close(text('7', FieldRules.MAX_ID_CHARS), offsets, List.of());
    ScoringRequest request = ScoringRequest.of(patient, Long.MAX_VALUE, 1L, close,
        encoder.encode(history, Instant.parse("2021-01-01T00:00:00Z").toEpochMilli(), Integer.MAX_VALUE), history,
        List.of(), 1L, ReasonGroups.of(maxReasons), new OnsetCodes(List.of()));
    byte[] stored = new ScoringRequestSerde().serializer().serialize("scoring-pending-changelog", request);
    assertThat(request.reasonEvents()).hasSize(maxReasons);
    assertThat(stored.length).as("scoring-pending value").isLessThan(LIMIT / 4);

    // the patient-history entry with every onset it can remember: 4 per outcome of a model with 64 outcomes
    List<List<String>> codes = new ArrayList<>();
    for (int k = 0; k < OnsetCodes.MAX_OUTCOMES; k++) {
      codes.add(List.of((k + "-" + text('9', 64)).substring(0, 64)));
    }
    OnsetCodes onsets = new OnsetCodes(codes);
    List<EmrEvent> remembered = List.of();
    for (int k = 0; k < OnsetCodes.MAX_OUTCOMES; k++) {
      for (int i = 0; i < OnsetCodes.REMEMBERED_PER_OUTCOME; i++) {
        EmrEvent e = largest(patient, k * 10 + i);
        remembered = onsets.remember(remembered, EmrEvent.newBuilder(e).setKind(EventKind.DIAGNOSIS)
            .setCode(codes.get(k).get(0)).build());
      }
    }
    assertThat(remembered).hasSize(OnsetCodes.MAX_OUTCOMES * OnsetCodes.REMEMBERED_PER_OUTCOME);
    byte[] header = new PatientHistorySerde().serializer().serialize("patient-history-changelog",
        new PatientHistory(Long.MAX_VALUE, Long.MAX_VALUE, List.of(), remembered));
    assertThat(header.length).as("patient-history value").isLessThan(LIMIT / 4);

    AvroSerdes serdes = AvroSerdes.withClient(new InMemorySchemaRegistry());
    byte[] event = serdes.value(EmrEvent.class).serializer().serialize(Topics.DEFAULTS.emrEvents().name(), history.get(0));
    assertThat(event.length).as("emr-events record and patient-history-events value").isLessThan(LIMIT / 64);

    float[] p = new float[model.spec().outcomes().size()];
    java.util.Arrays.fill(p, 0.99f);
    List<float[]> probabilities = new ArrayList<>();
    for (int i = 0; i <= maxReasons; i++) {
      probabilities.add(i == 0 ? p : new float[p.length]);
    }
    RiskScore score = RiskScore.newBuilder().setScoreId(text('s', 32)).setPatientId(patient).setHistoryVersion(1L)
        .setAsOf(Instant.EPOCH).setOutcomes(model.spec().outcomes().stream().map(o -> new OutcomeProbability(
            text('o', 64), o.horizonDays(), 0.99)).toList())
        .setModel(new io.riskstream.schemas.ModelInfo(text('m', 64), "1.0.0", text('a', 64)))
        .setEngine(new io.riskstream.schemas.EngineInfo("tensorrt", "fp16"))
        .setProvenance(new io.riskstream.schemas.ScoreProvenance(512, request.newestEventIds(), request.txId(),
            offsets.stream().map(o -> new io.riskstream.schemas.SourceOffset(o.topic(), o.partition(), o.offset()))
                .toList())).build();
    byte[] scoreBytes = serdes.value(RiskScore.class).serializer().serialize(Topics.DEFAULTS.riskScores().name(), score);
    assertThat(scoreBytes.length).as("risk-scores record").isLessThan(LIMIT / 16);

    MockProcessorContext<String, RiskAlert> context = new MockProcessorContext<>();
    KeyValueStore<String, AlertState> store = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(
        AlertProcessor.STORE), org.apache.kafka.common.serialization.Serdes.String(), new AlertStateSerde())
        .withLoggingDisabled().build();
    store.init(context.getStateStoreContext(), store);
    context.addStateStore(store);
    AlertPolicy policy = new RiskStreamConfig(Map.of(RiskStreamConfig.ALERT_REASONS_CONFIG, maxReasons)).alertPolicy();
    List<String> outcomes = model.spec().outcomes().stream().map(o -> o.name()).toList();
    ScoringBackend backend = new ScoringBackend(new io.riskstream.scoring.ScorerInfo("tensorrt", "fp16", text('m', 64),
        "1.0.0", text('a', 64), outcomes), model.spec().outcomes().stream().map(o -> o.horizonDays()).toList(),
        in -> new java.util.concurrent.CompletableFuture<>(), outcomes.stream().map(o -> text('€', 128)).toList(),
        Map.of());
    AlertProcessor alerts = new AlertProcessor(policy, backend);
    alerts.init(context);
    RiskScore scored = RiskScore.newBuilder(score).setOutcomes(model.spec().outcomes().stream()
        .map(o -> new OutcomeProbability(o.name(), o.horizonDays(), 0.99)).toList()).build();
    alerts.process(new Record<>(patient, new ScoredRequest(scored, request, probabilities), 1L));
    assertThat(context.forwarded()).isNotEmpty().allSatisfy(f -> {
      RiskAlert alert = f.record().value();
      assertThat(alert.getReasons()).hasSize(maxReasons);
      byte[] bytes = serdes.value(RiskAlert.class).serializer().serialize(Topics.DEFAULTS.riskAlerts().name(), alert);
      assertThat(bytes.length).as("risk-alerts record").isLessThan(LIMIT / 4);
    });
    byte[] alertState = new AlertStateSerde().serializer().serialize("alert-state-changelog", store.get(patient));
    assertThat(alertState.length).as("alert-state value").isLessThan(LIMIT / 64);
    System.out.printf("largest values: scoring-pending %,d B, emr event %,d B, score %,d B, alert-state %,d B%n",
        stored.length, event.length, scoreBytes.length, alertState.length);
  }
}
