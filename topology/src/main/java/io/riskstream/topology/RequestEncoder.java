package io.riskstream.topology;

import io.riskstream.schemas.EmrEvent;
import io.riskstream.scoring.ModelInput;
import java.util.List;

/**
 * Encodes a patient's history for scoring: the base input and, for alert reasons, the newest {@code occlusions}
 * events with the positions of the input that hold their tokens (occluding an event = removing those positions,
 * {@code EncodedHistory.withoutPositions}). The serving implementation adapts scoring's HistoryEncoder
 * ({@code encode(events, newestEventTime + 1 ms)}, {@code newestEventIds(n)}, {@code positionsOf(id)}). Must be
 * deterministic and thread-safe.
 */
public interface RequestEncoder {

  /** The encoded history, or an {@link IllegalArgumentException} when it cannot be encoded (e.g. nothing encodable). */
  Encoded encode(List<EmrEvent> history, long indexTimeMillis, int occlusions);

  /** Base input, the newest event ids (newest first), the number of events encoded and the occlusion candidates. */
  record Encoded(ModelInput input, List<String> newestEventIds, int eventCount, List<Occluded> occluded) {
    public Encoded {
      newestEventIds = List.copyOf(newestEventIds);
      occluded = List.copyOf(occluded);
    }
  }

  /** An event that can be occluded, and the positions of the base input that hold its tokens (ascending). */
  record Occluded(String eventId, List<Integer> positions) {
    public Occluded {
      positions = List.copyOf(positions);
    }
  }
}
