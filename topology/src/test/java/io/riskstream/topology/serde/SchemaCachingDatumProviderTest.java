package io.riskstream.topology.serde;

import static org.assertj.core.api.Assertions.assertThat;

import io.apicurio.registry.serde.avro.AvroSerdeConfig;
import io.riskstream.schemas.DeadLetter;
import io.riskstream.schemas.EmrEvent;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;

class SchemaCachingDatumProviderTest {

  private static SchemaCachingDatumProvider<SpecificRecord> provider() {
    SchemaCachingDatumProvider<SpecificRecord> p = new SchemaCachingDatumProvider<>();
    p.configure(new AvroSerdeConfig(Map.of(AvroSerdeConfig.USE_SPECIFIC_AVRO_READER, true)));
    return p;
  }

  private static DeadLetter letter() {
    return DeadLetter.newBuilder().setReason("MALFORMED_JSON").setMessage("m").setSourceTopic("t")
        .setSourcePartition(0).setSourceOffset(3).build();
  }

  @Test
  void shouldBuildAWriterAndAReaderOncePerSchemaInstance() {
    SchemaCachingDatumProvider<SpecificRecord> p = provider();
    DeadLetter d = letter();
    assertThat(p.createDatumWriter(d, d.getSchema())).isSameAs(p.createDatumWriter(letter(), d.getSchema()));
    assertThat(p.createDatumReader(d.getSchema())).isSameAs(p.createDatumReader(d.getSchema()));
    assertThat(p.createDatumReader(EmrEvent.getClassSchema())).isNotSameAs(p.createDatumReader(d.getSchema()));
    assertThat(p.cachedEntries()).isEqualTo(3);
  }

  @Test
  void shouldTellEqualButDistinctSchemaInstancesApartAndStayBounded() {
    SchemaCachingDatumProvider<SpecificRecord> p = provider();
    for (int i = 0; i < SchemaCachingDatumProvider.MAX_ENTRIES + 10; i++) {
      Schema copy = new Schema.Parser().parse(DeadLetter.getClassSchema().toString());  // equal, not the same
      assertThat(p.createDatumReader(copy)).isNotNull();
    }
    assertThat(p.cachedEntries()).isLessThanOrEqualTo(SchemaCachingDatumProvider.MAX_ENTRIES);
  }

  @Test
  void shouldBeWhatTheSerdesAreConfiguredWith() {
    assertThat(AvroSerdes.withClient(new InMemorySchemaRegistry()).serdeConfig())
        .containsEntry(AvroSerdeConfig.AVRO_DATUM_PROVIDER, SchemaCachingDatumProvider.class.getName());
  }
}
