package io.riskstream.topology.fhir;

import java.util.ArrayList;
import java.util.List;

/**
 * A patient's most recent RiskAssessments (FHIR JSON), newest last, and the ids of the patient's alerts held in store
 * {@value RiskAssessmentProcessor#ALERT_INDEX}: the value of store {@value RiskAssessmentProcessor#STORE}. A resource
 * with an id already held replaces it (a re-scored request after a crash yields the same id).
 *
 * @param assessments the assessments, oldest first
 * @param indexedAlerts the ids of the patient's alerts in the alert index, oldest first (values written before this
 *     field existed read as none)
 */
public record RecentAssessments(List<Stored> assessments, List<String> indexedAlerts) {

  /** One assessment: its resource id, {@code meta.lastUpdated} (epoch ms) and FHIR JSON. */
  public record Stored(String id, long lastUpdated, String json) {
  }

  public RecentAssessments {
    assessments = List.copyOf(assessments);
    indexedAlerts = indexedAlerts == null ? List.of() : List.copyOf(indexedAlerts);
  }

  public static RecentAssessments empty() {
    return new RecentAssessments(List.of(), List.of());
  }

  /** These with {@code alertId} added to the indexed alerts, keeping the newest {@code max}. */
  public RecentAssessments withIndexedAlert(String alertId, int max) {
    List<String> ids = new ArrayList<>(indexedAlerts.size() + 1);
    indexedAlerts.stream().filter(id -> !id.equals(alertId)).forEach(ids::add);
    ids.add(alertId);
    return new RecentAssessments(assessments, ids.subList(Math.max(0, ids.size() - max), ids.size()));
  }

  /** These plus {@code added}, keeping the newest {@code max}. */
  public RecentAssessments with(Stored added, int max) {
    List<Stored> out = new ArrayList<>(assessments.size() + 1);
    for (Stored s : assessments) {
      if (!s.id().equals(added.id())) {
        out.add(s);
      }
    }
    out.add(added);
    return new RecentAssessments(out.subList(Math.max(0, out.size() - max), out.size()), indexedAlerts);
  }
}
