package io.riskstream.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.riskstream.scoring.ModelInput;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.Test;

class ScoreProcessorTest {

  private static ScoringRequest request(String patient, long version, long token) {
    ModelInput in = new ModelInput(new long[] {token}, new float[1], new float[1]);
    return new ScoringRequest(patient, version, 1000L * version, 5L, "tx" + version,
        List.of(new HistoryCommand.SourceOffset("ehr.clinical.conditions", 0, version)), 1,
        List.of("conditions:c" + version), List.of(in), List.of());
  }

  private static KeyValueStore<String, ScoringRequest> store(MockProcessorContext<String, ScoredRequest> context) {
    KeyValueStore<String, ScoringRequest> store = Stores.keyValueStoreBuilder(
        Stores.inMemoryKeyValueStore(ScoreProcessor.STORE), Serdes.String(), new JsonSerde<>(ScoringRequest.class))
        .withLoggingDisabled().build();
    store.init(context.getStateStoreContext(), store);
    context.addStateStore(store);
    return store;
  }

  @Test
  void shouldResubmitRequestsFoundInTheStoreOnInit() {
    MockProcessorContext<String, ScoredRequest> context = new MockProcessorContext<>();
    KeyValueStore<String, ScoringRequest> store = store(context);
    // what a crashed instance left behind: two requests in the changelogged store, never scored
    store.put(request("p1", 1, 150).pendingKey(), request("p1", 1, 150));
    store.put(request("p2", 4, 120).pendingKey(), request("p2", 4, 120));
    DeferredTestBackend deferred = new DeferredTestBackend();
    ScoreProcessor processor = new ScoreProcessor(deferred.backend(), Duration.ofMillis(10), 2);
    processor.init(context);
    assertThat(deferred.inputs).hasSize(2);
    deferred.completeAll();
    processor.drain();
    assertThat(context.forwarded()).extracting(f -> f.record().value().score().getPatientId()).containsExactly("p1", "p2");
    assertThat(context.forwarded().get(0).record().value().score().getOutcomes().get(0).getProbability())
        .isCloseTo(0.5, org.assertj.core.data.Offset.offset(1e-6));
    assertThat(store.approximateNumEntries()).isZero();
  }

  @Test
  void shouldRoundTripRequestsThroughTheStoreSerde() {
    ScoringRequest r = request("p1", 3, 42);
    JsonSerde<ScoringRequest> serde = new JsonSerde<>(ScoringRequest.class);
    ScoringRequest back = serde.deserializer().deserialize("t", serde.serializer().serialize("t", r));
    assertThat(back).isEqualTo(r);
  }

  @Test
  void shouldFailTheThreadAfterMaxRetriesKeepingTheRequest() {
    MockProcessorContext<String, ScoredRequest> context = new MockProcessorContext<>();
    KeyValueStore<String, ScoringRequest> store = store(context);
    DeferredTestBackend deferred = new DeferredTestBackend();
    ScoreProcessor processor = new ScoreProcessor(deferred.backend(), Duration.ofMillis(10), 1);
    processor.init(context);
    processor.process(new Record<>("p1", request("p1", 1, 150), 0L));
    deferred.fail(0);
    processor.drain();
    deferred.fail(1);
    org.assertj.core.api.Assertions.assertThatThrownBy(processor::drain)
        .isInstanceOf(org.apache.kafka.streams.errors.StreamsException.class).hasMessageContaining("scoring failed 2 times");
    assertThat(store.get(request("p1", 1, 150).pendingKey())).isNotNull();
    assertThat(context.forwarded()).isEmpty();
  }
}
