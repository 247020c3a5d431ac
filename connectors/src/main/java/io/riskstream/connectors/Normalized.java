package io.riskstream.connectors;

import io.riskstream.schemas.DeadLetterReason;
import io.riskstream.schemas.EmrEvent;
import java.util.List;

/**
 * What one input record became: events, rejections (each one dead letter), whether it was a tombstone (no value),
 * how many of its parts were skipped because they carry no clinical fact (e.g. a Bundle's Claim entries), and the
 * source transaction metadata id it belongs to (Debezium's {@code transaction.id}; null when the record carries none
 * or could not be read that far), which lets the topology count a transaction's rejected records too.
 */
public record Normalized(List<EmrEvent> events, List<Rejection> rejections, boolean tombstone, int skipped,
    String transactionId) {

  /** A record, or a part of one, that cannot be normalized: a dead-letter reason and a message without values. */
  public record Rejection(DeadLetterReason reason, String message) {
  }

  public Normalized {
    events = List.copyOf(events);
    rejections = List.copyOf(rejections);
  }

  public Normalized(List<EmrEvent> events, List<Rejection> rejections, boolean tombstone, int skipped) {
    this(events, rejections, tombstone, skipped, null);
  }

  public static Normalized event(EmrEvent event) {
    return new Normalized(List.of(event), List.of(), false, 0, event.getSource().getTransactionId());
  }

  public static Normalized rejected(DeadLetterReason reason, String message) {
    return rejected(reason, message, null);
  }

  /** A rejected record of the source transaction {@code transactionId} (null: unknown). */
  public static Normalized rejected(DeadLetterReason reason, String message, String transactionId) {
    return new Normalized(List.of(), List.of(new Rejection(reason, message)), false, 0, transactionId);
  }

  public static Normalized ofTombstone() {
    return new Normalized(List.of(), List.of(), true, 0, null);
  }
}
