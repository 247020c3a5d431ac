package io.riskstream.scoring.tensorrt;

import java.util.List;
import java.util.regex.Pattern;

/** Which model a scorer runs: id, version, the ONNX file's sha256 and the outcome names in output order. */
public record ModelIdentity(String id, String version, String sha256, List<String> outcomes) {

  /** The identity of a shipped model: its name, version, verified sha256 and outcome names. */
  public static ModelIdentity of(io.riskstream.scoring.model.ModelBundle bundle) {
    return new ModelIdentity(bundle.name(), bundle.version(), bundle.sha256(),
        bundle.outcomes().stream().map(io.riskstream.scoring.encoder.OutcomeSpec::name).toList());
  }

  private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

  public ModelIdentity {
    outcomes = List.copyOf(outcomes);
    if (sha256 == null || !SHA256.matcher(sha256).matches()) {
      throw new IllegalArgumentException("model sha256 must be 64 lowercase hex digits");
    }
    if (outcomes.isEmpty()) {
      throw new IllegalArgumentException("a model needs at least one outcome");
    }
  }
}
