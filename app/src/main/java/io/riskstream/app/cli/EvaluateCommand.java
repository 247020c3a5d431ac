package io.riskstream.app.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.riskstream.schemas.EmrEvent;
import io.riskstream.scoring.dataset.SamplingOptions;
import io.riskstream.scoring.eval.EvaluationReport;
import io.riskstream.scoring.eval.Evaluator;
import io.riskstream.scoring.eval.OperatingPoints;
import io.riskstream.scoring.model.ModelBundle;
import io.riskstream.scoring.onnx.OnnxRuntimeScorer;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code riskstream evaluate --cohort DIR --model NAME [--out FILE] [--operating-points FILE [--card DIR]]
 * [--mask-codes C,...]}; with {@code --alerts [--policy FILE]...}: the stream's alert policy over each patient's
 * scored timeline ({@link EvaluateAlerts}).
 */
@Command(name = "evaluate", mixinStandardHelpOptions = true,
    description = {"Evaluates a model on any Synthea CSV export: samples and labels index times as `dataset export`"
        + " does, encodes with the model's encoder spec, scores with ONNX Runtime and prints (and writes to --out)"
        + " AUROC, AUPRC with 95%% bootstrap intervals, prevalence, n and Brier score per outcome as JSON.",
        "With --operating-points it also chooses each outcome's alert thresholds for a stated target on half of the"
        + " patients, checks them on the other half, writes them as JSON and, with --card, into a model folder's"
        + " model-card.json and model-card.md (the thresholds `run` and `demo` use when the configuration sets none).",
        "With --alerts it scores each patient's timeline at every source transaction, as the stream does, applies the"
        + " stream's alert policy (the model card's; each --policy file's side by side) and reports per outcome alerts"
        + " per 100 patient-years, sensitivity within 365 days, PPV and median lead time, with 95%% bootstrap"
        + " intervals (JSON, and a PNG beside --out); --operating-points then chooses the thresholds for that policy."})
public final class EvaluateCommand implements Callable<Integer> {

  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  @Spec
  private CommandSpec spec;

  @Option(names = "--cohort", required = true, description = "Synthea CSV export directory.")
  private Path cohort;

  @Option(names = "--model", required = true, description = "Model name (classpath models/<name>/) or a model"
      + " directory.")
  private String model;

  @Option(names = "--out", description = "Write the JSON report to this file too.")
  private Path out;

  @Option(names = "--threads", description = "ONNX Runtime intra-op threads; default: the available processors.")
  private int threads = Runtime.getRuntime().availableProcessors();

  @Option(names = "--batch-size", defaultValue = "64", description = "Inputs per scoring call; default:"
      + " ${DEFAULT-VALUE}.")
  private int batchSize;

  @Option(names = "--bootstrap", defaultValue = "1000", description = "Bootstrap resamples of the 95%% intervals"
      + " (0: none); default: ${DEFAULT-VALUE}.")
  private int bootstrap;

  @Option(names = "--seed", defaultValue = "42", description = "Seed of the index-time sampling and the bootstrap;"
      + " default: ${DEFAULT-VALUE}.")
  private long seed;

  @Option(names = "--min-days-between", defaultValue = "180", description = "Minimum days between two index"
      + " times of a patient; default: ${DEFAULT-VALUE} (--operating-points needs 365: one per patient-year).")
  private int minDaysBetween;

  @Option(names = "--mask-codes", split = ",", description = "Leave out every event with one of these codes (any"
      + " code system) before sampling and encoding, e.g. QALY,DALY,QOLS, to measure what they add.")
  private List<String> maskCodes = List.of();

  @Option(names = "--operating-points", description = "Choose alert thresholds per outcome (warning: at most"
      + " --warning-per-100 flags per 100 patient-years; critical: at most --critical-per-100 with PPV at least"
      + " --critical-ppv) and write them as JSON to this file.")
  private Path operatingPointsOut;

  @Option(names = "--warning-per-100", defaultValue = "5", description = "Warning target: flags per 100"
      + " patient-years at most; default: ${DEFAULT-VALUE}.")
  private double warningPer100;

