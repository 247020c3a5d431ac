package io.riskstream.topology;

import io.riskstream.schemas.RiskScore;
import java.util.List;

/** A scored request: the RiskScore and the raw probabilities of every input ({@code probabilities.get(0)} = base). */
public record ScoredRequest(RiskScore score, ScoringRequest request, List<float[]> probabilities) {

  public ScoredRequest {
    probabilities = List.copyOf(probabilities);
  }
}
