package io.riskstream.app.http;

import ca.uhn.fhir.rest.param.DateRangeParam;
import com.sun.net.httpserver.HttpExchange;
import io.riskstream.app.http.HttpExchanges.BadRequest;
import io.riskstream.app.http.HttpExchanges.Response;
import io.riskstream.topology.fhir.RecentAssessments;
import io.riskstream.topology.fhir.RiskAssessments;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.hl7.fhir.r4.model.OperationOutcome;

/**
 * {@code GET /fhir/RiskAssessment?patient=<id>[&_lastUpdated=ge<instant>]}: a FHIR R4 searchset Bundle of the
 * patient's recent RiskAssessments (store {@code risk-assessments} of the instance that owns the patient, the request
 * relayed there by {@link OwnerRouting}), newest first. A bad request gets
 * 400 with an OperationOutcome; 503 while the store is not queryable. {@code patient} may be {@code Patient/<id>}.
 */
public final class FhirEndpoints {

  public static final String PATH = "/fhir";
  private static final String FHIR_JSON = "application/fhir+json";
  private static final Set<String> PARAMETERS = Set.of("patient", "subject", "_lastUpdated", "_format");

  private final ClinicianStores.AssessmentLookup assessments;
  private final RiskAssessments fhir;
  private final OwnerRouting owners;

  /** @param owners where a patient's resources are searched: here, or on the instance that owns the patient */
  public FhirEndpoints(ClinicianStores.AssessmentLookup assessments, RiskAssessments fhir, OwnerRouting owners) {
    this.assessments = assessments;
    this.fhir = fhir;
    this.owners = owners;
  }

  /** The route (patient data). */
  public HttpRoute route() {
    return new HttpRoute(PATH, HttpRoute.Access.PATIENT_DATA, ex -> HttpExchanges.serve(ex, this::respond));
  }

  private Response respond(HttpExchange ex) throws BadRequest {
    HttpExchanges.requireMethod(ex, "GET", "HEAD");
    String path = ex.getRequestURI().getRawPath();
    if (!path.equals(PATH + "/RiskAssessment") && !path.equals(PATH + "/RiskAssessment/")) {
      return outcome(404, OperationOutcome.IssueType.NOTSUPPORTED, "only RiskAssessment search is served: "
          + PATH + "/RiskAssessment?patient=<id>");
    }
    Map<String, List<String>> query = HttpExchanges.query(ex);
    for (String name : query.keySet()) {
      if (!PARAMETERS.contains(name)) {
        return outcome(400, OperationOutcome.IssueType.NOTSUPPORTED, "unknown search parameter " + name
            + "; supported: patient, _lastUpdated");
      }
    }
    List<String> patients = query.getOrDefault("patient", query.getOrDefault("subject", List.of()));
    if (patients.size() != 1 || patients.get(0).isBlank()) {
      return outcome(400, OperationOutcome.IssueType.REQUIRED, "exactly one patient=<id> is required");
    }
    String patient = patients.get(0).startsWith("Patient/") ? patients.get(0).substring(8) : patients.get(0);
    DateRangeParam lastUpdated = null;
    if (query.containsKey("_lastUpdated")) {
      try {
        lastUpdated = fhir.lastUpdated(query.get("_lastUpdated"));
      } catch (IllegalArgumentException e) {
        return outcome(400, OperationOutcome.IssueType.INVALID, e.getMessage());
      }
    }
    Optional<Response> owner = owners.forPatient(ex, patient, new byte[0],
        reason -> outcome(503, OperationOutcome.IssueType.TRANSIENT, reason));
    if (owner.isPresent()) {
      return owner.get();
    }
    RecentAssessments recent;
    try {
      recent = assessments.find(patient).orElse(RecentAssessments.empty());
    } catch (InvalidStateStoreException e) {
      return outcome(503, OperationOutcome.IssueType.TRANSIENT, "state store not queryable yet; retry");
    }
    return Response.text(200, FHIR_JSON, fhir.search(recent, lastUpdated, HttpExchanges.baseUrl(ex) + PATH));
  }

  private Response outcome(int status, OperationOutcome.IssueType type, String message) {
    OperationOutcome oo = new OperationOutcome();
    oo.addIssue().setSeverity(OperationOutcome.IssueSeverity.ERROR).setCode(type).setDiagnostics(message);
    return Response.text(status, FHIR_JSON, fhir.toJson(oo));
  }
}
