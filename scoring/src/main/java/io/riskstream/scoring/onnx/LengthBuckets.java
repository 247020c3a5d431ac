package io.riskstream.scoring.onnx;

/**
 * Padded lengths: an input of length n runs padded to {@code min(maxLength, ceil(n / width) * width)}, a function
 * of n alone, so the padded tensor an input sees never depends on the other inputs of its batch.
 */
public record LengthBuckets(int width, int maxLength) {

  public LengthBuckets {
    if (width < 1 || maxLength < 1) {
      throw new IllegalArgumentException("bucket width and maxLength must be positive");
    }
  }

  public int bucketOf(int length) {
    if (length < 1 || length > maxLength) {
      throw new IllegalArgumentException("input length " + length + " is outside 1.." + maxLength);
    }
    return Math.min(maxLength, (length + width - 1) / width * width);
  }
}
