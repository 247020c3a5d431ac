package io.riskstream.topology;

import io.riskstream.schemas.EmrEvent;
import io.riskstream.scoring.ModelInput;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A request to score one history version of a patient (value of the {@code scoring-pending} store until its
 * RiskScore is forwarded). {@code inputs.get(0)} is the history; {@code inputs.get(i)} for i ≥ 1 is the history
 * without {@code reasonEvents.get(i - 1)} (occlusion, for alert reasons). Everything needed to score and explain is
 * here, so a restart re-submits it without reading the history again.
 */
public record ScoringRequest(String patientId, long historyVersion, long asOf, long timestamp, String txId,
    List<HistoryCommand.SourceOffset> sourceOffsets, int eventCount, List<String> newestEventIds,
    List<ModelInput> inputs, List<ReasonEvent> reasonEvents) {

  /** What an alert reason shows of an occluded event. */
  public record ReasonEvent(String eventId, String kind, String codeSystem, String code, String description, long eventTime) {
  }

  public ScoringRequest {
    sourceOffsets = List.copyOf(sourceOffsets);
    newestEventIds = List.copyOf(newestEventIds);
    inputs = List.copyOf(inputs);
    reasonEvents = List.copyOf(reasonEvents);
    if (inputs.size() != reasonEvents.size() + 1) {
      throw new IllegalArgumentException("one input per reason event plus the base input expected");
    }
  }

  static ScoringRequest of(String patientId, long version, long asOf, HistoryCommand.Close close,
      RequestEncoder.Encoded enc, List<EmrEvent> history, long timestamp) {
    Map<String, EmrEvent> byId = new HashMap<>();
    for (EmrEvent e : history) {
      byId.put(e.getEventId(), e);
    }
    List<ModelInput> inputs = new ArrayList<>();
    inputs.add(enc.input());
    List<ReasonEvent> reasons = new ArrayList<>();
    for (RequestEncoder.Occluded o : enc.occluded()) {
      EmrEvent e = byId.get(o.eventId());
      if (e == null) {
        throw new IllegalStateException("encoder occluded an event that is not in the history");
      }
      inputs.add(o.input());
      reasons.add(new ReasonEvent(e.getEventId(), e.getKind().name(), e.getCodeSystem(), e.getCode(),
          e.getDescription(), e.getEventTime().toEpochMilli()));
    }
    return new ScoringRequest(patientId, version, asOf, timestamp, close.txId(), close.offsets(), enc.eventCount(),
        enc.newestEventIds(), inputs, reasons);
  }

  /** Store key: patient id, then the zero-padded version, so that a patient's requests sort by version. */
  public String pendingKey() {
    return pendingKey(patientId, historyVersion);
  }

  public static String pendingKey(String patientId, long version) {
    return patientId + '\u0000' + String.format("%019d", version);
  }
}
