package io.riskstream.topology;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Store serde of {@link OpenTransaction} (store {@code trigger-open}, written on every record): a format byte
 * ({@value #FORMAT}) and Avro binary fields {@code txId, lastTimestamp, buffered, source (null or string), offsets
 * (count, then topic, partition, offset each)}, about a tenth of the JSON it replaces to write and read. Entries
 * written as JSON by earlier versions (they start with '{', which is not a format byte) are still read.
 */
public final class OpenTransactionSerde implements Serde<OpenTransaction> {

  static final byte FORMAT = 1;
  private final JsonSerde<OpenTransaction> legacy = new JsonSerde<>(OpenTransaction.class);

  @Override
  public Serializer<OpenTransaction> serializer() {
    return (topic, t) -> {
      if (t == null) {
        return null;
      }
      try {
        ByteArrayOutputStream out = new ByteArrayOutputStream(48 + 32 * t.offsets().size());
        out.write(FORMAT);
        BinaryEncoder enc = EncoderFactory.get().directBinaryEncoder(out, null);
        enc.writeString(t.txId());
        enc.writeLong(t.lastTimestamp());
        enc.writeInt(t.buffered());
        enc.writeBoolean(t.source() != null);
        if (t.source() != null) {
          enc.writeString(t.source());
        }
        enc.writeInt(t.offsets().size());
        for (HistoryCommand.SourceOffset o : t.offsets()) {
          enc.writeString(o.topic());
          enc.writeInt(o.partition());
          enc.writeLong(o.offset());
        }
        enc.flush();
        return out.toByteArray();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    };
  }

  @Override
  public Deserializer<OpenTransaction> deserializer() {
    Deserializer<OpenTransaction> json = legacy.deserializer();
    return (topic, bytes) -> {
      if (bytes == null) {
        return null;
      }
      if (bytes.length > 0 && bytes[0] == '{') {
        return json.deserialize(topic, bytes);
      }
      if (bytes.length == 0 || bytes[0] != FORMAT) {
        throw new IllegalStateException("trigger-open entry of unknown format " + (bytes.length == 0 ? "(empty)"
            : Byte.toString(bytes[0])));
      }
      try {
        BinaryDecoder dec = DecoderFactory.get().binaryDecoder(bytes, 1, bytes.length - 1, null);
        String txId = dec.readString();
        long last = dec.readLong();
        int buffered = dec.readInt();
        String source = dec.readBoolean() ? dec.readString() : null;
        int n = dec.readInt();
        List<HistoryCommand.SourceOffset> offsets = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
          offsets.add(new HistoryCommand.SourceOffset(dec.readString(), dec.readInt(), dec.readLong()));
        }
        return new OpenTransaction(txId, last, offsets, buffered, source);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    };
  }
}
