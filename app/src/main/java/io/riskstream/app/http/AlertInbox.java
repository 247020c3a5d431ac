package io.riskstream.app.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import io.riskstream.app.http.HttpExchanges.BadRequest;
import io.riskstream.app.http.HttpExchanges.Response;
import io.riskstream.schemas.FeedbackAction;
import io.riskstream.schemas.FeedbackSource;
import io.riskstream.topology.fhir.AlertRef;
import io.riskstream.topology.fhir.RecentAssessments;
import io.riskstream.topology.fhir.RiskAssessments;
import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.hl7.fhir.r4.model.RiskAssessment;

/**
 * The alert inbox: a page for clinicians (static HTML and JavaScript from the class path, no build step) and what it
 * reads and writes:
 * <ul>
 *   <li>{@code GET /inbox}: the page (holds no patient data);</li>
 *   <li>{@code /inbox/session}: {@code GET} whether this browser may read the inbox (200) or must sign in (401);
 *       {@code POST} with {@code Authorization: Bearer <token>} starts a session, a signed HttpOnly cookie
 *       ({@link InboxSessions}; the page asks the user for the token and keeps it nowhere); {@code DELETE} signs
 *       out (deletes the cookie);</li>
 *   <li>{@code GET /inbox/events}: the alerts as Server-Sent Events ({@link AlertStream});</li>
 *   <li>{@code GET /inbox/history?patient=<id>&outcome=<name>}: the outcome's probabilities in the patient's recent
 *       scores (their RiskAssessments, on the instance that owns the patient), oldest first;</li>
 *   <li>{@code POST /inbox/feedback}: {@code {"alertId", "action": "accepted"|"overridden", "reasonCode",
 *       "reasonDisplay", "userId"}} → a RiskAlertFeedback record, as CDS Hooks feedback (written by the instance that
 *       knows the alert).</li>
 * </ul>
 * The routes with patient data accept what {@code http.auth} accepts or the session cookie
 * ({@link HttpRoute.Access#INBOX}); the feedback POST with the cookie also needs {@value InboxSessions#CSRF_HEADER}.
 */
public final class AlertInbox {

  public static final String PATH = "/inbox";
  private static final String PAGE = "inbox/index.html";

  private final AlertStream stream;
  private final ClinicianStores.AssessmentLookup assessments;
  private final ClinicianStores.AlertLookup alerts;
  private final RiskAssessments fhir;
  private final AlertFeedback feedback;
  private final Clock clock;
  private final HttpSecurity security;
  private final OwnerRouting owners;
  private final byte[] page;

  /** @param owners where a patient's history is read: here, or on the instance that owns the patient */
  public AlertInbox(HttpSecurity security, OwnerRouting owners, AlertStream stream,
      ClinicianStores.AssessmentLookup assessments, ClinicianStores.AlertLookup alerts, RiskAssessments fhir,
      AlertFeedback feedback, Clock clock) {
    this.stream = stream;
    this.assessments = assessments;
    this.alerts = alerts;
    this.fhir = fhir;
    this.feedback = feedback;
    this.clock = clock;
    this.security = security;
    this.owners = owners;
    try (InputStream in = AlertInbox.class.getClassLoader().getResourceAsStream(PAGE)) {
      if (in == null) {
        throw new IllegalStateException(PAGE + " is missing from the class path");
      }
      ArrayNode reasons = HttpExchanges.JSON.createArrayNode();
      CdsHooksService.OVERRIDE_REASONS.forEach(r -> reasons.addObject().put("code", r.code()).put("display", r.display()));
      this.page = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8)
          .replace("/*override-reasons*/[]", reasons.toString()).getBytes(java.nio.charset.StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalStateException("cannot read " + PAGE, e);
    }
  }

