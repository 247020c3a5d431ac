package io.riskstream.connectors.synthea;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.riskstream.schemas.EmrEvent;
import io.riskstream.schemas.EventKind;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Counts that guide the choice of outcomes: patients (alive, dead), events and malformed rows per table, patients
 * with a diagnosis of each requested SNOMED CT code at any time, and the most frequent diagnosis codes by patients.
 * Aggregates only (no patient identifiers). Immutable.
 *
 * @param patients patients with events
 * @param alive patients whose DEMOGRAPHICS event has no death date
 * @param dead patients whose DEMOGRAPHICS event has a death date
 * @param report the reader's report (rows, events, malformed per table)
 * @param patientsWithCode per requested code, patients with at least one DIAGNOSIS event of it (SNOMED-CT)
 * @param topDiagnoses the most frequent DIAGNOSIS codes, by distinct patients, descending (ties by code)
 */
public record CohortSummary(int patients, int alive, int dead, ReadReport report,
    Map<String, Integer> patientsWithCode, List<CodeCount> topDiagnoses) {

  /** A diagnosis code, its description and the number of distinct patients with it. */
  public record CodeCount(String code, String description, int patients) {
  }

  public CohortSummary {
    Objects.requireNonNull(report, "report");
    patientsWithCode = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(patientsWithCode));
    topDiagnoses = List.copyOf(topDiagnoses);
  }

  /** Summarizes a read cohort. */
  public static CohortSummary of(Map<String, List<EmrEvent>> byPatient, ReadReport report, List<String> codes,
      int top) {
    int alive = 0;
    int dead = 0;
    Map<String, Integer> patientsPerDiagnosis = new HashMap<>();
    Map<String, String> descriptions = new HashMap<>();
    for (List<EmrEvent> events : byPatient.values()) {
      Set<String> diagnoses = new HashSet<>();
      for (EmrEvent e : events) {
        if (e.getKind() == EventKind.DEMOGRAPHICS) {
          if (e.getEndTime() == null) {
            alive++;
          } else {
            dead++;
          }
        } else if (e.getKind() == EventKind.DIAGNOSIS && SyntheaCsvReader.SNOMED.equals(e.getCodeSystem())) {
          diagnoses.add(e.getCode());
          if (e.getDescription() != null) {
            descriptions.putIfAbsent(e.getCode(), e.getDescription());
          }
        }
      }
      diagnoses.forEach(code -> patientsPerDiagnosis.merge(code, 1, Integer::sum));
    }
    Map<String, Integer> withCode = new LinkedHashMap<>();
    for (String code : codes) {
      withCode.put(code, patientsPerDiagnosis.getOrDefault(code, 0));
    }
    List<CodeCount> ranked = new ArrayList<>();
    patientsPerDiagnosis.forEach((code, n) -> ranked.add(new CodeCount(code, descriptions.get(code), n)));
    ranked.sort(Comparator.comparingInt(CodeCount::patients).reversed().thenComparing(CodeCount::code));
    return new CohortSummary(byPatient.size(), alive, dead, report, withCode,
        ranked.subList(0, Math.min(top, ranked.size())));
  }

  /** Writes the summary as JSON. */
  public void writeJson(Path file) throws IOException {
    ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    ObjectNode root = mapper.createObjectNode();
    root.put("patients", patients);
    root.put("alive", alive);
    root.put("dead", dead);
    root.put("events", report.totalEvents());
    root.set("rowsByTable", mapper.valueToTree(report.rowsByTable()));
    root.set("eventsByTable", mapper.valueToTree(report.eventsByTable()));
    root.set("malformedByTable", mapper.valueToTree(report.malformedByTable()));
    root.put("malformedTotal", report.totalMalformed());
    root.set("duplicatesByTable", mapper.valueToTree(report.duplicatesByTable()));
    root.set("missingFiles", mapper.valueToTree(report.missingFiles()));
    root.put("patientsWithDiagnosisCodeNote", "distinct patients with at least one DIAGNOSIS (conditions.csv) row of"
        + " the SNOMED-CT code, at any time");
    root.set("patientsWithDiagnosisCode", mapper.valueToTree(patientsWithCode));
    root.set("topDiagnoses", mapper.valueToTree(topDiagnoses));
    mapper.writeValue(file.toFile(), root);
  }
}
