package io.riskstream.topology.fhir;

import java.util.ArrayList;
import java.util.List;

/**
 * A patient's most recent RiskAssessments (FHIR JSON), newest last: the value of store
 * {@value RiskAssessmentProcessor#STORE}. A resource with an id already held replaces it (a re-scored request after
 * a crash yields the same id).
 *
 * @param assessments the assessments, oldest first
 */
public record RecentAssessments(List<Stored> assessments) {

  /** One assessment: its resource id, {@code meta.lastUpdated} (epoch ms) and FHIR JSON. */
  public record Stored(String id, long lastUpdated, String json) {
  }

  public RecentAssessments {
    assessments = List.copyOf(assessments);
  }

  public static RecentAssessments empty() {
    return new RecentAssessments(List.of());
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
    return new RecentAssessments(out.subList(Math.max(0, out.size() - max), out.size()));
  }
}
