package io.riskstream.connectors.debezium;

import static io.riskstream.connectors.debezium.Cdc.bytes;
import static io.riskstream.connectors.debezium.Cdc.change;
import static io.riskstream.connectors.debezium.Cdc.condition;
import static io.riskstream.connectors.debezium.Cdc.observation;
import static io.riskstream.connectors.debezium.Cdc.patient;
import static io.riskstream.connectors.debezium.Cdc.row;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.riskstream.connectors.FieldRules;
import io.riskstream.connectors.Normalized;
import io.riskstream.connectors.NormalizerFailures;
import io.riskstream.connectors.StrictJson;
import io.riskstream.schemas.DeadLetterReason;
import io.riskstream.schemas.EmrEvent;
import io.riskstream.schemas.EventKind;
import io.riskstream.schemas.EventOp;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class DebeziumNormalizerTest {

  private final DebeziumNormalizer normalizer = new DebeziumNormalizer(SourceMapping.defaults(), "postgres:ehr", 4096);

  private Normalized run(byte[] value) {
    return normalizer.normalize(Cdc.key("k"), value, "ehr.clinical.conditions", 2, 17);
  }

  private EmrEvent event(byte[] value) {
    Normalized r = run(value);
    assertThat(r.rejections()).isEmpty();
    assertThat(r.events()).hasSize(1);
    return r.events().get(0);
  }

  private DeadLetterReason reason(byte[] value) {
    Normalized r = run(value);
    assertThat(r.events()).isEmpty();
    assertThat(r.rejections()).hasSize(1);
    return r.rejections().get(0).reason();
  }

  @Test
  void shouldNormalizeAConditionInsertWithSourceCoordinates() {
    EmrEvent e = event(change("conditions", "c", condition("c1", "p1", "2020-03-04T05:06:07.123456Z", "44054006"), 771, 5000));
    assertThat(e.getPatientId()).isEqualTo("p1");
    assertThat(e.getEventId()).isEqualTo("conditions:c1");
    assertThat(e.getOp()).isEqualTo(EventOp.UPSERT);
    assertThat(e.getKind()).isEqualTo(EventKind.DIAGNOSIS);
    assertThat(e.getEventTime()).isEqualTo(Instant.parse("2020-03-04T05:06:07.123Z"));
    assertThat(e.getCodeSystem()).isEqualTo("SNOMED-CT");
    assertThat(e.getCode()).isEqualTo("44054006");
    assertThat(e.getEncounterId()).isEqualTo("enc-1");
    assertThat(e.getSource().getTxId()).isEqualTo("771");
    assertThat(e.getSource().getLsn()).isEqualTo(5000L);
    assertThat(e.getSource().getCommitTime()).isEqualTo(Instant.ofEpochMilli(1_700_000_005_000L));
    assertThat(e.getSource().getTopic()).isEqualTo("ehr.clinical.conditions");
    assertThat(e.getSource().getPartition()).isEqualTo(2);
    assertThat(e.getSource().getOffset()).isEqualTo(17L);
  }

  @Test
  void shouldReadPatientsWithDaysSinceEpochAndGenderAsCode() {
    EmrEvent e = event(change("patients", "r", patient("p9", "1961-07-15", "female"), null, 1));
    assertThat(e.getPatientId()).isEqualTo("p9");
    assertThat(e.getEventId()).isEqualTo("patients:p9");
    assertThat(e.getKind()).isEqualTo(EventKind.DEMOGRAPHICS);
    assertThat(e.getEventTime()).isEqualTo(Instant.parse("1961-07-15T00:00:00Z"));
    assertThat(e.getCodeSystem()).isEqualTo("administrative-gender");
    assertThat(e.getCode()).isEqualTo("female");
    assertThat(e.getSource().getTxId()).isNull();
  }

  @Test
  void shouldReadObservationValuesAndUnits() {
    EmrEvent e = event(change("observations", "u", observation("o1", "p1", "2021-01-01T00:00:00+02:00", "4548-4", 6.4, "%"), 3, 9));
    assertThat(e.getKind()).isEqualTo(EventKind.OBSERVATION);
    assertThat(e.getValue()).isEqualTo(6.4);
    assertThat(e.getUnit()).isEqualTo("%");
    assertThat(e.getCategory()).isEqualTo("laboratory");
    assertThat(e.getEventTime()).isEqualTo(Instant.parse("2020-12-31T22:00:00Z"));
  }

  @Test
  void shouldTurnADeleteIntoADeleteEventFromBefore() {
    EmrEvent e = event(change("conditions", "d", condition("c1", "p1", "2020-03-04T00:00:00Z", "1"), 8, 10));
    assertThat(e.getOp()).isEqualTo(EventOp.DELETE);
    assertThat(e.getEventId()).isEqualTo("conditions:c1");
    assertThat(e.getPatientId()).isEqualTo("p1");
  }

  @Test
  void shouldAcceptADeleteWhoseBeforeHasOnlyTheKeyAndPatient() {
    EmrEvent e = event(change("conditions", "d", row("id", "c1", "patient_id", "p1"), 8, 10));
    assertThat(e.getOp()).isEqualTo(EventOp.DELETE);
    assertThat(e.getEventTime()).isEqualTo(Instant.ofEpochMilli(1_700_000_000_010L));
  }

  @Test
  void shouldUnwrapSchemaPayloadEnvelopes() {
    String inner = new String(change("conditions", "c", condition("c2", "p2", "2020-01-01T00:00:00Z", "5"), 1, 1),
        java.nio.charset.StandardCharsets.UTF_8);
    EmrEvent e = event(bytes("{\"schema\":{\"type\":\"struct\"},\"payload\":" + inner + "}"));
    assertThat(e.getEventId()).isEqualTo("conditions:c2");
  }

  @Test
  void shouldSkipTombstones() {
    assertThat(run(null)).isEqualTo(Normalized.ofTombstone());
  }

  @Test
  void shouldClassifyEveryBadInput() {
    assertThat(reason(bytes("{not json"))).isEqualTo(DeadLetterReason.MALFORMED_JSON);
    assertThat(reason(bytes("[1,2]"))).isEqualTo(DeadLetterReason.MALFORMED_JSON);
    assertThat(reason(bytes("{\"after\":{},\"source\":{\"table\":\"conditions\"}}"))).isEqualTo(DeadLetterReason.MISSING_FIELD);
    assertThat(reason(change("conditions", "x", condition("c1", "p1", "2020-01-01T00:00:00Z", "1"), 1, 1)))
        .isEqualTo(DeadLetterReason.INVALID_FIELD);
    assertThat(reason(change("conditions", "c", condition("c1", null, "2020-01-01T00:00:00Z", "1"), 1, 1)))
        .isEqualTo(DeadLetterReason.MISSING_FIELD);
    assertThat(reason(change("conditions", "c", row("id", "c1", "patient_id", true, "start_time", "2020-01-01T00:00:00Z"), 1, 1)))
        .isEqualTo(DeadLetterReason.INVALID_FIELD);
    assertThat(reason(change("observations", "c", observation("o1", "p1", "2021-01-01T00:00:00Z", "x", null, null)
        .entrySet().stream().collect(java.util.stream.Collectors.toMap(java.util.Map.Entry::getKey,
            en -> en.getKey().equals("value_numeric") ? "high" : String.valueOf(en.getValue()))), 1, 1)))
        .isEqualTo(DeadLetterReason.INVALID_FIELD);
    assertThat(reason(change("allergies", "c", row("id", "a1", "patient_id", "p1"), 1, 1))).isEqualTo(DeadLetterReason.UNKNOWN_TABLE);
    assertThat(reason(change("conditions", "c", condition("c1", "p1", "yesterday", "1"), 1, 1))).isEqualTo(DeadLetterReason.UNPARSEABLE_TIME);
    assertThat(reason(change("conditions", "c", condition("c1", "p1", null, "1"), 1, 1))).isEqualTo(DeadLetterReason.MISSING_FIELD);
    assertThat(reason(bytes("{\"op\":\"c\",\"after\":{\"pad\":\"" + "x".repeat(5000) + "\"}}"))).isEqualTo(DeadLetterReason.OVERSIZED_RECORD);
  }

  @Test
  void shouldNeverPutValuesIntoDeadLetterMessages() {
    Normalized r = run(change("conditions", "c", condition("c1", "patient-secret-42", "not-a-date-77", "1"), 1, 1));
    assertThat(r.rejections().get(0).message()).doesNotContain("patient-secret-42").doesNotContain("not-a-date-77")
        .contains("conditions.start_time");
  }

  // ---- strict parsing ----------------------------------------------------------------------------------------------

  private static String envelope(Map<String, Object> row) {
    return new String(change("conditions", "c", row, 7, 1), StandardCharsets.UTF_8);
  }

  private static Map<String, Object> aCondition() {
    return condition("c1", "p1", "2020-01-01T00:00:00Z", "44054006");
  }

  private Normalized run(DebeziumNormalizer n, String value) {
    return n.normalize(Cdc.key("k"), bytes(value), "ehr.clinical.conditions", 0, 1);
  }

  @Test
  void shouldRejectDataAfterTheEnvelopeAsTrailingData() {
    String valid = envelope(aCondition());
    assertThat(event(bytes(valid + " \n\t"))).isNotNull(); // white space is not data
    for (String garbage : new String[] {"}}}}", "]", " x", "{}", "\u0000", ",", "{\"op\":\"d\"}", "null"}) {
      assertThat(reason(bytes(valid + garbage))).as(garbage).isEqualTo(DeadLetterReason.TRAILING_DATA);
    }
  }

  @Test
  void shouldRejectThousandsOfNestingLevelsWithoutAnException() {
    // finding 1: Jackson's depth error has no location; reading it crashed the stream
    DebeziumNormalizer roomy = new DebeziumNormalizer(SourceMapping.defaults(), "postgres:ehr", 1 << 20);
    String deep = "[".repeat(5000) + "]".repeat(5000);
    assertThat(run(roomy, deep).rejections()).extracting(Normalized.Rejection::reason)
        .containsExactly(DeadLetterReason.NESTING_TOO_DEEP);
    assertThat(run(roomy, deep).rejections().get(0).message()).isEqualTo("value nests arrays and objects deeper than 64");
    assertThat(run(roomy, "{\"a\":".repeat(30_000)).rejections()).extracting(Normalized.Rejection::reason)
        .containsExactly(DeadLetterReason.NESTING_TOO_DEEP);
    String column = envelope(aCondition()).replace("\"after\":{", "\"after\":{\"x\":" + "[".repeat(63) + "]".repeat(63) + ",");
    assertThat(reason(bytes(column))).isEqualTo(DeadLetterReason.NESTING_TOO_DEEP);
  }

  @Test
  void shouldAcceptNestingUpToTheLimit() {
    // root object (1), after (2), then 62 arrays: depth 64
    String atLimit = envelope(aCondition()).replace("\"after\":{", "\"after\":{\"x\":" + "[".repeat(62) + "]".repeat(62) + ",");
    assertThat(event(bytes(atLimit)).getEventId()).isEqualTo("conditions:c1");
  }

  @Test
  void shouldRejectStringsNumbersAndNamesOverTheParserBoundsAsValueTooLong() {
    DebeziumNormalizer large = new DebeziumNormalizer(SourceMapping.defaults(), "postgres:ehr", 4 << 20);
    String valid = envelope(aCondition());
    String huge = valid.replace("\"after\":{", "\"after\":{\"x\":\"" + "y".repeat(StrictJson.MAX_STRING_CHARS + 1) + "\",");
    assertThat(run(large, huge).rejections()).extracting(Normalized.Rejection::reason)
        .containsExactly(DeadLetterReason.VALUE_TOO_LONG);
    String atLimit = valid.replace("\"after\":{", "\"after\":{\"x\":\"" + "y".repeat(StrictJson.MAX_STRING_CHARS) + "\",");
    assertThat(run(large, atLimit).events()).hasSize(1);
    assertThat(reason(bytes(valid.replace("\"after\":{", "\"after\":{\"x\":1" + "0".repeat(64) + ","))))
        .isEqualTo(DeadLetterReason.VALUE_TOO_LONG);
    assertThat(event(bytes(valid.replace("\"after\":{", "\"after\":{\"x\":1" + "0".repeat(63) + ",")))).isNotNull();
    assertThat(reason(bytes(valid.replace("\"after\":{", "\"after\":{\"" + "k".repeat(257) + "\":1,"))))
        .isEqualTo(DeadLetterReason.VALUE_TOO_LONG);
    assertThat(event(bytes(valid.replace("\"after\":{", "\"after\":{\"" + "k".repeat(256) + "\":1,")))).isNotNull();
  }

  @Test
  void shouldRejectBytesThatAreNotUtf8AndDuplicateKeysAsMalformed() {
    String valid = envelope(aCondition());
    assertThat(reason(valid.getBytes(StandardCharsets.UTF_16BE))).isEqualTo(DeadLetterReason.MALFORMED_JSON);
    assertThat(reason(new byte[] {(byte) 0xFF, (byte) 0xFE, 0x7B, 0x00})).isEqualTo(DeadLetterReason.MALFORMED_JSON);
    byte[] overlong = bytes(valid.replace("test condition", "test @ condition"));
    overlong[new String(overlong, StandardCharsets.UTF_8).indexOf('@')] = (byte) 0xC0;
    assertThat(reason(overlong)).isEqualTo(DeadLetterReason.MALFORMED_JSON);
    assertThat(reason(bytes("{\"op\":\"d\"," + valid.substring(1)))).isEqualTo(DeadLetterReason.MALFORMED_JSON);
    assertThat(reason(bytes(""))).isEqualTo(DeadLetterReason.MALFORMED_JSON);
    // a UTF-8 byte-order mark is ignored
    assertThat(event(bytes("\uFEFF" + valid)).getEventId()).isEqualTo("conditions:c1");
  }

  // ---- field rules ---------------------------------------------------------------------------------------------------

  private Map<String, Object> conditionWith(String column, Object value) {
    Map<String, Object> row = aCondition();
    row.put(column, value);
    return row;
  }

  private DeadLetterReason reasonWith(String column, Object value) {
    if (value instanceof String text && text.chars().anyMatch(c -> Character.isSurrogate((char) c))) {
      // written as \\uXXXX escapes: an unpaired surrogate has no UTF-8 form
      StringBuilder escaped = new StringBuilder();
      text.chars().forEach(c -> escaped.append(c < 128 ? String.valueOf((char) c) : String.format("\\u%04x", c)));
      String json = envelope(conditionWith(column, "@@VALUE@@")).replace("@@VALUE@@", escaped);
      return reason(bytes(json));
    }
    return reason(change("conditions", "c", conditionWith(column, value), 7, 1));
  }

  @Test
  void shouldCheckPatientEventAndEncounterIdsAndTxIds() {
    for (String column : new String[] {"id", "patient_id", "encounter_id"}) {
      assertThat(reasonWith(column, "a".repeat(129))).as(column).isEqualTo(DeadLetterReason.INVALID_IDENTIFIER);
      assertThat(reasonWith(column, "a b")).as(column).isEqualTo(DeadLetterReason.INVALID_IDENTIFIER);
      assertThat(reasonWith(column, "p1'; DROP TABLE x; --")).as(column)
          .isEqualTo(DeadLetterReason.INVALID_IDENTIFIER);
      assertThat(reasonWith(column, "é")).as(column).isEqualTo(DeadLetterReason.INVALID_IDENTIFIER);
      assertThat(reasonWith(column, "p\u0000")).as(column).isEqualTo(DeadLetterReason.INVALID_CHARACTERS);
    }
    assertThat(reasonWith("encounter_id", "")).isEqualTo(DeadLetterReason.INVALID_IDENTIFIER);
    assertThat(reasonWith("id", "")).isEqualTo(DeadLetterReason.INVALID_FIELD); // as before
    String atBound = "A-z0.9_:@/+=" + "x".repeat(116);
    EmrEvent e = event(change("conditions", "c", row("id", atBound, "patient_id", atBound, "encounter_id", atBound,
        "start_time", "2020-01-01T00:00:00Z", "code", "1"), 7, 1));
    assertThat(e.getPatientId()).isEqualTo(atBound);
    assertThat(e.getEventId()).isEqualTo("conditions:" + atBound);
    assertThat(event(change("conditions", "c", conditionWith("patient_id", 123456789), 7, 1)).getPatientId())
        .isEqualTo("123456789");
    assertThat(reason(change("conditions", "c", aCondition(), "1".repeat(129), 1)))
        .isEqualTo(DeadLetterReason.INVALID_IDENTIFIER);
    assertThat(reason(change("conditions", "c", aCondition(), "7 OR 1=1", 1)))
        .isEqualTo(DeadLetterReason.INVALID_IDENTIFIER);
    assertThat(event(change("conditions", "c", aCondition(), "1".repeat(128), 1)).getSource().getTxId())
        .hasSize(128);
  }

  @Test
  void shouldRejectControlBidiAndUnpairedSurrogateCharactersInEveryTextField() {
    String[] forbidden = {"\u0000", "\u0007", "\t", "\n", "\r", "\u001b", "\u007f", "\u0085", "\u061c", "\u200e",
        "\u200f", "\u202a", "\u202e", "\u2066", "\u2069", "\u2028", "\u2029", "\ud800", "\udfff", "\udc00\ud800"};
    for (String ch : forbidden) {
      for (String column : new String[] {"id", "patient_id", "encounter_id", "code_system", "code", "description"}) {
        assertThat(reasonWith(column, "ab" + ch + "cd")).as(column + " U+%04X", (int) ch.charAt(0))
            .isEqualTo(DeadLetterReason.INVALID_CHARACTERS);
      }
      if (Character.isSurrogate(ch.charAt(0))) {
        continue;
      }
      Map<String, Object> obs = observation("o1", "p1", "2021-01-01T00:00:00Z", "4548-4", 6.4, "%");
      for (String column : new String[] {"category", "value_text", "unit"}) {
        Map<String, Object> row = new java.util.LinkedHashMap<>(obs);
        row.put(column, "ab" + ch + "cd");
        assertThat(reason(change("observations", "u", row, 7, 1))).as(column).isEqualTo(DeadLetterReason.INVALID_CHARACTERS);
      }
    }
    // a surrogate pair is one character, not a forbidden one; other scripts are text
    assertThat(event(change("conditions", "c", conditionWith("description", "Ärztlicher Befund \ud83d\ude00 糖尿病"), 7, 1))
        .getDescription()).isEqualTo("Ärztlicher Befund \ud83d\ude00 糖尿病");
  }

  @Test
  void shouldBoundCodesCodeSystemsUnitsAndTexts() {
    assertThat(reasonWith("code", "1".repeat(65))).isEqualTo(DeadLetterReason.VALUE_TOO_LONG);
    assertThat(event(change("conditions", "c", conditionWith("code", "1".repeat(64)), 7, 1)).getCode()).hasSize(64);
    assertThat(reasonWith("code_system", "s".repeat(129))).isEqualTo(DeadLetterReason.VALUE_TOO_LONG);
    assertThat(event(change("conditions", "c", conditionWith("code_system", "s".repeat(128)), 7, 1)).getCodeSystem())
        .hasSize(128);
    DebeziumNormalizer roomy = new DebeziumNormalizer(SourceMapping.defaults(), "postgres:ehr", 1 << 20);
    assertThat(run(roomy, envelope(conditionWith("description", "d".repeat(1025)))).rejections())
        .extracting(Normalized.Rejection::reason).containsExactly(DeadLetterReason.VALUE_TOO_LONG);
    assertThat(run(roomy, envelope(conditionWith("description", "d".repeat(1024)))).events()).hasSize(1);
    assertThat(run(roomy, envelope(conditionWith("description", "d".repeat(1 << 19)))).rejections().get(0).message())
        .isEqualTo("conditions.description is 524288 chars long, more than 1024");
    Map<String, Object> obs = observation("o1", "p1", "2021-01-01T00:00:00Z", "4548-4", 6.4, "u".repeat(65));
    assertThat(reason(change("observations", "c", obs, 7, 1))).isEqualTo(DeadLetterReason.VALUE_TOO_LONG);
    obs.put("unit", "u".repeat(64));
    assertThat(event(change("observations", "c", obs, 7, 1)).getUnit()).hasSize(64);
  }

  @Test
  void shouldAcceptCodesWithSingleInnerSpacesAndRejectMarkupQuotesAndIrregularSpaces() {
    assertThat(event(change("conditions", "c", conditionWith("code", "GLU FAST 2"), 7, 1)).getCode())
        .isEqualTo("GLU FAST 2");
    assertThat(event(change("conditions", "c", conditionWith("code", "E11.9"), 7, 1)).getCode()).isEqualTo("E11.9");
    for (String code : new String[] {"<script>", "1' OR '1'='1", "a;b", "${x}", "a\\b", "`id`", "a\"b", "a\u00a0b",
        "a\u200bb"}) {
      assertThat(reasonWith("code", code)).as(code).isEqualTo(DeadLetterReason.INVALID_CHARACTERS);
    }
    for (String code : new String[] {" 1", "1 ", "1  2"}) {
      assertThat(reasonWith("code", code)).as("'" + code + "'").isEqualTo(DeadLetterReason.INVALID_FIELD);
    }
    // free text may quote anything printable
    assertThat(event(change("conditions", "c", conditionWith("description", "<5 mg/dL; \"x\" ${y}"), 7, 1))
        .getDescription()).isEqualTo("<5 mg/dL; \"x\" ${y}");
  }

  @Test
  void shouldRejectNonFiniteValues() {
    String obs = new String(change("observations", "c", observation("o1", "p1", "2021-01-01T00:00:00Z", "4548-4", 6.4,
        "%"), 7, 1), StandardCharsets.UTF_8);
    assertThat(reason(bytes(obs.replace("6.4", "1e999")))).isEqualTo(DeadLetterReason.INVALID_FIELD);
    assertThat(reason(bytes(obs.replace("6.4", "-1e400")))).isEqualTo(DeadLetterReason.INVALID_FIELD);
    assertThat(reason(bytes(obs.replace("6.4", "NaN")))).isEqualTo(DeadLetterReason.MALFORMED_JSON);
    assertThat(event(bytes(obs.replace("6.4", "1.7976931348623157E308"))).getValue()).isEqualTo(Double.MAX_VALUE);
  }

  @Test
  void shouldRejectImplausibleTimesAsInvalidFieldsAndAcceptTheBounds() {
    for (Object time : new Object[] {"1849-12-31T23:59:59Z", "2201-01-01T00:00:00Z", "+999999999-12-31T23:59:59Z",
        "-000001-01-01T00:00:00Z", "0001-01-01", Long.MAX_VALUE, Long.MIN_VALUE, 100_000_000_000_000_000L,
        BigInteger.TWO.pow(70)}) {
      assertThat(reasonWith("start_time", time)).as(String.valueOf(time)).isEqualTo(DeadLetterReason.INVALID_FIELD);
      assertThat(reasonWith("stop_time", time)).as(String.valueOf(time)).isEqualTo(DeadLetterReason.INVALID_FIELD);
    }
    for (Object time : new Object[] {"2020-02-30T00:00:00Z", "2021-02-29", "2020-01-01T25:00:00Z", "",
        "9".repeat(100)}) {
      assertThat(reasonWith("start_time", time)).as(String.valueOf(time)).isEqualTo(DeadLetterReason.UNPARSEABLE_TIME);
    }
    assertThat(reason(change("patients", "c", row("id", "p1", "birthdate", 1_000_000_000, "gender", "male"), 1, 1)))
        .isEqualTo(DeadLetterReason.INVALID_FIELD);
    EmrEvent bounds = event(change("conditions", "c", conditionWith("start_time", "1850-01-01T00:00:00.000000Z")
        .entrySet().stream().collect(java.util.stream.Collectors.toMap(Map.Entry::getKey,
            en -> en.getKey().equals("stop_time") ? "2200-12-31T23:59:59.999Z" : String.valueOf(en.getValue()))), 7, 1));
    assertThat(bounds.getEventTime()).isEqualTo(FieldRules.EARLIEST_TIME);
    assertThat(bounds.getEndTime()).isEqualTo(FieldRules.LATEST_TIME);
    byte[] badCommit = bytes(envelope(aCondition()).replace("\"ts_ms\":1700000000001", "\"ts_ms\":-9000000000000000"));
    assertThat(reason(badCommit)).isEqualTo(DeadLetterReason.INVALID_FIELD);
  }

  @Test
  void shouldRejectWrongTypesInTheEnvelope() {
    String valid = envelope(aCondition());
    assertThat(reason(bytes(valid.replace("\"table\":\"conditions\"", "\"table\":7")))).isEqualTo(DeadLetterReason.INVALID_FIELD);
    assertThat(reason(bytes(valid.replace("\"lsn\":1", "\"lsn\":1" + "0".repeat(30))))).isEqualTo(DeadLetterReason.INVALID_FIELD);
    assertThat(reason(bytes(valid.replace("\"txId\":7", "\"txId\":7.5")))).isEqualTo(DeadLetterReason.INVALID_FIELD);
  }

  @Test
  void shouldNotEchoTableNamesThatAreNotPlainIdentifiers() {
    Normalized r = run(change("patients; DROP TABLE x", "c", row("id", "a1", "patient_id", "p1"), 1, 1));
    assertThat(r.rejections()).extracting(Normalized.Rejection::reason).containsExactly(DeadLetterReason.UNKNOWN_TABLE);
    assertThat(r.rejections().get(0).message()).doesNotContain("DROP").contains("not a plain identifier");
    assertThat(run(change("allergies", "c", row("id", "a1", "patient_id", "p1"), 1, 1)).rejections().get(0).message())
        .contains("'allergies'");
  }

  @Test
  void shouldTurnAnUnexpectedFailureIntoOneInternalErrorDeadLetterLoggedWithoutItsMessage() {
    Logger log = (Logger) LoggerFactory.getLogger(NormalizerFailures.class);
    ListAppender<ILoggingEvent> appender = new ListAppender<>();
    appender.start();
    log.addAppender(appender);
    try {
      // a null topic (no source.table to read instead) is a bug of the caller, not bad input
      Normalized r = normalizer.normalize(Cdc.key("k"), bytes("{\"op\":\"c\",\"after\":{\"id\":\"secret-42\"}}"),
          null, 0, 5);
      assertThat(r.events()).isEmpty();
      assertThat(r.rejections()).extracting(Normalized.Rejection::reason).containsExactly(DeadLetterReason.PROCESSING_ERROR);
      assertThat(r.rejections().get(0).message()).contains("NullPointerException").doesNotContain("secret-42");
      Normalized n = NormalizerFailures.unexpected(new IllegalStateException("value secret-43 broke it",
          new IllegalArgumentException("cause secret-44")), "X", "t", 1, 2);
      assertThat(n.rejections().get(0).message()).doesNotContain("secret-43");
      assertThat(appender.list).hasSize(2).allSatisfy(e -> {
        assertThat(e.getFormattedMessage()).doesNotContain("secret");
        for (ch.qos.logback.classic.spi.IThrowableProxy t = e.getThrowableProxy(); t != null; t = t.getCause()) {
          assertThat(t.getMessage()).doesNotContain("secret").contains("message redacted");
          assertThat(t.getStackTraceElementProxyArray()).isNotEmpty();
        }
      });
    } finally {
      log.detachAppender(appender);
    }
  }
}
