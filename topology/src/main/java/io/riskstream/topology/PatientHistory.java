package io.riskstream.topology;

import io.riskstream.schemas.EmrEvent;
import io.riskstream.schemas.SourceCoordinates;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificData;

/**
 * One patient's bounded history (value of the {@code patient-history} store): events sorted by event time then
 * event id, the version (incremented by every change) and the last version a scoring request was made for; and the
 * onset events the history processor remembers beyond the bound ({@code onsets}, {@link OnsetCodes#remember}; no part
 * of the history, the version or the model's input). Immutable; {@link #apply} returns the new history.
 */
public record PatientHistory(long version, long requestedVersion, List<EmrEvent> events, List<EmrEvent> onsets) {

  /** Order of events in a history: event time, then event id. */
  public static final Comparator<EmrEvent> ORDER =
      Comparator.comparing(EmrEvent::getEventTime).thenComparing(e -> e.getEventId().toString());

  public PatientHistory {
    events = List.copyOf(events);
    onsets = List.copyOf(onsets);
  }

  /** A history without remembered onsets. */
  public PatientHistory(long version, long requestedVersion, List<EmrEvent> events) {
    this(version, requestedVersion, events, List.of());
  }

  public static PatientHistory empty() {
    return new PatientHistory(0, 0, List.of());
  }

  /** Whether the history changed since the last scoring request. */
  public boolean changedSinceRequest() {
    return version > requestedVersion;
  }

  public PatientHistory requested() {
    return new PatientHistory(version, version, events, onsets);
  }

  /**
   * Applies an upsert or delete by eventId, then evicts: events older than {@code maxAge} before the newest event
   * (when maxAge is not zero), then the oldest beyond {@code maxEvents}; DEMOGRAPHICS events are never evicted.
   * Returns this same instance when nothing changed (duplicate upsert, delete of an unknown event, or an event that
   * would be evicted at once).
   */
  public PatientHistory apply(EmrEvent event, int maxEvents, Duration maxAge) {
    return applyAll(List.of(event), maxEvents, maxAge);
  }

  /**
   * Applies {@code batch} in order, as {@link #apply} one event after the other would (the version grows by one per
   * event that changed the history), in O((n + k) log n) for k events on a history of n; see {@link LiveHistory#apply}.
   */
  public PatientHistory applyAll(List<EmrEvent> batch, int maxEvents, Duration maxAge) {
    if (batch.isEmpty()) {
      return this;
    }
    LiveHistory live = LiveHistory.of(this);
    boolean changed = false;
    for (EmrEvent e : batch) {
      changed |= live.apply(e, maxEvents, maxAge, LiveHistory.Changes.NONE);
    }
    return changed ? live.snapshot() : this;
  }

  /**
   * The event as stored in a history: source coordinates reduced to system and table (the Kafka coordinates of the
   * triggering records travel with the scoring request), which makes histories about a third smaller.
   */
  static EmrEvent slim(EmrEvent e) {
    SourceCoordinates s = e.getSource();
    if (s.getTxId() == null && s.getLsn() == null && s.getCommitTime() == null && s.getTopic() == null
        && s.getPartition() == null && s.getOffset() == null) {
      return e;
    }
    return EmrEvent.newBuilder(e).setSource(SourceCoordinates.newBuilder().setSystem(s.getSystem()).setTable(s.getTable())
        .build()).build();
  }

  /** Same clinical content, whatever the source coordinates (an at-least-once redelivery is a duplicate). */
  static boolean sameFact(EmrEvent a, EmrEvent b) {
    for (Schema.Field f : EmrEvent.getClassSchema().getFields()) {
      if (f.pos() != SOURCE_FIELD && SpecificData.get().compare(a.get(f.pos()), b.get(f.pos()), f.schema()) != 0) {
        return false;
      }
    }
    return true;
  }

  private static final int SOURCE_FIELD = EmrEvent.getClassSchema().getField("source").pos();

  /** The newest event time, or null when empty (the events are sorted by event time). */
  public Long newestEventTime() {
    return events.isEmpty() ? null : events.get(events.size() - 1).getEventTime().toEpochMilli();
  }
}
