package io.riskstream.connectors.hostile;

import static org.assertj.core.api.Assertions.assertThat;

import io.riskstream.connectors.Normalized;
import io.riskstream.connectors.RecordNormalizer;
import io.riskstream.connectors.debezium.Cdc;
import io.riskstream.connectors.debezium.DebeziumNormalizer;
import io.riskstream.connectors.debezium.SourceMapping;
import io.riskstream.connectors.fhir.FhirNormalizer;
import io.riskstream.connectors.hostile.HostileInputs.Accepted;
import io.riskstream.connectors.hostile.HostileInputs.Category;
import io.riskstream.connectors.hostile.HostileInputs.Hostile;
import io.riskstream.connectors.hostile.HostileInputs.Input;
import io.riskstream.schemas.DeadLetterReason;
import io.riskstream.schemas.EmrEvent;
import io.riskstream.schemas.EventOp;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The hostile-input generator against the normalizers: every hostile record is exactly one rejection with its
 * expected reason and no event, whatever the seed and the record limit; no message quotes an injected value; the
 * accepted records give the events they should. Plus random mutations of valid records: never an exception, never
 * PROCESSING_ERROR.
 */
class HostileInputNormalizerTest {

  static final String CDC_TOPIC = "ehr.clinical.changes";
  static final String FHIR_TOPIC = "fhir.resources";
  private static final int SMALL = 64 * 1024;
  /** Above 1 MiB, so that strings over and at StrictJson.MAX_STRING_CHARS fit in a record. */
  private static final int LARGE = 3 * 1024 * 1024;

  /** Valid change events of two patients, every table, an update and a delete. */
  static List<Input> validDebezium() {
    List<byte[]> values = List.of(
        Cdc.change("patients", "c", Cdc.patient("valid-p1", "1961-07-15", "female"), 10, 1),
        Cdc.change("encounters", "c", Cdc.row("id", "valid-e1", "patient_id", "valid-p1", "start_time",
            "2020-03-04T05:06:07.000000Z", "stop_time", "2020-03-04T06:00:00.000000Z", "encounter_class", "wellness",
            "code_system", "SNOMED-CT", "code", "185349003", "description", "Encounter for check up", "reason_code",
            null), 11, 2),
        Cdc.change("conditions", "c", Cdc.condition("valid-c1", "valid-p1", "2020-03-04T05:06:07.123456Z",
            "44054006"), 11, 3),
        Cdc.change("observations", "c", Cdc.observation("valid-o1", "valid-p1", "2020-03-04T05:06:07Z", "4548-4",
            6.4, "%"), 11, 4),
        Cdc.change("medications", "c", Cdc.row("id", "valid-m1", "patient_id", "valid-p1", "encounter_id",
            "valid-e1", "start_time", "2020-03-04T05:06:07.000000Z", "stop_time", null, "code_system", "RxNorm",
            "code", "860975", "description", "metformin", "reason_code", null), 11, 5),
        Cdc.change("procedures", "u", Cdc.row("id", 4711, "patient_id", "valid-p1", "encounter_id", "valid-e1",
            "start_time", 1_583_298_367_000_000L, "stop_time", null, "code_system", "SNOMED-CT", "code",
            "710824005", "description", "Assessment of health and social care needs (procedure)", "reason_code",
            null), 12, 6),
        Cdc.change("patients", "r", Cdc.patient("valid-p2", "1950-01-01", "male"), null, 7),
        Cdc.change("conditions", "d", Cdc.row("id", "valid-c0", "patient_id", "valid-p2"), 13, 8));
    List<Input> out = new ArrayList<>();
    for (byte[] v : values) {
      out.add(new Input(CDC_TOPIC, Cdc.key("k"), v));
    }
    return out;
  }

