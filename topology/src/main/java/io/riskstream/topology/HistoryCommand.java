package io.riskstream.topology;

import io.riskstream.schemas.EmrEvent;
import java.util.List;

/**
 * What the trigger tells the history: apply a batch of a still-open transaction's events, or close a source
 * transaction (apply its remaining events, then score if anything changed).
 */
public sealed interface HistoryCommand {

  /** Events to apply (upserts or deletes) in arrival order; their transaction stays open. */
  record Apply(List<EmrEvent> events) implements HistoryCommand {
    public Apply {
      events = List.copyOf(events);
    }
  }

  /** The patient's transaction {@code txId} (null: a single event without transaction) is complete. */
  record Close(String txId, List<SourceOffset> offsets, List<EmrEvent> events) implements HistoryCommand {
    public Close {
      offsets = List.copyOf(offsets);
      events = List.copyOf(events);
    }
  }

  /** Kafka coordinates of an input record. */
  record SourceOffset(String topic, int partition, long offset) {
  }
}
