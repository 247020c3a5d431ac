package io.riskstream.scoring.tensorrt;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The shapes an engine runs at: batch sizes {@code minBatch, 2·minBatch, …, maxBatch} (powers of two) times a sorted
 * list of length buckets (each bucket's upper bound; the last one is the maximum sequence length), for
 * {@code contexts} execution contexts per shape.
 *
 * <p>Every (batch size, length bucket) is one static optimization profile ({@code min = opt = max}), and each
 * profile gets execution contexts of its own that never change their input shape. Two facts of TensorRT make this the
 * fast layout: an execution context in concurrent use needs an optimization profile of its own, and a context whose
 * input shape changes re-plans its execution (about 2 ms per change on an H200 with a 4-layer encoder, which made a
 * dynamic batch axis cost more than the kernels at small batches); a fixed shape also lets each context replay one
 * captured CUDA graph. An input is padded to its bucket's length, so a short history does not pay for the maximum
 * length, and a bucket's inputs are split into batch-size chunks by {@link #chunks(int)}.
 */
public record ProfileSpec(int minBatch, int maxBatch, List<Integer> lengthBuckets, int contexts) {

  /** Largest share of padded rows {@link #chunks} accepts before it splits a chunk into smaller ones. */
  static final double MAX_PADDING = 0.25;

  /** {@link #chunks(int, int)} cuts no chunk into parts smaller than this many inputs. */
  static final int MIN_PARALLEL_PART = 32;

  public ProfileSpec {
    lengthBuckets = List.copyOf(lengthBuckets);
    if (minBatch < 1 || Integer.bitCount(minBatch) != 1 || maxBatch < minBatch || Integer.bitCount(maxBatch) != 1) {
      throw new IllegalArgumentException("batch sizes must be powers of two with 1 <= minBatch <= maxBatch, got "
          + minBatch + ".." + maxBatch);
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

  /** Batch sizes 1..{@code maxBatch} and length buckets that double from {@code smallest} up to {@code maxLength}. */
  public static ProfileSpec doubling(int maxBatch, int smallest, int maxLength, int contexts) {
    List<Integer> buckets = new ArrayList<>();
    for (int b = smallest; b < maxLength; b *= 2) {
      buckets.add(b);
    }
    buckets.add(maxLength);
    return new ProfileSpec(1, maxBatch, buckets, contexts);
  }

  public int maxLength() {
    return lengthBuckets.get(lengthBuckets.size() - 1);
  }

  public int bucketCount() {
    return lengthBuckets.size();
  }

  /** The batch sizes, smallest first. */
  public List<Integer> batchSizes() {
    List<Integer> sizes = new ArrayList<>();
    for (int s = minBatch; s <= maxBatch; s *= 2) {
      sizes.add(s);
    }
    return sizes;
  }

  public int batchSizeCount() {
    return Integer.numberOfTrailingZeros(maxBatch) - Integer.numberOfTrailingZeros(minBatch) + 1;
  }

  /** Index of {@code size} in {@link #batchSizes()}. */
  public int batchSizeIndex(int size) {
    if (size < minBatch || size > maxBatch || Integer.bitCount(size) != 1) {
      throw new IllegalArgumentException("batch size " + size + " is not one of " + batchSizes());
    }
    return Integer.numberOfTrailingZeros(size) - Integer.numberOfTrailingZeros(minBatch);
  }

  /** Distinct (batch size, length bucket) shapes. */
  public int shapeCount() {
    return batchSizeCount() * lengthBuckets.size();
  }

  public int profileCount() {
    return contexts * shapeCount();
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

  /**
   * The batch sizes that {@code n} inputs of one bucket run as, largest first: chunks of {@code maxBatch} while at
   * least that many are left, then the smallest size that holds the rest when at most {@link #MAX_PADDING} of it
   * would be padding (or when the largest size that fits is {@code minBatch}), else the largest size that fits and
   * the same again for what is left. Below {@code maxBatch} each size occurs at most once (the sizes are powers of
   * two), so those chunks can run at once.
   * E.g. 1..256: 200 → [256]; 150 → [128, 16, 8]; 600 → [256, 256, 64, 32].
   */
  public List<Integer> chunks(int n) {
    if (n < 1) {
      throw new IllegalArgumentException("need at least one input, got " + n);
    }
    List<Integer> out = new ArrayList<>();
    int left = n;
    while (left >= maxBatch) {
      out.add(maxBatch);
      left -= maxBatch;
    }
    while (left > 0) {
      int up = Math.max(minBatch, Integer.highestOneBit(left) == left ? left : Integer.highestOneBit(left) << 1);
      int down = Integer.highestOneBit(left);
      if (down <= minBatch || up - left <= MAX_PADDING * up) {
        out.add(up);
        break;
      }
      out.add(down);
      left -= down;
    }
    return out;
  }

  /**
   * {@link #chunks(int)} with every chunk of at least {@code 2 * }{@link #MIN_PARALLEL_PART} inputs cut into up to
   * {@code parallel} equal parts (a power of two, each at least {@link #MIN_PARALLEL_PART} and {@code minBatch}), so
   * that one call runs them at once on {@code parallel} execution contexts of the same shape: the second part's
   * inputs are written while the first one computes, and the kernels of both share the GPU. The padding is the
   * same as {@link #chunks(int)}'s. E.g. 1..256, parallel 2: 200 → [128, 128]; 150 → [64, 64, 16, 8]; 30 → [32].
   */
  public List<Integer> chunks(int n, int parallel) {
    if (parallel < 1 || parallel > contexts) {
      throw new IllegalArgumentException("parallel chunks must lie in 1.." + contexts + " (the execution contexts "
          + "per shape), got " + parallel);
    }
    List<Integer> out = new ArrayList<>();
    for (int size : chunks(n)) {
      int parts = Math.min(Integer.highestOneBit(parallel), Math.max(1, size / MIN_PARALLEL_PART));
      parts = Math.max(1, Math.min(parts, size / minBatch));
      for (int i = 0; i < parts; i++) {
        out.add(size / parts);
      }
    }
    return out;
  }

  /** Profile of execution context {@code context} at length bucket {@code bucket} and batch size {@code size}. */
  public int profileIndex(int context, int bucket, int size) {
    if (context < 0 || context >= contexts || bucket < 0 || bucket >= lengthBuckets.size()) {
      throw new IndexOutOfBoundsException("context " + context + ", bucket " + bucket);
    }
    return (context * lengthBuckets.size() + bucket) * batchSizeCount() + batchSizeIndex(size);
  }

  /** Canonical text, part of the engine cache key: {@code b1-256;L32,64,128;k1;static} (static shape profiles). */
  public String canonical() {
    return "b" + minBatch + "-" + maxBatch + ";L"
        + lengthBuckets.stream().map(String::valueOf).collect(Collectors.joining(",")) + ";k" + contexts + ";static";
  }
}
