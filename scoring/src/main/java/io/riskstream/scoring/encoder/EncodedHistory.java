package io.riskstream.scoring.encoder;

import io.riskstream.scoring.ModelInput;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;

/**
 * One encoded history: the model input, the eventId behind each position of it (same length as the input), and
 * the number of events of the history that the encoder used (UPSERT events strictly before the index time, before
 * truncation to the maximum length; demographics included).
 */
public record EncodedHistory(ModelInput input, List<String> positionEventIds, int eventCount) {

  public EncodedHistory {
    Objects.requireNonNull(input, "input");
    positionEventIds = List.copyOf(positionEventIds);
    if (positionEventIds.size() != input.length()) {
      throw new IllegalArgumentException("positionEventIds has " + positionEventIds.size() + " entries for an input of "
          + input.length());
    }
    if (eventCount < 0) {
      throw new IllegalArgumentException("eventCount must not be negative");
    }
  }

  /**
   * The input with every token of {@code eventId} removed (occlusion, for the reasons of an alert). When the event
   * is not in the input the input is returned as is; when it is the only event, the result is the single
   * {@code [OOV]} token (age 0, recency 0) that also encodes an empty history.
   */
  public ModelInput withoutEvent(String eventId) {
    return withoutPositions(input, positionsOf(eventId));
  }

  /** The positions of the input that hold {@code eventId}'s tokens, ascending (empty when it is not in the input). */
  public int[] positionsOf(String eventId) {
    return java.util.stream.IntStream.range(0, positionEventIds.size())
        .filter(i -> positionEventIds.get(i).equals(eventId)).toArray();
  }

  /**
   * {@code input} without the tokens at {@code positions} (ascending, distinct, within the input), as
   * {@link #withoutEvent} occludes an event: no positions gives the input itself, all of them the empty input. The
   * serving path keeps only the positions and derives the occluded input when it is needed.
   */
  public static ModelInput withoutPositions(ModelInput input, int[] positions) {
    int n = input.length();
    for (int k = 0; k < positions.length; k++) {
      if (positions[k] < 0 || positions[k] >= n || (k > 0 && positions[k] <= positions[k - 1])) {
        throw new IllegalArgumentException("positions must be ascending, distinct and within 0.." + (n - 1));
      }
    }
    if (positions.length == 0) {
      return input;
    }
    int keep = n - positions.length;
    if (keep == 0) {
      return HistoryEncoder.emptyInput();
    }
    long[] tokens = new long[keep];
    float[] ages = new float[keep];
    float[] recency = new float[keep];
    int j = 0;
    int next = 0;
    for (int i = 0; i < n; i++) {
      if (next < positions.length && positions[next] == i) {
        next++;
        continue;
      }
      tokens[j] = input.tokens()[i];
      ages[j] = input.ages()[i];
      recency[j] = input.recency()[i];
      j++;
    }
    return new ModelInput(tokens, ages, recency);
  }

  /** Up to {@code n} distinct event ids of the input, newest first. */
  public List<String> newestEventIds(int n) {
    LinkedHashSet<String> ids = new LinkedHashSet<>();
    for (int i = positionEventIds.size() - 1; i >= 0 && ids.size() < n; i--) {
      if (!positionEventIds.get(i).isEmpty()) {
        ids.add(positionEventIds.get(i));
      }
    }
    return new ArrayList<>(ids);
  }

  /** Counts only: event ids can carry patient identifiers (e.g. {@code patients:<id>}) and must not reach logs. */
  @Override
  public String toString() {
    return "EncodedHistory[length=" + input.length() + ", eventCount=" + eventCount + "]";
  }
}
