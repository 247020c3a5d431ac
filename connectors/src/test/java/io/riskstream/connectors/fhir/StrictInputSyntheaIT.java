package io.riskstream.connectors.fhir;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.riskstream.connectors.FieldRules;
import io.riskstream.connectors.Normalized;
import io.riskstream.connectors.StrictJson;
import io.riskstream.connectors.debezium.DebeziumNormalizer;
import io.riskstream.connectors.debezium.SourceMapping;
import io.riskstream.connectors.ehr.EhrRow;
import io.riskstream.connectors.ehr.EhrRows;
import io.riskstream.connectors.synthea.SyntheaCsvReader;
import io.riskstream.schemas.EmrEvent;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Synthea's exports (2 patients, the parity test's seeds) against the strict input rules: every FHIR document fits
 * {@link StrictJson}'s bounds (measured: depth, longest string, number and property name, size) and normalizes with no
 * rejection through the record path with the default {@code fhir.max.record.bytes}; every CSV event, as the Debezium
 * change event of its row, normalizes with no rejection to the same patient, event id, code and times.
 */
class StrictInputSyntheaIT {

  private static final DateTimeFormatter DEBEZIUM_TIMESTAMP =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSS'Z'").withZone(ZoneOffset.UTC);
  private static final ObjectMapper JSON = new ObjectMapper();

  private static Path out;

  @BeforeAll
  static void generate() throws Exception {
    out = FhirSyntheaParityIT.sharedExport();
  }

  /** Depth, longest string, number and name, and tokens of one document, read without limits. */
  private record Shape(int depth, int string, int number, int name, long tokens) {
  }

  private static Shape shape(byte[] document) throws Exception {
    JsonFactory unbounded = JsonFactory.builder().streamReadConstraints(StreamReadConstraints.builder()
        .maxNestingDepth(Integer.MAX_VALUE).maxStringLength(Integer.MAX_VALUE).maxNumberLength(Integer.MAX_VALUE)
        .maxNameLength(Integer.MAX_VALUE).build()).build();
    int depth = 0;
    int maxDepth = 0;
    int string = 0;
    int number = 0;
    int name = 0;
    long tokens = 0;
    try (JsonParser p = unbounded.createParser(document)) {
      for (JsonToken t = p.nextToken(); t != null; t = p.nextToken()) {
        tokens++;
        switch (t) {
          case START_OBJECT, START_ARRAY -> maxDepth = Math.max(maxDepth, ++depth);
          case END_OBJECT, END_ARRAY -> depth--;
          case FIELD_NAME -> name = Math.max(name, p.currentName().length());
          case VALUE_STRING -> string = Math.max(string, p.getTextLength());
          case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> number = Math.max(number, p.getTextLength());
          default -> { }
        }
      }
    }
    return new Shape(maxDepth, string, number, name, tokens);
  }

  @Test
  void shouldFitEveryFhirDocumentIntoTheBoundsAndNormalizeItWithoutRejection() throws Exception {
    FhirNormalizer normalizer = new FhirNormalizer(16 << 20); // fhir.max.record.bytes' default
    List<Path> files;
    try (Stream<Path> s = Files.list(out.resolve("fhir"))) {
      files = s.filter(f -> f.toString().endsWith(".json")).sorted().toList();
    }
    assertThat(files).isNotEmpty();
    int events = 0;
    Shape max = new Shape(0, 0, 0, 0, 0);
    long maxBytes = 0;
    long offset = 0;
    for (Path file : files) {
      byte[] document = Files.readAllBytes(file);
      Shape s = shape(document);
      max = new Shape(Math.max(max.depth(), s.depth()), Math.max(max.string(), s.string()),
          Math.max(max.number(), s.number()), Math.max(max.name(), s.name()), Math.max(max.tokens(), s.tokens()));
      maxBytes = Math.max(maxBytes, document.length);
      Normalized n = normalizer.normalize(null, document, "fhir.resources", 0, offset++);
      assertThat(n.rejections()).as(file.getFileName().toString()).isEmpty();
      events += n.events().size();
    }
    System.out.printf("Synthea FHIR: %d documents, %d events; largest %d bytes, deepest %d, longest string %d,"
        + " number %d, name %d chars, most tokens %d%n", files.size(), events, maxBytes, max.depth(), max.string(),
        max.number(), max.name(), max.tokens());
    assertThat(events).isPositive();
    assertThat(max.depth()).isLessThanOrEqualTo(StrictJson.MAX_DEPTH);
    assertThat(max.string()).isLessThanOrEqualTo(StrictJson.MAX_STRING_CHARS);
    assertThat(max.number()).isLessThanOrEqualTo(StrictJson.MAX_NUMBER_CHARS);
    assertThat(max.name()).isLessThanOrEqualTo(StrictJson.MAX_NAME_CHARS);
  }

  @Test
  void shouldNormalizeEveryCsvEventAsADebeziumChangeEventWithoutRejection() throws Exception {
    Map<String, List<EmrEvent>> cohort = new SyntheaCsvReader(out.resolve("csv")).readByPatient();
    DebeziumNormalizer normalizer = new DebeziumNormalizer(SourceMapping.defaults(), "postgres:ehr", 1 << 20);
    List<String> problems = new ArrayList<>();
    int n = 0;
    for (List<EmrEvent> events : cohort.values()) {
      for (EmrEvent e : events) {
        EhrRow row = EhrRows.toRow(e);
        Normalized r = normalizer.normalize(("{\"id\":\"" + row.id() + "\"}").getBytes(StandardCharsets.UTF_8),
            envelope(row, 1000 + n, n), "ehr.clinical.changes", 0, n);
        n++;
        if (!r.rejections().isEmpty()) {
          problems.add(e.getEventId() + ": " + r.rejections().get(0).reason() + " " + r.rejections().get(0).message());
          continue;
        }
        EmrEvent got = r.events().get(0);
        if (!got.getPatientId().equals(e.getPatientId()) || !got.getEventId().equals(e.getEventId())
            || !java.util.Objects.equals(got.getCode(), e.getCode()) || !got.getEventTime().equals(e.getEventTime())) {
          problems.add(e.getEventId() + ": normalized to another event");
        }
        FieldRules.check(got, f -> f.eventField());
      }
    }
    System.out.printf("Synthea CSV: %d events as Debezium change events%n", n);
    assertThat(n).isPositive();
    assertThat(problems).isEmpty();
  }

  /** A Debezium insert envelope (schemas.enable=false) of a row, with the column formats Debezium writes. */
  private static byte[] envelope(EhrRow row, long txId, long lsn) {
    ObjectNode env = JSON.createObjectNode();
    env.putNull("before");
    ObjectNode after = env.putObject("after");
    row.columns().forEach((column, v) -> {
      if (v instanceof Instant t) {
        after.put(column, DEBEZIUM_TIMESTAMP.format(t));
      } else if (v instanceof LocalDate d) {
        after.put(column, (int) d.toEpochDay());
      } else {
        after.putPOJO(column, v);
      }
    });
    ObjectNode source = env.putObject("source");
    source.put("connector", "postgresql").put("db", "ehr").put("schema", "clinical").put("table", row.table())
        .put("txId", txId).put("lsn", lsn).put("ts_ms", 1_700_000_000_000L + lsn);
    env.put("op", "c");
    return env.toString().getBytes(StandardCharsets.UTF_8);
  }
}
