package io.riskstream.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.riskstream.schemas.DeadLetter;
import io.riskstream.schemas.DeadLetterReason;
import io.riskstream.schemas.DeadLetterStage;
import io.riskstream.scoring.ModelInput;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import io.riskstream.topology.config.AlertPolicy;
import io.riskstream.topology.config.RiskStreamConfig;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.Test;

class ScoreProcessorTest {

  /** Warning at 0.3, critical at 0.9 for outcomes a and b; re-armed below 0.2; a 24-hour cooldown. */
  private static final AlertPolicy POLICY = new RiskStreamConfig(Map.of(
      RiskStreamConfig.ALERT_WARNING_THRESHOLD_CONFIG, "0.3", RiskStreamConfig.ALERT_CRITICAL_THRESHOLD_CONFIG, "0.9",
      RiskStreamConfig.ALERT_HYSTERESIS_MARGIN_CONFIG, "0.1", RiskStreamConfig.ALERT_COOLDOWN_HOURS_CONFIG, "24"))
      .alertPolicy();

  /** A request whose history has one event per token, the two newest being its reason events. */
  private static ScoringRequest explainable(String patient, long version, long... tokens) {
    int n = tokens.length;
    ModelInput in = new ModelInput(tokens, new float[n], new float[n]);
    List<ScoringRequest.ReasonEvent> reasons = List.of(
        new ScoringRequest.ReasonEvent("conditions:c" + (n - 1), "DIAGNOSIS", "SNOMED-CT", "x", null, 2L, List.of(n - 1)),
        new ScoringRequest.ReasonEvent("conditions:c" + (n - 2), "DIAGNOSIS", "SNOMED-CT", "y", null, 1L, List.of(n - 2)));
    return new ScoringRequest(patient, version, 1000L * version, 5L, "tx" + version, List.of(), n, List.of(),
        List.of(in), reasons);
  }

  private static ScoringRequest request(String patient, long version, long token) {
    ModelInput in = new ModelInput(new long[] {token}, new float[1], new float[1]);
    return new ScoringRequest(patient, version, 1000L * version, 5L, "tx" + version,
        List.of(new HistoryCommand.SourceOffset("ehr.clinical.conditions", 0, version)), 1,
        List.of("conditions:c" + version), List.of(in), List.of());
  }

  private static KeyValueStore<String, ScoringRequest> store(MockProcessorContext<String, Object> context) {
    KeyValueStore<String, ScoringRequest> store = Stores.keyValueStoreBuilder(
        Stores.inMemoryKeyValueStore(ScoreProcessor.STORE), Serdes.String(), new ScoringRequestSerde())
        .withLoggingDisabled().build();
    store.init(context.getStateStoreContext(), store);
    context.addStateStore(store);
    alertStates(context);
    return store;
  }

  /** The alert processor's store, which the score processor reads to decide whether a score needs reasons. */
  private static KeyValueStore<String, AlertState> alertStates(MockProcessorContext<String, Object> context) {
    KeyValueStore<String, AlertState> alerts = Stores.keyValueStoreBuilder(
        Stores.inMemoryKeyValueStore(AlertProcessor.STORE), Serdes.String(), new AlertStateSerde())
        .withLoggingDisabled().build();
    alerts.init(context.getStateStoreContext(), alerts);
    context.addStateStore(alerts);
    return alerts;
  }

  @Test
  void shouldResubmitRequestsFoundInTheStoreOnInit() {
    MockProcessorContext<String, Object> context = new MockProcessorContext<>();
    context.setCurrentSystemTimeMs(1_000);  // the score processor reports event-to-score latency on the wall clock
    KeyValueStore<String, ScoringRequest> store = store(context);
    // what a crashed instance left behind: two requests in the changelogged store, never scored
    store.put(request("p1", 1, 150).pendingKey(), request("p1", 1, 150));
    store.put(request("p2", 4, 120).pendingKey(), request("p2", 4, 120));
    DeferredTestBackend deferred = new DeferredTestBackend();
    ScoreProcessor processor = new ScoreProcessor(deferred.backend(), Duration.ofMillis(10), 2, POLICY);
    processor.init(context);
    assertThat(deferred.inputs).hasSize(2);
    deferred.completeAll();
    processor.drain();
    assertThat(context.forwarded()).extracting(f -> ((ScoredRequest) f.record().value()).score().getPatientId()).containsExactly("p1", "p2");
    assertThat(((ScoredRequest) context.forwarded().get(0).record().value()).score().getOutcomes().get(0).getProbability())
        .isCloseTo(0.5, org.assertj.core.data.Offset.offset(1e-6));
    assertThat(store.approximateNumEntries()).isZero();
  }

