package io.riskstream.topology;

import java.util.ArrayList;
import java.util.List;

/**
 * A patient's source transaction the trigger has seen records of and not closed yet (value of the
 * {@code trigger-open} store). {@code lastTimestamp} is the record timestamp of its newest record; {@code buffered}
 * counts its events waiting in the {@code trigger-buffer} store (sequence numbers 0..buffered-1).
 */
public record OpenTransaction(String txId, long lastTimestamp, List<HistoryCommand.SourceOffset> offsets, int buffered) {

  public OpenTransaction {
    offsets = List.copyOf(offsets);
  }

  /** This transaction with one more buffered record, keeping at most {@code maxOffsets} offsets (the first ones). */
  public OpenTransaction plus(long timestamp, HistoryCommand.SourceOffset offset, int maxOffsets) {
    List<HistoryCommand.SourceOffset> o = offsets;
    if (o.size() < maxOffsets) {
      o = new ArrayList<>(offsets);
      o.add(offset);
    }
    return new OpenTransaction(txId, Math.max(lastTimestamp, timestamp), o, buffered + 1);
  }

  public OpenTransaction flushed() {
    return new OpenTransaction(txId, lastTimestamp, offsets, 0);
  }
}
