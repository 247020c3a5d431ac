package io.riskstream.topology;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.Test;

class TransactionTrackerTest {

  private final MockProcessorContext<String, TransactionSignal> context = new MockProcessorContext<>();
  private final KeyValueStore<String, TrackedTransaction> tracked = Stores.keyValueStoreBuilder(
      Stores.inMemoryKeyValueStore(TransactionTracker.STORE), Serdes.String(), new TrackedTransactionSerde())
      .withLoggingDisabled().build();
  private final KeyValueStore<String, String> patients = Stores.keyValueStoreBuilder(
      Stores.inMemoryKeyValueStore(TransactionTracker.PATIENTS), Serdes.String(), Serdes.String())
      .withLoggingDisabled().build();

  private TransactionTracker tracker() {
    tracked.init(context.getStateStoreContext(), tracked);
    patients.init(context.getStateStoreContext(), patients);
    context.addStateStore(tracked);
    context.addStateStore(patients);
    TransactionTracker t = new TransactionTracker(Duration.ofDays(1));
    t.init(context);
    return t;
  }

  @Test
  void shouldKeepEveryValueSmallForATransactionOfThousandsOfPatients() {
    TransactionTracker t = tracker();
    int n = 5_000;
    for (int i = 0; i < n; i++) {
      t.process(new Record<>("900", (TransactionSignal) new TransactionSignal.Counted("900", "patient-" + i), i));
      byte[] value = new TrackedTransactionSerde().serializer().serialize("c", tracked.get("900"));
      assertThat(value.length).isLessThan(64);
    }
    t.process(new Record<>("900", (TransactionSignal) new TransactionSignal.Counted(null, null), n)); // a rejected row
    assertThat(context.forwarded()).isEmpty();
    t.process(new Record<>("900", (TransactionSignal) new TransactionSignal.Ended(n + 1), n + 1));
    assertThat(context.forwarded()).hasSize(n).allSatisfy(f ->
        assertThat(f.record().value()).isEqualTo(new TransactionSignal.Complete("900")));
    assertThat(context.forwarded()).extracting(f -> f.record().key()).doesNotHaveDuplicates();
    assertThat(tracked.get("900")).isNull();
    try (KeyValueIterator<String, String> left = patients.all()) {
      assertThat(left.hasNext()).as("the transaction's patients are forgotten").isFalse();
    }
  }

  @Test
  void shouldKeepTransactionsWhoseIdsShareAPrefixApart() {
    TransactionTracker t = tracker();
    t.process(new Record<>("7", (TransactionSignal) new TransactionSignal.Counted("7", "a"), 1));
    t.process(new Record<>("71", (TransactionSignal) new TransactionSignal.Counted("71", "b"), 2));
    t.process(new Record<>("7", (TransactionSignal) new TransactionSignal.Ended(1), 3));
    assertThat(context.forwarded()).singleElement().satisfies(f -> {
      assertThat(f.record().key()).isEqualTo("a");
      assertThat(f.record().value()).isEqualTo(new TransactionSignal.Complete("7"));
    });
    assertThat(tracked.get("71")).isNotNull();
  }
}
