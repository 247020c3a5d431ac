package io.riskstream.topology;

import java.util.Map;
import java.util.TreeMap;

/** A patient's alert state per outcome (value of the {@code alert-state} store). Immutable. */
public record AlertState(Map<String, Outcome> outcomes) {

  /**
   * One outcome: the probability at the previous score, whether each severity is armed, and the event time and
   * severity of the last alert raised or withheld ({@link AlertDecision.Withheld}; null when none).
   */
  public record Outcome(Double lastProbability, boolean warningArmed, boolean criticalArmed, Long lastAlertAt,
      String lastSeverity) {

    public static Outcome initial() {
      return new Outcome(null, true, true, null, null);
    }
  }

  public AlertState {
    outcomes = Map.copyOf(outcomes);
  }

  public static AlertState empty() {
    return new AlertState(Map.of());
  }

  public Outcome outcome(String name) {
    return outcomes.getOrDefault(name, Outcome.initial());
  }

  public AlertState with(String name, Outcome o) {
    Map<String, Outcome> m = new TreeMap<>(outcomes);
    m.put(name, o);
    return new AlertState(m);
  }
}
