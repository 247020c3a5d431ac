package io.riskstream.topology.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.apicurio.registry.resolver.client.RegistryVersionCoordinates;
import io.riskstream.schemas.DeadLetter;
import io.riskstream.schemas.EmrEvent;
import io.riskstream.schemas.EventKind;
import io.riskstream.schemas.EventOp;
import io.riskstream.schemas.RiskAlert;
import io.riskstream.schemas.RiskScore;
import io.riskstream.schemas.SourceCoordinates;
import io.riskstream.topology.config.Topics;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class InMemorySchemaRegistryTest {

  private static final String EMR_EVENTS = Topics.DEFAULTS.emrEvents().name();
  private static final String DLQ = Topics.DEFAULTS.deadLetters().name();

  private static RegistryVersionCoordinates register(InMemorySchemaRegistry registry, String artifact, String schema) {
    return registry.createSchema("AVRO", "default", artifact, null, "FIND_OR_CREATE_VERSION", false, schema, null);
  }

  @Test
  void shouldAssignTheSameIdsWhateverTheRegistrationOrder() {
    List<String> artifacts = List.of("emr-events-value", "risk-scores-value", "risk-alerts-value");
    List<String> schemas = List.of(EmrEvent.getClassSchema().toString(), RiskScore.getClassSchema().toString(),
        RiskAlert.getClassSchema().toString());
    InMemorySchemaRegistry forward = new InMemorySchemaRegistry();
    InMemorySchemaRegistry backward = new InMemorySchemaRegistry();
    for (int i = 0; i < 3; i++) {
      register(forward, artifacts.get(i), schemas.get(i));
      register(backward, artifacts.get(2 - i), schemas.get(2 - i));
    }
    for (int i = 0; i < 3; i++) {
      RegistryVersionCoordinates f = register(forward, artifacts.get(i), schemas.get(i));
      RegistryVersionCoordinates b = register(backward, artifacts.get(i), schemas.get(i));
      assertThat(f.getContentId()).isEqualTo(b.getContentId()).isBetween(1L, (long) Integer.MAX_VALUE);
      assertThat(f.getGlobalId()).isEqualTo(b.getGlobalId()).isBetween(1L, (long) Integer.MAX_VALUE);
      assertThat(backward.getSchemaByContentId(f.getContentId())).isEqualTo(schemas.get(i));
    }
    assertThat(forward.size()).isEqualTo(3);
  }

  @Test
  void shouldGiveDifferentContentsDifferentIds() {
    InMemorySchemaRegistry registry = new InMemorySchemaRegistry();
    long a = register(registry, "a", EmrEvent.getClassSchema().toString()).getContentId();
    long b = register(registry, "b", RiskScore.getClassSchema().toString()).getContentId();
    assertThat(a).isNotEqualTo(b);
    assertThat(register(registry, "c", EmrEvent.getClassSchema().toString()).getContentId()).isEqualTo(a);
  }

  @Test
  void shouldResolveWhatAnotherProcessWroteBeforeThisOneWroteAnything() {
    EmrEvent event = EmrEvent.newBuilder().setPatientId("p-1").setEventId("conditions:c1").setOp(EventOp.UPSERT)
        .setKind(EventKind.DIAGNOSIS).setEventTime(Instant.parse("2020-01-02T00:00:00Z")).setCode("44054006")
        .setCodeSystem("SNOMED-CT").setSource(SourceCoordinates.newBuilder().setSystem("postgres:ehr")
            .setTable("conditions").setTxId("7").setLsn(42L).build()).build();
    DeadLetter dl = DeadLetter.newBuilder().setReason("MALFORMED_JSON").setMessage("m").setSourceTopic("t")
        .setSourcePartition(0).setSourceOffset(3).build();
    AvroSerdes writer = AvroSerdes.withClient(new InMemorySchemaRegistry()); // an earlier process
    byte[] eventBytes = writer.value(EmrEvent.class).serializer().serialize(EMR_EVENTS, event);
    byte[] dlBytes = writer.value(DeadLetter.class).serializer().serialize(DLQ, dl);

    InMemorySchemaRegistry fresh = InMemorySchemaRegistry.withRiskStreamSchemas();
    AvroSerdes reader = AvroSerdes.withClient(fresh);
    assertThat(reader.value(EmrEvent.class).deserializer().deserialize(EMR_EVENTS, eventBytes)).isEqualTo(event);
    assertThat(reader.value(DeadLetter.class).deserializer().deserialize(DLQ, dlBytes)).isEqualTo(dl);
    int preloaded = fresh.size();
    assertThat(preloaded).isGreaterThanOrEqualTo(4);
    AvroSerdes.withClient(fresh).value(EmrEvent.class).serializer().serialize(EMR_EVENTS, event);
    assertThat(fresh.size()).isEqualTo(preloaded); // the serializer registers nothing new
    assertThatThrownBy(() -> new InMemorySchemaRegistry().getSchemaByContentId(
        (long) ByteBuffer.wrap(eventBytes, 1, 4).getInt())).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void shouldRefuseSchemasThatARestartedProcessCouldNotReproduce() {
    InMemorySchemaRegistry registry = InMemorySchemaRegistry.withRiskStreamSchemas();
    int preloaded = registry.size();
    String foreign = "{\"type\":\"record\",\"name\":\"Foreign\",\"fields\":[]}";
    assertThatThrownBy(() -> register(registry, "foreign-value", foreign))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("registry.url=mem://")
        .hasMessageContaining("default/foreign-value")
        .hasMessageContaining("durable registry");
    assertThat(registry.size()).isEqualTo(preloaded);
    // RiskStream's own schemas under another artifact (e.g. the audit replay's topics) are fine: their ids are known
    byte[] replayed = AvroSerdes.withClient(registry).value(DeadLetter.class).serializer()
        .serialize("riskstream-dlq.replay-1", DeadLetter.newBuilder().setReason("MALFORMED_JSON").setMessage("m")
            .setSourceTopic("t").setSourcePartition(0).setSourceOffset(3).build());
    assertThat(registry.size()).isEqualTo(preloaded);
    assertThat(ByteBuffer.wrap(replayed, 1, 4).getInt()).isPositive();
  }

  @Test
  void shouldWriteTheSameSchemaIdsInEveryFreshProcess() {
    DeadLetter dl = DeadLetter.newBuilder().setReason("MALFORMED_JSON").setMessage("m").setSourceTopic("t")
        .setSourcePartition(0).setSourceOffset(3).build();
    byte[] first = AvroSerdes.withClient(InMemorySchemaRegistry.withRiskStreamSchemas()).value(DeadLetter.class)
        .serializer().serialize(DLQ, dl);
    byte[] second = AvroSerdes.withClient(InMemorySchemaRegistry.withRiskStreamSchemas()).value(DeadLetter.class)
        .serializer().serialize(DLQ, dl);
    assertThat(second).isEqualTo(first);
    assertThat(InMemorySchemaRegistry.withRiskStreamSchemas().getSchemaByContentId(
        (long) ByteBuffer.wrap(first, 1, 4).getInt())).contains("\"DeadLetter\"");
  }
}
