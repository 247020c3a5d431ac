package io.riskstream.topology;

/**
 * The shadow model's request to score a history version (its own encoding, no reason events), as history forwards it
 * beside production's {@link ScoringRequest}; the topology sends it to the shadow path only.
 */
record ShadowRequest(ScoringRequest request) {
}
