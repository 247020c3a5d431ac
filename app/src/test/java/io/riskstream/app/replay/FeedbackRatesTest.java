package io.riskstream.app.replay;

import static org.assertj.core.api.Assertions.assertThat;

import io.riskstream.schemas.AlertSeverity;
import io.riskstream.schemas.FeedbackAction;
import io.riskstream.schemas.FeedbackSource;
import io.riskstream.schemas.ModelInfo;
import io.riskstream.schemas.RiskAlert;
import io.riskstream.schemas.RiskAlertFeedback;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FeedbackRatesTest {

  private static RiskAlert alert(String id, String outcome) {
    return RiskAlert.newBuilder().setAlertId(id).setPatientId("p").setOutcome(outcome).setProbability(0.5)
        .setSeverity(AlertSeverity.WARNING).setThreshold(0.3).setAsOf(Instant.EPOCH)
        .setModel(new ModelInfo("m", "1", "s")).setReasons(List.of()).setScoreId("s-" + id).build();
  }

  private static RiskAlertFeedback answer(String alertId, String outcome, FeedbackAction action, long at) {
    return RiskAlertFeedback.newBuilder().setFeedbackId("f" + alertId + at).setAlertId(alertId).setCardUuid("u")
        .setPatientId("p").setOutcome(outcome).setAction(action).setSource(FeedbackSource.INBOX)
        .setOutcomeTimestamp(Instant.ofEpochSecond(at)).build();
  }

  @Test
  void shouldCountEachAlertsLatestAnswerPerOutcome() {
    List<RiskAlert> alerts = List.of(alert("a1", "diabetes"), alert("a2", "diabetes"), alert("a3", "diabetes"),
        alert("b1", "ckd"));
    List<RiskAlertFeedback> feedback = List.of(
        answer("a1", "diabetes", FeedbackAction.ACCEPTED, 2),
        answer("a1", "diabetes", FeedbackAction.OVERRIDDEN, 1),  // older: the later acceptance counts
        answer("a2", "diabetes", FeedbackAction.OVERRIDDEN, 3),
        answer("x9", "diabetes", FeedbackAction.OVERRIDDEN, 3)); // an alert outside the period

    Map<String, FeedbackRates.Outcome> rates = FeedbackRates.of(alerts, feedback);

    assertThat(rates).containsOnlyKeys("ckd", "diabetes");
    assertThat(rates.get("diabetes")).isEqualTo(new FeedbackRates.Outcome(3, 2, 1, 1, 0.5));
    assertThat(rates.get("ckd")).isEqualTo(new FeedbackRates.Outcome(1, 0, 0, 0, null));
  }
}
