package io.riskstream.scoring.dataset;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Locale;

/**
 * Patient-level split: the first 8 bytes of sha256(patientId), as an unsigned number modulo 100, put a patient in
 * train (0..69), validation (70..84) or test (85..99). Deterministic across runs, machines and cohort sizes, and all
 * samples of one patient share one split.
 */
public enum Split {
  TRAIN(0), VALIDATION(1), TEST(2);

  private final byte code;

  Split(int code) {
    this.code = (byte) code;
  }

  /** The value written to {@code split.npy}. */
  public byte code() {
    return code;
  }

  public String jsonName() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static Split of(String patientId) {
    int bucket = bucket(patientId);
    return bucket < 70 ? TRAIN : bucket < 85 ? VALIDATION : TEST;
  }

  static int bucket(String patientId) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(patientId.getBytes(StandardCharsets.UTF_8));
      return (int) Long.remainderUnsigned(ByteBuffer.wrap(digest, 0, 8).getLong(), 100);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every JVM", e);
    }
  }
}
