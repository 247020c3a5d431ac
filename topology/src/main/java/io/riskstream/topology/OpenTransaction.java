package io.riskstream.topology;

import java.util.ArrayList;
import java.util.List;

/**
 * A patient's source transaction the trigger has seen records of and not closed yet (value of the
 * {@code trigger-open} store). {@code lastTimestamp} is the record timestamp of its newest record.
 */
public record OpenTransaction(String txId, long lastTimestamp, List<HistoryCommand.SourceOffset> offsets) {

  public OpenTransaction {
    offsets = List.copyOf(offsets);
  }

  /** This transaction with one more record, keeping at most {@code maxOffsets} offsets (the first ones). */
  public OpenTransaction plus(long timestamp, HistoryCommand.SourceOffset offset, int maxOffsets) {
    List<HistoryCommand.SourceOffset> o = new ArrayList<>(offsets);
    if (o.size() < maxOffsets) {
      o.add(offset);
    }
    return new OpenTransaction(txId, Math.max(lastTimestamp, timestamp), o);
  }
}
