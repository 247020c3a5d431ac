package io.riskstream.topology;

/**
 * What flows between the trigger and the transaction tracker when the source writes transaction metadata (Debezium's
 * {@code provide.transaction.metadata}): the records of a transaction as they are seen, its END with the number of
 * records it wrote, and the tracker's verdict that it is complete. Keys: {@link Counted} and {@link Ended} by the
 * transaction metadata id; {@link Complete} by patient id.
 */
public sealed interface TransactionSignal {

  /** One change event of the transaction: of {@code patientId} under trigger txId {@code txId}, or (both null) rejected. */
  record Counted(String txId, String patientId) implements TransactionSignal {
  }

  /** The transaction's END: it wrote {@code eventCount} change events. */
  record Ended(long eventCount) implements TransactionSignal {
  }

  /** Every change event of the transaction {@code txId} has reached the trigger (key: the patient). */
  record Complete(String txId) implements TransactionSignal {
  }
}
