package io.riskstream.topology;

import io.riskstream.schemas.DeadLetterReason;
import io.riskstream.schemas.DeadLetterStage;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * The dead letters of one application instance, counted by stage and reason, whichever stage or Kafka Streams error
 * handler wrote them (exported as {@code riskstream_dead_letters_total{stage,reason}}). Thread-safe.
 */
public final class DeadLetterCounts {

  private final Map<DeadLetterStage, Map<DeadLetterReason, LongAdder>> counts = new EnumMap<>(DeadLetterStage.class);

  public DeadLetterCounts() {
    for (DeadLetterStage s : DeadLetterStage.values()) {
      Map<DeadLetterReason, LongAdder> byReason = new EnumMap<>(DeadLetterReason.class);
      for (DeadLetterReason r : DeadLetterReason.values()) {
        byReason.put(r, new LongAdder());
      }
      counts.put(s, byReason);
    }
  }

  public void add(DeadLetterStage stage, DeadLetterReason reason) {
    counts.get(stage).get(reason).increment();
  }

  public long get(DeadLetterStage stage, DeadLetterReason reason) {
    return counts.get(stage).get(reason).sum();
  }

  /** Dead letters of every stage and reason. */
  public long total() {
    return counts.values().stream().flatMap(m -> m.values().stream()).mapToLong(LongAdder::sum).sum();
  }
}
