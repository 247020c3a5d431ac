package io.riskstream.topology;

import java.util.ArrayList;
import java.util.List;

/**
 * A patient's source transaction the trigger has seen records of and not closed yet (value of the
 * {@code trigger-open} store, rewritten on every record, so kept small). {@code lastTimestamp} is the record timestamp
 * of its newest record; {@code offsets} holds the source offsets of its first records, at most
 * {@code trigger.max.offsets}; {@code source} names the source partition its first record came from
 * ({@code topic-partition}; null in entries written before it was recorded). {@code buffered} counts events still
 * waiting in the {@code trigger-buffer} store (sequence numbers 0..buffered-1), which only versions that buffered
 * events until the close wrote; this version applies each event at once and writes 0. {@code awaitsEnd}: its events
 * carry a transaction metadata id and the topology tracks transactions, so only an input-decided rule or the
 * transaction's END closes it, never a timing rule short of {@code trigger.transaction.end.timeout.ms}.
 */
public record OpenTransaction(String txId, long lastTimestamp, List<HistoryCommand.SourceOffset> offsets, int buffered,
    String source, boolean awaitsEnd) {

  public OpenTransaction {
    offsets = List.copyOf(offsets);
  }

  public OpenTransaction(String txId, long lastTimestamp, List<HistoryCommand.SourceOffset> offsets, int buffered,
      String source) {
    this(txId, lastTimestamp, offsets, buffered, source, false);
  }

  /** This transaction with one more record, whose offset is kept while fewer than {@code maxOffsets} are. */
  public OpenTransaction plus(long timestamp, HistoryCommand.SourceOffset offset, int maxOffsets) {
    List<HistoryCommand.SourceOffset> more = offsets;
    if (offsets.size() < maxOffsets) {
      more = new ArrayList<>(offsets.size() + 1);
      more.addAll(offsets);
      more.add(offset);
    }
    return new OpenTransaction(txId, Math.max(lastTimestamp, timestamp), more, buffered, source, awaitsEnd);
  }

  /** This transaction once its buffered events went to the history: {@code allOffsets} are the offsets so far. */
  public OpenTransaction flushed(List<HistoryCommand.SourceOffset> allOffsets) {
    return new OpenTransaction(txId, lastTimestamp, allOffsets, 0, source, awaitsEnd);
  }

  /** {@link #offsets} followed by {@code more}, at most {@code max} in all (the first ones). */
  public List<HistoryCommand.SourceOffset> offsetsWith(List<HistoryCommand.SourceOffset> more, int max) {
    List<HistoryCommand.SourceOffset> out = new ArrayList<>(offsets.subList(0, Math.min(max, offsets.size())));
    for (int i = 0; i < more.size() && out.size() < max; i++) {
      out.add(more.get(i));
    }
    return out;
  }
}
