package io.riskstream.topology.fhir;

import io.riskstream.topology.ScoringBackend;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * How an outcome of the served model is shown to clinicians and coded in FHIR, taken from the model's encoder spec
 * (scoring's {@code OutcomeSpec}, as {@link ScoringBackend} carries it), so FHIR resources and CDS Hooks cards name
 * outcomes as alerts and the inbox do: the display name, the SNOMED CT concept of the condition (the first of the
 * outcome's codes; the spec holds no SNOMED preferred term, so the coding carries the code without a display) and the
 * horizon.
 *
 * @param name the outcome's name in the model (e.g. {@code type2_diabetes})
 * @param display what clinicians read (e.g. "Type 2 diabetes")
 * @param snomedCode SNOMED CT code of the condition, or null
 * @param horizonDays the prediction's horizon, or null when unknown
 */
public record OutcomeConcept(String name, String display, String snomedCode, Integer horizonDays) {

  public static final String SNOMED = "http://snomed.info/sct";

  public OutcomeConcept {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(display, "display");
  }

  /** The concepts of the outcomes {@code backend} serves, by name, in the model's order. */
  public static Map<String, OutcomeConcept> of(ScoringBackend backend) {
    Map<String, OutcomeConcept> out = new LinkedHashMap<>();
    List<String> names = backend.info().outcomes();
    for (int k = 0; k < names.size(); k++) {
      List<String> codes = backend.conditionCodes().get(k);
      out.put(names.get(k), new OutcomeConcept(names.get(k), backend.displayNames().get(k),
          codes.isEmpty() ? null : codes.get(0), backend.horizonDays().get(k)));
    }
    return out;
  }

  /** An outcome the served model does not have (e.g. in an alert of an earlier model): its name, no code. */
  public static OutcomeConcept unknown(String name) {
    return new OutcomeConcept(name, name, null, null);
  }
}