  @Test
  void shouldRoundTripRequestsThroughTheStoreSerde() {
    ScoringRequest r = request("p1", 3, 42);
    ScoringRequestSerde serde = new ScoringRequestSerde();
    byte[] bytes = serde.serializer().serialize("t", r);
    assertThat(bytes[0]).isEqualTo(BinaryStoreSerde.FORMAT);
    assertThat(serde.deserializer().deserialize("t", bytes)).isEqualTo(r);
    // what earlier versions wrote: JSON
    byte[] json = new JsonSerde<>(ScoringRequest.class).serializer().serialize("t", r);
    assertThat(serde.deserializer().deserialize("t", json)).isEqualTo(r);
  }

  @Test
  void shouldRoundTripReasonGroupCountsAndReadEntriesWrittenBeforeThemAsSingleEvents() {
    ScoringRequest single = explainable("p1", 1, 150, 120, 110);
    List<ScoringRequest.ReasonEvent> grouped = single.reasonEvents().stream().map(e -> new ScoringRequest.ReasonEvent(
        e.eventId(), e.kind(), e.codeSystem(), e.code(), e.description(), e.eventTime(), e.positions(), 4)).toList();
    ScoringRequest r = new ScoringRequest("p1", 1, 1000L, 5L, "tx1", List.of(), 3, List.of(), single.inputs(), grouped);
    ScoringRequestSerde serde = new ScoringRequestSerde();
    byte[] bytes = serde.serializer().serialize("t", r);
    assertThat(serde.deserializer().deserialize("t", bytes)).isEqualTo(r);
    // the layout before groups ended after the reason events: here, without the two one-byte counts, the one-byte
    // "no birth time", the one-byte "none diagnosed" and the one-byte "no death"
    byte[] before = java.util.Arrays.copyOf(bytes, bytes.length - 5);
    assertThat(serde.deserializer().deserialize("t", before).reasonEvents())
        .extracting(ScoringRequest.ReasonEvent::count).containsExactly(1, 1);
    assertThat(serde.deserializer().deserialize("t", before).reasonEvents())
        .extracting(ScoringRequest.ReasonEvent::eventId).containsExactlyElementsOf(grouped.stream()
            .map(ScoringRequest.ReasonEvent::eventId).toList());
  }

  @Test
  void shouldRoundTripTheBirthTimeAndReadEntriesWrittenBeforeItWithoutOne() {
    ScoringRequest single = explainable("p1", 1, 150, 120, 110);
    long birth = Instant.parse("1990-06-01T00:00:00Z").toEpochMilli();
    long asOf = Instant.parse("2010-06-01T00:00:00Z").toEpochMilli();
    ScoringRequest r = new ScoringRequest("p1", 1, asOf, 5L, "tx1", List.of(), 3, List.of(), single.inputs(),
        single.reasonEvents(), birth);
    ScoringRequestSerde serde = new ScoringRequestSerde();
    byte[] bytes = serde.serializer().serialize("t", r);

    assertThat(serde.deserializer().deserialize("t", bytes)).isEqualTo(r);
    assertThat(r.ageYears()).isCloseTo(20.0, org.assertj.core.data.Offset.offset(0.01));
    // the layout before the birth time ended after the counts (here: without the one-byte "no birth time", the
    // one-byte "none diagnosed" and the one-byte "no death")
    ScoringRequest without = new ScoringRequest("p1", 1, asOf, 5L, "tx1", List.of(), 3, List.of(), single.inputs(),
        single.reasonEvents());
    byte[] written = serde.serializer().serialize("t", without);
    byte[] before = java.util.Arrays.copyOf(written, written.length - 3);
    assertThat(serde.deserializer().deserialize("t", before)).isEqualTo(without);
    assertThat(without.ageYears()).isNaN();
  }

