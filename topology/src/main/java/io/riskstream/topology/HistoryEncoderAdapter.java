package io.riskstream.topology;

import io.riskstream.schemas.EmrEvent;
import io.riskstream.scoring.encoder.EncodedHistory;
import io.riskstream.scoring.encoder.HistoryEncoder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;

/** The serving {@link RequestEncoder}: scoring's {@link HistoryEncoder}, and the input positions of the newest events. */
public final class HistoryEncoderAdapter implements RequestEncoder {

  /** How many newest event ids a RiskScore's provenance lists. */
  static final int PROVENANCE_EVENT_IDS = 10;

  private final HistoryEncoder encoder;

  public HistoryEncoderAdapter(HistoryEncoder encoder) {
    this.encoder = encoder;
  }

  @Override
  public Encoded encode(List<EmrEvent> history, long indexTimeMillis, int occlusions) {
    EncodedHistory encoded = encoder.encode(history, indexTimeMillis);
    // one pass from the newest position: each event's positions, events in order of their newest position
    LinkedHashMap<String, List<Integer>> positions = new LinkedHashMap<>();
    List<String> ids = encoded.positionEventIds();
    for (int i = ids.size() - 1; i >= 0; i--) {
      String id = ids.get(i);
      if (id.isEmpty() || (positions.size() == occlusions && !positions.containsKey(id))) {
        continue;
      }
      positions.computeIfAbsent(id, x -> new ArrayList<>()).add(0, i);
    }
    List<Occluded> occluded = new ArrayList<>(positions.size());
    positions.forEach((id, at) -> occluded.add(new Occluded(id, at)));
    return new Encoded(encoded.input(), encoded.newestEventIds(PROVENANCE_EVENT_IDS), encoded.eventCount(),
        occluded);
  }
}
