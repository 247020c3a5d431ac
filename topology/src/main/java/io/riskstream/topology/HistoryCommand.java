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

  /**
   * An event the trigger refused (e.g. a record on emr-events whose key is not its patient id, or whose fields break
   * the input rules): the history does not apply it and forwards its dead letter.
   */
  record Reject(io.riskstream.schemas.DeadLetter deadLetter) implements HistoryCommand {
  }

  /** Kafka coordinates of an input record. */
  record SourceOffset(String topic, int partition, long offset) {
  }
}