  @Option(names = "--critical-per-100", defaultValue = "1", description = "Critical target: flags per 100"
      + " patient-years at most; default: ${DEFAULT-VALUE}.")
  private double criticalPer100;

  @Option(names = "--critical-ppv", defaultValue = "0.10", description = "Critical target: PPV floor (with at"
      + " least 5 onsets among the flagged); default: ${DEFAULT-VALUE}.")
  private double criticalPpv;

  @Option(names = "--card", description = "With --operating-points: the model folder whose model-card.json and"
      + " model-card.md receive them (e.g. scoring/src/main/resources/models/emr-risk-small).")
  private Path card;

  @Option(names = "--alerts", description = "Evaluate alerts, not index times: score every source transaction of each"
      + " patient's timeline as the stream does and apply the stream's alert policy.")
  private boolean alerts;

  @Option(names = "--policy", description = "With --alerts: a properties file of alert.* keys (and optionally "
      + EvaluateAlerts.MIN_AGE_KEY + ") evaluated beside the model card's policy, named after the file; repeatable.")
  private List<Path> policies = List.of();

  @Option(names = "--png", description = "With --alerts: the PNG to write (default: beside --out, .png).")
  private Path png;

  @Option(names = "--workers", description = "With --alerts: threads scoring patients; default: the available"
      + " processors.")
  private int workers = Runtime.getRuntime().availableProcessors();

  @Option(names = "--parts", defaultValue = "0", description = "Read the cohort in this many parts of patients, one at"
      + " a time, to bound memory (the results do not depend on it); default: from the CSV size and the maximum heap.")
  private int parts;

  @Option(names = "--save-timelines", description = "With --alerts: write the scored timelines (gzip) to this file.")
  private Path timelinesOut;

  @Option(names = "--timelines", description = "With --alerts: evaluate the timelines --save-timelines wrote for this"
      + " cohort and model instead of scoring the cohort again.")
  private Path timelinesIn;

