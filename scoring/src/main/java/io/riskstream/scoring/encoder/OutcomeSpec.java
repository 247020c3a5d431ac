package io.riskstream.scoring.encoder;

import java.util.List;
import java.util.Objects;

/**
 * One predicted outcome: onset (first diagnosis with one of {@code snomedCodes}) within {@code horizonDays} after
 * the index time.
 */
public record OutcomeSpec(String name, List<String> snomedCodes, int horizonDays) {

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
  }

  /** Whether {@code code} marks this outcome. */
  public boolean matches(String code) {
    return code != null && snomedCodes.contains(code);
  }

  /** The outcomes of the data issue (Synthea SNOMED CT codes), each with a 365-day horizon. */
  public static List<OutcomeSpec> defaults() {
    return List.of(
        new OutcomeSpec("type2_diabetes", List.of("44054006"), 365),
        new OutcomeSpec("hypertension", List.of("59621000"), 365),
        new OutcomeSpec("ckd_stage3plus", List.of("433144002", "431857002", "46177005"), 365),
        new OutcomeSpec("myocardial_infarction", List.of("22298006", "401303003", "401314000"), 365),
        new OutcomeSpec("heart_failure", List.of("88805009", "84114007"), 365),
        new OutcomeSpec("stroke", List.of("230690007"), 365));
  }
}
