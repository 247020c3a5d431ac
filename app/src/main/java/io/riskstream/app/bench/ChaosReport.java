package io.riskstream.app.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The JSON document and the console summary of a {@link ChaosSoak.Result} (counts and ids, no patient data). */
public final class ChaosReport {

  private ChaosReport() {
  }

  /** The document: {@code context} (what ran where), then the options, the input, the faults and the comparison. */
  public static Map<String, Object> document(ChaosSoak.Result r, Map<String, Object> context) {
    Map<String, Object> doc = new LinkedHashMap<>(context);
    Map<String, Object> options = new LinkedHashMap<>();
    options.put("events", r.options().events());
    options.put("kills", r.options().kills());
    options.put("seed", r.options().seed());
    options.put("appConfig", r.options().appConfig());
    options.put("childJavaOptions", r.options().childJavaOptions());
    options.put("stallSeconds", r.options().stall().toSeconds());
    doc.put("options", options);
    Map<String, Object> input = new LinkedHashMap<>();
    input.put("patients", r.patients());
    input.put("changeEvents", r.events());
    input.put("transactions", r.transactions());
    doc.put("input", input);
    doc.put("killPoints", r.killPoints());
    doc.put("brokerFaultPoints", r.brokerFaultPoints());
    doc.put("pointsDefinition", "committed scores (read_committed) at which each fault is due; broker fault points"
        + " in order: stop the leader of emr-events-0, start it again, restart another broker");
    doc.put("faults", r.chaos().faults());
    doc.put("faultsDefinition", "atScores: the planned point; scoresThen: committed scores when it was done;"
        + " secondsIntoRun: since the run's first app JVM started; KILL: childUptimeSeconds, recoverySeconds = from the"
        + " SIGKILL to the next committed score of the new app JVM (its start, the group's session timeout for the"
        + " killed members, state restoration); broker faults: broker id and durationSeconds of the stop/start");
    doc.put("reference", r.reference());
    doc.put("chaos", r.chaos());
    Map<String, Object> counts = new LinkedHashMap<>();
    counts.put("referenceScores", r.comparison().scores().reference());
    counts.put("referenceAlerts", r.comparison().alerts().reference());
    counts.put("committedScoreRecords", r.comparison().scores().records());
    counts.put("committedAlertRecords", r.comparison().alerts().records());
    counts.put("deadLetters", r.reference().deadLetters() + r.chaos().deadLetters());
    counts.put("scores", r.comparison().scores());
    counts.put("alerts", r.comparison().alerts());
    counts.put("splitTransactions", r.comparison().splitTransactions());
    counts.put("splitScorePositions", r.comparison().splitPositions());
    doc.put("counts", counts);
    doc.put("countsDefinition", "by scoreId / alertId against the fault-free reference: lost = in the reference,"
        + " never committed; duplicated = committed records beyond the first of an id; extra = committed ids the"
        + " reference lacks; lostFromSplits / extraFromSplits = of those, scores of a (patient, transaction) that the"
        + " two runs scored under different scoreIds (a transaction closed in parts in one of them), or alerts on such"
        + " a score; differing = same id, other contents, of which differingProbabilities = probabilities differ (the"
        + " rest: provenance only, e.g. the later part of a split transaction)");
    doc.put("complete", r.reference().complete() && r.chaos().complete());
    doc.put("identical", r.comparison().identical());
    doc.put("pass", r.passed());
    doc.put("seconds", r.seconds());
    return doc;
  }

  /** A few lines for the console. */
  public static List<String> summary(ChaosSoak.Result r) {
    List<String> out = new ArrayList<>();
    ChaosComparison.Counts s = r.comparison().scores();
    ChaosComparison.Counts a = r.comparison().alerts();
    List<ChaosSoak.Fault> faults = r.chaos().faults();
    out.add(String.format(Locale.ROOT, "input: %d patients, %d change events, %d transactions; %d kills and %d broker"
        + " faults done of %d planned; %d app JVMs, %d ended on their own (reference run: %d)", r.patients(),
        r.events(), r.transactions(), faults.stream().filter(f -> f.type() == ChaosSoak.FaultType.KILL).count(),
        faults.stream().filter(f -> f.type() != ChaosSoak.FaultType.KILL).count(),
        r.killPoints().size() + r.brokerFaultPoints().size(), r.chaos().children(),
        r.chaos().unexpectedExits().size(), r.reference().unexpectedExits().size()));
    java.util.DoubleSummaryStatistics recovery = faults.stream()
        .filter(f -> f.type() == ChaosSoak.FaultType.KILL && f.recoverySeconds() != null)
        .mapToDouble(ChaosSoak.Fault::recoverySeconds).summaryStatistics();
    if (recovery.getCount() > 0) {
      out.add(String.format(Locale.ROOT, "kill -> next committed score: mean %.1f s, max %.1f s", recovery.getAverage(),
          recovery.getMax()));
    }
    out.add(line("scores", s));
    out.add(line("alerts", a));
    if (r.comparison().splitTransactions() > 0) {
      out.add(String.format(Locale.ROOT, "%d transactions were scored under other scoreIds in one of the runs"
          + " (closed in parts: the idle flush); the run's extra parts at committed scores %s",
          r.comparison().splitTransactions(), r.comparison().splitPositions()));
    }
    out.add(String.format(Locale.ROOT, "transactions closed by rule (last app JVM of each run): reference %s, run with"
        + " faults %s", r.reference().lastJvmTriggerCloses(), r.chaos().lastJvmTriggerCloses()));
    out.add(String.format(Locale.ROOT, "seconds: %s", r.seconds().entrySet().stream()
        .map(e -> e.getKey() + " " + String.format(Locale.ROOT, "%.0f", e.getValue())).toList()));
    long dead = r.reference().deadLetters() + r.chaos().deadLetters();
    out.add((r.passed() ? "PASS" : "FAIL") + ": " + (r.comparison().identical() ? "identical to the reference"
        : "differs from the reference") + (r.reference().complete() && r.chaos().complete() ? ""
        : "; INCOMPLETE (a run stalled)") + (dead == 0 ? "" : "; " + dead + " dead letters"));
    return out;
  }

  private static String line(String what, ChaosComparison.Counts c) {
    return String.format(Locale.ROOT, "%s: reference %d, committed %d records; matched %d, lost %d (split %d),"
        + " duplicated %d, extra %d (split %d), differing %d (probabilities %d)", what, c.reference(), c.records(),
        c.matched(), c.lost(), c.lostFromSplits(), c.duplicated(), c.extra(), c.extraFromSplits(), c.differing(),
        c.differingProbabilities());
  }
}