  @Override
  public Integer call() throws Exception {
    PrintWriter console = spec.commandLine().getOut();
    if (!alerts && (!policies.isEmpty() || png != null || timelinesIn != null || timelinesOut != null)) {
      throw new BadInputException("--policy, --png, --timelines and --save-timelines need --alerts");
    }
    if (alerts) {
      if (!maskCodes.isEmpty()) {
        throw new BadInputException("--mask-codes is not supported with --alerts");
      }
      if (card != null && operatingPointsOut == null) {
        throw new BadInputException("--card needs --operating-points FILE");
      }
      if (card != null && !Files.isRegularFile(card.resolve("model-card.json"))) {
        throw new BadInputException("--card " + card + " has no model-card.json");
      }
      if (workers < 1 || batchSize < 1 || bootstrap < 0 || parts < 0) {
        throw new BadInputException("--workers and --batch-size must be positive, --bootstrap and --parts not"
            + " negative");
      }
      OperatingPoints.Target alertTarget;
      try {
        alertTarget = new OperatingPoints.Target(warningPer100, criticalPer100, criticalPpv, 5);
      } catch (IllegalArgumentException e) {
        throw new BadInputException(e.getMessage());
      }
      return EvaluateAlerts.run(new EvaluateAlerts.Options(cohort, model, out, png, policies, workers, batchSize,
          bootstrap, seed, operatingPointsOut, card, alertTarget, parts, timelinesIn, timelinesOut), console);
    }
    if (operatingPointsOut != null && minDaysBetween != 365) {
      throw new BadInputException("--operating-points needs --min-days-between 365 (one index time per patient-year,"
          + " so that flags per index time are flags per patient-year)");
    }
    if (card != null && operatingPointsOut == null) {
      throw new BadInputException("--card needs --operating-points FILE");
    }
    if (card != null && !Files.isRegularFile(card.resolve("model-card.json"))) {
      throw new BadInputException("--card " + card + " has no model-card.json");
    }
    OperatingPoints.Target target;
    try {
      target = new OperatingPoints.Target(warningPer100, criticalPer100, criticalPpv, 5);
    } catch (IllegalArgumentException e) {
      throw new BadInputException(e.getMessage());
    }
    if (threads < 1 || batchSize < 1 || bootstrap < 0 || parts < 0) {
      throw new BadInputException("--threads and --batch-size must be positive, --bootstrap and --parts not negative");
    }
    ModelBundle bundle = ModelBundle.load(model);
    String cohortPath = cohort.toAbsolutePath().normalize().toString();
    EvaluationReport report;
    List<OperatingPoints.Outcome> points = null;
    int patientCount = 0;
    try (OnnxRuntimeScorer scorer = new OnnxRuntimeScorer(bundle,
        OnnxRuntimeScorer.Options.defaults().withIntraOpThreads(threads))) {
      Evaluator evaluator = new Evaluator(bundle, scorer, new SamplingOptions(seed, 18, minDaysBetween), batchSize,
          bootstrap);
      // one part of the patients at a time (only its events are held; the scored samples are small), merged in
      // patient order: the report is the one a single pass gives
      int partCount = parts > 0 ? parts : EvaluateAlerts.parts(cohort);
      List<Evaluator.ScoredSamples> scoredParts = new ArrayList<>();
      for (int part = 0; part < partCount; part++) {
        int p = part;
        Map<String, List<EmrEvent>> patients = masked(CohortReading.read(cohort, console,
            id -> Math.floorMod(id.hashCode(), partCount) == p), Set.copyOf(maskCodes));
        patientCount += patients.size();
        Evaluator.ScoredSamples scored = evaluator.score(patients);
        scoredParts.add(scored);
        console.printf("scored %d index times of %d patients (part %d of %d; %d patients so far) with %s on %d"
            + " threads%n", scored.patients().size(), patients.size(), part + 1, partCount, patientCount,
            bundle.name(), threads);
        console.flush();
      }
      Evaluator.ScoredSamples scored = Evaluator.ScoredSamples.merge(scoredParts);
      report = evaluator.report(scored, patientCount, cohortPath);
      if (operatingPointsOut != null) {
        points = evaluator.operatingPoints(scored, EvaluateCommand::selection, target);
      }
    }
    String json = Evaluator.toJson(report);
    console.println(json);
    console.flush();
    if (out != null) {
      write(out, json);
    }
    if (points != null) {
      Map<String, Object> block = cardBlock(points, target, patientCount, report.samples(), cohortPath);
      write(operatingPointsOut, JSON.writeValueAsString(block));
      for (OperatingPoints.Outcome p : points) {
        console.printf("operating point %-26s warning %.4f (check: %.1f per 100 patient-years, PPV %.3f,"
            + " sensitivity %.2f)  critical %.4f (check: %.1f per 100, PPV %.3f)%s%n", p.name(), p.warningThreshold(),
            p.warningCheck().per100(), p.warningCheck().ppv(), p.warningCheck().sensitivity(), p.criticalThreshold(),
            p.criticalCheck().per100(), p.criticalCheck().ppv(), p.ppvFloorMet() ? "" : "  [PPV floor not reached]");
      }
      if (card != null) {
        ModelCardOperatingPoints.write(card, block, points, target);
        console.println("wrote the operating points into " + card.resolve("model-card.json") + " and model-card.md");
      }
      console.flush();
    }
    return 0;
  }

  /** The selection half: patients whose id's {@link String#hashCode()} is even (stable across JVMs). */
  static boolean selection(String patientId) {
    return (patientId.hashCode() & 1) == 0;
  }

  private static Map<String, List<EmrEvent>> masked(Map<String, List<EmrEvent>> patients, Set<String> codes) {
    if (codes.isEmpty()) {
      return patients;
    }
    Map<String, List<EmrEvent>> out = new LinkedHashMap<>();
    patients.forEach((id, events) -> {
      List<EmrEvent> kept = new ArrayList<>(events.size());
      for (EmrEvent e : events) {
        if (e.getCode() == null || !codes.contains(e.getCode())) {
          kept.add(e);
        }
      }
      out.put(id, kept);
    });
    return out;
  }

