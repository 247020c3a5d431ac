package io.riskstream.topology;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** Deterministic ids: the first 128 bits of SHA-256 over the parts joined by NUL, in hex. */
public final class Ids {

  private Ids() {
  }

  public static String of(String... parts) {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      for (String p : parts) {
        md.update(p.getBytes(StandardCharsets.UTF_8));
        md.update((byte) 0);
      }
      return HexFormat.of().formatHex(md.digest(), 0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** scoreId: patient, history version and model sha256. */
  public static String scoreId(String patientId, long historyVersion, String modelSha256) {
    return of("score", patientId, Long.toString(historyVersion), modelSha256);
  }

  /** alertId: scoreId, outcome and severity. */
  public static String alertId(String scoreId, String outcome, String severity) {
    return of("alert", scoreId, outcome, severity);
  }
}
