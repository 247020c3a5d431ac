package io.riskstream.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.context.FhirContext;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.riskstream.app.http.AlertFeedback;
import io.riskstream.schemas.FeedbackAction;
import io.riskstream.schemas.FeedbackSource;
import io.riskstream.schemas.RiskAlertFeedback;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.RiskAssessment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The clinician endpoints of {@code riskstream run}'s instance on the embedded broker: FHIR RiskAssessment search,
 * CDS Hooks 2.0 discovery, service and feedback (checked against the fields the specification requires), and the
 * feedback record on its topic. The alert policy's warning threshold is 0, so every outcome of the one patient alerts.
 */
class ClinicianEndpointsIT {

  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  Path dir;

  private final FhirContext fhir = FhirContext.forR4Cached();

  @Test
  void shouldServeRiskAssessmentsCdsHooksCardsAndWriteFeedback() throws Exception {
    try (ClinicianInstance instance = ClinicianInstance.start(dir, "clinician-it")) {
      int port = instance.port();
      // run's default http.auth=token: the patient-data routes refuse a caller without the token, as
      // /patients/{id}/risk does; discovery, the inbox page and the model card stay open
      HttpResponse<String> anonymousSearch = instance.getAnonymously("/fhir/RiskAssessment?patient=x");
      assertThat(anonymousSearch.statusCode()).isEqualTo(401);
      assertThat(anonymousSearch.headers().firstValue("WWW-Authenticate")).hasValue("Bearer realm=\"riskstream\"");
      HttpResponse<String> anonymousCall = instance.postAnonymously("/cds-services/riskstream-risk", request("x", null));
      assertThat(anonymousCall.statusCode()).isEqualTo(401);
      assertThat(anonymousCall.headers().firstValue("WWW-Authenticate")).hasValue("Bearer realm=\"riskstream\"");
      assertThat(instance.postAnonymously("/cds-services/riskstream-risk/feedback", "{\"feedback\":[]}").statusCode())
          .isEqualTo(401);
      assertThat(instance.getAnonymously("/inbox/events").statusCode()).isEqualTo(401);
      assertThat(instance.getAnonymously("/patients/x/risk").statusCode()).isEqualTo(401);
      assertThat(instance.getAnonymously("/cds-services").statusCode()).isEqualTo(200);
      assertThat(instance.getAnonymously("/inbox").statusCode()).isEqualTo(200);
      assertThat(instance.getAnonymously("/model-card").statusCode()).isEqualTo(200);
      assertThat(instance.get("/fhir/RiskAssessment?patient=x").statusCode()).as("served with the token").isEqualTo(200);
      instance.producePatient();

      // FHIR: the score's assessment and one per alert (outcomes a, b, c), newest first
      HttpResponse<String> search = instance.await("/fhir/RiskAssessment?patient=p-1",
          r -> r.statusCode() == 200 && bundle(r.body()).getTotal() >= 4);
      assertThat(search.headers().firstValue("Content-Type")).hasValue("application/fhir+json");
      Bundle bundle = bundle(search.body());
      assertThat(bundle.getType()).isEqualTo(Bundle.BundleType.SEARCHSET);
      List<RiskAssessment> assessments = bundle.getEntry().stream().map(e -> (RiskAssessment) e.getResource()).toList();
      assertThat(assessments).allSatisfy(ra -> {
        assertThat(ra.getSubject().getReference()).isEqualTo("Patient/p-1");
        assertThat(ra.getStatus()).isEqualTo(RiskAssessment.RiskAssessmentStatus.FINAL);
        assertThat(ra.getMethod().getCodingFirstRep().getCode()).isEqualTo("test-tiny");
      });
      assertThat(assessments).extracting(ra -> ra.getIdentifierFirstRep().getSystem())
          .containsOnly("urn:riskstream:score", "urn:riskstream:alert");
      // outcomes named and coded from the served model's encoder spec: outcome c is SNOMED code 3 with a 180-day horizon
      RiskAssessment score = assessments.stream()
          .filter(ra -> "urn:riskstream:score".equals(ra.getIdentifierFirstRep().getSystem())).findFirst().orElseThrow();
      assertThat(score.getPrediction()).extracting(p -> p.getOutcome().getText()).containsExactly("a", "b", "c");
      assertThat(score.getPrediction().get(2).getOutcome().getCodingFirstRep().getSystem())
          .isEqualTo("http://snomed.info/sct");
      assertThat(score.getPrediction().get(2).getOutcome().getCodingFirstRep().getCode()).isEqualTo("3");
      assertThat(bundle.getEntryFirstRep().getFullUrl()).startsWith("http://localhost:" + port + "/fhir/RiskAssessment/");
      assertThat(bundle(instance.get("/fhir/RiskAssessment?patient=Patient/p-1&_lastUpdated="
          + URLEncoder.encode("ge2100-01-01T00:00:00Z", StandardCharsets.UTF_8)).body()).getTotal()).isZero();
      HttpResponse<String> badDate = instance.get("/fhir/RiskAssessment?patient=p-1&_lastUpdated=ge-soon");
      assertThat(badDate.statusCode()).isEqualTo(400);
      assertThat(fhir.newJsonParser().parseResource(OperationOutcome.class, badDate.body()).getIssueFirstRep()
          .getDiagnostics()).contains("_lastUpdated");
      assertThat(instance.get("/fhir/RiskAssessment").statusCode()).isEqualTo(400);

      // CDS Hooks discovery: id, hook and description are required
      JsonNode services = JSON.readTree(instance.get("/cds-services").body()).get("services");
      assertThat(services).hasSize(1);
      assertThat(services.get(0).get("id").asText()).isEqualTo("riskstream-risk");
      assertThat(services.get(0).get("hook").asText()).isEqualTo("patient-view");
      assertThat(services.get(0).get("description").asText()).isNotBlank();
      assertThat(services.get(0).get("prefetch").get("patient").asText()).isEqualTo("Patient/{{context.patientId}}");

      // the service, as an EHR calls it, with the Patient prefetch
      String patient = "{\"resourceType\":\"Patient\",\"id\":\"p-1\",\"name\":[{\"given\":[\"Jane\"],\"family\":\"Doe\"}],"
          + "\"birthDate\":\"1960-01-01\"}";
      HttpResponse<String> called = instance.post("/cds-services/riskstream-risk", request("p-1", patient));
      assertThat(called.statusCode()).isEqualTo(200);
      JsonNode cards = JSON.readTree(called.body()).get("cards");
      assertThat(cards).hasSize(3);
      List<String> indicators = new ArrayList<>();
      for (JsonNode card : cards) {
        // summary (< 140 characters), indicator and source.label are required
        assertThat(card.get("summary").asText()).hasSizeLessThanOrEqualTo(140).startsWith("Jane Doe (");
        indicators.add(card.get("indicator").asText());
        assertThat(card.get("source").get("label").asText()).isEqualTo("RiskStream test-tiny 0.0.1-test");
        assertThat(card.get("source").get("url").asText()).endsWith("/model-card");
        assertThat(card.get("uuid").asText()).matches("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
        assertThat(card.get("detail").asText()).contains("predicted onset risk");
        assertThat(card.get("overrideReasons")).isNotEmpty();
      }
      assertThat(indicators).containsExactly("critical", "warning", "warning");
      assertThat(instance.get("/model-card").body()).contains("test-tiny");
      JsonNode withoutPrefetch = JSON.readTree(instance.post("/cds-services/riskstream-risk", request("p-1", null)).body());
      // the outcome as the served model names it (test-tiny's spec has no display names: the name, as in its alerts)
      assertThat(withoutPrefetch.get("cards").get(0).get("summary").asText()).startsWith("a risk");
      assertThat(instance.post("/cds-services/riskstream-risk", request("nobody", null)).body())
          .isEqualTo("{\"cards\":[]}");
      HttpResponse<String> noPatient = instance.post("/cds-services/riskstream-risk",
          "{\"hook\":\"patient-view\",\"hookInstance\":\"h\",\"context\":{\"userId\":\"Practitioner/1\"}}");
      assertThat(noPatient.statusCode()).isEqualTo(400);
      assertThat(noPatient.body()).contains("context.patientId");
      assertThat(instance.post("/cds-services/riskstream-risk", "{\"hook\":\"order-sign\"}").statusCode()).isEqualTo(400);
      assertThat(instance.post("/cds-services/riskstream-risk", "not json").statusCode()).isEqualTo(400);

      // feedback: the critical card overridden with a reason
      String uuid = cards.get(0).get("uuid").asText();
      HttpResponse<String> fed = instance.post("/cds-services/riskstream-risk/feedback", "{\"feedback\":[{\"card\":\""
          + uuid + "\",\"outcome\":\"overridden\",\"overrideReason\":{\"reason\":{\"system\":"
          + "\"urn:riskstream:override-reason\",\"code\":\"already-addressed\",\"display\":\"Already being addressed\"},"
          + "\"userComment\":\"seen by nephrology\"},\"outcomeTimestamp\":\"2026-12-05T01:30:00Z\"}]}");
      assertThat(fed.statusCode()).as(fed.body()).isEqualTo(200);
      assertThat(instance.post("/cds-services/riskstream-risk/feedback", "{\"feedback\":[{\"card\":\"" + uuid
          + "\",\"outcome\":\"maybe\",\"outcomeTimestamp\":\"2026-12-05T01:30:00Z\"}]}").statusCode()).isEqualTo(400);
      assertThat(instance.post("/cds-services/riskstream-risk/feedback", "{\"feedback\":[{\"card\":\""
          + "00000000-0000-0000-0000-000000000000\",\"outcome\":\"accepted\",\"outcomeTimestamp\":"
          + "\"2026-12-05T01:30:00Z\"}]}").statusCode()).isEqualTo(404);

      List<ConsumerRecord<String, RiskAlertFeedback>> written = instance.feedback(1);
      assertThat(written).singleElement().satisfies(r -> {
        assertThat(r.key()).isEqualTo("p-1");
        RiskAlertFeedback f = r.value();
        assertThat(f.getCardUuid()).isEqualTo(uuid);
        assertThat(AlertFeedback.cardUuid(f.getAlertId())).isEqualTo(uuid);
        assertThat(f.getOutcome()).isEqualTo("a");
        assertThat(f.getAction()).isEqualTo(FeedbackAction.OVERRIDDEN);
        assertThat(f.getReasonCode()).isEqualTo("already-addressed");
        assertThat(f.getReasonDisplay()).isEqualTo("Already being addressed: seen by nephrology");
        assertThat(f.getSource()).isEqualTo(FeedbackSource.CDS_HOOKS);
      });
      assertThat(instance.get("/metrics").body()).containsPattern(
          "riskstream_alert_feedback_total\\{action=\"overridden\",outcome=\"a\",source=\"cds_hooks\"} 1\\.0");
      assertThat(assessments).anySatisfy(ra ->
          assertThat(ra.getIdentifierFirstRep().getValue()).isEqualTo(written.get(0).value().getAlertId()));
    }
  }

  private static String request(String patientId, String patient) {
    return "{\"hook\":\"patient-view\",\"hookInstance\":\"d1577c69-dfbe-44ad-ba6d-3e05e953b2ea\","
        + "\"fhirServer\":\"https://ehr.example.org/fhir\",\"context\":{\"userId\":\"Practitioner/123\","
        + "\"patientId\":\"" + patientId + "\"}" + (patient == null ? "" : ",\"prefetch\":{\"patient\":" + patient + "}")
        + "}";
  }

  private Bundle bundle(String json) {
    return fhir.newJsonParser().parseResource(Bundle.class, json);
  }

}
