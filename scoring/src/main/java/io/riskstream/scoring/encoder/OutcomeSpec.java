package io.riskstream.scoring.encoder;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import java.util.Objects;

/**
 * One predicted outcome: onset (first diagnosis with one of {@code snomedCodes}) within {@code horizonDays} after
 * the index time. {@code displayName} is the outcome as a clinician reads it in an alert (optional: specs written
 * before it existed have none, and {@link #label()} falls back to the name).
 */
public record OutcomeSpec(String name, List<String> snomedCodes, int horizonDays,
    @JsonInclude(JsonInclude.Include.NON_NULL) String displayName) {

  /** An outcome without a display name. */
  public OutcomeSpec(String name, List<String> snomedCodes, int horizonDays) {
    this(name, snomedCodes, horizonDays, null);
  }

  public OutcomeSpec {
    Objects.requireNonNull(name, "name");
    if (name.isBlank()) {
      throw new IllegalArgumentException("outcome name must not be blank");
    }
    snomedCodes = List.copyOf(snomedCodes);
    if (snomedCodes.isEmpty()) {
      throw new IllegalArgumentException("outcome " + name + " needs at least one code");
    }
    if (horizonDays <= 0) {
      throw new IllegalArgumentException("outcome " + name + ": horizonDays must be positive, got " + horizonDays);
    }
    if (displayName != null && displayName.isBlank()) {
      displayName = null;
    }
  }

  /** The display name, else the name. */
  public String label() {
    return displayName == null ? name : displayName;
  }

  /** Whether {@code code} marks this outcome. */
  public boolean matches(String code) {
    return code != null && snomedCodes.contains(code);
  }

  /**
   * The default outcomes (Synthea SNOMED CT codes), each with a 365-day horizon. Chosen from the data issue's
   * candidates by adult onsets in a 3,506-record Synthea cohort (seed 1): type 2 diabetes 247 patients, essential
   * hypertension 1,253, CKD stage 3 or worse 352+, ischemic heart disease or myocardial infarction 598+, kidney
   * disorder due to diabetes 565+. Heart failure (93) and stroke (30) have too few onsets for a 70/15/15 split to
   * measure them (5 and 15 test positives) and are left out.
   */
  public static List<OutcomeSpec> defaults() {
    return List.of(
        new OutcomeSpec("type2_diabetes", List.of("44054006"), 365, "Type 2 diabetes"),
        new OutcomeSpec("hypertension", List.of("59621000"), 365, "Essential hypertension"),
        new OutcomeSpec("ckd_stage3plus", List.of("433144002", "431857002", "46177005"), 365,
            "Chronic kidney disease stage 3 or higher"),
        new OutcomeSpec("coronary_heart_disease",
            List.of("414545008", "53741008", "22298006", "401303003", "401314000"), 365,
            "Coronary heart disease or myocardial infarction"),
        new OutcomeSpec("diabetic_kidney_disease", List.of("127013003", "90781000119102", "157141000119108"), 365,
            "Kidney disease due to diabetes"));
  }
}
