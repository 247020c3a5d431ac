package io.riskstream.connectors;

import io.riskstream.schemas.DeadLetterReason;
import io.riskstream.schemas.EmrEvent;
import java.util.List;

/**
 * What one input record became: events, rejections (each one dead letter), whether it was a tombstone (no value),
 * and how many of its parts were skipped because they carry no clinical fact (e.g. a Bundle's Claim entries).
 */
public record Normalized(List<EmrEvent> events, List<Rejection> rejections, boolean tombstone, int skipped) {

  /** A record, or a part of one, that cannot be normalized: a dead-letter reason and a message without values. */
  public record Rejection(DeadLetterReason reason, String message) {
  }

  public Normalized {
    events = List.copyOf(events);
    rejections = List.copyOf(rejections);
  }

  public static Normalized event(EmrEvent event) {
    return new Normalized(List.of(event), List.of(), false, 0);
  }

  public static Normalized rejected(DeadLetterReason reason, String message) {
    return new Normalized(List.of(), List.of(new Rejection(reason, message)), false, 0);
  }

  public static Normalized ofTombstone() {
    return new Normalized(List.of(), List.of(), true, 0);
  }
}
