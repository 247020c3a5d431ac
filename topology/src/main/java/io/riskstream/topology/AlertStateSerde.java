package io.riskstream.topology;

import java.io.IOException;
import java.util.Map;
import java.util.TreeMap;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;

/**
 * Store serde of {@link AlertState} (store {@code alert-state}): the outcomes in name order, each {@code name,
 * lastProbability (nullable), warningArmed, criticalArmed, lastAlertAt (nullable), lastSeverity (nullable)}.
 */
final class AlertStateSerde extends BinaryStoreSerde<AlertState> {

  AlertStateSerde() {
    super(AlertProcessor.STORE, AlertState.class);
  }

  @Override
  void write(AlertState s, BinaryEncoder out) throws IOException {
    Map<String, AlertState.Outcome> sorted = new TreeMap<>(s.outcomes());
    out.writeInt(sorted.size());
    for (Map.Entry<String, AlertState.Outcome> e : sorted.entrySet()) {
      AlertState.Outcome o = e.getValue();
      out.writeString(e.getKey());
      out.writeBoolean(o.lastProbability() != null);
      if (o.lastProbability() != null) {
        out.writeDouble(o.lastProbability());
      }
      out.writeBoolean(o.warningArmed());
      out.writeBoolean(o.criticalArmed());
      out.writeBoolean(o.lastAlertAt() != null);
      if (o.lastAlertAt() != null) {
        out.writeLong(o.lastAlertAt());
      }
      writeNullable(out, o.lastSeverity());
    }
  }

  @Override
  AlertState read(BinaryDecoder in) throws IOException {
    int n = in.readInt();
    Map<String, AlertState.Outcome> outcomes = new TreeMap<>();
    for (int i = 0; i < n; i++) {
      String name = in.readString();
      Double p = in.readBoolean() ? in.readDouble() : null;
      boolean warning = in.readBoolean();
      boolean critical = in.readBoolean();
      Long at = in.readBoolean() ? in.readLong() : null;
      String severity = readNullable(in);
      outcomes.put(name, new AlertState.Outcome(p, warning, critical, at, severity));
    }
    return new AlertState(outcomes);
  }
}
