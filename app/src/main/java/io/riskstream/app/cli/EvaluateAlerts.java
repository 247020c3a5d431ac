package io.riskstream.app.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.riskstream.app.evaluate.AlertBurden;
import io.riskstream.app.evaluate.AlertEvaluation;
import io.riskstream.app.evaluate.CohortReplay;
import io.riskstream.app.evaluate.PatientTimeline;
import io.riskstream.app.evaluate.StreamReplay;
import io.riskstream.app.evaluate.StreamingOperatingPoints;
import io.riskstream.app.evaluate.TimelineFile;
import io.riskstream.schemas.EmrEvent;
import io.riskstream.scoring.encoder.OutcomeSpec;
import io.riskstream.scoring.eval.OperatingPoints;
import io.riskstream.scoring.model.ModelBundle;
import io.riskstream.scoring.model.OperatingPoint;
import io.riskstream.scoring.onnx.OnnxRuntimeScorer;
import io.riskstream.topology.config.AlertPolicy;
import io.riskstream.topology.config.RiskStreamConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.config.ConfigException;

/**
 * {@code riskstream evaluate --alerts}: the stream's alert policy over each patient's scored timeline
 * ({@link StreamReplay}, {@link AlertEvaluation}), per outcome and policy (the model card's, then each
 * {@code --policy} file's), as JSON and a PNG; with {@code --operating-points}, thresholds for the streaming policy
 * ({@link StreamingOperatingPoints}) written as JSON and, with {@code --card}, into the model card.
 */
final class EvaluateAlerts {

  /** The one key of a policy file that is not a configuration key: the minimum age to apply instead of the card's. */
  static final String MIN_AGE_KEY = "population.min.age.years";

  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  /** What the evaluate command was given. */
  record Options(Path cohort, String model, Path out, Path png, List<Path> policies, int workers, int batchSize,
      int bootstrap, long seed, Path operatingPointsOut, Path card, OperatingPoints.Target target, int parts,
      Path timelinesIn, Path timelinesOut) {
  }

  private EvaluateAlerts() {
  }

