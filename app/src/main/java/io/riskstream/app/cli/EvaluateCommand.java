package io.riskstream.app.cli;

import io.riskstream.schemas.EmrEvent;
import io.riskstream.scoring.dataset.SamplingOptions;
import io.riskstream.scoring.eval.EvaluationReport;
import io.riskstream.scoring.eval.Evaluator;
import io.riskstream.scoring.model.ModelBundle;
import io.riskstream.scoring.onnx.OnnxRuntimeScorer;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code riskstream evaluate --cohort DIR --model NAME [--out FILE]}. */
@Command(name = "evaluate", mixinStandardHelpOptions = true,
    description = {"Evaluates a model on any Synthea CSV export: samples and labels index times as `dataset export`"
        + " does, encodes with the model's encoder spec, scores with ONNX Runtime and prints (and writes to --out)"
        + " AUROC, AUPRC with 95%% bootstrap intervals, prevalence, n and Brier score per outcome as JSON."})
public final class EvaluateCommand implements Callable<Integer> {

  @Spec
  private CommandSpec spec;

  @Option(names = "--cohort", required = true, description = "Synthea CSV export directory.")
  private Path cohort;

  @Option(names = "--model", required = true, description = "Model name (classpath models/<name>/) or a model"
      + " directory.")
  private String model;

  @Option(names = "--out", description = "Write the JSON report to this file too.")
  private Path out;

  @Option(names = "--threads", defaultValue = "1", description = "ONNX Runtime intra-op threads; default:"
      + " ${DEFAULT-VALUE}.")
  private int threads;

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
      + " times of a patient; default: ${DEFAULT-VALUE}.")
  private int minDaysBetween;

  @Override
  public Integer call() throws Exception {
    PrintWriter console = spec.commandLine().getOut();
    ModelBundle bundle = ModelBundle.load(model);
    Map<String, List<EmrEvent>> patients = CohortReading.read(cohort, console);
    EvaluationReport report;
    try (OnnxRuntimeScorer scorer = new OnnxRuntimeScorer(bundle,
        new OnnxRuntimeScorer.Options(threads, 16, OnnxRuntimeScorer.Options.defaults().sliceSize()))) {
      report = new Evaluator(bundle, scorer, new SamplingOptions(seed, 18, minDaysBetween), batchSize, bootstrap)
          .evaluate(patients, cohort.toAbsolutePath().normalize().toString());
    }
    String json = Evaluator.toJson(report);
    console.println(json);
    console.flush();
    if (out != null) {
      Path parent = out.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      Files.writeString(out, json + System.lineSeparator(), StandardCharsets.UTF_8);
    }
    return 0;
  }
}
