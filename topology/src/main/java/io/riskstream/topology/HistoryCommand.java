package io.riskstream.topology;

import io.riskstream.schemas.EmrEvent;
import java.util.List;

/** What the trigger tells the history: apply an event, or close a source transaction (score if anything changed). */
public sealed interface HistoryCommand {

  /** Apply one normalized event (upsert or delete). */
  record Apply(EmrEvent event) implements HistoryCommand {
  }

  /** The patient's transaction {@code txId} (null: a single event without transaction) is complete. */
  record Close(String txId, List<SourceOffset> offsets) implements HistoryCommand {
    public Close {
      offsets = List.copyOf(offsets);
    }
  }

  /** Kafka coordinates of an input record. */
  record SourceOffset(String topic, int partition, long offset) {
  }
}
