package io.riskstream.topology.serde;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.riskstream.schemas.DeadLetter;
import io.riskstream.schemas.EmrEvent;
import io.riskstream.schemas.EventKind;
import io.riskstream.schemas.EventOp;
import io.riskstream.schemas.SourceCoordinates;
import io.riskstream.topology.config.RiskStreamConfig;
import io.riskstream.topology.config.Topics;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The app's serdes with {@code registry.api=confluent} against {@link ConfluentTestRegistry}: what they write, a plain
 * Confluent-framed Avro reader decodes; what another client registered and wrote, they read.
 */
class ConfluentAvroSerdesTest {

  private static final String EMR_EVENTS = Topics.DEFAULTS.emrEvents().name();
  private static final String DLQ = Topics.DEFAULTS.deadLetters().name();
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  Path dir;

  private static EmrEvent event() {
    return EmrEvent.newBuilder().setPatientId("p-1").setEventId("conditions:c1").setOp(EventOp.UPSERT)
        .setKind(EventKind.DIAGNOSIS).setEventTime(Instant.parse("2020-01-02T00:00:00Z")).setCode("44054006")
        .setCodeSystem("SNOMED-CT").setSource(SourceCoordinates.newBuilder().setSystem("postgres:ehr")
            .setTable("conditions").setTxId("7").setLsn(42L).build()).build();
  }

  private static RiskStreamConfig config(String url, Map<String, String> extra) {
    Map<String, String> props = new HashMap<>(extra);
    props.put(RiskStreamConfig.REGISTRY_URL_CONFIG, url);
    props.put(RiskStreamConfig.REGISTRY_API_CONFIG, "confluent");
    return new RiskStreamConfig(props);
  }

  @Test
  void shouldWriteOverTlsWithBasicAuthWhatAPlainConfluentReaderDecodes() throws Exception {
    TestCertificates certs = TestCertificates.authority(dir);
    try (ConfluentTestRegistry server = ConfluentTestRegistry.https(certs.sslContext(certs.keystore("registry")),
        "riskstream", "pw-1")) {
      AvroSerdes serdes = AvroSerdes.fromConfig(config(server.url(), Map.of(
          RiskStreamConfig.REGISTRY_USERNAME_CONFIG, "riskstream",
          RiskStreamConfig.REGISTRY_PASSWORD_CONFIG, "pw-1",
          RiskStreamConfig.REGISTRY_TRUSTSTORE_LOCATION_CONFIG, certs.truststore().toString(),
          RiskStreamConfig.REGISTRY_TRUSTSTORE_PASSWORD_CONFIG, TestCertificates.PASSWORD)));
      assertThat(serdes.registry()).startsWith("Confluent API at " + server.url() + ", durable")
          .contains("basic auth as riskstream", "TLS truststore").doesNotContain("pw-1");

      byte[] written = serdes.value(EmrEvent.class).serializer().serialize(EMR_EVENTS, event());
      DeadLetter dl = DeadLetter.newBuilder().setReason("MALFORMED_JSON").setMessage("m").setSourceTopic("t")
          .setSourcePartition(0).setSourceOffset(3).build();
      byte[] dead = serdes.value(DeadLetter.class).serializer().serialize(DLQ, dl);

      HttpClient tls = HttpClient.newBuilder().sslContext(ConfluentSchemaRegistry.trusting(certs.truststore(),
          TestCertificates.PASSWORD.toCharArray(), "PKCS12")).build();
      PlainConfluentReader plain = new PlainConfluentReader(server.url(), "riskstream", "pw-1", tls);
      GenericRecord back = plain.read(written);
      assertThat(back.get("patientId")).hasToString("p-1");
      assertThat(back.get("code")).hasToString("44054006");
      assertThat(back.get("eventTime")).isEqualTo(Instant.parse("2020-01-02T00:00:00Z").toEpochMilli());
      assertThat(((GenericRecord) back.get("source")).get("lsn")).isEqualTo(42L);
      assertThat(plain.read(dead).get("reason")).hasToString("MALFORMED_JSON");
      // registered whole under the topic's subject (TopicNameStrategy), and it is the subject's latest id
      assertThat(server.subjects()).contains(EMR_EVENTS + "-value", DLQ + "-value");
      assertThat(latestId(tls, server.url(), EMR_EVENTS + "-value"))
          .isEqualTo(PlainConfluentReader.schemaId(written));
      // and the app's own deserializer reads it back
      assertThat(serdes.value(EmrEvent.class).deserializer().deserialize(EMR_EVENTS, written)).isEqualTo(event());
    }
  }

