package io.riskstream.topology;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.metrics.Sensor;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * transaction-tracker (keyed by the transaction metadata id): counts a source transaction's change events as the
 * trigger sees them ({@link TransactionSignal.Counted} with a patient) and as normalize rejects them (without one),
 * and takes the number its END announced ({@link TransactionSignal.Ended}). Once both agree it forwards a
 * {@link TransactionSignal.Complete} per patient the transaction touched (keyed by patient, for the trigger) and forgets
 * the transaction. The patients are one entry each in store {@value #PATIENTS} (key {@code <length>:<id><patient>},
 * read back by prefix scan), so no value grows with the size of a transaction. Since a patient's events are counted only after the trigger read them, a Complete never overtakes
 * an event it covers. Entries that never complete (an END that never came) are dropped after {@code retention} of
 * stream time and counted ({@code transaction-tracker-expired-total}).
 */
public final class TransactionTracker implements Processor<String, TransactionSignal, String, TransactionSignal> {

  public static final String STORE = "transaction-tracker";
  public static final String PATIENTS = "transaction-patients";

  private final Duration retention;
  private ProcessorContext<String, TransactionSignal> context;
  private KeyValueStore<String, TrackedTransaction> store;
  private KeyValueStore<String, String> patients;
  private Sensor expired;

  public TransactionTracker(Duration retention) {
    this.retention = retention;
  }

  @Override
  public void init(ProcessorContext<String, TransactionSignal> context) {
    this.context = context;
    this.store = context.getStateStore(STORE);
    this.patients = context.getStateStore(PATIENTS);
    this.expired = context.metrics().addRateTotalSensor(DeadLetters.METRICS_SCOPE, context.taskId().toString(),
        "transaction-tracker-expired", Sensor.RecordingLevel.INFO);
    context.schedule(retention.dividedBy(4), PunctuationType.STREAM_TIME, this::expire);
  }

  @Override
  public void process(Record<String, TransactionSignal> record) {
    String id = record.key();
    if (id == null || record.value() == null) {
      return;
    }
    TrackedTransaction t = store.get(id);
    if (t == null) {
      t = TrackedTransaction.empty();
    }
    if (record.value() instanceof TransactionSignal.Counted c) {
      t = t.counted(c, record.timestamp());
      if (c.patientId() != null) {
        patients.put(prefix(id) + c.patientId(), c.patientId());
      }
    } else if (record.value() instanceof TransactionSignal.Ended e) {
      t = t.ended(e, record.timestamp());
    } else {
      return; // Complete signals are the tracker's output, never its input
    }
    if (t.complete()) {
      store.delete(id);
      for (String patient : forget(id)) {
        context.forward(new Record<>(patient, (TransactionSignal) new TransactionSignal.Complete(t.txId()),
            t.lastTimestamp()));
      }
    } else {
      store.put(id, t);
    }
  }

  private void expire(long streamTime) {
    List<String> old = new ArrayList<>();
    try (KeyValueIterator<String, TrackedTransaction> it = store.all()) {
      while (it.hasNext()) {
        KeyValue<String, TrackedTransaction> kv = it.next();
        if (kv.value.lastTimestamp() < streamTime - retention.toMillis()) {
          old.add(kv.key);
        }
      }
    }
    for (String id : old) {
      store.delete(id);
      forget(id);
    }
    if (!old.isEmpty()) {
      expired.record(old.size());
    }
  }

  /** Removes and returns the patients of transaction {@code id}, in key order. */
  private List<String> forget(String id) {
    List<String> out = new ArrayList<>();
    List<String> keys = new ArrayList<>();
    try (KeyValueIterator<String, String> it = patients.prefixScan(prefix(id), new StringSerializer())) {
      it.forEachRemaining(kv -> {
        keys.add(kv.key);
        out.add(kv.value);
      });
    }
    keys.forEach(patients::delete);
    return out;
  }

  /** The key prefix of a transaction's patients: its length fixes where the id ends (see HistoryProcessor's keys). */
  private static String prefix(String id) {
    return id.length() + ":" + id;
  }

  @Override
  public void close() {
    if (expired != null) {
      context.metrics().removeSensor(expired);
    }
  }
}