  static int run(Options o, PrintWriter console) throws IOException, InterruptedException {
    ModelBundle bundle = ModelBundle.load(o.model());
    RiskStreamConfig defaults = new RiskStreamConfig(Map.of());
    Map<String, Named> policies = new LinkedHashMap<>();
    policies.put("model card", new Named("model card", "the model card's operating points, the alert.* defaults and"
        + " the card's minimum age, as `run` and `demo` apply them",
        defaults.alertPolicy().withOperatingPoints(bundle.operatingPoints()).withMinimumAge(bundle.minimumAgeYears())));
    for (Path file : o.policies()) {
      Named p = policy(file, bundle);
      if (policies.containsKey(p.name())) {
        throw new BadInputException("--policy " + file + ": a policy named " + p.name() + " was given already");
      }
      policies.put(p.name(), p);
    }
    List<PatientTimeline> timelines = new ArrayList<>();
    long started = System.nanoTime();
    String cohortPath = o.cohort().toAbsolutePath().normalize().toString();
    if (o.timelinesIn() != null) {
      if (!Files.isRegularFile(o.timelinesIn())) {
        throw new BadInputException("--timelines " + o.timelinesIn() + " is not a file");
      }
      TimelineFile.Header h;
      try {
        h = TimelineFile.read(o.timelinesIn(), timelines);
      } catch (IOException e) {
        throw new BadInputException("--timelines: " + e.getMessage());
      }
      if (!h.modelSha256().equals(bundle.sha256()) || !h.cohort().equals(cohortPath)) {
        throw new BadInputException("--timelines " + o.timelinesIn() + " was scored from " + h.cohort()
            + " with model sha256 " + h.modelSha256() + ", not from " + cohortPath + " with " + bundle.name() + " ("
            + bundle.sha256() + ")");
      }
      console.printf("read %d scored timelines from %s%n", timelines.size(), o.timelinesIn());
    } else {
      scoreCohort(o, bundle, defaults, timelines, console);
      if (o.timelinesOut() != null) {
        TimelineFile.write(o.timelinesOut(), new TimelineFile.Header(bundle.sha256(), cohortPath), timelines);
        console.println("wrote the scored timelines to " + o.timelinesOut());
      }
    }
    timelines.sort(java.util.Comparator.comparing(PatientTimeline::patientId));
    int patientCount = timelines.size();
    double seconds = (System.nanoTime() - started) / 1e9;
    List<OutcomeSpec> outcomes = bundle.outcomes();
    List<StreamingOperatingPoints.Choice> choices = null;
    if (o.operatingPointsOut() != null) {
      List<PatientTimeline> selection = new ArrayList<>();
      List<PatientTimeline> check = new ArrayList<>();
      for (PatientTimeline t : timelines) {
        (EvaluateCommand.selection(t.patientId()) ? selection : check).add(t);
      }
      AlertPolicy base = policies.get("model card").policy();
      choices = new ArrayList<>();
      Map<String, OperatingPoint> chosen = new LinkedHashMap<>();
      for (int k = 0; k < outcomes.size(); k++) {
        StreamingOperatingPoints.Choice c = StreamingOperatingPoints.choose(selection, check, k, outcomes.get(k), base,
            o.target(), o.bootstrap(), o.seed() + k);
        choices.add(c);
        chosen.put(c.outcome(), new OperatingPoint(c.warningThreshold(), c.criticalThreshold()));
      }
      policies.put("chosen", new Named("chosen", "the streaming operating points this run chose (--operating-points),"
          + " on every patient", defaults.alertPolicy().withOperatingPoints(chosen)
          .withMinimumAge(bundle.minimumAgeYears())));
    }
    List<AlertEvaluation.PolicyResult> results = new ArrayList<>();
    for (Named p : policies.values()) {
      results.add(AlertEvaluation.evaluate(p.name(), p.source(), p.policy(), timelines, outcomes, o.bootstrap(),
          o.seed()));
    }
    long scores = timelines.stream().mapToLong(PatientTimeline::size).sum();
    double years = timelines.stream().mapToDouble(PatientTimeline::years).sum();
    Map<String, Object> report = new LinkedHashMap<>();
    report.put("model", Map.of("name", bundle.name(), "version", bundle.version(), "sha256", bundle.sha256(),
        "min_age_years", bundle.minimumAgeYears()));
    report.put("data", data(o, patientCount, scores, years, seconds));
    report.put("definitions", definitions());
    report.put("policies", results);
    Map<String, Object> block = null;
    if (choices != null) {
      block = cardBlock(o, choices, patientCount, scores, years, defaults);
      report.put("operating_points", block);
    }
    String json = JSON.writeValueAsString(report);
    if (o.out() != null) {
      EvaluateCommand.write(o.out(), json);
      console.println("wrote " + o.out());
    } else {
      console.println(json);
    }
    printSummary(console, results, outcomes);
    Path png = o.png() != null ? o.png() : o.out() != null ? siblingPng(o.out()) : null;
    if (png != null) {
      String why;
      try {
        why = AlertEvaluationPlot.write(results, outcomes, bundle.name() + " on " + o.cohort().getFileName()
            + ": the stream's alert policy over " + patientCount + " patients", png);
      } catch (NoClassDefFoundError e) {
        why = "the plotting library is not on the class path (the production artifact lacks lib-dev)";
      }
      console.println(why == null ? "wrote " + png : "warning: no PNG (" + why + "); the JSON has every figure");
    }
    if (choices != null) {
      EvaluateCommand.write(o.operatingPointsOut(), JSON.writeValueAsString(block));
      for (StreamingOperatingPoints.Choice c : choices) {
        console.printf(Locale.ROOT, "operating point %-26s warning %.4f  critical %.4f%s  (check: %.2f alerts per 100"
            + " patient-years, sensitivity %s, PPV %s)%n", c.outcome(), c.warningThreshold(), c.criticalThreshold(),
            c.ppvFloorMet() ? "" : " [PPV floor not reached]", c.check().alertsPer100PatientYears().estimate(),
            ratio(c.check().sensitivity().estimate()), ratio(c.check().ppv().estimate()));
      }
      if (o.card() != null) {
        ModelCardOperatingPoints.write(o.card(), block, StreamingCardSection.section(block, choices, o.target()));
        console.println("wrote the operating points into " + o.card().resolve("model-card.json") + " and model-card.md");
      }
    }
    console.flush();
    return 0;
  }

