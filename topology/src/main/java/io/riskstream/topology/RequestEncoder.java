package io.riskstream.topology;

import io.riskstream.schemas.EmrEvent;
import io.riskstream.scoring.ModelInput;
import java.util.List;

/**
 * Encodes a patient's history for scoring: the base input and, for alert reasons, one input per occluded event
 * (each of the newest {@code occlusions} events removed). The serving implementation adapts scoring's
 * HistoryEncoder ({@code encode(events, newestEventTime + 1 ms)}, {@code newestEventIds(n)},
 * {@code withoutEvent(id)}). Must be deterministic and thread-safe.
 */
public interface RequestEncoder {

  /** The encoded history, or an {@link IllegalArgumentException} when it cannot be encoded (e.g. nothing encodable). */
  Encoded encode(List<EmrEvent> history, long indexTimeMillis, int occlusions);

  /** Base input, the newest event ids (newest first), the number of events encoded and the occluded inputs. */
  record Encoded(ModelInput input, List<String> newestEventIds, int eventCount, List<Occluded> occluded) {
    public Encoded {
      newestEventIds = List.copyOf(newestEventIds);
      occluded = List.copyOf(occluded);
    }
  }

  /** The input without the event {@code eventId}. */
  record Occluded(String eventId, ModelInput input) {
  }
}
