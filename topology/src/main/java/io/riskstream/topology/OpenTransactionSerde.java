package io.riskstream.topology;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;

/**
 * Store serde of {@link OpenTransaction} (store {@code trigger-open}, written on every record): {@code txId,
 * lastTimestamp, buffered, source (nullable), offsets (count, then topic, partition, offset each), awaitsEnd}; entries
 * written before {@code awaitsEnd} existed end after the offsets and read as false.
 */
final class OpenTransactionSerde extends BinaryStoreSerde<OpenTransaction> {

  OpenTransactionSerde() {
    super(TriggerProcessor.STORE, OpenTransaction.class);
  }

  @Override
  int sizeHint(OpenTransaction t) {
    return 48 + 32 * t.offsets().size();
  }

  @Override
  void write(OpenTransaction t, BinaryEncoder out) throws IOException {
    out.writeString(t.txId());
    out.writeLong(t.lastTimestamp());
    out.writeInt(t.buffered());
    writeNullable(out, t.source());
    writeOffsets(out, t.offsets());
    out.writeBoolean(t.awaitsEnd());
  }

  @Override
  OpenTransaction read(BinaryDecoder in) throws IOException {
    String txId = in.readString();
    long last = in.readLong();
    int buffered = in.readInt();
    String source = readNullable(in);
    List<HistoryCommand.SourceOffset> offsets = readOffsets(in);
    return new OpenTransaction(txId, last, offsets, buffered, source, !in.isEnd() && in.readBoolean());
  }

  static void writeOffsets(BinaryEncoder out, List<HistoryCommand.SourceOffset> offsets) throws IOException {
    out.writeInt(offsets.size());
    for (HistoryCommand.SourceOffset o : offsets) {
      out.writeString(o.topic());
      out.writeInt(o.partition());
      out.writeLong(o.offset());
    }
  }

  static List<HistoryCommand.SourceOffset> readOffsets(BinaryDecoder in) throws IOException {
    int n = in.readInt();
    List<HistoryCommand.SourceOffset> offsets = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      offsets.add(new HistoryCommand.SourceOffset(in.readString(), in.readInt(), in.readLong()));
    }
    return offsets;
  }
}
