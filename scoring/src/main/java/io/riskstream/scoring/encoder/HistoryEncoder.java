package io.riskstream.scoring.encoder;

import io.riskstream.schemas.EmrEvent;
import io.riskstream.schemas.EventKind;
import io.riskstream.scoring.ModelInput;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Turns a patient's events up to an index time into a {@link ModelInput}; the same code builds training data and
 * serving inputs.
 *
 * <ul>
 *   <li>Only UPSERT events with {@code eventTime < indexTime} enter (strictly before: no leakage), ordered by
 *       (eventTime, eventId), oldest first.</li>
 *   <li>Demographics (when born before the index time) give {@code sex:<gender>} and the age band at the index time
 *       ({@code age:<lo>-<hi>}), always at positions 0 and 1 with age = age at index and recency 0, so they survive
 *       truncation.</li>
 *   <li>An encounter gives {@code enc:<class>} then {@code encounter:<system>:<code>}; diagnoses, medications and
 *       procedures {@code <kind>:<system>:<code>}; a numeric observation {@code obs:<loinc>:bin<k>} ({@code
 *       obs:<loinc>} when the code has no bins); a text observation {@code obs:<loinc>:<text>} when that token is in
 *       the vocabulary, else {@code obs:<loinc>}. Tokens not in the vocabulary are 1 ({@code [OOV]}).</li>
 *   <li>Events with a code the spec excludes ({@link EncoderSpec#excludedCodes()}) give no token.</li>
 *   <li>When there are more than L tokens the oldest event tokens are dropped (the newest L - 2 are kept beside the
 *       two demographic tokens).</li>
 *   <li>{@code ages[i]} = age in years at the event / ageScale; {@code recency[i]} = log1p(days from the event to the
 *       index time) / recencyScale.</li>
 *   <li>A history with nothing before the index time encodes as the single token {@code [OOV]} with position event
 *       id "" (the model contract has no empty inputs).</li>
 * </ul>
 * Thread-safe and immutable.
 */
public final class HistoryEncoder {

  static final double MILLIS_PER_DAY = 86_400_000.0;
  static final double DAYS_PER_YEAR = 365.25;

  private final EncoderSpec spec;

  public HistoryEncoder(EncoderSpec spec) {
    this.spec = Objects.requireNonNull(spec, "spec");
  }

  public EncoderSpec spec() {
    return spec;
  }

  public EncodedHistory encode(List<EmrEvent> events, long indexTimeMillis) {
    return encode(PreparedHistory.of(events), indexTimeMillis);
  }

  /**
   * Encodes the whole history, as the stream scores it: the index time is 1 ms after the newest event's time (so
   * every UPSERT event enters; that newest time is the score's {@code asOf}, see {@link #asOf(PreparedHistory)}).
   */
  public EncodedHistory encodeLatest(List<EmrEvent> events) {
    PreparedHistory history = PreparedHistory.of(events);
    return encode(history, asOf(history) + 1);
  }

  /** Time of the newest UPSERT event (demographics included: birth), or {@code Long.MIN_VALUE + 1} when none. */
  public static long asOf(PreparedHistory history) {
    long newest = Long.MIN_VALUE + 1;
    if (!history.events().isEmpty()) {
      newest = history.events().get(history.events().size() - 1).getEventTime().toEpochMilli();
    }
    if (history.demographics() != null) {
      newest = Math.max(newest, history.demographics().getEventTime().toEpochMilli());
    }
    return newest;
  }

  /** As {@link #encode(List, long)}, for a history prepared once and encoded at many index times. */
  public EncodedHistory encode(PreparedHistory history, long indexTimeMillis) {
    int cut = history.countBefore(indexTimeMillis);
    EmrEvent demographics = history.demographics();
    if (demographics != null && demographics.getEventTime().toEpochMilli() >= indexTimeMillis) {
      demographics = null;
    }
    int eventCount = cut + (demographics == null ? 0 : 1);
    int budget = spec.maxLength() - (demographics == null ? 0 : 2);

    // Walk back from the newest event before the index time until the budget is spent.
    List<String> revTokens = new ArrayList<>();
    List<EmrEvent> revEvents = new ArrayList<>();
    for (int i = cut - 1; i >= 0 && revTokens.size() < budget; i--) {
      EmrEvent e = history.events().get(i);
      List<String> tokens = eventTokens(spec, e);
      for (int t = tokens.size() - 1; t >= 0 && revTokens.size() < budget; t--) {
        revTokens.add(tokens.get(t));
        revEvents.add(e);
      }
    }
    int n = revTokens.size() + (demographics == null ? 0 : 2);
    if (n == 0) {
      return new EncodedHistory(emptyInput(), List.of(""), eventCount);
    }
    long[] tokens = new long[n];
    float[] ages = new float[n];
    float[] recency = new float[n];
    List<String> ids = new ArrayList<>(n);
    int p = 0;
    Long birth = null;
    if (demographics != null) {
      birth = demographics.getEventTime().toEpochMilli();
      double ageAtIndex = years(indexTimeMillis - birth);
      float age = (float) (ageAtIndex / spec.ageScale());
      tokens[p] = spec.tokenId(Tokens.sex(demographics.getCode()));
      tokens[p + 1] = spec.tokenId(Tokens.ageBand(spec.ageBands(), ageAtIndex));
      ages[p] = age;
      ages[p + 1] = age;
      ids.add(demographics.getEventId());
      ids.add(demographics.getEventId());
      p += 2;
    }
    for (int r = revTokens.size() - 1; r >= 0; r--, p++) {
      EmrEvent e = revEvents.get(r);
      long t = e.getEventTime().toEpochMilli();
      tokens[p] = spec.tokenId(revTokens.get(r));
      ages[p] = birth == null ? 0f : (float) (Math.max(0.0, years(t - birth)) / spec.ageScale());
      double days = Math.max(0.0, (indexTimeMillis - t) / MILLIS_PER_DAY);
      recency[p] = (float) (Math.log1p(days) / spec.recencyScale());
      ids.add(e.getEventId());
    }
    return new EncodedHistory(new ModelInput(tokens, ages, recency), ids, eventCount);
  }

  static ModelInput emptyInput() {
    return new ModelInput(new long[] {Tokens.OOV_ID}, new float[] {0f}, new float[] {0f});
  }

  private static double years(long millis) {
    return millis / MILLIS_PER_DAY / DAYS_PER_YEAR;
  }

  /** Age in years at {@code atMillis} of a patient born at {@code birthMillis}, as the encoder counts it. */
  public static double ageYears(long birthMillis, long atMillis) {
    return years(atMillis - birthMillis);
  }

  /** The token strings of one non-demographic event, in position order; none for a code the spec excludes. */
  static List<String> eventTokens(EncoderSpec spec, EmrEvent e) {
    if (spec.excludes(e)) {
      return List.of();
    }
    switch (e.getKind()) {
      case ENCOUNTER:
        return List.of(Tokens.encounterClass(e), Tokens.coded(e));
      case DIAGNOSIS:
      case MEDICATION:
      case PROCEDURE:
        return List.of(Tokens.coded(e));
      case OBSERVATION:
        if (Tokens.hasNumericValue(e)) {
          int bin = e.getCode() == null ? -1 : spec.bin(e.getCode(), e.getValue());
          return List.of(bin < 0 ? Tokens.observation(e) : Tokens.observationBin(e, bin));
        }
        if (Tokens.hasTextValue(e)) {
          String text = Tokens.observationText(e);
          return List.of(spec.inVocabulary(text) ? text : Tokens.observation(e));
        }
        return List.of(Tokens.observation(e));
      default:
        return List.of();
    }
  }

  /** The tokens an event may produce, counted when fitting the vocabulary (text values: both candidates). */
  static List<String> candidateTokens(EncoderSpec spec, EmrEvent e) {
    if (e.getKind() != EventKind.DEMOGRAPHICS && spec.excludes(e)) {
      return List.of();
    }
    switch (e.getKind()) {
      case DEMOGRAPHICS:
        return List.of(Tokens.sex(e.getCode()));
      case OBSERVATION:
        if (!Tokens.hasNumericValue(e) && Tokens.hasTextValue(e)) {
          return List.of(Tokens.observationText(e), Tokens.observation(e));
        }
        return eventTokens(spec, e);
      default:
        return eventTokens(spec, e);
    }
  }
}
