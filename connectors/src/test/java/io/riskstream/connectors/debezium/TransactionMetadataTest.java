package io.riskstream.connectors.debezium;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.riskstream.connectors.Normalized;
import io.riskstream.connectors.RejectedInputException;
import io.riskstream.schemas.DeadLetterReason;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class TransactionMetadataTest {

  private static byte[] json(String singleQuoted) {
    return singleQuoted.replace('\'', '"').getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void shouldKeyPostgresTransactionsByTheirXidAndOthersWhole() {
    // PostgreSQL: each change event's id carries its own LSN, the END the commit's (CdcPipelineIT)
    assertThat(TransactionMetadata.key("729:26547416")).isEqualTo("729");
    assertThat(TransactionMetadata.key("729:26548488")).isEqualTo("729");
    assertThat(TransactionMetadata.key("00000025:00000d08:0025")).isEqualTo("00000025:00000d08:0025");
    assertThat(TransactionMetadata.key("3E11FA47-71CA-11E1-9E33-C80AA9429562:23")).isEqualTo(
        "3E11FA47-71CA-11E1-9E33-C80AA9429562:23");
  }

  @Test
  void shouldReadBeginAndEndAlsoInTheSchemaEnvelope() throws RejectedInputException {
    assertThat(TransactionMetadata.parse(json("{'status':'BEGIN','id':'571:10','event_count':null}")))
        .isEqualTo(new TransactionMetadata(TransactionMetadata.Status.BEGIN, "571", null));
    assertThat(TransactionMetadata.parse(json("{'schema':{},'payload':{'status':'END','id':'571:99','event_count':2,"
        + "'data_collections':[{'data_collection':'clinical.conditions','event_count':2}]}}")))
        .isEqualTo(new TransactionMetadata(TransactionMetadata.Status.END, "571", 2L));
  }

  @Test
  void shouldRejectWhatIsNotTransactionMetadata() {
    assertThatThrownBy(() -> TransactionMetadata.parse(json("{'status':'END','id':'1'}")))
        .isInstanceOfSatisfying(RejectedInputException.class,
            e -> assertThat(e.reason()).isEqualTo(DeadLetterReason.INVALID_FIELD));
    assertThatThrownBy(() -> TransactionMetadata.parse(json("{'status':'END','id':'1','event_count':-1}")))
        .isInstanceOf(RejectedInputException.class);
    assertThatThrownBy(() -> TransactionMetadata.parse(json("{'status':'END','id':'1','event_count':1}}}")))
        .isInstanceOfSatisfying(RejectedInputException.class,
            e -> assertThat(e.reason()).isEqualTo(DeadLetterReason.TRAILING_DATA));
    assertThatThrownBy(() -> TransactionMetadata.parse(null)).isInstanceOf(RejectedInputException.class);
  }

  @Test
  void shouldGiveAChangeEventAndItsRejectionTheTransactionKey() {
    DebeziumNormalizer normalizer = new DebeziumNormalizer(SourceMapping.defaults(), "postgres:ehr", 1 << 20);
    byte[] change = Cdc.withTransaction(Cdc.change("conditions", "c", Cdc.condition("c1", "p1", "2020-01-01T00:00:00Z",
        "44054006"), 729, 26547416), "729:26547416", 1);
    Normalized ok = normalizer.normalize(Cdc.key("c1"), change, "ehr.clinical.changes", 0, 1);
    assertThat(ok.transactionId()).isEqualTo("729");
    assertThat(ok.events().get(0).getSource().getTransactionId()).isEqualTo("729");
    byte[] unknown = Cdc.withTransaction(Cdc.change("allergies", "c", Cdc.row("id", "a1", "patient_id", "p1"), 729, 2),
        "729:26547500", 2);
    Normalized rejected = normalizer.normalize(Cdc.key("a1"), unknown, "ehr.clinical.changes", 0, 2);
    assertThat(rejected.rejections()).singleElement()
        .satisfies(r -> assertThat(r.reason()).isEqualTo(DeadLetterReason.UNKNOWN_TABLE));
    assertThat(rejected.transactionId()).isEqualTo("729");
  }
}