  @Test
  void shouldReadRecordsWhoseSchemaIdsAnotherClientRegistered() throws Exception {
    try (ConfluentTestRegistry server = ConfluentTestRegistry.http(null, null)) {
      HttpClient http = HttpClient.newHttpClient();
      // another producer's client: an unrelated schema first (so ids differ from a fresh registry's), then EmrEvent
      // with its SourceCoordinates as a schema reference, as Confluent's serializer can register it
      register(http, server.url(), "unrelated-value", "{\"type\":\"record\",\"name\":\"U\",\"fields\":[]}", null);
      int coordinates = register(http, server.url(), "source-coordinates",
          SourceCoordinates.getClassSchema().toString(), null);
      String withReference = EmrEvent.getClassSchema().toString(Set.of(SourceCoordinates.getClassSchema()), false);
      assertThat(withReference).doesNotContain("\"lsn\"");
      int id = register(http, server.url(), EMR_EVENTS + "-value", withReference,
          "[{\"name\":\"io.riskstream.schemas.SourceCoordinates\",\"subject\":\"source-coordinates\",\"version\":1}]");
      assertThat(id).isNotIn(1, coordinates);
      byte[] framed = frame(id, event());

      AvroSerdes serdes = AvroSerdes.fromConfig(config(server.url(), Map.of()));
      assertThat(serdes.value(EmrEvent.class).deserializer().deserialize(EMR_EVENTS, framed)).isEqualTo(event());
      assertThat(server.requests()).contains("GET /schemas/ids/" + id, "GET /subjects/source-coordinates/versions/1");

      // a whole schema that another client registered (no references)
      int whole = register(http, server.url(), "elsewhere-value", EmrEvent.getClassSchema().toString(), null);
      assertThat(serdes.value(EmrEvent.class).deserializer().deserialize(EMR_EVENTS, frame(whole, event())))
          .isEqualTo(event());
    }
  }

  private static byte[] frame(int id, EmrEvent event) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(0);
    out.write(ByteBuffer.allocate(4).putInt(id).array());
    BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
    new SpecificDatumWriter<EmrEvent>(EmrEvent.getClassSchema()).write(event, encoder);
    encoder.flush();
    return out.toByteArray();
  }

  private static int register(HttpClient http, String url, String subject, String schema, String references)
      throws Exception {
    String body = "{\"schema\":" + JSON.writeValueAsString(schema)
        + (references == null ? "" : ",\"references\":" + references) + "}";
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url + "/subjects/" + subject + "/versions"))
        .header("Content-Type", "application/vnd.schemaregistry.v1+json")
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return JSON.readTree(r.body()).get("id").asInt();
  }

  private static int latestId(HttpClient http, String url, String subject) throws Exception {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url + "/subjects/" + subject
        + "/versions/latest")).header("Authorization", "Basic " + java.util.Base64.getEncoder()
        .encodeToString("riskstream:pw-1".getBytes(java.nio.charset.StandardCharsets.UTF_8))).build(),
        HttpResponse.BodyHandlers.ofString());
    return JSON.readTree(r.body()).get("id").asInt();
  }

  @Test
  void shouldRegisterTheWholeSchemaUnderTheTopicsSubjectOnly() throws Exception {
    try (ConfluentTestRegistry server = ConfluentTestRegistry.http(null, null)) {
      AvroSerdes serdes = AvroSerdes.fromConfig(config(server.url(), Map.of()));
      byte[] written = serdes.value(EmrEvent.class).serializer().serialize(EMR_EVENTS, event());
      Schema served = new PlainConfluentReader(server.url(), null, null, HttpClient.newHttpClient())
          .schema(PlainConfluentReader.schemaId(written));
      assertThat(served).isEqualTo(EmrEvent.getClassSchema());
      assertThat(server.subjects()).containsExactly(EMR_EVENTS + "-value");
    }
  }
}
