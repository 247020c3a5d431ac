package io.riskstream.topology;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * What the shadow model did in one application instance: requests it was given, scores and would-be alerts it
 * produced, and the requests it skipped, by why (exported as {@code riskstream_shadow_*}). A shadow failure is counted
 * here and skipped; it never fails or holds back production. Thread-safe.
 */
public final class ShadowCounts {

  /** Why the shadow model skipped a history version. */
  public enum Failure {
    /** The shadow model's encoder rejected the history. */
    UNENCODABLE,
    /** The shadow scorer rejected the input as invalid, or answered with no probability. */
    INVALID_INPUT,
    /** The shadow scorer kept failing after every re-submission. */
    SCORER_FAILED,
    /** The task already had {@code shadow.max.pending} requests pending for the shadow: it is behind the input. */
    BACKLOG
  }

  private final LongAdder requests = new LongAdder();
  private final LongAdder scores = new LongAdder();
  private final LongAdder alerts = new LongAdder();
  private final Map<Failure, LongAdder> failures = new EnumMap<>(Failure.class);

  public ShadowCounts() {
    for (Failure f : Failure.values()) {
      failures.put(f, new LongAdder());
    }
  }

  void requested() {
    requests.increment();
  }

  void scored() {
    scores.increment();
  }

  void alerted() {
    alerts.increment();
  }

  void failed(Failure why) {
    failures.get(why).increment();
  }

  /** History versions encoded for the shadow model. */
  public long requests() {
    return requests.sum();
  }

  /** Shadow scores forwarded to the shadow score topic. */
  public long scores() {
    return scores.sum();
  }

  /** Would-be alerts forwarded to the shadow alert topic. */
  public long alerts() {
    return alerts.sum();
  }

  public long failures(Failure why) {
    return failures.get(why).sum();
  }

  /** Skipped history versions of every kind. */
  public long failures() {
    return failures.values().stream().mapToLong(LongAdder::sum).sum();
  }
}
