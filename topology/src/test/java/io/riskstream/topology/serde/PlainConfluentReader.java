package io.riskstream.topology.serde;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.DecoderFactory;

/**
 * What any Confluent consumer does, written independently of RiskStream's and Apicurio's serdes: reads the 5-byte
 * header (magic byte 0, 4-byte big-endian schema id), fetches {@code GET /schemas/ids/{id}} from the registry with a
 * plain HTTP client, and decodes the rest with plain Avro into a {@link GenericRecord}.
 */
public final class PlainConfluentReader {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final String url;
  private final String authorization;
  private final HttpClient http;

  public PlainConfluentReader(String url, String user, String password, HttpClient http) {
    this.url = url;
    this.authorization = user == null ? null
        : "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    this.http = http;
  }

  /** The schema id of a Confluent-framed value. */
  public static int schemaId(byte[] framed) {
    if (framed.length < 5 || framed[0] != 0) {
      throw new IllegalArgumentException("not in the Confluent framing");
    }
    return ByteBuffer.wrap(framed, 1, 4).getInt();
  }

  /** The writer schema of id {@code id}, as the registry serves it. */
  public Schema schema(int id) throws IOException, InterruptedException {
    HttpRequest.Builder rb = HttpRequest.newBuilder(URI.create(url + "/schemas/ids/" + id)).GET();
    if (authorization != null) {
      rb.header("Authorization", authorization);
    }
    HttpResponse<String> r = http.send(rb.build(), HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      throw new IOException("GET /schemas/ids/" + id + ": HTTP " + r.statusCode() + " " + r.body());
    }
    JsonNode body = JSON.readTree(r.body());
    return new Schema.Parser().parse(body.get("schema").asText());
  }

  /** Decodes a Confluent-framed Avro value with the writer schema from the registry. */
  public GenericRecord read(byte[] framed) throws IOException, InterruptedException {
    Schema writer = schema(schemaId(framed));
    return new GenericDatumReader<GenericRecord>(writer).read(null,
        DecoderFactory.get().binaryDecoder(framed, 5, framed.length - 5, null));
  }
}