  /** The routes: the page and its sign-in (open), its events, history and feedback (patient data, or a session). */
  public List<HttpRoute> routes() {
    return List.of(
        new HttpRoute(PATH, HttpRoute.Access.OPEN, ex -> HttpExchanges.serve(ex, this::page)),
        sessionRoute(security),
        new HttpRoute(PATH + "/events", HttpRoute.Access.INBOX, this::events),
        new HttpRoute(PATH + "/history", HttpRoute.Access.INBOX, ex -> HttpExchanges.serve(ex, this::history)),
        new HttpRoute(PATH + "/feedback", HttpRoute.Access.INBOX, ex -> HttpExchanges.serve(ex, this::feedback)));
  }

  /** {@code /inbox/session} under {@code security}: the sign-in state, sign-in and sign-out (open). */
  static HttpRoute sessionRoute(HttpSecurity security) {
    return new HttpRoute(PATH + "/session", HttpRoute.Access.OPEN, ex -> HttpExchanges.serve(ex,
        e -> session(security, e)));
  }

  private static Response session(HttpSecurity security, HttpExchange ex) throws BadRequest {
    if (!ex.getRequestURI().getRawPath().equals(PATH + "/session")) {
      throw new BadRequest(404, "not found");
    }
    HttpExchanges.requireMethod(ex, "GET", "POST", "DELETE");
    boolean secure = "https".equals(security.scheme());
    ex.getResponseHeaders().set("Cache-Control", "no-store");
    switch (ex.getRequestMethod()) {
      case "POST" -> {
        InboxSessions sessions = security.sessions();
        if (sessions == null) {
          throw new BadRequest(400, security.acceptsTokens() ? "no bearer token is accepted (no tokens file)"
              : "this instance does not take bearer tokens (http.auth); no sign-in is needed or possible");
        }
        if (security.check(ex) != HttpSecurity.Verdict.TOKEN) {
          throw new BadRequest(401, "send an accepted bearer token: Authorization: Bearer <token>");
        }
        ex.getResponseHeaders().set("Set-Cookie", sessions.setCookie(sessions.issue(), secure));
        return Response.json(200, Map.of("authenticated", true));
      }
      case "DELETE" -> {
        ex.getResponseHeaders().set("Set-Cookie", InboxSessions.clearCookie(secure));
        return Response.json(200, Map.of("authenticated", false));
      }
      default -> {
        // a signed-in browser, or one that needs no sign-in (http.auth=none, a client certificate)
        boolean allowed = security.checkInbox(ex).allowed();
        return Response.json(allowed ? 200 : 401, Map.of("authenticated", allowed,
            "signIn", security.sessions() != null));
      }
    }
  }

  private Response page(HttpExchange ex) throws BadRequest {
    String path = ex.getRequestURI().getRawPath();
    if (!path.equals(PATH) && !path.equals(PATH + "/")) {
      throw new BadRequest(404, "not found");
    }
    HttpExchanges.requireMethod(ex, "GET", "HEAD");
    return new Response(200, "text/html; charset=utf-8", page);
  }

  /** The event stream stays open after the handler returns; {@link AlertStream} writes to it and closes it. */
  private void events(HttpExchange ex) throws IOException {
    if (!"GET".equals(ex.getRequestMethod())) {
      HttpExchanges.serve(ex, e -> Response.error(405, "method not allowed; use GET"));
      return;
    }
    ex.getResponseHeaders().set("Content-Type", "text/event-stream; charset=utf-8");
    ex.getResponseHeaders().set("Cache-Control", "no-cache");
    ex.sendResponseHeaders(200, 0);
    if (!stream.subscribe(ex.getResponseBody())) {
      ex.getResponseBody().write("event: busy\ndata: {}\n\n".getBytes(java.nio.charset.StandardCharsets.UTF_8));
      ex.close();
    }
  }

