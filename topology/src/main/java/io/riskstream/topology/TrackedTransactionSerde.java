package io.riskstream.topology;

import java.io.IOException;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;

/** Store serde of {@link TrackedTransaction}: txId (nullable), seen, announced (nullable), lastTimestamp. */
final class TrackedTransactionSerde extends BinaryStoreSerde<TrackedTransaction> {

  TrackedTransactionSerde() {
    super(TransactionTracker.STORE, null);
  }

  @Override
  void write(TrackedTransaction t, BinaryEncoder out) throws IOException {
    writeNullable(out, t.txId());
    out.writeLong(t.seen());
    out.writeBoolean(t.announced() != null);
    if (t.announced() != null) {
      out.writeLong(t.announced());
    }
    out.writeLong(t.lastTimestamp());
  }

  @Override
  TrackedTransaction read(BinaryDecoder in) throws IOException {
    String txId = readNullable(in);
    long seen = in.readLong();
    Long announced = in.readBoolean() ? in.readLong() : null;
    return new TrackedTransaction(txId, seen, announced, in.readLong());
  }
}
