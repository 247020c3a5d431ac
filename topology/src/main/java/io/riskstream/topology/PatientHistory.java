package io.riskstream.topology;

import io.riskstream.schemas.EmrEvent;
import io.riskstream.schemas.EventKind;
import io.riskstream.schemas.EventOp;
import io.riskstream.schemas.SourceCoordinates;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificData;

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
    return applyAll(List.of(event), maxEvents, maxAge);
  }

  /**
   * Applies {@code batch} in order, as {@link #apply} one event after the other would (the version grows by one per
   * event that changed the history), in O((n + k) log n) for k events on a history of n instead of O(k n).
   */
  public PatientHistory applyAll(List<EmrEvent> batch, int maxEvents, Duration maxAge) {
    if (batch.isEmpty()) {
      return this;
    }
    List<EmrEvent> sorted = new ArrayList<>(events);  // kept sorted by ORDER: binary search, no re-sorting
    Map<String, EmrEvent> byId = new HashMap<>(events.size() * 2);
    for (EmrEvent e : events) {
      byId.put(e.getEventId(), e);
    }
    long changes = 0;
    List<EmrEvent> evicted = new ArrayList<>();
    for (EmrEvent event : batch) {
      String id = event.getEventId();
      EmrEvent existing = byId.get(id);
      if (event.getOp() == EventOp.DELETE) {
        if (existing != null) {
          sorted.remove(Collections.binarySearch(sorted, existing, ORDER));
          byId.remove(id);
          changes++;
        }
        continue;
      }
      if (existing != null && sameFact(existing, event)) {
        continue;
      }
      EmrEvent stored = slim(event);
      if (existing != null) {
        sorted.remove(Collections.binarySearch(sorted, existing, ORDER));
        byId.remove(id);
      }
      int at = Collections.binarySearch(sorted, stored, ORDER);
      sorted.add(at < 0 ? -at - 1 : at, stored);
      byId.put(id, stored);
      evicted.clear();
      evict(sorted, maxEvents, maxAge, evicted);
      evicted.forEach(e -> byId.remove(e.getEventId()));
      boolean unchanged = existing == null && evicted.size() == 1 && evicted.get(0) == stored;
      if (!unchanged) {
        changes++;
      }
    }
    return changes == 0 ? this : new PatientHistory(version + changes, requestedVersion, sorted);
  }

  /** Evicts by age (from the newest event) and then by count, oldest first, never DEMOGRAPHICS; collects what went. */
  private static void evict(List<EmrEvent> sorted, int maxEvents, Duration maxAge, List<EmrEvent> evicted) {
    if (!maxAge.isZero() && !sorted.isEmpty()) {
      long cutoff = sorted.get(sorted.size() - 1).getEventTime().toEpochMilli() - maxAge.toMillis();
      for (Iterator<EmrEvent> it = sorted.iterator(); it.hasNext(); ) {
        EmrEvent e = it.next();
        if (e.getEventTime().toEpochMilli() >= cutoff) {
          break;
        }
        if (e.getKind() != EventKind.DEMOGRAPHICS) {
          it.remove();
          evicted.add(e);
        }
      }
    }
    for (int i = 0; sorted.size() > maxEvents && i < sorted.size(); ) {
      if (sorted.get(i).getKind() == EventKind.DEMOGRAPHICS) {
        i++;
      } else {
        evicted.add(sorted.remove(i));
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