  private Response history(HttpExchange ex) throws BadRequest {
    HttpExchanges.requireMethod(ex, "GET", "HEAD");
    Map<String, List<String>> query = HttpExchanges.query(ex);
    String patient = single(query, "patient");
    String outcome = single(query, "outcome");
    Optional<Response> owner = owners.forPatient(ex, patient, new byte[0], reason -> Response.error(503, reason));
    if (owner.isPresent()) {
      return owner.get();
    }
    RecentAssessments recent;
    try {
      recent = assessments.find(patient).orElse(RecentAssessments.empty());
    } catch (InvalidStateStoreException e) {
      throw new BadRequest(503, "state store not queryable yet; retry");
    }
    ObjectNode body = HttpExchanges.JSON.createObjectNode();
    body.put("patientId", patient);
    body.put("outcome", outcome);
    ArrayNode points = body.putArray("points");
    for (RecentAssessments.Stored s : recent.assessments()) {
      RiskAssessment ra = fhir.parse(s.json());
      if (!RiskAssessments.SCORE_SYSTEM.equals(ra.getIdentifierFirstRep().getSystem())) {
        continue;
      }
      ra.getPrediction().stream()
          .filter(p -> p.getOutcome().getCoding().stream()
              .anyMatch(c -> "urn:riskstream:outcome".equals(c.getSystem()) && outcome.equals(c.getCode())))
          .findFirst()
          .ifPresent(p -> points.addObject().put("asOf", ra.getOccurrenceDateTimeType().getValue().toInstant().toString())
              .put("probability", p.getProbabilityDecimalType().getValue().doubleValue()));
    }
    return Response.json(200, body);
  }

  private Response feedback(HttpExchange ex) throws IOException, BadRequest {
    HttpExchanges.requireMethod(ex, "POST");
    byte[] raw = HttpExchanges.body(ex);
    JsonNode request;
    try {
      request = HttpExchanges.JSON.readTree(raw);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new BadRequest("the request body is not JSON");
    }
    if (request == null || !request.isObject()) {
      throw new BadRequest("the request body is a JSON object");
    }
    String alertId = request.path("alertId").asText("");
    FeedbackAction action = switch (request.path("action").asText("")) {
      case "accepted" -> FeedbackAction.ACCEPTED;
      case "overridden" -> FeedbackAction.OVERRIDDEN;
      default -> throw new BadRequest("action is accepted or overridden");
    };
    String reasonCode = textOrNull(request, "reasonCode");
    String reasonDisplay = textOrNull(request, "reasonDisplay");
    if (action == FeedbackAction.OVERRIDDEN && reasonCode == null && reasonDisplay == null) {
      throw new BadRequest("an override needs a reasonCode or reasonDisplay");
    }
    AlertRef alert;
    try {
      alert = alerts.find(alertId).orElse(null);
    } catch (InvalidStateStoreException e) {
      throw new BadRequest(503, "state store not queryable yet; retry");
    }
    if (alert == null) {
      // an alert of another instance's patient: that instance writes the feedback
      Optional<Response> there = owners.forUnknownAlert(ex, raw, reason -> Response.error(503, reason));
      if (there.isPresent()) {
        return there.get();
      }
      throw new BadRequest(404, "unknown alert");
    }
    try {
      feedback.record(alert, action, reasonCode, reasonDisplay, textOrNull(request, "userId"), FeedbackSource.INBOX,
          clock.instant());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new BadRequest(503, "interrupted while writing the feedback; retry");
    } catch (ExecutionException | TimeoutException e) {
      throw new BadRequest(503, "feedback could not be written to Kafka; retry");
    }
    return Response.json(200, Map.of("alertId", alertId, "action", action.name().toLowerCase()));
  }

  private static String single(Map<String, List<String>> query, String name) throws BadRequest {
    List<String> v = query.get(name);
    if (v == null || v.size() != 1 || v.get(0).isBlank()) {
      throw new BadRequest("exactly one " + name + " is required");
    }
    return v.get(0);
  }

  private static String textOrNull(JsonNode node, String field) {
    JsonNode v = node.get(field);
    return v != null && v.isTextual() && !v.asText().isBlank() ? v.asText() : null;
  }
}
