package io.riskstream.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import io.riskstream.topology.fhir.RecentAssessments;
import org.junit.jupiter.api.Test;

class StoreSerdesTest {

  private final OpenTransactionSerde serde = new OpenTransactionSerde();

  @Test
  void shouldRoundTripWithAndWithoutSource() {
    OpenTransaction t = new OpenTransaction("tx-9", 1234L, List.of(new HistoryCommand.SourceOffset("ehr.clinical.changes",
        3, 99L), new HistoryCommand.SourceOffset("other", 0, 0L)), 2, "ehr.clinical.changes-3");
    OpenTransaction noSource = new OpenTransaction("7", -5L, List.of(), 0, null);
    for (OpenTransaction x : List.of(t, noSource)) {
      byte[] bytes = serde.serializer().serialize("t", x);
      assertThat(bytes[0]).isEqualTo(OpenTransactionSerde.FORMAT);
      assertThat(serde.deserializer().deserialize("t", bytes)).isEqualTo(x);
    }
    assertThat(serde.serializer().serialize("t", null)).isNull();
    assertThat(serde.deserializer().deserialize("t", null)).isNull();
  }

  @Test
  void shouldReadTheJsonEntriesOfEarlierVersions() {
    OpenTransaction t = new OpenTransaction("tx-1", 42L, List.of(new HistoryCommand.SourceOffset("a", 1, 2L)), 3, "a-1");
    byte[] json = new JsonSerde<>(OpenTransaction.class).serializer().serialize("t", t);
    assertThat(json[0]).isEqualTo((byte) '{');
    assertThat(serde.deserializer().deserialize("t", json)).isEqualTo(t);
  }

  @Test
  void shouldRefuseAnUnknownFormat() {
    assertThatThrownBy(() -> serde.deserializer().deserialize("t", new byte[] {9, 1, 2}))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("trigger-open entry of unknown format 9");
  }

  @Test
  void shouldRoundTripAlertStatesAndReadTheirJson() {
    AlertState s = new AlertState(Map.of("sepsis", new AlertState.Outcome(0.42, false, true, 1_600_000_000_000L,
        "WARNING"), "readmission", AlertState.Outcome.initial()));
    AlertStateSerde serde = new AlertStateSerde();
    byte[] bytes = serde.serializer().serialize("t", s);
    assertThat(bytes[0]).isEqualTo(BinaryStoreSerde.FORMAT);
    assertThat(serde.deserializer().deserialize("t", bytes)).isEqualTo(s);
    assertThat(serde.deserializer().deserialize("t", new JsonSerde<>(AlertState.class).serializer().serialize("t", s)))
        .isEqualTo(s);
    assertThat(serde.deserializer().deserialize("t", serde.serializer().serialize("t", AlertState.empty())))
        .isEqualTo(AlertState.empty());
  }

  @Test
  void shouldRoundTripRecentAssessmentsWithTheirFhirJsonAndReadTheJsonEntriesOfEarlierVersions() {
    RecentAssessments recent = RecentAssessments.empty()
        .with(new RecentAssessments.Stored("a1", 1_700_000_000_000L,
            "{\"resourceType\":\"RiskAssessment\",\"id\":\"a1\",\"note\":[{\"text\":\"Kidney disease \u00e9 \\\"x\\\"\"}]}"), 32)
        .with(new RecentAssessments.Stored("a2", 1_700_000_000_001L, "{}"), 32)
        .withIndexedAlert("alert-1", 100).withIndexedAlert("alert-2", 100);
    RecentAssessmentsSerde serde = new RecentAssessmentsSerde();
    byte[] bytes = serde.serializer().serialize("t", recent);
    assertThat(bytes[0]).isEqualTo(BinaryStoreSerde.FORMAT);
    assertThat(serde.deserializer().deserialize("t", bytes)).isEqualTo(recent);
    assertThat(serde.deserializer().deserialize("t", new JsonSerde<>(RecentAssessments.class).serializer()
        .serialize("t", recent))).isEqualTo(recent);
    assertThat(serde.deserializer().deserialize("t", serde.serializer().serialize("t", RecentAssessments.empty())))
        .isEqualTo(RecentAssessments.empty());
    // what this serde wrote before alerts were indexed per patient: the assessments alone
    RecentAssessments noAlerts = new RecentAssessments(recent.assessments(), List.of());
    byte[] withoutAlerts = serde.serializer().serialize("t", noAlerts);
    assertThat(serde.deserializer().deserialize("t", java.util.Arrays.copyOf(withoutAlerts, withoutAlerts.length - 1)))
        .isEqualTo(noAlerts);
    // a count no writer produces (a corrupt entry) is refused rather than allocated
    assertThatThrownBy(() -> serde.deserializer().deserialize("t", new byte[] {BinaryStoreSerde.FORMAT, (byte) 0xfe,
        (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x0f})).hasMessageContaining("risk-assessments entry cannot be read");
  }
}
