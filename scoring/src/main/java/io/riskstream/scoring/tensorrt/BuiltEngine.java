package io.riskstream.scoring.tensorrt;

/** A serialized engine (TensorRT plan) fresh from the builder, with how it was built. */
public record BuiltEngine(byte[] plan, BuildReport report) {

  @Override
  public boolean equals(Object o) {
    return o instanceof BuiltEngine other && java.util.Arrays.equals(plan, other.plan) && report.equals(other.report);
  }

  @Override
  public int hashCode() {
    return 31 * java.util.Arrays.hashCode(plan) + report.hashCode();
  }

  @Override
  public String toString() {
    return "BuiltEngine[" + plan.length + " bytes, " + report + "]";
  }
}