  /** Valid FHIR records: a Bundle of a patient's record and single resources. */
  static List<Input> validFhir() {
    String p = "5b7c1b1e-0000-4000-8000-00000000000a";
    String e = "e0c0ffee-0000-4000-8000-00000000000b";
    String bundle = "{'resourceType':'Bundle','type':'collection','entry':["
        + "{'fullUrl':'urn:uuid:" + p + "','resource':{'resourceType':'Patient','id':'" + p + "','gender':'male',"
        + "'birthDate':'1950-03-04'}},"
        + "{'fullUrl':'urn:uuid:" + e + "','resource':{'resourceType':'Encounter','id':'" + e + "','status':'finished',"
        + "'class':{'code':'AMB'},'type':[{'coding':[{'system':'http://snomed.info/sct','code':'185349003',"
        + "'display':'Encounter for check up'}]}],'subject':{'reference':'urn:uuid:" + p + "'},"
        + "'period':{'start':'2020-02-03T10:00:00+00:00','end':'2020-02-03T10:30:00+00:00'}}},"
        + "{'resource':{'resourceType':'Condition','code':{'coding':[{'system':'http://snomed.info/sct',"
        + "'code':'44054006','display':'Diabetes mellitus type 2 (disorder)'}]},'subject':{'reference':'urn:uuid:" + p
        + "'},'encounter':{'reference':'urn:uuid:" + e + "'},'onsetDateTime':'2020-02-03T10:00:00+00:00'}},"
        + "{'resource':{'resourceType':'Observation','status':'final','category':[{'coding':[{'code':'vital-signs'}]}],"
        + "'code':{'coding':[{'code':'85354-9'}]},'subject':{'reference':'urn:uuid:" + p + "'},"
        + "'effectiveDateTime':'2020-02-03T10:05:00+00:00','component':[{'code':{'coding':[{'code':'8462-4'}]},"
        + "'valueQuantity':{'value':81,'unit':'mm[Hg]'}},{'code':{'coding':[{'code':'8480-6'}]},"
        + "'valueQuantity':{'value':132,'unit':'mm[Hg]'}}]}},"
        + "{'resource':{'resourceType':'Claim','id':'claim-1'}}]}";
    String condition = "{'resourceType':'Condition','code':{'coding':[{'system':'http://snomed.info/sct',"
        + "'code':'38341003'}]},'subject':{'reference':'Patient/" + p + "'},'onsetDateTime':'2021-05-06'}";
    String medication = "{'resourceType':'MedicationRequest','status':'active','medicationCodeableConcept':{"
        + "'coding':[{'code':'860975','display':'metformin'}]},'subject':{'reference':'urn:uuid:" + p + "'},"
        + "'authoredOn':'2021-01-05T08:00:00Z'}";
    return Stream.of(bundle, condition, medication)
        .map(s -> new Input(FHIR_TOPIC, Cdc.bytes("{\"k\":1}"), Cdc.bytes(s.replace('\'', '"')))).toList();
  }

  static Stream<Arguments> debeziumRuns() {
    return Stream.of(Arguments.of(1L, SMALL), Arguments.of(2L, SMALL), Arguments.of(3L, SMALL),
        Arguments.of(20251231L, SMALL), Arguments.of(7L, LARGE), Arguments.of(8L, LARGE));
  }

  @ParameterizedTest(name = "seed {0}, limit {1}")
  @MethodSource("debeziumRuns")
  void shouldRejectEveryHostileDebeziumRecordOnceWithItsReasonAndAcceptTheRest(long seed, int limit) {
    List<Input> valid = validDebezium();
    HostileInputs inputs = HostileInputs.debezium(seed, CDC_TOPIC, limit, valid);
    DebeziumNormalizer normalizer = new DebeziumNormalizer(SourceMapping.defaults(), "postgres:ehr", limit);
    check(normalizer, inputs, valid, HostileInputs.DEBEZIUM_CATEGORIES);
  }

  @ParameterizedTest(name = "seed {0}, limit {1}")
  @MethodSource("debeziumRuns")
  void shouldRejectEveryHostileFhirRecordOnceWithItsReasonAndAcceptTheRest(long seed, int limit) {
    List<Input> valid = validFhir();
    HostileInputs inputs = HostileInputs.fhir(seed, FHIR_TOPIC, limit, valid);
    check(new FhirNormalizer(limit), inputs, valid, HostileInputs.FHIR_CATEGORIES);
  }

  @ParameterizedTest
  @ValueSource(longs = {5, 6})
  void shouldGenerateTheSameRecordsForTheSameSeed(long seed) {
    assertThat(HostileInputs.debezium(seed, CDC_TOPIC, SMALL, validDebezium()).hostile())
        .isEqualTo(HostileInputs.debezium(seed, CDC_TOPIC, SMALL, validDebezium()).hostile());
    assertThat(HostileInputs.fhir(seed, FHIR_TOPIC, SMALL, validFhir()).accepted())
        .isEqualTo(HostileInputs.fhir(seed, FHIR_TOPIC, SMALL, validFhir()).accepted());
    assertThat(HostileInputs.fhir(seed, FHIR_TOPIC, SMALL, validFhir()).hostile())
        .isNotEqualTo(HostileInputs.fhir(seed + 100, FHIR_TOPIC, SMALL, validFhir()).hostile());
  }

