package io.riskstream.app.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.riskstream.schemas.AlertReason;
import io.riskstream.schemas.AlertSeverity;
import io.riskstream.schemas.EventKind;
import io.riskstream.schemas.ModelInfo;
import io.riskstream.schemas.RiskAlert;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class AlertStreamTest {

  private static final Instant AS_OF = Instant.parse("2026-03-01T08:30:00Z");

  private static RiskAlert alert(List<AlertReason> reasons) {
    return RiskAlert.newBuilder().setAlertId("a1").setPatientId("p-1").setOutcome("hypertension")
        .setOutcomeDisplayName("Essential hypertension").setProbability(0.023).setSeverity(AlertSeverity.WARNING)
        .setThreshold(0.02).setPreviousProbability(0.01).setAsOf(AS_OF)
        .setModel(new ModelInfo("emr-risk-small", "2.1.0", "ab12")).setScoreId("s1").setReasons(reasons).build();
  }

  @Test
  void shouldSendEachReasonWithItsCountSoThatTheInboxShowsGroupedEvents() throws Exception {
    String event = AlertStream.event(alert(List.of(new AlertReason("procedures:p9", EventKind.PROCEDURE, "SNOMED-CT",
        "371883000", "Outpatient procedure", AS_OF.minusSeconds(86_400), 0.006, 16))), outcome -> outcome);

    JsonNode reason = data(event).get("reasons").get(0);
    assertThat(reason.get("count").asInt()).isEqualTo(16);
    assertThat(reason.get("description").asText()).isEqualTo("Outpatient procedure");
    assertThat(reason.get("eventTime").asText()).isEqualTo("2026-02-28T08:30:00Z");
    assertThat(data(event).get("outcomeDisplay").asText()).isEqualTo("Essential hypertension");
  }

  /** A description with line breaks (which the input rules reject upstream) still cannot add a line to the stream. */
  @Test
  void shouldKeepAnEventOnItsOwnLinesWhateverADescriptionHolds() throws Exception {
    String hostile = "x\n\nevent: alert\ndata: {\"alertId\":\"forged\"}\r\nid: 9";
    String event = AlertStream.event(alert(List.of(new AlertReason("o:1", EventKind.OBSERVATION, "LOINC", "1-8",
        hostile, AS_OF, 0.01, 1))), outcome -> outcome);

    assertThat(event.split("\n", -1)).containsExactly("id: a1", "event: alert", event.split("\n")[2], "", "");
    assertThat(event).doesNotContain("\r");
    assertThat(data(event).get("reasons").get(0).get("description").asText()).isEqualTo(hostile);
  }

  private static JsonNode data(String event) throws Exception {
    String line = event.lines().filter(l -> l.startsWith("data: ")).findFirst().orElseThrow();
    return HttpExchanges.JSON.readTree(line.substring("data: ".length()));
  }
}
