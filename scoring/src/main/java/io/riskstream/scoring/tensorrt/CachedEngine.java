package io.riskstream.scoring.tensorrt;

/** A verified engine plan from the cache, its sidecar, and whether it was (re)built by this call. */
public record CachedEngine(byte[] plan, EngineSidecar sidecar, boolean built) {

  @Override
  public boolean equals(Object o) {
    return o instanceof CachedEngine other && java.util.Arrays.equals(plan, other.plan)
        && sidecar.equals(other.sidecar) && built == other.built;
  }

  @Override
  public int hashCode() {
    return 31 * java.util.Arrays.hashCode(plan) + sidecar.hashCode() + (built ? 1 : 0);
  }

  @Override
  public String toString() {
    return "CachedEngine[" + plan.length + " bytes, built=" + built + ", " + sidecar + "]";
  }
}
