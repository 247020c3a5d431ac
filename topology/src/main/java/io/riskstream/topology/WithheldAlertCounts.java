package io.riskstream.topology;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * The alerts the production alert processors of one application instance withheld, by reason
 * ({@link AlertDecision.Withheld}: the outcome already diagnosed, the patient deceased); exported as
 * {@code riskstream_alerts_withheld_total{reason}}, beside the per-task sensors {@code alerts-withheld-<reason>-total}.
 * Thread-safe.
 */
public final class WithheldAlertCounts {

  private final Map<AlertDecision.Withheld, LongAdder> counts = new EnumMap<>(AlertDecision.Withheld.class);

  public WithheldAlertCounts() {
    for (AlertDecision.Withheld w : AlertDecision.Withheld.values()) {
      counts.put(w, new LongAdder());
    }
  }

  public void add(AlertDecision.Withheld why) {
    counts.get(why).increment();
  }

  /** Alerts withheld for {@code why}. */
  public long get(AlertDecision.Withheld why) {
    return counts.get(why).sum();
  }

  /** Alerts withheld so far, by reason (every reason, in declaration order). */
  public Map<AlertDecision.Withheld, Long> all() {
    Map<AlertDecision.Withheld, Long> out = new EnumMap<>(AlertDecision.Withheld.class);
    counts.forEach((why, n) -> out.put(why, n.sum()));
    return out;
  }
}