  /** A context with the score processor's and the alert processor's stores, at wall-clock time 1 s. */
  private static MockProcessorContext<String, Object> context() {
    MockProcessorContext<String, Object> context = new MockProcessorContext<>();
    context.setCurrentSystemTimeMs(1_000);  // the score processor reports event-to-score latency on the wall clock
    store(context);
    return context;
  }

  /** A score processor with {@code policy} (one retry) on {@code deferred}, initialized on {@code context}. */
  private static ScoreProcessor started(MockProcessorContext<String, Object> context, DeferredTestBackend deferred,
      AlertPolicy policy) {
    ScoreProcessor processor = new ScoreProcessor(deferred.backend(), Duration.ofMillis(10), 1, policy);
    processor.init(context);
    return processor;
  }

  /** {@code r} with the outcomes {@code diagnosed} (bits) and the death time {@code death} (null: none). */
  private static ScoringRequest with(ScoringRequest r, long diagnosed, Long death) {
    return new ScoringRequest(r.patientId(), r.historyVersion(), r.asOf(), r.timestamp(), r.txId(), r.sourceOffsets(),
        r.eventCount(), r.newestEventIds(), r.inputs(), r.reasonEvents(), r.birthTime(), diagnosed, death);
  }

  @Test
  void shouldRoundTripDiagnosesAndDeathAndReadEntriesWrittenBeforeThemWithNone() {
    long birth = Instant.parse("1940-06-01T00:00:00Z").toEpochMilli();
    long death = Instant.parse("2010-05-01T00:00:00Z").toEpochMilli();
    ScoringRequest single = explainable("p1", 1, 150, 120, 110);
    ScoringRequest birthOnly = new ScoringRequest("p1", 1, single.asOf(), 5L, "tx1", List.of(), 3, List.of(),
        single.inputs(), single.reasonEvents(), birth);
    ScoringRequest r = with(birthOnly, 0b101L | 1L << 63, death);
    ScoringRequestSerde serde = new ScoringRequestSerde();

    ScoringRequest read = serde.deserializer().deserialize("t", serde.serializer().serialize("t", r));
    assertThat(read).isEqualTo(r);
    assertThat(read.diagnosed(0)).isTrue();
    assertThat(read.diagnosed(1)).isFalse();
    assertThat(read.diagnosed(2)).isTrue();
    assertThat(read.diagnosed(63)).isTrue();
    assertThat(read.diagnosed(64)).isFalse();

    // the layout before diagnoses and death ended after the birth time: here, without the one-byte "none diagnosed"
    // and the one-byte "no death"
    byte[] current = serde.serializer().serialize("t", birthOnly);
    byte[] before = java.util.Arrays.copyOf(current, current.length - 2);
    ScoringRequest readOld = serde.deserializer().deserialize("t", before);
    assertThat(readOld).isEqualTo(birthOnly);
    assertThat(readOld.diagnosed()).isZero();
    assertThat(readOld.deathTime()).isNull();
    assertThat(readOld.deceased()).isFalse();
  }

  @Test
  void shouldNotScoreTheReasonInputsOfAnAlertWithheldForAnOutcomeDiagnosedOrAPatientWhoDied() {
    MockProcessorContext<String, Object> context = context();
    DeferredTestBackend deferred = new DeferredTestBackend();
    ScoreProcessor processor = started(context, deferred, POLICY);
    ScoringRequest open = explainable("open", 1, 110, 150, 120);  // p(a) = 0.8, p(b) = 0: warns for a
    ScoringRequest diagnosed = with(explainable("diagnosed", 1, 110, 150, 120), 0b01L, null);  // a already diagnosed
    ScoringRequest died = with(explainable("died", 1, 110, 150, 120), 0L, open.asOf());  // died at asOf
    ScoringRequest diesLater = with(explainable("dies-later", 1, 110, 150, 120), 0b10L, open.asOf() + 1);

    for (ScoringRequest r : List.of(diagnosed, died, open, diesLater)) {
      processor.process(new Record<>(r.patientId(), r, 0L));
    }
    deferred.completeAll();
    processor.drain();

    // every alert of "diagnosed" and "died" is withheld: forwarded with the base score alone; "open" and "dies-later"
    // (b is diagnosed, a is not; death after asOf) warn for a and wait for their two occluded inputs each
    assertThat(context.forwarded()).extracting(f -> ((ScoredRequest) f.record().value()).score().getPatientId())
        .containsExactlyInAnyOrder("diagnosed", "died");
    assertThat(context.forwarded()).allSatisfy(f ->
        assertThat(((ScoredRequest) f.record().value()).probabilities()).hasSize(1));
    assertThat(deferred.inputs).hasSize(4 + 2 * 2);
  }

