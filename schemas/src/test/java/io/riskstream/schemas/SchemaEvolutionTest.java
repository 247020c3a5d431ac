package io.riskstream.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.junit.jupiter.api.Test;

/**
 * The contract records evolve BACKWARD-compatibly: today's schema reads every released version
 * ({@code src/test/resources/released/<Record>-<n>.avsc}; add the schema there when a version ships).
 */
class SchemaEvolutionTest {

  private static final Path RELEASED = Path.of("src/test/resources/released");

  private static Schema current(String record) throws ReflectiveOperationException {
    return (Schema) Class.forName("io.riskstream.schemas." + record).getField("SCHEMA$").get(null);
  }

  @Test
  void shouldReadEveryReleasedVersionWithTodaysSchema() throws Exception {
    List<Path> released;
    try (Stream<Path> files = Files.list(RELEASED)) {
      released = files.filter(p -> p.toString().endsWith(".avsc")).sorted().toList();
    }
    assertThat(released).extracting(p -> p.getFileName().toString())
        .contains("DeadLetter-1.avsc", "EmrEvent-1.avsc", "RiskScore-1.avsc", "RiskAlert-1.avsc");
    for (Path p : released) {
      Schema writer = new Schema.Parser().parse(p.toFile());
      Schema reader = current(writer.getName());
      assertThat(SchemaCompatibility.checkReaderWriterCompatibility(reader, writer).getType())
          .as(p.getFileName() + " read with today's " + writer.getName())
          .isEqualTo(SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE);
    }
  }

  @Test
  void shouldReadAVersionOneDeadLetterWithReasonCodeUnknown() throws Exception {
    Schema v1 = new Schema.Parser().parse(RELEASED.resolve("DeadLetter-1.avsc").toFile());
    GenericRecord old = new GenericData.Record(v1);
    old.put("reason", "MALFORMED_JSON");
    old.put("message", "value is not JSON");
    old.put("sourceTopic", "ehr.clinical.conditions");
    old.put("sourcePartition", 1);
    old.put("sourceOffset", 7L);
    DeadLetter read = new SpecificDatumReader<DeadLetter>(v1, DeadLetter.SCHEMA$)
        .read(null, DecoderFactory.get().binaryDecoder(bytes(v1, old), null));
    assertThat(read.getReason()).isEqualTo("MALFORMED_JSON");
    assertThat(read.getReasonCode()).isEqualTo(DeadLetterReason.UNKNOWN);
  }

  @Test
  void shouldReadAReasonANewerWriterAddedAsUnknown() throws Exception {
    Schema newer = new Schema.Parser().parse(DeadLetterReason.SCHEMA$.toString()
        .replace("\"PROCESSING_ERROR\"", "\"PROCESSING_ERROR\",\"SOMETHING_NEW\""));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    BinaryEncoder enc = EncoderFactory.get().binaryEncoder(out, null);
    new GenericDatumWriter<Object>(newer).write(new GenericData.EnumSymbol(newer, "SOMETHING_NEW"), enc);
    enc.flush();
    Object read = new SpecificDatumReader<DeadLetterReason>(newer, DeadLetterReason.SCHEMA$)
        .read(null, DecoderFactory.get().binaryDecoder(out.toByteArray(), null));
    assertThat(read).isEqualTo(DeadLetterReason.UNKNOWN);
  }

  private static byte[] bytes(Schema schema, GenericRecord record) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    BinaryEncoder enc = EncoderFactory.get().binaryEncoder(out, null);
    new GenericDatumWriter<GenericRecord>(schema).write(record, enc);
    enc.flush();
    return out.toByteArray();
  }
}
