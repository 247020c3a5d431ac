package io.riskstream.topology;

import io.riskstream.schemas.EmrEvent;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/** Plain Avro binary EmrEvent serde (no registry framing) for internal stores. */
public final class EmrEventSerde implements Serde<EmrEvent> {

  // thread-safe and costly to build: shared
  private final SpecificDatumWriter<EmrEvent> writer = new SpecificDatumWriter<>(EmrEvent.class);
  private final SpecificDatumReader<EmrEvent> reader = new SpecificDatumReader<>(EmrEvent.class);

  @Override
  public Serializer<EmrEvent> serializer() {
    return (topic, e) -> {
      if (e == null) {
        return null;
      }
      try {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        BinaryEncoder enc = EncoderFactory.get().binaryEncoder(out, null);
        writer.write(e, enc);
        enc.flush();
        return out.toByteArray();
      } catch (IOException x) {
        throw new UncheckedIOException(x);
      }
    };
  }

  @Override
  public Deserializer<EmrEvent> deserializer() {
    return (topic, bytes) -> {
      if (bytes == null) {
        return null;
      }
      try {
        return reader.read(null, DecoderFactory.get().binaryDecoder(bytes, null));
      } catch (IOException x) {
        throw new UncheckedIOException(x);
      }
    };
  }
}
