package io.riskstream.topology;

import java.io.IOException;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;

/** Serde of {@link TransactionSignal}s on the internal transaction topics: a kind byte, then its fields. */
final class TransactionSignalSerde extends BinaryStoreSerde<TransactionSignal> {

  private static final int COUNTED = 0;
  private static final int ENDED = 1;
  private static final int COMPLETE = 2;

  TransactionSignalSerde() {
    super("transaction signals", null);
  }

  @Override
  void write(TransactionSignal signal, BinaryEncoder out) throws IOException {
    if (signal instanceof TransactionSignal.Counted c) {
      out.writeInt(COUNTED);
      writeNullable(out, c.txId());
      writeNullable(out, c.patientId());
    } else if (signal instanceof TransactionSignal.Ended e) {
      out.writeInt(ENDED);
      out.writeLong(e.eventCount());
    } else {
      out.writeInt(COMPLETE);
      out.writeString(((TransactionSignal.Complete) signal).txId());
    }
  }

  @Override
  TransactionSignal read(BinaryDecoder in) throws IOException {
    int kind = in.readInt();
    return switch (kind) {
      case COUNTED -> new TransactionSignal.Counted(readNullable(in), readNullable(in));
      case ENDED -> new TransactionSignal.Ended(in.readLong());
      case COMPLETE -> new TransactionSignal.Complete(in.readString());
      default -> throw new IOException("unknown transaction signal kind " + kind);
    };
  }
}