  /** Scores every patient's timeline, reading the cohort in parts of patients. */
  private static void scoreCohort(Options o, ModelBundle bundle, RiskStreamConfig defaults,
      List<PatientTimeline> timelines, PrintWriter console) throws IOException, InterruptedException {
    int parts = o.parts() > 0 ? o.parts() : parts(o.cohort());
    try (OnnxRuntimeScorer scorer = new OnnxRuntimeScorer(bundle, OnnxRuntimeScorer.Options.defaults())) {
      StreamReplay replay = new StreamReplay(bundle, scorer, defaults.getInt(RiskStreamConfig.HISTORY_MAX_EVENTS_CONFIG),
          java.time.Duration.ofDays(defaults.getInt(RiskStreamConfig.HISTORY_MAX_AGE_DAYS_CONFIG)), o.batchSize());
      CohortReplay.Progress progress = new CohortReplay.Progress();
      for (int part = 0; part < parts; part++) {
        int p = part;
        // one part of the patients at a time: only its events are held (the timelines are small)
        Map<String, List<EmrEvent>> patients = CohortReading.read(o.cohort(), console,
            id -> Math.floorMod(id.hashCode(), parts) == p);
        console.printf("scoring every transaction of %d patients (part %d of %d) with %s on %d worker threads%n",
            patients.size(), part + 1, parts, bundle.name(), o.workers());
        console.flush();
        int total = progress.patients() + patients.size();
        timelines.addAll(new CohortReplay(replay, o.workers(), 10).score(patients, console, progress, total));
        progress.print(console, total, 0, true);
      }
    }
  }

  /**
   * How many parts to read the cohort in so that one part's events fit the heap: about four times the CSV bytes of
   * a part per byte of maximum heap (a read event takes about that much more than its CSV row). Estimated by hand:
   * the reader holds every event of a part until it is scored.
   */
  static int parts(Path cohort) throws IOException {
    if (!Files.isDirectory(cohort)) {
      throw new BadInputException("--cohort " + cohort + " is not a directory");  // as CohortReading says it
    }
    long bytes = 0;
    try (var files = Files.list(cohort)) {
      for (Path f : files.filter(f -> f.toString().endsWith(".csv")).toList()) {
        bytes += Files.size(f);
      }
    }
    return (int) Math.max(1, Math.ceil(4.0 * bytes / Runtime.getRuntime().maxMemory()));
  }

  /** A policy to evaluate: its name, where it came from and the policy. */
  record Named(String name, String source, AlertPolicy policy) {
  }

