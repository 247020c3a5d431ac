package io.riskstream.topology.serde;

import static org.assertj.core.api.Assertions.assertThat;

import io.riskstream.schemas.DeadLetter;
import io.riskstream.schemas.EmrEvent;
import io.riskstream.schemas.EventKind;
import io.riskstream.schemas.EventOp;
import io.riskstream.schemas.SourceCoordinates;
import io.riskstream.topology.config.RiskStreamConfig;
import io.riskstream.topology.config.Topics;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Arrays;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.kafka.common.serialization.Serde;
import org.junit.jupiter.api.Test;

class AvroSerdesTest {

  private static final String EMR_EVENTS = Topics.DEFAULTS.emrEvents().name();
  private static final String DLQ = Topics.DEFAULTS.deadLetters().name();

  private static EmrEvent event() {
    return EmrEvent.newBuilder().setPatientId("p-1").setEventId("conditions:c1").setOp(EventOp.UPSERT)
        .setKind(EventKind.DIAGNOSIS).setEventTime(Instant.parse("2020-01-02T00:00:00Z")).setCode("44054006")
        .setCodeSystem("SNOMED-CT").setSource(SourceCoordinates.newBuilder().setSystem("postgres:ehr")
            .setTable("conditions").setTxId("7").setLsn(42L).build()).build();
  }

  @Test
  void shouldWriteConfluentFramingReadableByPlainAvro() throws Exception {
    InMemorySchemaRegistry registry = new InMemorySchemaRegistry();
    Serde<EmrEvent> serde = AvroSerdes.withClient(registry).value(EmrEvent.class);
    byte[] bytes = serde.serializer().serialize(EMR_EVENTS, event());

    assertThat(bytes[0]).isEqualTo((byte) 0);
    int id = ByteBuffer.wrap(bytes, 1, 4).getInt();
    assertThat(id).isPositive();
    assertThat(registry.getSchemaByContentId((long) id)).contains("EmrEvent");

    SpecificDatumReader<EmrEvent> reader = new SpecificDatumReader<>(EmrEvent.getClassSchema());
    EmrEvent plain = reader.read(null, DecoderFactory.get().binaryDecoder(Arrays.copyOfRange(bytes, 5, bytes.length), null));
    assertThat(plain).isEqualTo(event());
  }

  @Test
  void shouldRoundTripSpecificRecordsAndReuseSchemaIds() {
    InMemorySchemaRegistry registry = new InMemorySchemaRegistry();
    AvroSerdes serdes = AvroSerdes.withClient(registry);
    Serde<EmrEvent> serde = serdes.value(EmrEvent.class);
    byte[] a = serde.serializer().serialize(EMR_EVENTS, event());
    byte[] b = serdes.value(EmrEvent.class).serializer().serialize(EMR_EVENTS, event());
    assertThat(Arrays.copyOfRange(a, 0, 5)).isEqualTo(Arrays.copyOfRange(b, 0, 5));
    EmrEvent back = serde.deserializer().deserialize(EMR_EVENTS, a);
    assertThat(back).isInstanceOf(EmrEvent.class).isEqualTo(event());

    DeadLetter dl = DeadLetter.newBuilder().setReason("MALFORMED_JSON").setMessage("m").setSourceTopic("t")
        .setSourcePartition(0).setSourceOffset(3).build();
    byte[] c = serdes.value(DeadLetter.class).serializer().serialize(DLQ, dl);
    assertThat(ByteBuffer.wrap(c, 1, 4).getInt()).isNotEqualTo(ByteBuffer.wrap(a, 1, 4).getInt());
    assertThat(serdes.value(DeadLetter.class).deserializer().deserialize(DLQ, c)).isEqualTo(dl);
    assertThat(registry.getSchemaByContentId((long) ByteBuffer.wrap(c, 1, 4).getInt())).contains("\"DeadLetter\"");
  }

  @Test
  void shouldReadWhatAnEarlierProcessWroteWithMemUrls() {
    RiskStreamConfig config = new RiskStreamConfig(java.util.Map.of(RiskStreamConfig.REGISTRY_URL_CONFIG, "mem://"));
    byte[] written = AvroSerdes.fromConfig(config).value(EmrEvent.class).serializer().serialize(EMR_EVENTS, event());
    byte[] dead = AvroSerdes.fromConfig(config).value(DeadLetter.class).serializer().serialize(DLQ,
        DeadLetter.newBuilder().setReason("MALFORMED_JSON").setMessage("m").setSourceTopic("t").setSourcePartition(0)
            .setSourceOffset(1L).build());
    // a restarted process: a new registry, which has registered nothing yet
    assertThat(AvroSerdes.fromConfig(config).registry()).startsWith("in-memory (registry.url=mem://), not durable");
    AvroSerdes restarted = AvroSerdes.fromConfig(config);
    assertThat(restarted.value(EmrEvent.class).deserializer().deserialize(EMR_EVENTS, written)).isEqualTo(event());
    assertThat(restarted.value(DeadLetter.class).deserializer().deserialize(DLQ, dead).getReason())
        .isEqualTo("MALFORMED_JSON");
  }
}
