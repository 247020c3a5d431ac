package io.riskstream.topology;

import io.riskstream.schemas.EmrEvent;
import io.riskstream.scoring.ModelInput;
import java.util.ArrayList;
import java.util.List;

/**
 * Test double of the history encoder: one token per event before the index time, = the event's code when it is a
 * number in [1, 9999] else 9999; ages and recency 0. Keeps the newest {@link #MAX_LENGTH} events. An event occupies
 * one position (occlusion drops its token).
 */
public final class CodeTokenTestEncoder implements RequestEncoder {

  static final int MAX_LENGTH = 64;

  @Override
  public Encoded encode(List<EmrEvent> history, long indexTimeMillis, int occlusions) {
    List<EmrEvent> used = new ArrayList<>();
    for (EmrEvent e : history) {
      if (e.getEventTime().toEpochMilli() < indexTimeMillis) {
        used.add(e);
      }
    }
    if (used.size() > MAX_LENGTH) {
      used = used.subList(used.size() - MAX_LENGTH, used.size());
    }
    if (used.isEmpty()) {
      throw new IllegalArgumentException("no event before the index time");
    }
    List<String> newest = new ArrayList<>();
    for (int i = used.size() - 1; i >= 0; i--) {
      newest.add(used.get(i).getEventId());
    }
    List<Occluded> occluded = new ArrayList<>();
    for (int i = 0; i < Math.min(occlusions, newest.size()) && used.size() > 1; i++) {
      occluded.add(new Occluded(newest.get(i), List.of(used.size() - 1 - i)));
    }
    return new Encoded(input(used), newest, used.size(), occluded);
  }

  static long token(EmrEvent e) {
    try {
      long t = Long.parseLong(e.getCode());
      return t >= 1 && t <= 9999 ? t : 9999;
    } catch (NumberFormatException | NullPointerException x) {
      return 9999;
    }
  }

  private static ModelInput input(List<EmrEvent> events) {
    long[] tokens = new long[events.size()];
    for (int i = 0; i < tokens.length; i++) {
      tokens[i] = token(events.get(i));
    }
    return new ModelInput(tokens, new float[tokens.length], new float[tokens.length]);
  }
}