  /**
   * A {@code --policy} file: alert.* keys (over the defaults and the model card, as `run` reads them) and optionally
   * {@value #MIN_AGE_KEY}; named after the file.
   */
  static Named policy(Path file, ModelBundle bundle) throws IOException {
    if (!Files.isRegularFile(file)) {
      throw new BadInputException("--policy " + file + " is not a file");
    }
    Properties props = new Properties();
    try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      props.load(r);
    }
    Map<String, Object> alert = new LinkedHashMap<>();
    double minAge = bundle.minimumAgeYears();
    for (String key : props.stringPropertyNames()) {
      String value = props.getProperty(key).trim();
      if (key.equals(MIN_AGE_KEY)) {
        try {
          minAge = Double.parseDouble(value);
        } catch (NumberFormatException e) {
          minAge = Double.NaN;
        }
        if (!(minAge >= 0)) {
          throw new BadInputException("--policy " + file + ": " + MIN_AGE_KEY + " must be a number of years >= 0");
        }
      } else if (key.startsWith("alert.")) {
        alert.put(key, value);
      } else {
        throw new BadInputException("--policy " + file + ": " + key + " is not an alert.* key (nor " + MIN_AGE_KEY
            + ")");
      }
    }
    AlertPolicy policy;
    try {
      policy = new RiskStreamConfig(alert).alertPolicy().withOperatingPoints(bundle.operatingPoints())
          .withMinimumAge(minAge);
    } catch (ConfigException e) {
      throw new BadInputException("--policy " + file + ": " + e.getMessage());
    }
    String name = file.getFileName().toString().replaceFirst("\\.properties$", "");
    StringBuilder source = new StringBuilder(file.toString()).append(":");
    new java.util.TreeMap<>(props).forEach((k, v) -> source.append(' ').append(k).append('=').append(v));
    return new Named(name, source.toString(), policy);
  }

  private static Map<String, Object> data(Options o, int patients, long scores, double years, double seconds)
      throws IOException {
    Map<String, Object> data = new LinkedHashMap<>();
    data.put("cohort", o.cohort().toAbsolutePath().normalize().toString());
    Path manifest = o.cohort().resolve("cohort.json");
    if (Files.isRegularFile(manifest)) {
      JsonNode m = JSON.readTree(manifest.toFile());
      data.put("cohort_command", m.path("riskstreamCommand").asText());
    }
    data.put("patients", patients);
    data.put("scores", scores);
    data.put("patient_years", years);
    if (o.timelinesIn() != null) {
      data.put("timelines", "read from " + o.timelinesIn() + " (--save-timelines of an earlier run), not scored again");
    } else {
      data.put("scoring_seconds", seconds);
    }
    data.put("workers", o.workers());
    data.put("bootstrap_resamples", o.bootstrap());
    data.put("seed", o.seed());
    return data;
  }

  static Map<String, String> definitions() {
    Map<String, String> d = new LinkedHashMap<>();
    d.put("score", "one per source transaction that changed the patient's history, as the stream scores the demo's"
        + " feed with its whole history live (the patient row, then one transaction per encounter with its facts);"
        + " history bounded by history.max.events and history.max.age.days (defaults); asOf = newest event time");
    d.put("alert", "AlertDecision (thresholds, hysteresis, cooldown in event time, age floor, withheld for an outcome"
        + " whose onset diagnosis the stream has seen, in the bounded history or remembered beyond it, and after"
        + " death) per score and outcome, in score order, as the alert processor applies it");
    d.put("patient_years", "from each patient's first score (birth, or the first record) to the end of the data"
        + " (death, else the newest event or encounter end), all ages");
    d.put("alerts_per_100_patient_years", "alerts / patient-years x 100 (all severities; warning and critical apart)");
    d.put("sensitivity", "onsets (first diagnosis of the outcome after the patient's first score) with an alert of the"
        + " outcome in the " + AlertEvaluation.WINDOW_DAYS + " days before, / onsets");
    d.put("ppv", "alerts followed by the outcome's onset within its horizon / alerts; alerts at or after the onset"
        + " count as false (alerts_after_onset)");
    d.put("median_lead_days", "median over the detected onsets of the days from the first alert in the window to the"
        + " onset");
    d.put("intervals", "95% percentile bootstrap over patients (estimate, lower, upper)");
    return d;
  }

  private static Map<String, Object> cardBlock(Options o, List<StreamingOperatingPoints.Choice> choices, int patients,
      long scores, double years, RiskStreamConfig defaults) throws IOException {
    OperatingPoints.Target target = o.target();
    Map<String, Object> block = new LinkedHashMap<>();
    block.put("target", EvaluateCommand.targetBlock(target, "at most " + EvaluateCommand.fmt(target.warningPer100())
        + " alerts per 100 patient-years (critical off while choosing), and among those the lowest threshold with the"
        + " highest sensitivity", "at most "
        + EvaluateCommand.fmt(target.criticalPer100()) + " critical alerts per 100 patient-years and critical PPV at"
        + " least " + EvaluateCommand.fmt(target.criticalPpvFloor()) + " with at least " + target.minTruePositives()
        + " critical alerts followed by the onset; when no threshold reaches the PPV floor, the lowest within the rate"
        + " (ppv_floor_met false)"));
    block.put("unit", "the streaming alert policy (AlertDecision: thresholds, hysteresis margin "
        + defaults.getDouble(RiskStreamConfig.ALERT_HYSTERESIS_MARGIN_CONFIG) + ", cooldown "
        + defaults.getLong(RiskStreamConfig.ALERT_COOLDOWN_HOURS_CONFIG) + " h, no alert below the card's minimum age,"
        + " none for an outcome already diagnosed or after death)"
        + " over every patient's timeline scored at each source transaction; per 100 patient-years of scored"
        + " follow-up (all ages); sensitivity = onsets with an alert in the 365 days before; PPV = alerts followed by"
        + " the onset within the horizon; lead time = days from the first such alert to the onset");
    Map<String, Object> data = data(o, patients, scores, years, 0);
    data.remove("scoring_seconds");
    data.remove("timelines");
    data.remove("workers");
    data.put("selection", "thresholds chosen on the patients whose id's Java String.hashCode() is even; 'check' is"
        + " the other patients, which the choice did not see");
    data.put("command", "riskstream evaluate --alerts --cohort " + o.cohort() + " --model " + o.model() + " --seed "
        + o.seed() + " --operating-points FILE --warning-per-100 " + EvaluateCommand.fmt(target.warningPer100())
        + " --critical-per-100 " + EvaluateCommand.fmt(target.criticalPer100()) + " --critical-ppv "
        + EvaluateCommand.fmt(target.criticalPpvFloor()));
    block.put("data", data);
    Map<String, Object> outcomes = new LinkedHashMap<>();
    for (StreamingOperatingPoints.Choice c : choices) {
      Map<String, Object> w = new LinkedHashMap<>();
      w.put("threshold", c.warningThreshold());
      Map<String, Object> cr = new LinkedHashMap<>();
      cr.put("threshold", c.criticalThreshold());
      cr.put("ppv_floor_met", c.ppvFloorMet());
      Map<String, Object> both = new LinkedHashMap<>();
      both.put("warning", w);
      both.put("critical", cr);
      both.put("selection", c.selection());
      both.put("check", c.check());
      outcomes.put(c.outcome(), both);
    }
    block.put("outcomes", outcomes);
    return block;
  }

  private static void printSummary(PrintWriter console, List<AlertEvaluation.PolicyResult> results,
      List<OutcomeSpec> outcomes) {
    console.printf("%-22s %-26s %8s %8s %8s %7s %12s %12s %9s%n", "policy", "outcome", "alerts/", "warning/",
        "critical/", "onsets", "sensitivity", "PPV", "lead days");
    console.printf("%-22s %-26s %8s %8s %8s %7s %12s %12s %9s%n", "", "", "100 py", "100 py", "100 py", "", "", "",
        "(median)");
    for (AlertEvaluation.PolicyResult r : results) {
      for (OutcomeSpec o : outcomes) {
        AlertBurden b = r.outcomes().get(o.name());
        console.printf(Locale.ROOT, "%-22s %-26s %8.2f %8.2f %8.2f %7d %12s %12s %9s%n", abbreviate(r.name(), 22),
            o.name(), b.alertsPer100PatientYears().estimate(), b.warningsPer100PatientYears().estimate(),
            b.criticalsPer100PatientYears().estimate(), b.onsets(),
            ratio(b.sensitivity().estimate()) + " (" + b.detected() + ")",
            ratio(b.ppv().estimate()) + " (" + b.alertsFollowedByOnset() + ")",
            Double.isNaN(b.medianLeadDays().estimate()) ? "-"
                : String.format(Locale.ROOT, "%.0f", b.medianLeadDays().estimate()));
      }
    }
  }

  private static String abbreviate(String s, int n) {
    return s.length() <= n ? s : s.substring(0, n - 1) + "~";
  }

  static String ratio(double x) {
    return Double.isNaN(x) ? "-" : String.format(Locale.ROOT, "%.3f", x);
  }

  static Path siblingPng(Path json) {
    String name = json.getFileName().toString().replaceFirst("\\.json$", "");
    return json.resolveSibling(name + ".png");
  }
}
