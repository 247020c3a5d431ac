package io.riskstream.scoring;

/**
 * A scored batch: {@code probabilities[i][k]} as {@link Scorer#score} returns them, {@code engine} the scorer that
 * computed them, and whether the batch was failed over to it because the primary failed on it.
 */
public record ScoredBatch(float[][] probabilities, ScorerInfo engine, boolean failedOver) {
}
