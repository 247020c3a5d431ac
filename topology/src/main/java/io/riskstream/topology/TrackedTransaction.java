package io.riskstream.topology;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * What the transaction tracker knows of one source transaction (value of store {@code transaction-tracker}): its
 * trigger txId (once a record of a patient was seen), the records seen so far, the count its END announced (null before
 * the END), the patients it touched, and the newest record timestamp.
 */
public record TrackedTransaction(String txId, long seen, Long announced, List<String> patients, long lastTimestamp) {

  public TrackedTransaction {
    patients = List.copyOf(new TreeSet<>(patients));
  }

  static TrackedTransaction empty() {
    return new TrackedTransaction(null, 0, null, List.of(), Long.MIN_VALUE);
  }

  TrackedTransaction counted(TransactionSignal.Counted c, long timestamp) {
    Set<String> more = new TreeSet<>(patients);
    if (c.patientId() != null) {
      more.add(c.patientId());
    }
    return new TrackedTransaction(txId != null ? txId : c.txId(), seen + 1, announced, List.copyOf(more),
        Math.max(lastTimestamp, timestamp));
  }

  TrackedTransaction ended(TransactionSignal.Ended e, long timestamp) {
    return new TrackedTransaction(txId, seen, e.eventCount(), patients, Math.max(lastTimestamp, timestamp));
  }

  /** Whether every record the END announced has been seen. */
  boolean complete() {
    return announced != null && seen >= announced;
  }
}
