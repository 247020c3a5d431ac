package io.riskstream.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.riskstream.schemas.AlertReason;
import io.riskstream.schemas.AlertSeverity;
import io.riskstream.schemas.EventKind;
import io.riskstream.schemas.ModelInfo;
import io.riskstream.schemas.RiskAlert;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class AlertTextTest {

  private static RiskAlert alert(String displayName, List<AlertReason> reasons) {
    return RiskAlert.newBuilder().setAlertId("a").setPatientId("p").setOutcome("ckd_stage3plus")
        .setOutcomeDisplayName(displayName).setProbability(0.2).setSeverity(AlertSeverity.WARNING).setThreshold(0.1)
        .setAsOf(Instant.EPOCH).setModel(new ModelInfo("m", "1", "sha")).setReasons(reasons).setScoreId("s").build();
  }

  @Test
  void shouldShowTheOutcomesDisplayNameAndEachReasonsDescriptionCodeCountAndLatestDate() {
    AlertReason a1c = new AlertReason("observations:3", EventKind.OBSERVATION, "LOINC", "4548-4",
        "Hemoglobin A1c/Hemoglobin.total in Blood", Instant.parse("2024-05-01T10:00:00Z"), 0.0123, 3);
    AlertReason once = new AlertReason("conditions:1", EventKind.DIAGNOSIS, "SNOMED-CT", "44054006", null,
        Instant.parse("2023-01-02T00:00:00Z"), 0.006, 1);
    RiskAlert alert = alert("Chronic kidney disease stage 3 or higher", List.of(a1c, once));

    assertThat(AlertText.outcome(alert)).isEqualTo("Chronic kidney disease stage 3 or higher");
    assertThat(AlertText.reasons(alert, 3)).isEqualTo("Hemoglobin A1c/Hemoglobin.total in Blood [LOINC 4548-4] 3×,"
        + " latest 2024-05-01 (+0.012); diagnosis SNOMED-CT 44054006 2023-01-02 (+0.006)");
    assertThat(AlertText.reasons(alert, 1)).doesNotContain("44054006");
  }

  @Test
  void shouldFallBackToTheOutcomesNameAndSayThatNoFindingStandsOutWithoutReasons() {
    RiskAlert alert = alert(null, List.of());
    assertThat(AlertText.outcome(alert)).isEqualTo("ckd_stage3plus");
    assertThat(AlertText.reasons(alert, 3)).isEqualTo("no single recent finding stands out");
  }
}