  @Test
  void shouldDeadLetterARequestTheScorerRejectsAsInvalidWithoutRetryOrHoldingBackThePatient() {
    MockProcessorContext<String, Object> context = new MockProcessorContext<>();
    context.setCurrentSystemTimeMs(1_000);  // the score processor reports event-to-score latency on the wall clock
    KeyValueStore<String, ScoringRequest> store = store(context);
    DeferredTestBackend deferred = new DeferredTestBackend();
    ScoreProcessor processor = new ScoreProcessor(deferred.backend(), Duration.ofMillis(10), 3, POLICY);
    processor.init(context);
    processor.process(new Record<>("p1", request("p1", 1, 150), 0L));
    processor.process(new Record<>("p1", request("p1", 2, 160), 0L));
    deferred.reject(0);
    deferred.complete(1);
    processor.drain();

    assertThat(deferred.inputs).hasSize(2); // no retry of the invalid input
    assertThat(context.forwarded()).hasSize(2);
    assertThat(context.forwarded().get(0).record().value()).isInstanceOfSatisfying(DeadLetter.class, d -> {
      assertThat(d.getReasonCode()).isEqualTo(DeadLetterReason.INVALID_MODEL_INPUT);
      assertThat(d.getStage()).isEqualTo(DeadLetterStage.SCORE);
      assertThat(d.getMessage()).contains("history version 1").doesNotContain("99999");
      assertThat(DeadLetters.key(d)).isEqualTo("p1".getBytes(java.nio.charset.StandardCharsets.UTF_8));
    });
    assertThat(((ScoredRequest) context.forwarded().get(1).record().value()).score().getHistoryVersion()).isEqualTo(2);
    assertThat(store.get(request("p1", 1, 150).pendingKey())).isNull();
    assertThat(store.get(request("p1", 2, 160).pendingKey())).isNull();
    assertThat(processor.inFlightCount()).isZero();
  }

  @Test
  void shouldDeadLetterAScoreThatIsNoProbabilityAndScoreThePatientsNextRequest() {
    MockProcessorContext<String, Object> context = new MockProcessorContext<>();
    context.setCurrentSystemTimeMs(1_000);
    KeyValueStore<String, ScoringRequest> store = store(context);
    DeferredTestBackend deferred = new DeferredTestBackend();
    ScoreProcessor processor = new ScoreProcessor(deferred.backend(), Duration.ofMillis(10), 3, POLICY);
    processor.init(context);
    processor.process(new Record<>("p1", request("p1", 1, 150), 0L));
    processor.process(new Record<>("p1", request("p1", 2, 160), 0L));
    processor.process(new Record<>("p1", request("p1", 3, 170), 0L));
    deferred.completeWith(0, Float.NaN, 0.1f);
    deferred.completeWith(1, 0.2f, 1.5f);
    deferred.complete(2);
    processor.drain();

    assertThat(deferred.inputs).hasSize(3);  // no retry: the same input would give the same output
    assertThat(context.forwarded()).hasSize(3);
    for (int i = 0; i < 2; i++) {
      long version = i + 1;
      assertThat(context.forwarded().get(i).record().value()).isInstanceOfSatisfying(DeadLetter.class, d -> {
        assertThat(d.getReasonCode()).isEqualTo(DeadLetterReason.INVALID_MODEL_INPUT);
        assertThat(d.getStage()).isEqualTo(DeadLetterStage.SCORE);
        assertThat(d.getMessage()).contains("not a probability", "history version " + version)
            .doesNotContain("NaN,", "1.5");
      });
    }
    assertThat(((ScoredRequest) context.forwarded().get(2).record().value()).score().getHistoryVersion()).isEqualTo(3);
    assertThat(store.get(request("p1", 1, 150).pendingKey())).isNull();
    assertThat(store.get(request("p1", 2, 160).pendingKey())).isNull();
    assertThat(processor.inFlightCount()).isZero();
  }

