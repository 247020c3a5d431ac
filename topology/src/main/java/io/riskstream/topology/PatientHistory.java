package io.riskstream.topology;

import io.riskstream.schemas.EmrEvent;
import io.riskstream.schemas.EventKind;
import io.riskstream.schemas.EventOp;
import io.riskstream.schemas.SourceCoordinates;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * One patient's bounded history (value of the {@code patient-history} store): events sorted by event time then
 * event id, the version (incremented by every change) and the last version a scoring request was made for.
 * Immutable; {@link #apply} returns the new history.
 */
public record PatientHistory(long version, long requestedVersion, List<EmrEvent> events) {

  /** Order of events in a history: event time, then event id. */
  public static final Comparator<EmrEvent> ORDER =
      Comparator.comparing(EmrEvent::getEventTime).thenComparing(e -> e.getEventId().toString());

  public PatientHistory {
    events = List.copyOf(events);
  }

  public static PatientHistory empty() {
    return new PatientHistory(0, 0, List.of());
  }

  /** Whether the history changed since the last scoring request. */
  public boolean changedSinceRequest() {
    return version > requestedVersion;
  }

  public PatientHistory requested() {
    return new PatientHistory(version, version, events);
  }

  /**
   * Applies an upsert or delete by eventId, then evicts: events older than {@code maxAge} before the newest event
   * (when maxAge is not zero), then the oldest beyond {@code maxEvents}; DEMOGRAPHICS events are never evicted.
   * Returns this same instance when nothing changed (duplicate upsert, delete of an unknown event, or an event that
   * would be evicted at once).
   */
  public PatientHistory apply(EmrEvent event, int maxEvents, Duration maxAge) {
    String id = event.getEventId().toString();
    List<EmrEvent> next = new ArrayList<>(events.size() + 1);
    EmrEvent existing = null;
    for (EmrEvent e : events) {
      if (e.getEventId().toString().equals(id)) {
        existing = e;
      } else {
        next.add(e);
      }
    }
    if (event.getOp() == EventOp.DELETE) {
      return existing == null ? this : new PatientHistory(version + 1, requestedVersion, next);
    }
    if (existing != null && sameFact(existing, event)) {
      return this;
    }
    EmrEvent stored = slim(event);
    int at = java.util.Collections.binarySearch(next, stored, ORDER);
    next.add(at < 0 ? -at - 1 : at, stored);
    evict(next, maxEvents, maxAge);
    if (next.equals(events)) {
      return this;
    }
    return new PatientHistory(version + 1, requestedVersion, next);
  }

  private static void evict(List<EmrEvent> sorted, int maxEvents, Duration maxAge) {
    if (!maxAge.isZero() && !sorted.isEmpty()) {
      long cutoff = sorted.get(sorted.size() - 1).getEventTime().toEpochMilli() - maxAge.toMillis();
      sorted.removeIf(e -> e.getKind() != EventKind.DEMOGRAPHICS && e.getEventTime().toEpochMilli() < cutoff);
    }
    for (int i = 0; sorted.size() > maxEvents && i < sorted.size(); ) {
      if (sorted.get(i).getKind() == EventKind.DEMOGRAPHICS) {
        i++;
      } else {
        sorted.remove(i);
      }
    }
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
    SourceCoordinates none = SourceCoordinates.newBuilder().setSystem("").setTable("").build();
    return EmrEvent.newBuilder(a).setSource(none).build().equals(EmrEvent.newBuilder(b).setSource(none).build());
  }

  /** The newest event time, or null when empty. */
  public Long newestEventTime() {
    return events.stream().map(e -> e.getEventTime().toEpochMilli()).max(Long::compare).orElse(null);
  }
}
