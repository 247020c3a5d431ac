package io.riskstream.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.riskstream.schemas.DeadLetter;
import io.riskstream.schemas.DeadLetterReason;
import io.riskstream.schemas.DeadLetterStage;
import io.riskstream.topology.config.Topics;
import io.riskstream.topology.serde.AvroSerdes;
import io.riskstream.topology.serde.InMemorySchemaRegistry;
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class DeadLettersTest {

  private static final String TOPIC = "ehr.clinical.conditions";

  @Test
  void shouldKeepASmallRecordWhole() {
    byte[] value = "{oops".getBytes();
    DeadLetter d = DeadLetters.build(DeadLetterStage.NORMALIZE, DeadLetterReason.MALFORMED_JSON, "value is not JSON",
        TOPIC, 3, 42L, "k".getBytes(), value);
    assertThat(d.getReason()).isEqualTo("MALFORMED_JSON");
    assertThat(d.getReasonCode()).isEqualTo(DeadLetterReason.MALFORMED_JSON);
    assertThat(d.getStage()).isEqualTo(DeadLetterStage.NORMALIZE);
    assertThat(d.getOriginalValue()).isEqualTo(ByteBuffer.wrap(value));
    assertThat(d.getOriginalValueTruncated()).isFalse();
    assertThat(d.getOriginalValueBytes()).isEqualTo(value.length);
    assertThat(DeadLetters.key(d)).isEqualTo("k".getBytes());
  }

  @Test
  void shouldCutKeyValueAndMessageSoThatADeadLetterAlwaysFitsTheTopic() {
    byte[] huge = new byte[(1 << 20) - 10]; // just under the producer's default max.request.size
    Arrays.fill(huge, (byte) 'x');
    DeadLetter d = DeadLetters.build(DeadLetterStage.NORMALIZE, DeadLetterReason.OVERSIZED_RECORD, "m".repeat(100_000),
        TOPIC, 0, 1L, huge, huge);
    assertThat(d.getOriginalValue().remaining()).isEqualTo(DeadLetters.MAX_ORIGINAL_BYTES);
    assertThat(d.getOriginalKey().remaining()).isEqualTo(DeadLetters.MAX_ORIGINAL_BYTES);
    assertThat(DeadLetters.key(d)).hasSize(DeadLetters.MAX_ORIGINAL_BYTES);
    assertThat(d.getOriginalValueTruncated()).isTrue();
    assertThat(d.getOriginalValueBytes()).isEqualTo(huge.length);
    assertThat(d.getMessage()).hasSize(DeadLetters.MAX_MESSAGE_CHARS);
    byte[] wire = AvroSerdes.withClient(new InMemorySchemaRegistry()).value(Topics.DEFAULTS.deadLetters())
        .serializer().serialize(Topics.DEFAULTS.deadLetters().name(), d);
    assertThat(wire.length + DeadLetters.key(d).length).isLessThan(200 * 1024);
  }

  @Test
  void shouldWriteNoValueForATombstone() {
    DeadLetter d = DeadLetters.build(DeadLetterStage.SOURCE, DeadLetterReason.UNDECODABLE_RECORD, "m", TOPIC, 0, 1L,
        null, null);
    assertThat(d.getOriginalValue()).isNull();
    assertThat(d.getOriginalValueBytes()).isNull();
    assertThat(d.getOriginalValueTruncated()).isFalse();
    assertThat(DeadLetters.key(d)).isNull();
  }
}