  @Test
  void shouldFailTheThreadAfterMaxRetriesKeepingTheRequest() {
    MockProcessorContext<String, Object> context = new MockProcessorContext<>();
    context.setCurrentSystemTimeMs(1_000);  // the score processor reports event-to-score latency on the wall clock
    KeyValueStore<String, ScoringRequest> store = store(context);
    DeferredTestBackend deferred = new DeferredTestBackend();
    ScoreProcessor processor = new ScoreProcessor(deferred.backend(), Duration.ofMillis(10), 1, POLICY);
    processor.init(context);
    context.setCurrentSystemTimeMs(1_000);
    processor.process(new Record<>("p1", request("p1", 1, 150), 0L));
    deferred.fail(0);
    processor.drain();
    // the backend failed: the request waits out the backoff before it is re-submitted
    assertThat(deferred.inputs).hasSize(1);
    context.setCurrentSystemTimeMs(1_000 + ScoreProcessor.FIRST_BACKOFF_MS - 1);
    processor.drain();
    assertThat(deferred.inputs).hasSize(1);
    context.setCurrentSystemTimeMs(1_000 + ScoreProcessor.FIRST_BACKOFF_MS);
    processor.drain();
    assertThat(deferred.inputs).hasSize(2);
    deferred.fail(1);
    org.assertj.core.api.Assertions.assertThatThrownBy(processor::drain)
        .isInstanceOf(org.apache.kafka.streams.errors.StreamsException.class).hasMessageContaining("scoring failed 2 times");
    assertThat(store.get(request("p1", 1, 150).pendingKey())).isNotNull();
    assertThat(context.forwarded()).isEmpty();
  }

  @Test
  void shouldScoreTheReasonInputsOnlyWhenAnOutcomeReachesItsWarningThreshold() {
    MockProcessorContext<String, Object> context = context();
    DeferredTestBackend deferred = new DeferredTestBackend();
    ScoreProcessor processor = started(context, deferred, POLICY);

    processor.process(new Record<>("low", explainable("low", 1, 110, 110), 0L));   // p(a) = 0.2
    processor.process(new Record<>("high", explainable("high", 1, 110, 150, 120), 0L));  // p(a) = 0.8
    assertThat(deferred.inputs).hasSize(2);  // the base inputs only
    deferred.completeAll();
    processor.drain();

    assertThat(context.forwarded()).hasSize(1);
    ScoredRequest low = (ScoredRequest) context.forwarded().get(0).record().value();
    assertThat(low.score().getPatientId()).isEqualTo("low");
    assertThat(low.probabilities()).hasSize(1);
    assertThat(deferred.inputs).hasSize(4);  // p(a) of "high" reached 0.3: its two occluded inputs follow
    assertThat(deferred.inputs.get(2).tokens()).containsExactly(110, 150);
    assertThat(deferred.inputs.get(3).tokens()).containsExactly(110, 120);

    deferred.completeAll();
    processor.drain();
    ScoredRequest high = (ScoredRequest) context.forwarded().get(1).record().value();
    assertThat(high.probabilities()).hasSize(3);
    assertThat(high.probabilities().get(1)[0]).isCloseTo(0.6f, org.assertj.core.data.Offset.offset(1e-6f));
    assertThat(high.probabilities().get(2)[0]).isCloseTo(0.3f, org.assertj.core.data.Offset.offset(1e-6f));
  }

  @Test
  void shouldScoreARequestStoredWithItsOccludedInputsByAnEarlierVersion() {
    ModelInput base = new ModelInput(new long[] {150, 120}, new float[2], new float[2]);
    ModelInput without = new ModelInput(new long[] {150}, new float[1], new float[1]);
    ScoringRequest stored = new ScoringRequest("p", 1, 1000L, 5L, "tx1", List.of(), 2, List.of(), List.of(base, without),
        List.of(new ScoringRequest.ReasonEvent("conditions:c1", "DIAGNOSIS", "SNOMED-CT", "x", null, 1L, null)));
    // stored as JSON by that version, read by this one's serde
    ScoringRequest back = new ScoringRequestSerde().deserializer().deserialize("t",
        new JsonSerde<>(ScoringRequest.class).serializer().serialize("t", stored));
    assertThat(new ScoringRequestSerde().deserializer().deserialize("t",
        new ScoringRequestSerde().serializer().serialize("t", back))).isEqualTo(stored);
    MockProcessorContext<String, Object> context = new MockProcessorContext<>();
    context.setCurrentSystemTimeMs(1_000);  // the score processor reports event-to-score latency on the wall clock
    store(context).put(back.pendingKey(), back);
    DeferredTestBackend deferred = new DeferredTestBackend();
    ScoreProcessor processor = new ScoreProcessor(deferred.backend(), Duration.ofMillis(10), 1, POLICY);

    processor.init(context);
    deferred.completeAll();
    processor.drain();
    deferred.completeAll();
    processor.drain();

    assertThat(back.occluded(0)).isEqualTo(without);
    assertThat(deferred.inputs).containsExactly(base, without);
    assertThat(context.forwarded()).singleElement()
        .satisfies(f -> assertThat(((ScoredRequest) f.record().value()).probabilities()).hasSize(2));
  }

