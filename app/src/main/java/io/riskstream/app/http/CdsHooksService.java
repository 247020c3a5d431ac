package io.riskstream.app.http;

import ca.uhn.fhir.parser.IParser;
import ca.uhn.fhir.parser.LenientErrorHandler;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import io.riskstream.app.http.HttpExchanges.BadRequest;
import io.riskstream.app.http.HttpExchanges.Response;
import io.riskstream.schemas.FeedbackAction;
import io.riskstream.schemas.FeedbackSource;
import io.riskstream.topology.AlertState;
import io.riskstream.topology.config.AlertPolicy;
import io.riskstream.topology.fhir.AlertRef;
import io.riskstream.topology.fhir.OutcomeConcept;
import io.riskstream.topology.fhir.RecentAssessments;
import io.riskstream.topology.fhir.RiskAssessments;
import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.Period;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.RiskAssessment;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A CDS Hooks 2.0 service (https://cds-hooks.hl7.org/2.0/) on hook {@code patient-view}:
 * <ul>
 *   <li>{@code GET /cds-services}: discovery, with the Patient prefetch template;</li>
 *   <li>{@code POST /cds-services/riskstream-risk}: a card per outcome whose current probability (the patient's alert
 *       state, as {@code /patients/{id}/risk}, made by the instance that owns the patient: {@link OwnerRouting}) is
 *       at or above its warning threshold: indicator warning or critical by
 *       the thresholds, the reasons of the outcome's latest alert as markdown, the model as source, override reasons;
 *       {@code {"cards": []}} when none applies. The card uuid is the alert id written as a UUID;</li>
 *   <li>{@code POST /cds-services/riskstream-risk/feedback}: accepted / overridden cards, written as RiskAlertFeedback
 *       records keyed by patient (the card uuid maps back to the alert) by the instance that knows the alert.</li>
 * </ul>
 * A malformed request gets 400 with the reason. Nothing of a request is logged.
 */
public final class CdsHooksService {

  private static final Logger LOG = LoggerFactory.getLogger(CdsHooksService.class);
  public static final String PATH = "/cds-services";
  public static final String SERVICE_ID = "riskstream-risk";
  public static final String HOOK = "patient-view";
  /** Code system of the override reasons this service offers. */
  public static final String OVERRIDE_SYSTEM = "urn:riskstream:override-reason";
  /** An override reason a card offers. */
  public record OverrideReason(String code, String display) {
  }

  /** The override reasons each card offers (also the inbox's). */
  public static final List<OverrideReason> OVERRIDE_REASONS = List.of(
      new OverrideReason("already-addressed", "Already being addressed"),
      new OverrideReason("not-relevant", "Not relevant for this patient"),
      new OverrideReason("disagree-estimate", "Disagree with the risk estimate"));
  private static final int SUMMARY_MAX = 140;

  private record Answer(AlertRef alert, FeedbackAction action, String reasonCode, String reasonDisplay, Instant at) {
  }

  private final HttpEndpoints.PatientLookup patients;
  private final ClinicianStores.AssessmentLookup assessments;
  private final ClinicianStores.AlertLookup alerts;
  private final AlertPolicy policy;
  private final RiskAssessments fhir;
  private final AlertFeedback feedback;
  private final String modelLabel;
  private final Clock clock;
  private final OwnerRouting owners;

  /**
   * @param modelLabel the model as cards name it, e.g. "emr-risk-small 3"
   * @param clock the clock of patients' ages in summaries
   * @param owners where a patient's cards are made: here, or by the instance that owns the patient
   */
  public CdsHooksService(HttpEndpoints.PatientLookup patients, ClinicianStores.AssessmentLookup assessments,
      ClinicianStores.AlertLookup alerts, AlertPolicy policy, RiskAssessments fhir, AlertFeedback feedback,
      String modelLabel, Clock clock, OwnerRouting owners) {
    this.patients = patients;
    this.assessments = assessments;
    this.alerts = alerts;
    this.policy = policy;
    this.fhir = fhir;
    this.feedback = feedback;
    this.modelLabel = modelLabel;
    this.clock = clock;
    this.owners = owners;
  }

  /** The routes: discovery (open), the service and its feedback (patient data). */
  public List<HttpRoute> routes() {
    return List.of(
        new HttpRoute(PATH, HttpRoute.Access.OPEN, ex -> HttpExchanges.serve(ex, this::discovery)),
        new HttpRoute(PATH + "/" + SERVICE_ID, HttpRoute.Access.PATIENT_DATA, ex -> HttpExchanges.serve(ex, this::service)));
  }

  private Response discovery(HttpExchange ex) throws BadRequest {
    String path = ex.getRequestURI().getRawPath();
    if (!path.equals(PATH) && !path.equals(PATH + "/")) {
      throw new BadRequest(404, "no CDS service here; discovery is GET " + PATH + ", the service " + PATH + "/"
          + SERVICE_ID);
    }
    HttpExchanges.requireMethod(ex, "GET", "HEAD");
    ObjectNode service = HttpExchanges.JSON.createObjectNode();
    service.put("hook", HOOK);
    service.put("id", SERVICE_ID);
    service.put("title", "RiskStream clinical risk");
    service.put("description", "Cards for the patient's outcomes (e.g. type 2 diabetes, chronic kidney disease) whose "
        + "predicted onset risk is at or above the alert policy's warning threshold, with the events that raised it.");
    service.putObject("prefetch").put("patient", "Patient/{{context.patientId}}");
    service.put("usageRequirements", "Send context.patientId as the id RiskStream's EHR feed uses for the patient.");
    ObjectNode body = HttpExchanges.JSON.createObjectNode();
    body.putArray("services").add(service);
    return Response.json(200, body);
  }

  private Response service(HttpExchange ex) throws IOException, BadRequest {
    String path = ex.getRequestURI().getRawPath();
    String self = PATH + "/" + SERVICE_ID;
    if (path.equals(self + "/feedback")) {
      HttpExchanges.requireMethod(ex, "POST");
      byte[] raw = HttpExchanges.body(ex);
      return feedback(ex, raw, object(raw));
    }
    if (!path.equals(self)) {
      throw new BadRequest(404, "unknown CDS service; see GET " + PATH);
    }
    HttpExchanges.requireMethod(ex, "POST");
    byte[] raw = HttpExchanges.body(ex);
    JsonNode request = object(raw);
    String hook = text(request, "hook");
    if (!HOOK.equals(hook)) {
      throw new BadRequest("this service answers hook " + HOOK + ", not " + hook);
    }
    text(request, "hookInstance");
    JsonNode context = request.get("context");
    if (context == null || !context.isObject()) {
      throw new BadRequest("context (an object with patientId and userId) is required");
    }
    String patientId = text(context, "patientId", "context.patientId");
    text(context, "userId", "context.userId");
    JsonNode prefetch = request.get("prefetch");
    if (prefetch != null && !prefetch.isNull() && !prefetch.isObject()) {
      throw new BadRequest("prefetch must be an object");
    }
    Optional<Response> owner = owners.forPatient(ex, patientId, raw, reason -> Response.error(503, reason));
    if (owner.isPresent()) {
      return owner.get();
    }
    Optional<AlertState> state;
    RecentAssessments recent;
    try {
      state = patients.find(patientId);
      recent = assessments.find(patientId).orElse(RecentAssessments.empty());
    } catch (InvalidStateStoreException e) {
      throw new BadRequest(503, "state store not queryable yet; retry");
    }
    ObjectNode body = HttpExchanges.JSON.createObjectNode();
    ArrayNode cards = body.putArray("cards");
    if (state.isPresent()) {
      String who = patientLabel(prefetch == null ? null : prefetch.get("patient"), patientId);
      state.get().outcomes().entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> {
        Double p = e.getValue().lastProbability();
        AlertPolicy.Outcome thresholds = policy.forOutcome(e.getKey());
        if (p != null && p >= thresholds.warningThreshold()) {
          cards.add(card(e.getKey(), p, p >= thresholds.criticalThreshold(), who, recent, HttpExchanges.baseUrl(ex)));
        }
      });
    }
    return Response.json(200, body);
  }

  private ObjectNode card(String outcome, double p, boolean critical, String who, RecentAssessments recent,
      String baseUrl) {
    OutcomeConcept concept = fhir.concept(outcome);
    Optional<RiskAssessment> latestAlert = latestAlert(recent, outcome);
    ObjectNode card = HttpExchanges.JSON.createObjectNode();
    String alertId = latestAlert.map(ra -> ra.getIdentifierFirstRep().getValue()).orElse(null);
    card.put("uuid", alertId != null ? AlertFeedback.cardUuid(alertId)
        : UUID.nameUUIDFromBytes(("no-alert\0" + outcome + "\0" + p).getBytes(java.nio.charset.StandardCharsets.UTF_8))
            .toString());
    String risk = concept.display() + " risk " + RiskAssessments.percent(p) + (critical ? " (critical)" : " (warning)");
    card.put("summary", summary(who, risk));
    StringBuilder detail = new StringBuilder("**").append(concept.display()).append("**: predicted onset risk ")
        .append(RiskAssessments.percent(p)).append(".\n\n");
    latestAlert.filter(RiskAssessment::hasNote).ifPresentOrElse(ra -> detail.append(ra.getNoteFirstRep().getText()),
        () -> detail.append("No contributing events recorded for this outcome's latest alert.\n"));
    card.put("detail", detail.toString());
    card.put("indicator", critical ? "critical" : "warning");
    ObjectNode source = card.putObject("source");
    source.put("label", "RiskStream " + modelLabel);
    source.put("url", baseUrl + ModelCardRoute.PATH);
    ArrayNode reasons = card.putArray("overrideReasons");
    OVERRIDE_REASONS.forEach(r -> reasons.addObject().put("system", OVERRIDE_SYSTEM).put("code", r.code())
        .put("display", r.display()));
    return card;
  }

  /** "who: risk", cut to the 140 characters a card summary may have (the patient label is cut first). */
  static String summary(String who, String risk) {
    if (who == null) {
      return risk.length() <= SUMMARY_MAX ? risk : risk.substring(0, SUMMARY_MAX - 1) + "…";
    }
    int room = SUMMARY_MAX - risk.length() - 2;
    if (room < 4) {
      return summary(null, risk);
    }
    String label = who.length() <= room ? who : who.substring(0, room - 1) + "…";
    return label + ": " + risk;
  }

  private Optional<RiskAssessment> latestAlert(RecentAssessments recent, String outcome) {
    List<RecentAssessments.Stored> stored = recent.assessments();
    for (int i = stored.size() - 1; i >= 0; i--) {
      RiskAssessment ra = fhir.parse(stored.get(i).json());
      boolean isAlert = RiskAssessments.ALERT_SYSTEM.equals(ra.getIdentifierFirstRep().getSystem());
      if (isAlert && ra.getPredictionFirstRep().getOutcome().getCoding().stream()
          .anyMatch(c -> "urn:riskstream:outcome".equals(c.getSystem()) && outcome.equals(c.getCode()))) {
        return Optional.of(ra);
      }
    }
    return Optional.empty();
  }

  /** "Name (age y)" from a prefetched Patient, or null when there is none or it cannot be read. */
  private String patientLabel(JsonNode prefetched, String patientId) {
    if (prefetched == null || !prefetched.isObject()) {
      return null;
    }
    try {
      IParser parser = fhir.context().newJsonParser().setParserErrorHandler(new LenientErrorHandler(false));
      Patient patient = parser.parseResource(Patient.class, prefetched.toString());
      String name = patient.hasName() ? patient.getNameFirstRep().getNameAsSingleString().trim() : "";
      String age = null;
      if (patient.hasBirthDate()) {
        LocalDate born = patient.getBirthDate().toInstant().atZone(ZoneOffset.UTC).toLocalDate();
        age = Period.between(born, LocalDate.now(clock.withZone(ZoneOffset.UTC))).getYears() + " y";
      }
      if (name.isEmpty() && age == null) {
        return null;
      }
      return name.isEmpty() ? age : age == null ? name : name + " (" + age + ")";
    } catch (RuntimeException e) {
      // a prefetch the service cannot read only costs the summary its name; nothing of it is logged
      LOG.debug("prefetched Patient not readable ({})", e.getClass().getSimpleName());
      return null;
    }
  }

  private Response feedback(HttpExchange ex, byte[] raw, JsonNode request) throws BadRequest {
    JsonNode items = request.get("feedback");
    if (items == null || !items.isArray() || items.isEmpty()) {
      throw new BadRequest("feedback (a non-empty array) is required");
    }
    List<Answer> answers = new ArrayList<>();
    for (JsonNode item : items) {
      if (!item.isObject()) {
        throw new BadRequest("each feedback item is an object");
      }
      String card = text(item, "card", "feedback.card");
      String outcome = text(item, "outcome", "feedback.outcome");
      FeedbackAction action = switch (outcome) {
        case "accepted" -> FeedbackAction.ACCEPTED;
        case "overridden" -> FeedbackAction.OVERRIDDEN;
        default -> throw new BadRequest("feedback.outcome is accepted or overridden, not " + outcome);
      };
      Instant at;
      try {
        at = Instant.parse(text(item, "outcomeTimestamp", "feedback.outcomeTimestamp"));
      } catch (DateTimeParseException e) {
        throw new BadRequest("feedback.outcomeTimestamp is an ISO 8601 instant, e.g. 2026-12-05T01:30:00Z");
      }
      String reasonCode = null;
      String reasonDisplay = null;
      JsonNode override = item.get("overrideReason");
      if (override != null && !override.isNull()) {
        if (action != FeedbackAction.OVERRIDDEN || !override.isObject()) {
          throw new BadRequest("feedback.overrideReason is an object, and only with outcome overridden");
        }
        JsonNode reason = override.get("reason");
        if (reason != null && reason.isObject()) {
          reasonCode = reason.path("code").isTextual() ? reason.get("code").asText() : null;
          reasonDisplay = reason.path("display").isTextual() ? reason.get("display").asText() : null;
        }
        if (override.path("userComment").isTextual()) {
          reasonDisplay = reasonDisplay == null ? override.get("userComment").asText()
              : reasonDisplay + ": " + override.get("userComment").asText();
        }
      }
      String alertId = AlertFeedback.alertId(card)
          .orElseThrow(() -> new BadRequest(404, "unknown card " + card + "; feedback names a card of this service"));
      Optional<AlertRef> alert;
      try {
        alert = alerts.find(alertId);
      } catch (InvalidStateStoreException e) {
        throw new BadRequest(503, "state store not queryable yet; retry");
      }
      if (alert.isEmpty()) {
        // the alert of another instance's patient: that instance writes the feedback (one request, one instance)
        Optional<Response> there = owners.forUnknownAlert(ex, raw, reason -> Response.error(503, reason));
        if (there.isPresent()) {
          return there.get();
        }
        throw new BadRequest(404, "unknown card " + card);
      }
      answers.add(new Answer(alert.get(), action, reasonCode, reasonDisplay, at));
    }
    try {
      for (Answer a : answers) {
        // CDS Hooks feedback does not name the user (the EHR's authorization does)
        feedback.record(a.alert(), a.action(), a.reasonCode(), a.reasonDisplay(), null, FeedbackSource.CDS_HOOKS, a.at());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new BadRequest(503, "interrupted while writing the feedback; retry");
    } catch (ExecutionException | TimeoutException e) {
      LOG.warn("feedback not written: {}", e.getClass().getSimpleName());
      throw new BadRequest(503, "feedback could not be written to Kafka; retry");
    }
    return new Response(200, "application/json", new byte[0]);
  }

  private static JsonNode object(byte[] body) throws BadRequest {
    try {
      JsonNode node = HttpExchanges.JSON.readTree(body);
      if (node == null || !node.isObject()) {
        throw new BadRequest("the request body is a JSON object");
      }
      return node;
    } catch (IOException e) {
      throw new BadRequest("the request body is not JSON");
    }
  }

  private static String text(JsonNode node, String field) throws BadRequest {
    return text(node, field, field);
  }

  private static String text(JsonNode node, String field, String name) throws BadRequest {
    JsonNode v = node.get(field);
    if (v == null || !v.isTextual() || v.asText().isBlank()) {
      throw new BadRequest(name + " (a non-empty string) is required");
    }
    return v.asText();
  }
}
