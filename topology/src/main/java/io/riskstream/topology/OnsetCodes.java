package io.riskstream.topology;

import io.riskstream.schemas.EmrEvent;
import io.riskstream.schemas.EventKind;
import io.riskstream.schemas.EventOp;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * What an outcome's onset event is: a DIAGNOSIS UPSERT with one of the outcome's onset codes (the model's condition
 * codes, {@link ScoringBackend#onsetCodes()}, in outcome order), as training labels it ({@code DatasetBuilder}). The
 * one definition that calibration ({@code CalibrationLabeller}) and the alert policy (outcomes already diagnosed,
 * {@link ScoringRequest#diagnosed()}) use. Outcomes are given as bits of a {@code long} (bit k = outcome k), so a model
 * has at most {@value #MAX_OUTCOMES} outcomes. Immutable, pure.
 */
public final class OnsetCodes {

  /** The most outcomes a bit mask of outcomes holds. */
  public static final int MAX_OUTCOMES = Long.SIZE;

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

  /** The indexes of the outcomes in {@code bits}, ascending. */
  public static List<Integer> indexes(long bits) {
    List<Integer> out = new ArrayList<>(Long.bitCount(bits));
    for (long b = bits; b != 0; b &= b - 1) {
      out.add(Long.numberOfTrailingZeros(b));
    }
    return out;
  }
}