  @Test
  void shouldNotScoreTheReasonInputsOfAScoreThatTheAlertPolicyHoldsBack() {
    MockProcessorContext<String, Object> context = new MockProcessorContext<>();
    context.setCurrentSystemTimeMs(1_000);  // the score processor reports event-to-score latency on the wall clock
    store(context);
    KeyValueStore<String, AlertState> alerts = context.getStateStore(AlertProcessor.STORE);
    // "warned" had its warning for a at 0.7 one hour before (event time) these requests: warning is disarmed and
    // cooling down; "rearmed" fell back below 0.2 after its warning, a day and a half before: armed again
    long asOf = 1000L;  // explainable(..., 1, ...) is as of 1,000 ms
    alerts.put("warned", AlertState.empty().with("a",
        new AlertState.Outcome(0.7, false, true, asOf - 3_600_000L, "WARNING")));
    alerts.put("rearmed", AlertState.empty().with("a",
        new AlertState.Outcome(0.1, true, true, asOf - 36 * 3_600_000L, "WARNING")));
    DeferredTestBackend deferred = new DeferredTestBackend();
    ScoreProcessor processor = new ScoreProcessor(deferred.backend(), Duration.ofMillis(10), 1, POLICY);
    processor.init(context);

    processor.process(new Record<>("warned", explainable("warned", 1, 110, 150, 120), 0L));    // p(a) = 0.8
    processor.process(new Record<>("rearmed", explainable("rearmed", 1, 110, 150, 120), 0L));  // p(a) = 0.8
    deferred.completeAll();
    processor.drain();

    // "warned" raises no alert (disarmed), so it is forwarded with its base score alone; "rearmed" warns again and
    // waits for its two occluded inputs
    assertThat(context.forwarded()).singleElement().satisfies(f -> {
      ScoredRequest warned = (ScoredRequest) f.record().value();
      assertThat(warned.score().getPatientId()).isEqualTo("warned");
      assertThat(warned.probabilities()).hasSize(1);
    });
    assertThat(deferred.inputs).hasSize(4);
    deferred.completeAll();
    processor.drain();
    assertThat(((ScoredRequest) context.forwarded().get(1).record().value()).probabilities()).hasSize(3);
  }

  @Test
  void shouldNotScoreTheReasonInputsOfAPatientYoungerThanTheModelsPopulation() {
    MockProcessorContext<String, Object> context = context();
    DeferredTestBackend deferred = new DeferredTestBackend();
    ScoreProcessor processor = started(context, deferred, POLICY.withMinimumAge(18));
    ScoringRequest adult = explainable("adult", 1, 110, 150, 120);  // p(a) = 0.8
    long year = 365L * 24 * 3_600_000L;
    ScoringRequest child = new ScoringRequest("child", 1, adult.asOf(), adult.timestamp(), adult.txId(),
        adult.sourceOffsets(), adult.eventCount(), adult.newestEventIds(), adult.inputs(), adult.reasonEvents(),
        adult.asOf() - 5 * year);

    processor.process(new Record<>("child", child, 0L));
    processor.process(new Record<>("adult", adult, 0L));
    deferred.completeAll();
    processor.drain();

    // the child gets no alert (below the card's minimum age), so no reasons: only the adult's occluded inputs follow
    assertThat(context.forwarded()).singleElement().satisfies(f ->
        assertThat(((ScoredRequest) f.record().value()).score().getPatientId()).isEqualTo("child"));
    assertThat(deferred.inputs).hasSize(4);
  }
}
