package io.riskstream.scoring.encoder;

import io.riskstream.schemas.EmrEvent;
import io.riskstream.schemas.EventKind;
import io.riskstream.schemas.EventOp;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * A patient's events prepared once for encoding at many index times: UPSERT events other than demographics, ordered
 * by (eventTime, eventId), and the newest demographics event. Deletes are ignored (the caller's history has already
 * applied them). Immutable.
 */
public final class PreparedHistory {

  static final Comparator<EmrEvent> ORDER = Comparator.comparing(EmrEvent::getEventTime)
      .thenComparing(EmrEvent::getEventId);

  private final List<EmrEvent> events;
  private final long[] times;
  private final EmrEvent demographics;

  private PreparedHistory(List<EmrEvent> events, EmrEvent demographics) {
    this.events = java.util.Collections.unmodifiableList(events);  // of(): a list of its own, never changed after
    this.times = new long[events.size()];
    for (int i = 0; i < times.length; i++) {
      times[i] = events.get(i).getEventTime().toEpochMilli();
    }
    this.demographics = demographics;
  }

  public static PreparedHistory of(List<EmrEvent> history) {
    List<EmrEvent> kept = new ArrayList<>();
    EmrEvent demographics = null;
    for (EmrEvent e : history) {
      if (e.getOp() != EventOp.UPSERT) {
        continue;
      }
      if (e.getKind() == EventKind.DEMOGRAPHICS) {
        if (demographics == null || ORDER.compare(e, demographics) >= 0) {
          demographics = e;
        }
      } else {
        kept.add(e);
      }
    }
    if (!inOrder(kept)) {  // a live history hands its events over in this order already: no sort then
      kept.sort(ORDER);
    }
    return new PreparedHistory(kept, demographics);
  }

  private static boolean inOrder(List<EmrEvent> events) {
    for (int i = 1; i < events.size(); i++) {
      long before = events.get(i - 1).getEventTime().toEpochMilli();
      long at = events.get(i).getEventTime().toEpochMilli();
      if (before > at || (before == at && ORDER.compare(events.get(i - 1), events.get(i)) > 0)) {
        return false;
      }
    }
    return true;
  }

  /** Non-demographic UPSERT events, oldest first. */
  public List<EmrEvent> events() {
    return events;
  }

  /** The demographics event (eventTime = birth, endTime = death), or null when the history has none. */
  public EmrEvent demographics() {
    return demographics;
  }

  /** Number of events with eventTime strictly before {@code timeMillis}. */
  public int countBefore(long timeMillis) {
    int i = Arrays.binarySearch(times, timeMillis);
    if (i < 0) {
      return -i - 1;
    }
    while (i > 0 && times[i - 1] == timeMillis) {
      i--;
    }
    return i;
  }
}
