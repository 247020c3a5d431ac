package io.riskstream.topology;

import java.util.Objects;

/**
 * A second model scored on the same histories as production ({@code shadow.model}): its encoder (its own encoder
 * spec), its per-JVM scoring backend (its own batcher) and where the topology counts what it did.
 */
public record ShadowModel(RequestEncoder encoder, ScoringBackend backend, ShadowCounts counts) {

  public ShadowModel {
    Objects.requireNonNull(encoder, "encoder");
    Objects.requireNonNull(backend, "backend");
    Objects.requireNonNull(counts, "counts");
  }
}
