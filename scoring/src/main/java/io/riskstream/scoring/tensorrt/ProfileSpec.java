package io.riskstream.scoring.tensorrt;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The optimization profiles of an engine: batch 1..{@code maxBatch} and a sorted list of length buckets (each
 * bucket's upper bound; the last one is the maximum sequence length), for {@code contexts} execution contexts.
 *
 * <p>TensorRT lets each execution context in concurrent use work with its own optimization profile only, so the
 * engine carries one profile per (context, bucket): profile {@code context * buckets + bucket} covers lengths
 * (previous bucket, bucket] and is tuned for this bucket at {@code optBatch}; the scorer keeps one execution
 * context per profile, pinned to it ({@code contexts} contexts per bucket). An input is padded to its bucket's
 * upper bound, so a short history does not pay for the maximum length.
 */
public record ProfileSpec(int maxBatch, int optBatch, List<Integer> lengthBuckets, int contexts) {

  public ProfileSpec {
    lengthBuckets = List.copyOf(lengthBuckets);
    if (maxBatch < 1 || optBatch < 1 || optBatch > maxBatch) {
      throw new IllegalArgumentException("need 1 <= optBatch <= maxBatch, got optBatch " + optBatch
          + ", maxBatch " + maxBatch);
    }
    if (contexts < 1) {
      throw new IllegalArgumentException("need at least one execution context, got " + contexts);
    }
    if (lengthBuckets.isEmpty()) {
      throw new IllegalArgumentException("need at least one length bucket");
    }
    int previous = 0;
    for (int b : lengthBuckets) {
      if (b <= previous) {
        throw new IllegalArgumentException("length buckets must be positive and strictly increasing: " + lengthBuckets);
      }
      previous = b;
    }
  }

  /** Buckets that double from {@code smallest} up to {@code maxLength} (which is always the last bucket). */
  public static ProfileSpec doubling(int maxBatch, int smallest, int maxLength, int contexts) {
    List<Integer> buckets = new ArrayList<>();
    for (int b = smallest; b < maxLength; b *= 2) {
      buckets.add(b);
    }
    buckets.add(maxLength);
    return new ProfileSpec(maxBatch, maxBatch, buckets, contexts);
  }

  public int maxLength() {
    return lengthBuckets.get(lengthBuckets.size() - 1);
  }

  public int bucketCount() {
    return lengthBuckets.size();
  }

  public int profileCount() {
    return contexts * lengthBuckets.size();
  }

  /** Index of the bucket a sequence of {@code length} is padded into. */
  public int bucketOf(int length) {
    if (length < 1 || length > maxLength()) {
      throw new IllegalArgumentException("sequence length " + length + " outside 1.." + maxLength());
    }
    for (int i = 0; i < lengthBuckets.size(); i++) {
      if (length <= lengthBuckets.get(i)) {
        return i;
      }
    }
    throw new AssertionError("unreachable: length checked against the last bucket");
  }

  /** Smallest length the bucket accepts (one more than the previous bucket's bound). */
  public int minLengthOf(int bucket) {
    return bucket == 0 ? 1 : lengthBuckets.get(bucket - 1) + 1;
  }

  /**
   * The batch size a batch of {@code batch} inputs runs with: the smallest power of two at least as large, capped at
   * {@code maxBatch}, so that an execution context sees few distinct shapes (a new shape makes TensorRT re-plan).
   */
  public int paddedBatch(int batch) {
    if (batch < 1 || batch > maxBatch) {
      throw new IllegalArgumentException("batch of " + batch + " outside 1.." + maxBatch);
    }
    int p = Integer.highestOneBit(batch);
    return Math.min(maxBatch, p == batch ? p : p << 1);
  }

  public int profileIndex(int context, int bucket) {
    if (context < 0 || context >= contexts || bucket < 0 || bucket >= lengthBuckets.size()) {
      throw new IndexOutOfBoundsException("context " + context + ", bucket " + bucket);
    }
    return context * lengthBuckets.size() + bucket;
  }

  /** Canonical text, part of the engine cache key: {@code b1-256@256;L16,32,64;k2}. */
  public String canonical() {
    return "b1-" + maxBatch + "@" + optBatch + ";L"
        + lengthBuckets.stream().map(String::valueOf).collect(Collectors.joining(",")) + ";k" + contexts;
  }
}
