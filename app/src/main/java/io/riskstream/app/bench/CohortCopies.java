package io.riskstream.app.bench;

import io.riskstream.schemas.EmrEvent;
import io.riskstream.schemas.EventKind;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A cohort repeated under new identities, for throughput runs that need more patients than a cohort generated in
 * reasonable time has: copy {@code k} (from 1) of patient {@code P} is patient {@code P@copyk}, and every id of its
 * events (event ids, encounter ids) gets the same suffix, so no copy shares a row, a key or a history with another.
 * The clinical content is the original's, so per-event cost is unchanged; what changes is how patients (and so
 * events) spread over partitions and threads: many patients average out the few with long histories.
 */
public final class CohortCopies {

  /** Marks a copy's ids; no original id may hold it. */
  static final String MARK = "@copy";

  private CohortCopies() {
  }

  /** The cohort and {@code copies - 1} copies of it (1: the cohort itself), in patient order, copy by copy. */
  public static Map<String, List<EmrEvent>> of(Map<String, List<EmrEvent>> cohort, int copies) {
    if (copies < 1) {
      throw new IllegalArgumentException("copies must be at least 1, got " + copies);
    }
    Map<String, List<EmrEvent>> out = new LinkedHashMap<>(cohort);
    if (copies > 1 && cohort.values().stream().flatMap(List::stream).anyMatch(e -> e.getPatientId().contains(MARK)
        || e.getEventId().contains(MARK) || (e.getEncounterId() != null && e.getEncounterId().contains(MARK)))) {
      throw new IllegalArgumentException("the cohort's ids already hold '" + MARK + "': copies could collide");
    }
    for (int k = 1; k < copies; k++) {
      String suffix = MARK + k;
      for (Map.Entry<String, List<EmrEvent>> patient : cohort.entrySet()) {
        String id = patient.getKey() + suffix;
        List<EmrEvent> events = new ArrayList<>(patient.getValue().size());
        for (EmrEvent e : patient.getValue()) {
          EmrEvent.Builder b = EmrEvent.newBuilder(e).setPatientId(id);
          // a DEMOGRAPHICS event's id is <table>:<patientId>; the others' <table>:<row id>: both take the suffix
          b.setEventId(e.getKind() == EventKind.DEMOGRAPHICS && e.getEventId().endsWith(":" + e.getPatientId())
              ? e.getEventId().substring(0, e.getEventId().length() - e.getPatientId().length()) + id
              : e.getEventId() + suffix);
          if (e.getEncounterId() != null) {
            b.setEncounterId(e.getEncounterId() + suffix);
          }
          events.add(b.build());
        }
        out.put(id, events);
      }
    }
    return out;
  }
}