  private static void check(RecordNormalizer normalizer, HostileInputs inputs, List<Input> valid,
      Set<Category> categories) {
    SoftAssertions softly = new SoftAssertions();
    Set<Category> seen = EnumSet.noneOf(Category.class);
    for (Hostile h : inputs.hostile()) {
      seen.add(h.category());
      Input in = h.input();
      Normalized n = normalizer.normalize(in.key(), in.value(), in.topic(), 3, 99);
      softly.assertThat(n.events()).as("%s: events", h).isEmpty();
      softly.assertThat(n.rejections()).as("%s: rejections", h).hasSize(1);
      if (n.rejections().size() == 1) {
        String message = n.rejections().get(0).message();
        softly.assertThat(n.rejections().get(0).reason()).as("%s: reason (message: %s)", h, message)
            .isEqualTo(h.expected());
        for (String secret : h.secrets()) {
          softly.assertThat(message).as("%s: message", h).doesNotContain(secret);
        }
      }
    }
    for (Accepted a : inputs.accepted()) {
      seen.add(a.category());
      Input in = a.input();
      Normalized n = normalizer.normalize(in.key(), in.value(), in.topic(), 3, 99);
      softly.assertThat(n.rejections()).as("%s: rejections", a).isEmpty();
      if (a.copyOf() >= 0) {
        Input original = valid.get(a.copyOf());
        Normalized expected = normalizer.normalize(original.key(), original.value(), original.topic(), 3, 99);
        softly.assertThat(n.events()).as("%s: events", a).isNotEmpty().isEqualTo(expected.events());
      } else {
        softly.assertThat(n.events()).as("%s: events", a).hasSize(a.events())
            .allSatisfy(e -> assertThat(e.getOp()).isEqualTo(EventOp.DELETE));
      }
    }
    softly.assertThat(seen).as("categories").isEqualTo(categories);
    softly.assertAll();
  }

  @ParameterizedTest
  @ValueSource(longs = {11, 12, 13})
  void shouldNeverThrowNorFailInternallyOnRandomMutationsOfValidRecords(long seed) {
    Random random = new Random(seed);
    DebeziumNormalizer debezium = new DebeziumNormalizer(SourceMapping.defaults(), "postgres:ehr", SMALL);
    FhirNormalizer fhir = new FhirNormalizer(SMALL);
    List<Input> valid = new ArrayList<>(validDebezium());
    valid.addAll(validFhir());
    for (int i = 0; i < 3000; i++) {
      Input in = valid.get(random.nextInt(valid.size()));
      byte[] mutated = mutate(in.value(), random);
      RecordNormalizer normalizer = in.topic().equals(CDC_TOPIC) ? debezium : fhir;
      Normalized n = normalizer.normalize(in.key(), mutated, in.topic(), 0, i);
      assertThat(n.rejections()).extracting(Normalized.Rejection::reason)
          .as("mutation %d of %s", i, in).doesNotContain(DeadLetterReason.PROCESSING_ERROR);
      if (normalizer == debezium) {
        assertThat(n.events().size() + n.rejections().size()).as("mutation %d", i).isEqualTo(1);
      }
      for (EmrEvent e : n.events()) {
        assertThat(e.getPatientId()).matches("[A-Za-z0-9._:@/+=-]{1,128}");
      }
    }
  }

  /** One to three random edits: flip, delete, insert, duplicate a range, or cut. */
  private static byte[] mutate(byte[] value, Random random) {
    byte[] out = value;
    int edits = 1 + random.nextInt(3);
    for (int e = 0; e < edits && out.length > 1; e++) {
      int at = random.nextInt(out.length);
      switch (random.nextInt(5)) {
        case 0 -> {
          out = out.clone();
          out[at] = (byte) random.nextInt(256);
        }
        case 1 -> {
          int len = Math.min(out.length - at, 1 + random.nextInt(16));
          byte[] shorter = new byte[out.length - len];
          System.arraycopy(out, 0, shorter, 0, at);
          System.arraycopy(out, at + len, shorter, at, out.length - at - len);
          out = shorter;
        }
        case 2 -> {
          byte[] insert = pickInsert(random);
          byte[] longer = new byte[out.length + insert.length];
          System.arraycopy(out, 0, longer, 0, at);
          System.arraycopy(insert, 0, longer, at, insert.length);
          System.arraycopy(out, at, longer, at + insert.length, out.length - at);
          out = longer;
        }
        case 3 -> {
          int len = Math.min(out.length - at, 1 + random.nextInt(64));
          byte[] longer = new byte[out.length + len];
          System.arraycopy(out, 0, longer, 0, at + len);
          System.arraycopy(out, at, longer, at + len, out.length - at);
          out = longer;
        }
        default -> out = Arrays.copyOf(out, at);
      }
    }
    return out;
  }

  private static byte[] pickInsert(Random random) {
    List<String> tokens = List.of("{", "}", "[", "]", ",", ":", "\"", "\\", "\\u0000", "\\ud800", "null", "1e999",
        "-0", "99999999999999999999999", "\u202e", "\"x\":", "[[[[[[[[", "'", " ", "\u0000");
    return tokens.get(random.nextInt(tokens.size())).getBytes(java.nio.charset.StandardCharsets.UTF_8);
  }
}
