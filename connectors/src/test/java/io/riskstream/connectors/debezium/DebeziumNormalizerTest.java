package io.riskstream.connectors.debezium;

import static io.riskstream.connectors.debezium.Cdc.bytes;
import static io.riskstream.connectors.debezium.Cdc.change;
import static io.riskstream.connectors.debezium.Cdc.condition;
import static io.riskstream.connectors.debezium.Cdc.observation;
import static io.riskstream.connectors.debezium.Cdc.patient;
import static io.riskstream.connectors.debezium.Cdc.row;
import static org.assertj.core.api.Assertions.assertThat;

import io.riskstream.connectors.Normalized;
import io.riskstream.schemas.DeadLetterReason;
import io.riskstream.schemas.EmrEvent;
import io.riskstream.schemas.EventKind;
import io.riskstream.schemas.EventOp;
import java.time.Instant;
import org.junit.jupiter.api.Test;

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
}
