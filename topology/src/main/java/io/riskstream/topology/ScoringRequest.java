package io.riskstream.topology;

import io.riskstream.schemas.EmrEvent;
import io.riskstream.schemas.EventKind;
import io.riskstream.schemas.EventOp;
import io.riskstream.scoring.ModelInput;
import io.riskstream.scoring.encoder.EncodedHistory;
import io.riskstream.scoring.encoder.HistoryEncoder;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A request to score one history version of a patient (value of the {@code scoring-pending} store until its
 * RiskScore is forwarded). {@code inputs.get(0)} is the history; each reason event (one of the newest events, for
 * the reasons of an alert) carries the positions of that input that hold its tokens, and {@link #occluded(int)}
 * derives the history without it when an alert needs reasons. Everything needed to score and explain is here, so a
 * restart re-submits it without reading the history again.
 *
 * <p>{@code birthTime}: the patient's birth (event time of the history's DEMOGRAPHICS event, epoch ms), or null when
 * the history has none (and in requests stored before it was kept), for the alert policy's age floor.
 *
 * <p>{@code diagnosed}: the outcomes (bit k = outcome k of the model) whose onset event ({@link OnsetCodes}) the history
 * holds or remembers ({@link OnsetCodes#remember}) at or before {@code asOf}; {@code deathTime}: the patient's death (end time of the DEMOGRAPHICS event, epoch
 * ms) or null. With them the alert policy withholds alerts for outcomes the patient already has and for a patient who
 * has died ({@link AlertDecision.Withheld}). Requests stored before they were kept carry 0 and null.
 *
 * <p>Stored requests of version 1 (before occlusion became lazy) hold every occluded input in {@code inputs} (one
 * per reason event after the base) and no positions; {@link #occluded(int)} returns those.
 */
public record ScoringRequest(String patientId, long historyVersion, long asOf, long timestamp, String txId,
    List<HistoryCommand.SourceOffset> sourceOffsets, int eventCount, List<String> newestEventIds,
    List<ModelInput> inputs, List<ReasonEvent> reasonEvents, Long birthTime, long diagnosed, Long deathTime) {

  /**
   * What an alert reason shows of an occluded event or group of events ({@link ReasonGroups}: the newest member's
   * id, kind, code, description and time, and the number of members), and the base input's positions that hold
   * their tokens. Count 0 (JSON entries of versions before grouping carry none) reads as one event.
   */
  public record ReasonEvent(String eventId, String kind, String codeSystem, String code, String description,
      long eventTime, List<Integer> positions, int count) {
    public ReasonEvent {
      positions = positions == null ? null : List.copyOf(positions);
      if (count < 0) {
        throw new IllegalArgumentException("a reason's event count must not be negative");
      }
      count = Math.max(1, count);
    }

    /** One event. */
    public ReasonEvent(String eventId, String kind, String codeSystem, String code, String description,
        long eventTime, List<Integer> positions) {
      this(eventId, kind, codeSystem, code, description, eventTime, positions, 1);
    }
  }

  public ScoringRequest {
    sourceOffsets = List.copyOf(sourceOffsets);
    newestEventIds = List.copyOf(newestEventIds);
    inputs = List.copyOf(inputs);
    reasonEvents = List.copyOf(reasonEvents);
    boolean lazy = inputs.size() == 1 && reasonEvents.stream().allMatch(r -> r.positions() != null);
    boolean stored = inputs.size() == reasonEvents.size() + 1;
    if (!lazy && !stored) {
      throw new IllegalArgumentException("a request holds the base input and either each reason event's positions or"
          + " one occluded input per reason event");
    }
  }

  /** A request with a known birth time (or null), no outcome diagnosed and no death. */
  public ScoringRequest(String patientId, long historyVersion, long asOf, long timestamp, String txId,
      List<HistoryCommand.SourceOffset> sourceOffsets, int eventCount, List<String> newestEventIds,
      List<ModelInput> inputs, List<ReasonEvent> reasonEvents, Long birthTime) {
    this(patientId, historyVersion, asOf, timestamp, txId, sourceOffsets, eventCount, newestEventIds, inputs,
        reasonEvents, birthTime, 0L, null);
  }

  /** A request without a known birth time. */
  public ScoringRequest(String patientId, long historyVersion, long asOf, long timestamp, String txId,
      List<HistoryCommand.SourceOffset> sourceOffsets, int eventCount, List<String> newestEventIds,
      List<ModelInput> inputs, List<ReasonEvent> reasonEvents) {
    this(patientId, historyVersion, asOf, timestamp, txId, sourceOffsets, eventCount, newestEventIds, inputs,
        reasonEvents, null);
  }

  /** Whether the history holds an onset of outcome {@code k} (model order) at or before {@code asOf}. */
  public boolean diagnosed(int k) {
    return diagnosed(diagnosed, k);
  }

  /** Whether outcome {@code k} is among the outcomes {@code bits} (bit k = outcome k). */
  public static boolean diagnosed(long bits, int k) {
    return k < OnsetCodes.MAX_OUTCOMES && (bits & (1L << k)) != 0;
  }

  /** Whether the patient died at or before {@code asOf}. */
  public boolean deceased() {
    return deceased(deathTime, asOf);
  }

  /** Whether a patient with death time {@code deathTime} (null: none) has died at or before {@code asOf}. */
  public static boolean deceased(Long deathTime, long asOf) {
    return deathTime != null && deathTime <= asOf;
  }

  /** The patient's age in years at {@code asOf}, or NaN when the birth time is unknown. */
  public double ageYears() {
    return birthTime == null ? Double.NaN : HistoryEncoder.ageYears(birthTime, asOf);
  }

  /**
   * The patient's birth: the event time of the history's DEMOGRAPHICS event (never evicted; the last one in history
   * order counts), or null when it has none.
   */
  public static Long birthTime(List<EmrEvent> history) {
    EmrEvent d = demographics(history);
    return d == null ? null : d.getEventTime().toEpochMilli();
  }

  /** The history's DEMOGRAPHICS event (the last UPSERT in history order), or null when it has none. */
  private static EmrEvent demographics(List<EmrEvent> history) {
    EmrEvent demographics = null;
    for (EmrEvent e : history) {
      if (e.getKind() == EventKind.DEMOGRAPHICS && e.getOp() == EventOp.UPSERT) {
        demographics = e;
      }
    }
    return demographics;
  }

  /**
   * The patient's death: the end time of the history's DEMOGRAPHICS event (the last one in history order counts), or
   * null when it has none or records no death.
   */
  public static Long deathTime(List<EmrEvent> history) {
    return deathTime(demographics(history));
  }

  private static Long deathTime(EmrEvent demographics) {
    return demographics == null || demographics.getEndTime() == null ? null
        : demographics.getEndTime().toEpochMilli();
  }

  /**
   * The request of a history version; {@code onsets} are the model's onset codes (the outcomes already diagnosed at
   * {@code asOf} are those whose onset events {@code history} holds or the history processor remembers,
   * {@code remembered}).
   */
  static ScoringRequest of(String patientId, long version, long asOf, HistoryCommand.Close close,
      RequestEncoder.Encoded enc, List<EmrEvent> history, List<EmrEvent> remembered, long timestamp,
      ReasonGroups groups, OnsetCodes onsets) {
    EmrEvent demographics = demographics(history);  // one pass for the birth and the death
    Long birth = demographics == null ? null : demographics.getEventTime().toEpochMilli();
    Map<String, EmrEvent> byId = new HashMap<>();
    java.util.Set<String> wanted = new java.util.HashSet<>();
    enc.occluded().forEach(o -> wanted.add(o.eventId()));
    for (int i = history.size() - 1; i >= 0 && byId.size() < wanted.size(); i--) {  // the newest events: from the end
      EmrEvent e = history.get(i);
      if (wanted.contains(e.getEventId())) {
        byId.put(e.getEventId(), e);
      }
    }
    return new ScoringRequest(patientId, version, asOf, timestamp, close.txId(), close.offsets(), enc.eventCount(),
        enc.newestEventIds(), List.of(enc.input()), groups.select(enc.occluded(), byId), birth,
        onsets.diagnosedBy(history, remembered, asOf), deathTime(demographics));
  }

  /** The history's input. */
  public ModelInput base() {
    return inputs.get(0);
  }

  /** The history without reason event {@code i}. */
  public ModelInput occluded(int i) {
    if (inputs.size() > 1) {
      return inputs.get(i + 1);
    }
    return EncodedHistory.withoutPositions(base(),
        reasonEvents.get(i).positions().stream().mapToInt(Integer::intValue).toArray());
  }

  /** Store key: patient id, then the zero-padded version, so that a patient's requests sort by version. */
  public String pendingKey() {
    return pendingKey(patientId, historyVersion);
  }

  public static String pendingKey(String patientId, long version) {
    return patientId + '\u0000' + String.format("%019d", version);
  }
}
