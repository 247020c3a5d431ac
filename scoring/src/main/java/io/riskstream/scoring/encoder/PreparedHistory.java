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

  private PreparedHistory(List<EmrEvent> events, long[] times, EmrEvent demographics) {
    this.events = java.util.Collections.unmodifiableList(events);  // of(): a list of its own, never changed after
    this.times = times;
    this.demographics = demographics;
  }

  /** One pass over {@code history}: a live history hands its events over in order already, and then nothing sorts. */
  public static PreparedHistory of(List<EmrEvent> history) {
    List<EmrEvent> kept = new ArrayList<>(history.size());
    long[] times = new long[history.size()];
    boolean ordered = true;
    EmrEvent demographics = null;
    for (EmrEvent e : history) {
      if (e.getOp() != EventOp.UPSERT) {
        continue;
      }
      if (e.getKind() == EventKind.DEMOGRAPHICS) {
        if (demographics == null || ORDER.compare(e, demographics) >= 0) {
          demographics = e;
        }
        continue;
      }
      int n = kept.size();
      long t = e.getEventTime().toEpochMilli();
      if (ordered && n > 0 && (times[n - 1] > t || (times[n - 1] == t && ORDER.compare(kept.get(n - 1), e) > 0))) {
        ordered = false;
      }
      times[n] = t;
      kept.add(e);
    }
    if (!ordered) {
      kept.sort(ORDER);
      for (int i = 0; i < kept.size(); i++) {
        times[i] = kept.get(i).getEventTime().toEpochMilli();
      }
    }
    return new PreparedHistory(kept, times.length == kept.size() ? times : Arrays.copyOf(times, kept.size()),
        demographics);
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
