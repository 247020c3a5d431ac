package io.riskstream.topology;

import io.riskstream.schemas.EmrEvent;
import io.riskstream.schemas.EventKind;
import io.riskstream.schemas.EventOp;
import io.riskstream.schemas.SourceCoordinates;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * What an outcome's onset event is: a DIAGNOSIS UPSERT with one of the outcome's onset codes (the model's condition
 * codes, {@link ScoringBackend#onsetCodes()}, in outcome order), as training labels it ({@code DatasetBuilder}). The
 * one definition that calibration ({@code CalibrationLabeller}) and the alert policy (outcomes already diagnosed,
 * {@link ScoringRequest#diagnosed()}, from the history and the onset events remembered beyond its bound,
 * {@link #remember}) use. Outcomes are given as bits of a {@code long} (bit k = outcome k), so a model
 * has at most {@value #MAX_OUTCOMES} outcomes. Immutable, pure.
 */
public final class OnsetCodes {

  /** The most outcomes a bit mask of outcomes holds. */
  public static final int MAX_OUTCOMES = Long.SIZE;
  /** Onset events remembered per outcome beyond the bounded history: the earliest few (deletions need a spare). */
  public static final int REMEMBERED_PER_OUTCOME = 4;

  private final List<Set<String>> codes;

  /** @param onsetCodes each outcome's onset codes (an outcome without codes has no onset) */
  public OnsetCodes(List<List<String>> onsetCodes) {
    if (onsetCodes.size() > MAX_OUTCOMES) {
      throw new IllegalArgumentException("a model may have at most " + MAX_OUTCOMES + " outcomes, this one has "
          + onsetCodes.size());
    }
    this.codes = onsetCodes.stream().map(Set::copyOf).toList();
  }

  /** The onset codes of {@code backend}'s outcomes. */
  public static OnsetCodes of(ScoringBackend backend) {
    return new OnsetCodes(backend.onsetCodes());
  }

  /** Number of outcomes. */
  public int size() {
    return codes.size();
  }

  /** Whether any outcome has onset codes. */
  public boolean any() {
    return codes.stream().anyMatch(c -> !c.isEmpty());
  }

  /** Whether outcome {@code k} has onset codes. */
  public boolean has(int k) {
    return !codes.get(k).isEmpty();
  }

  /** The outcomes (bits) whose onset {@code e} is: 0 unless it is a DIAGNOSIS UPSERT with one of their codes. */
  public long outcomesOf(EmrEvent e) {
    if (e.getOp() != EventOp.UPSERT || e.getKind() != EventKind.DIAGNOSIS || e.getCode() == null) {
      return 0;
    }
    long bits = 0;
    for (int k = 0; k < codes.size(); k++) {
      if (codes.get(k).contains(e.getCode())) {
        bits |= 1L << k;
      }
    }
    return bits;
  }

  /**
   * The outcomes (bits) with an onset event in {@code history} or {@code remembered} (see {@link #remember}) at or
   * before {@code asOf} (epoch ms): the outcomes the patient already has at that time.
   */
  public long diagnosedBy(List<EmrEvent> history, List<EmrEvent> remembered, long asOf) {
    return diagnosedBy(history, asOf) | diagnosedBy(remembered, asOf);
  }

  /**
   * The outcomes (bits) with an onset event in {@code history} at or before {@code asOf} (epoch ms): the outcomes the
   * patient already has at that time, as far as the history holds them.
   */
  public long diagnosedBy(List<EmrEvent> history, long asOf) {
    long bits = 0;
    for (EmrEvent e : history) {
      if (e.getEventTime().toEpochMilli() <= asOf) {
        bits |= outcomesOf(e);
      }
    }
    return bits;
  }

  /**
   * The onset events to remember after {@code e}, given those remembered before ({@code known}, in
   * {@link PatientHistory#ORDER}): an onset event is added (or replaces the one of its id), a DELETE of a remembered one
   * or an UPSERT of its id that is no onset any more removes it; per outcome the earliest
   * {@value #REMEMBERED_PER_OUTCOME} are kept. Returns {@code known} itself when nothing changed. The history is
   * bounded ({@code history.max.events}, {@code .max.age.days}) and evicts old diagnoses; what is remembered here
   * keeps an outcome diagnosed after its onset event left the history.
   */
  public List<EmrEvent> remember(List<EmrEvent> known, EmrEvent e) {
    long bits = outcomesOf(e);
    boolean knownId = known.stream().anyMatch(o -> o.getEventId().equals(e.getEventId()));
    if (bits == 0 && !knownId) {
      return known;
    }
    List<EmrEvent> next = new ArrayList<>(known.size() + 1);
    for (EmrEvent o : known) {
      if (!o.getEventId().equals(e.getEventId())) {
        next.add(o);
      }
    }
    if (bits != 0) {
      next.add(fact(e));
      next.sort(PatientHistory.ORDER);
    }
    int[] kept = new int[codes.size()];
    List<EmrEvent> out = new ArrayList<>(next.size());
    for (EmrEvent o : next) {
      boolean keep = false;
      for (int k : indexes(outcomesOf(o))) {
        keep |= kept[k]++ < REMEMBERED_PER_OUTCOME;
      }
      if (keep) {
        out.add(o);
      }
    }
    return out.equals(known) ? known : List.copyOf(out);
  }

  /**
   * What is remembered of an onset event: its id, op, kind, time, code system and code, and its source's system and
   * table; no text or value, so that {@value #REMEMBERED_PER_OUTCOME} per outcome of a model with
   * {@value #MAX_OUTCOMES} outcomes, every field at its bound, stay far under a store value's 1 MiB.
   */
  static EmrEvent fact(EmrEvent e) {
    return EmrEvent.newBuilder().setPatientId(e.getPatientId()).setEventId(e.getEventId()).setOp(e.getOp())
        .setKind(e.getKind()).setEventTime(e.getEventTime()).setCodeSystem(e.getCodeSystem()).setCode(e.getCode())
        .setSource(SourceCoordinates.newBuilder().setSystem(e.getSource().getSystem())
            .setTable(e.getSource().getTable()).build())
        .build();
  }

  /**
   * The onset codes of two models' outcomes side by side ({@code first}'s, then {@code second}'s): what the history
   * remembers for a production and a shadow model. Outcome bits of the result are not either model's.
   */
  public static OnsetCodes both(OnsetCodes first, OnsetCodes second) {
    if (first.size() + second.size() > MAX_OUTCOMES) {
      throw new IllegalArgumentException("the production and the shadow model have " + (first.size() + second.size())
          + " outcomes together; the history remembers the onsets of at most " + MAX_OUTCOMES);
    }
    List<List<String>> all = new ArrayList<>();
    first.codes.forEach(c -> all.add(List.copyOf(c)));
    second.codes.forEach(c -> all.add(List.copyOf(c)));
    return new OnsetCodes(all);
  }

  /** The indexes of the outcomes in {@code bits}, ascending. */
  public static List<Integer> indexes(long bits) {
    List<Integer> out = new ArrayList<>(Long.bitCount(bits));
    for (long b = bits; b != 0; b &= b - 1) {
      out.add(Long.numberOfTrailingZeros(b));
    }
    return out;
  }
}