  private Map<String, Object> cardBlock(List<OperatingPoints.Outcome> points, OperatingPoints.Target target,
      int patientCount, int samples, String cohortPath) throws java.io.IOException {
    Map<String, Object> block = new LinkedHashMap<>();
    block.put("target", targetBlock(target, "at most " + fmt(target.warningPer100()) + " flags per 100 patient-years",
        "at most " + fmt(target.criticalPer100()) + " flags per 100 patient-years and PPV at least "
        + fmt(target.criticalPpvFloor()) + " with at least " + target.minTruePositives() + " onsets flagged; when no"
        + " threshold reaches the PPV floor, the lowest within the rate (ppv_floor_met false)"));
    block.put("unit", "one index time per patient-year (adults, at encounter ends, at least 365 days apart, seeded),"
        + " 365-day horizon: flags per 100 index times = flags per 100 patient-years of a policy alerting at most"
        + " once a year per outcome; PPV = onsets within 365 days among the flagged; sensitivity = flagged among"
        + " those onsets");
    Map<String, Object> data = new LinkedHashMap<>();
    data.put("cohort", cohortPath);
    Path manifest = cohort.resolve("cohort.json");
    if (Files.isRegularFile(manifest)) {
      JsonNode m = JSON.readTree(manifest.toFile());
      data.put("synthea_seed", m.path("options").path("seed").asLong());
      data.put("synthea_clinician_seed", m.path("options").path("clinicianSeed").asLong());
      data.put("reference_date", m.path("options").path("referenceDate").asText());
      data.put("cohort_command", m.path("riskstreamCommand").asText());
    }
    data.put("patients", patientCount);
    data.put("index_times", samples);
    data.put("sampling", Map.of("seed", seed, "minAgeYears", 18, "minDaysBetween", minDaysBetween));
    data.put("masked_codes", maskCodes);
    data.put("selection", "thresholds chosen on the patients whose id's Java String.hashCode() is even; 'check' is"
        + " the other patients, which the choice did not see");
    data.put("command", "riskstream evaluate --cohort " + cohort + " --model " + model + " --min-days-between 365"
        + " --seed " + seed + " --operating-points FILE --warning-per-100 " + fmt(target.warningPer100())
        + " --critical-per-100 " + fmt(target.criticalPer100()) + " --critical-ppv " + fmt(target.criticalPpvFloor()));
    block.put("data", data);
    Map<String, Object> outcomes = new LinkedHashMap<>();
    for (OperatingPoints.Outcome p : points) {
      Map<String, Object> w = new LinkedHashMap<>();
      w.put("threshold", p.warningThreshold());
      w.put("selection", p.warningSelection());
      w.put("check", p.warningCheck());
      Map<String, Object> c = new LinkedHashMap<>();
      c.put("threshold", p.criticalThreshold());
      c.put("ppv_floor_met", p.ppvFloorMet());
      c.put("selection", p.criticalSelection());
      c.put("check", p.criticalCheck());
      Map<String, Object> both = new LinkedHashMap<>();
      both.put("warning", w);
      both.put("critical", c);
      outcomes.put(p.name(), both);
    }
    block.put("outcomes", outcomes);
    return block;
  }

  /** A card's operating-point target: the two sentences and the numbers. */
  static Map<String, Object> targetBlock(OperatingPoints.Target target, String warning, String critical) {
    Map<String, Object> t = new LinkedHashMap<>();
    t.put("warning", warning);
    t.put("critical", critical);
    t.put("warning_per_100_patient_years", target.warningPer100());
    t.put("critical_per_100_patient_years", target.criticalPer100());
    t.put("critical_ppv_floor", target.criticalPpvFloor());
    t.put("critical_min_true_positives", target.minTruePositives());
    return t;
  }

  static String fmt(double x) {
    return x == Math.rint(x) ? Long.toString((long) x) : Double.toString(x);
  }

  static void write(Path file, String text) throws java.io.IOException {
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    Files.writeString(file, text + System.lineSeparator(), StandardCharsets.UTF_8);
  }
}
