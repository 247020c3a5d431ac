package io.riskstream.topology;

import io.riskstream.schemas.EmrEvent;
import io.riskstream.schemas.EventKind;
import io.riskstream.schemas.EventOp;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A patient's history as the history processor keeps it between records: mutable, an array sorted by
 * {@link PatientHistory#ORDER} (events arrive mostly newest last and leave oldest first: an insert is a binary search
 * and, at worst, a shift of references), indexed by event id, so that one event costs O(log n) comparisons instead of
 * a copy of the history, and a scoring request reads the events in place ({@link #eventsView}). {@link #apply} is the
 * one implementation of the history's rules (upsert and delete by event id, duplicates no-ops, eviction by age then
 * count, never DEMOGRAPHICS, one version per change); {@link PatientHistory#applyAll} runs on it too. It reports every
 * entry to write or delete to a {@link Changes}, so the processor writes through to its stores event by event.
 */
final class LiveHistory {

  /** Where the changes of {@link #apply} go: an event stored (new or replaced) or an event id gone. */
  interface Changes {
    void stored(EmrEvent event);

    void removed(EmrEvent event);

    Changes NONE = new Changes() {
      @Override
      public void stored(EmrEvent event) {
      }

      @Override
      public void removed(EmrEvent event) {
      }
    };
  }

  private final ArrayList<EmrEvent> sorted = new ArrayList<>();
  private final List<EmrEvent> view = Collections.unmodifiableList(sorted);
  private final Map<String, EmrEvent> byId = new HashMap<>();
  private long version;
  private long requestedVersion;
  /** The onset events remembered beyond the bound ({@link OnsetCodes#remember}); not part of the history. */
  private List<EmrEvent> onsets = List.of();

  private LiveHistory(long version, long requestedVersion) {
    this.version = version;
    this.requestedVersion = requestedVersion;
  }

  static LiveHistory of(PatientHistory h) {
    LiveHistory l = new LiveHistory(h.version(), h.requestedVersion());
    l.onsets = h.onsets();
    l.sorted.ensureCapacity(h.events().size());
    for (EmrEvent e : h.events()) {
      EmrEvent replaced = l.byId.put(e.getEventId(), e);
      if (replaced != null) {
        l.remove(replaced);  // one event per id, as the set of the stores holds them
      }
      l.insert(e);
    }
    return l;
  }

  /**
   * Applies an upsert or delete by event id, then evicts: events older than {@code maxAge} before the newest event
   * (when maxAge is not zero), then the oldest beyond {@code maxEvents}; DEMOGRAPHICS events are never evicted.
   * Returns whether the history changed (the version grew by one); a duplicate upsert, a delete of an unknown event
   * and an event that would be evicted at once change nothing.
   */
  boolean apply(EmrEvent event, int maxEvents, Duration maxAge, Changes changes) {
    String id = event.getEventId();
    EmrEvent existing = byId.get(id);
    if (event.getOp() == EventOp.DELETE) {
      if (existing == null) {
        return false;
      }
      remove(existing);
      byId.remove(id);
      changes.removed(existing);
      version++;
      return true;
    }
    if (existing != null && PatientHistory.sameFact(existing, event)) {
      return false;
    }
    EmrEvent stored = PatientHistory.slim(event);
    if (existing != null) {
      remove(existing);
    }
    insert(stored);
    byId.put(id, stored);
    List<EmrEvent> evicted = evict(maxEvents, maxAge);
    boolean storedEvicted = false;
    for (EmrEvent e : evicted) {
      if (e == stored) {
        storedEvicted = true;
        byId.remove(id);
      } else {
        byId.remove(e.getEventId());
        changes.removed(e);
      }
    }
    if (!storedEvicted) {
      changes.stored(stored);
    } else if (existing != null) {
      changes.removed(existing);  // replaced by a version that went at once: the id is gone
    }
    if (existing == null && storedEvicted && evicted.size() == 1) {
      return false;
    }
    version++;
    return true;
  }

  /** Inserts at its place in {@link PatientHistory#ORDER} (no event of the same time and id is in the list). */
  private void insert(EmrEvent e) {
    int n = sorted.size();
    if (n == 0 || PatientHistory.ORDER.compare(sorted.get(n - 1), e) < 0) {
      sorted.add(e);  // the common case: newer than every event held
      return;
    }
    int at = Collections.binarySearch(sorted, e, PatientHistory.ORDER);
    sorted.add(at < 0 ? -at - 1 : at, e);
  }

  /** Removes this event (held in the list). */
  private void remove(EmrEvent e) {
    int at = Collections.binarySearch(sorted, e, PatientHistory.ORDER);
    if (at < 0 || sorted.get(at) != e) {
      throw new IllegalStateException("the live history lost its order");
    }
    sorted.remove(at);
  }

  /** Evicts by age (from the newest event) and then by count, oldest first, never DEMOGRAPHICS. */
  private List<EmrEvent> evict(int maxEvents, Duration maxAge) {
    List<EmrEvent> evicted = new ArrayList<>(1);
    long cutoff = maxAge.isZero() || sorted.isEmpty() ? Long.MIN_VALUE
        : sorted.get(sorted.size() - 1).getEventTime().toEpochMilli() - maxAge.toMillis();
    int excess = sorted.size() - maxEvents;
    // one pass from the oldest: those older than the cutoff, then the oldest beyond the count (DEMOGRAPHICS stay)
    int end = 0;
    for (int i = 0; i < sorted.size(); i++) {
      EmrEvent e = sorted.get(i);
      boolean old = e.getEventTime().toEpochMilli() < cutoff;
      if (!old && evicted.size() >= excess) {
        break;
      }
      if (e.getKind() != EventKind.DEMOGRAPHICS) {
        evicted.add(e);
      }
      end = i + 1;
    }
    if (!evicted.isEmpty()) {
      sorted.subList(0, end).removeIf(e -> e.getKind() != EventKind.DEMOGRAPHICS);
    }
    return evicted;
  }

  long version() {
    return version;
  }

  long requestedVersion() {
    return requestedVersion;
  }

  boolean changedSinceRequest() {
    return version > requestedVersion;
  }

  /** Records that a scoring request was made for the current version. */
  void markRequested() {
    requestedVersion = version;
  }

  int size() {
    return sorted.size();
  }

  /** The newest event time, or null when empty. */
  Long newestEventTime() {
    return sorted.isEmpty() ? null : sorted.get(sorted.size() - 1).getEventTime().toEpochMilli();
  }

  /** The events in history order (a copy). */
  List<EmrEvent> events() {
    return new ArrayList<>(sorted);
  }

  /**
   * The events in history order, read in place: a read-only view that the next {@link #apply} changes, for a caller
   * that is done with it before then (the scoring request of this version).
   */
  List<EmrEvent> eventsView() {
    return view;
  }

  /** The onset events remembered beyond the bound. */
  List<EmrEvent> onsets() {
    return onsets;
  }

  /** Remembers these onset events instead (the version does not change: they are no part of the history). */
  void onsets(List<EmrEvent> remembered) {
    this.onsets = List.copyOf(remembered);
  }

  /** The versions and the remembered onsets without the events: what store {@code patient-history} holds per patient. */
  PatientHistory header() {
    return new PatientHistory(version, requestedVersion, List.of(), onsets);
  }

  PatientHistory snapshot() {
    return new PatientHistory(version, requestedVersion, events(), onsets);
  }
}
