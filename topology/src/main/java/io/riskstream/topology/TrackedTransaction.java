package io.riskstream.topology;

/**
 * What the transaction tracker knows of one source transaction (value of store {@code transaction-tracker}): its
 * trigger txId (once a record of a patient was seen), the records seen so far, the count its END announced (null before
 * the END), and the newest record timestamp. The patients it touched are entries of store
 * {@code transaction-patients}, so that this value stays small however many patients one transaction touches.
 */
public record TrackedTransaction(String txId, long seen, Long announced, long lastTimestamp) {

  static TrackedTransaction empty() {
    return new TrackedTransaction(null, 0, null, Long.MIN_VALUE);
  }

  TrackedTransaction counted(TransactionSignal.Counted c, long timestamp) {
    return new TrackedTransaction(txId != null ? txId : c.txId(), seen + 1, announced, Math.max(lastTimestamp, timestamp));
  }

  TrackedTransaction ended(TransactionSignal.Ended e, long timestamp) {
    return new TrackedTransaction(txId, seen, e.eventCount(), Math.max(lastTimestamp, timestamp));
  }

  /** Whether every record the END announced has been seen. */
  boolean complete() {
    return announced != null && seen >= announced;
  }
}
