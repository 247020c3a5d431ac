package io.riskstream.topology;

import io.riskstream.schemas.EmrEvent;
import io.riskstream.scoring.encoder.EncodedHistory;
import io.riskstream.scoring.encoder.HistoryEncoder;
import java.util.ArrayList;
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
    List<Occluded> occluded = new ArrayList<>();
    for (String eventId : encoded.newestEventIds(occlusions)) {
      occluded.add(new Occluded(eventId, java.util.Arrays.stream(encoded.positionsOf(eventId)).boxed().toList()));
    }
    return new Encoded(encoded.input(), encoded.newestEventIds(PROVENANCE_EVENT_IDS), encoded.eventCount(),
        occluded);
  }
}
