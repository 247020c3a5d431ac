package io.riskstream.scoring.dataset;

import io.riskstream.schemas.EmrEvent;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * A cohort read one part at a time (e.g. one Synthea export directory per part), so that a cohort larger than the
 * heap can be exported: only one part's events are held at a time. Each patient belongs to one part.
 */
public interface CohortParts {

  /** The parts' names (e.g. their directories), in reading order; recorded in dataset.json. */
  List<String> names();

  /** The events of part {@code part}'s patients that {@code accept} accepts, by patient id; read anew each call. */
  Map<String, List<EmrEvent>> read(int part, Predicate<String> accept);

  /** One part held in memory. */
  static CohortParts of(String name, Map<String, List<EmrEvent>> patients) {
    return new CohortParts() {
      @Override
      public List<String> names() {
        return List.of(name);
      }

      @Override
      public Map<String, List<EmrEvent>> read(int part, Predicate<String> accept) {
        if (part != 0) {
          throw new IndexOutOfBoundsException("one part, asked for part " + part);
        }
        Map<String, List<EmrEvent>> accepted = new LinkedHashMap<>();
        patients.forEach((id, events) -> {
          if (accept.test(id)) {
            accepted.put(id, events);
          }
        });
        return accepted;
      }
    };
  }
}
