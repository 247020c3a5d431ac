package io.riskstream.topology.fhir;

import java.util.Map;
import java.util.Objects;

/**
 * How an outcome of the model is shown to clinicians and coded in FHIR: a display name and, for the shipped outcomes,
 * the SNOMED CT concept of the condition (the first code of the outcome in the encoder spec, with its SNOMED preferred
 * term). An outcome the table does not know gets its name with spaces as display and no code.
 *
 * @param name the outcome's name in the model (e.g. {@code type2_diabetes})
 * @param display what clinicians read (e.g. "Type 2 diabetes")
 * @param snomedCode SNOMED CT code of the condition, or null
 * @param snomedDisplay SNOMED CT preferred term of {@code snomedCode}, or null
 */
public record OutcomeConcept(String name, String display, String snomedCode, String snomedDisplay) {

  public static final String SNOMED = "http://snomed.info/sct";

  private static final Map<String, OutcomeConcept> SHIPPED = Map.of(
      "type2_diabetes", new OutcomeConcept("type2_diabetes", "Type 2 diabetes", "44054006", "Diabetes mellitus type 2"),
      "hypertension", new OutcomeConcept("hypertension", "Essential hypertension", "59621000", "Essential hypertension"),
      "ckd_stage3plus", new OutcomeConcept("ckd_stage3plus", "Chronic kidney disease stage 3 or worse", "433144002",
          "Chronic kidney disease stage 3"),
      "coronary_heart_disease", new OutcomeConcept("coronary_heart_disease",
          "Coronary heart disease or myocardial infarction", "414545008", "Ischemic heart disease"),
      "diabetic_kidney_disease", new OutcomeConcept("diabetic_kidney_disease", "Diabetic kidney disease", "127013003",
          "Disorder of kidney due to diabetes mellitus"));

  public OutcomeConcept {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(display, "display");
  }

  /** The concept of outcome {@code name}. */
  public static OutcomeConcept of(String name) {
    OutcomeConcept known = SHIPPED.get(name);
    if (known != null) {
      return known;
    }
    String words = name.replace('_', ' ').trim();
    String display = words.isEmpty() ? name : Character.toUpperCase(words.charAt(0)) + words.substring(1);
    return new OutcomeConcept(name, display, null, null);
  }
}
