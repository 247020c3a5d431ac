package io.riskstream.scoring;

/**
 * The probabilities of one input (outcome order of the scorer's {@link ScorerInfo#outcomes()}) and the engine that
 * computed them: after a failover that is the fallback's backend and precision, not the one scoring started with.
 */
public record Scored(float[] probabilities, String backend, String precision) {
}
