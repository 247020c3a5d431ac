package io.riskstream.topology;

import io.riskstream.schemas.EmrEvent;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Store serde of {@link PatientHistory}: Avro binary (no registry framing; internal state only) of
 * {@code version, requestedVersion, events: array<EmrEvent>, onsets: array<EmrEvent>} written field by field with
 * Avro's encoder. The remembered onsets come last and are read only if bytes remain: entries written before they were
 * kept read with none.
 */
public final class PatientHistorySerde implements Serde<PatientHistory> {

  private static final Schema EVENTS = Schema.createArray(EmrEvent.getClassSchema());
  // Avro's datum readers and writers are thread-safe and costly to build: one of each per serde, which every store instance and thread shares
  private final SpecificDatumWriter<List<EmrEvent>> writer = new SpecificDatumWriter<>(EVENTS);
  private final SpecificDatumReader<List<EmrEvent>> reader = new SpecificDatumReader<>(EVENTS);

  /** The layout, for documentation and evolution checks. */
  public static Schema schema() {
    return SchemaBuilder.record("PatientHistory").namespace("io.riskstream.topology.state").fields()
        .requiredLong("version").requiredLong("requestedVersion").name("events").type(EVENTS).noDefault()
        .name("onsets").type(EVENTS).withDefault(List.of()).endRecord();
  }

  @Override
  public Serializer<PatientHistory> serializer() {
    return (topic, h) -> {
      if (h == null) {
        return null;
      }
      try {
        ByteArrayOutputStream out = new ByteArrayOutputStream(64 + 160 * (h.events().size() + h.onsets().size()));
        BinaryEncoder enc = EncoderFactory.get().binaryEncoder(out, null);
        enc.writeLong(h.version());
        enc.writeLong(h.requestedVersion());
        writer.write(h.events(), enc);
        writer.write(h.onsets(), enc);
        enc.flush();
        return out.toByteArray();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    };
  }

  @Override
  public Deserializer<PatientHistory> deserializer() {
    return (topic, bytes) -> {
      if (bytes == null) {
        return null;
      }
      try {
        BinaryDecoder dec = DecoderFactory.get().binaryDecoder(bytes, null);
        long version = dec.readLong();
        long requested = dec.readLong();
        List<EmrEvent> events = reader.read(null, dec);
        List<EmrEvent> onsets = dec.isEnd() ? List.of() : reader.read(null, dec);
        return new PatientHistory(version, requested, new ArrayList<>(events), new ArrayList<>(onsets));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    };
  }
}
