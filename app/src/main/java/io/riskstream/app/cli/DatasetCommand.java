package io.riskstream.app.cli;

import io.riskstream.schemas.EmrEvent;
import io.riskstream.scoring.dataset.CohortParts;
import io.riskstream.scoring.dataset.DatasetBuilder;
import io.riskstream.scoring.dataset.DatasetSummary;
import io.riskstream.scoring.dataset.SamplingOptions;
import io.riskstream.scoring.encoder.EncoderSpec;
import io.riskstream.scoring.encoder.OutcomeSpec;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code riskstream dataset}: training datasets. Subcommand: {@code export}. */
@Command(name = "dataset", mixinStandardHelpOptions = true,
    description = "Training datasets built by the same encoder that serves.",
    subcommands = {DatasetCommand.Export.class})
public final class DatasetCommand implements Runnable {

  @Spec
  private CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "Missing subcommand (e.g. export)");
  }

  /** {@code riskstream dataset export --cohort DIR[,DIR...] --out DIR [--max-length L]}. */
  @Command(name = "export", mixinStandardHelpOptions = true,
      description = {"Reads a Synthea CSV export, samples index times (ends of adult encounters, at most one per"
          + " --min-days-between days), labels the default outcomes (onset within 365 days), fits the encoder spec on"
          + " the training split (70/15/15 by patient hash) and writes tokens/ages/recency/labels/split/patient/"
          + "index_time .npy files, encoder-spec.json and dataset.json to --out."})
  public static final class Export implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Option(names = "--cohort", required = true, split = ",", description = {"Synthea CSV export directory, or a"
        + " directory of them (e.g. a cohort generated in chunks); repeatable. Each directory is read on its own, so"
        + " the cohort may exceed the heap as long as one directory fits."})
    private List<Path> cohorts;

    @Option(names = "--out", required = true, description = "Output directory (created if absent).")
    private Path out;

    @Option(names = "--max-length", defaultValue = "128", description = "Maximum input length L; default:"
        + " ${DEFAULT-VALUE}.")
    private int maxLength;

    @Option(names = "--min-count", defaultValue = "5", description = "Minimum count of a vocabulary token in the"
        + " training split; default: ${DEFAULT-VALUE}.")
    private int minCount;

    @Option(names = "--bins", defaultValue = "5", description = "Quantile bins per numeric LOINC code; default:"
        + " ${DEFAULT-VALUE}.")
    private int bins;

    @Option(names = "--seed", defaultValue = "42", description = "Seed of the index-time sampling; default:"
        + " ${DEFAULT-VALUE}.")
    private long seed;

    @Option(names = "--min-days-between", defaultValue = "180", description = "Minimum days between two index"
        + " times of a patient; default: ${DEFAULT-VALUE}.")
    private int minDaysBetween;

    @Option(names = "--exclude-codes", split = ",", defaultValue = "QALY,DALY,QOLS", description = {"Codes whose"
        + " events the encoder leaves out, in training and (through the spec) in serving; default: ${DEFAULT-VALUE}"
        + " (Synthea's health-economics measures, which added nothing measurable to emr-risk-small: its model card)."
        + " An empty value keeps every event."})
    private List<String> excludeCodes;

    @Override
    public Integer call() {
      PrintWriter console = spec.commandLine().getOut();
      List<Path> dirs = CohortReading.exportDirectories(cohorts);
      List<String> names = dirs.stream().map(d -> d.toAbsolutePath().normalize().toString()).toList();
      CohortParts parts = new CohortParts() {
        @Override
        public List<String> names() {
          return names;
        }

        @Override
        public Map<String, List<EmrEvent>> read(int part, Predicate<String> accept) {
          return CohortReading.read(dirs.get(part), console, accept);
        }
      };
      DatasetBuilder builder = new DatasetBuilder(OutcomeSpec.defaults(), new SamplingOptions(seed, 18,
          minDaysBetween));
      DatasetSummary summary;
      try {
        summary = builder.export(parts, EncoderSpec.builder().maxLength(maxLength).minCount(minCount)
            .binCount(bins).excludedCodes(excludeCodes.stream().map(String::strip).filter(c -> !c.isEmpty())
                .collect(Collectors.toSet())), out);
      } catch (IllegalArgumentException e) {
        throw new BadInputException(e.getMessage());  // e.g. a patient in two of the directories
      }
      copyManifests(dirs, out);
      console.printf("Dataset written to %s: %d samples of %d patients, length %d, vocabulary %d, spec sha256 %s%n",
          out, summary.samples(), summary.patients(), summary.maxLength(), summary.vocabularySize(),
          summary.specSha256());
      summary.splits().forEach((split, counts) -> console.printf("  %-10s %6d patients %8d samples%n", split,
          counts.patients(), counts.samples()));
      console.flush();
      return 0;
    }

    /**
     * The cohorts' cohort.json files travel with the dataset (train.py reads them for the model card wherever the
     * dataset goes, e.g. to a GPU host without the cohort): one cohort as {@code cohort.json}, several as
     * {@code cohort-manifests/NN-<directory name>.json} in reading order.
     */
    private static void copyManifests(List<Path> dirs, Path out) {
      try {
        if (dirs.size() == 1) {
          Path manifest = dirs.get(0).resolve("cohort.json");
          if (Files.isRegularFile(manifest)) {
            Files.copy(manifest, out.resolve("cohort.json"), StandardCopyOption.REPLACE_EXISTING);
          }
          return;
        }
        Path target = Files.createDirectories(out.resolve("cohort-manifests"));
        for (int i = 0; i < dirs.size(); i++) {
          Path manifest = dirs.get(i).resolve("cohort.json");
          if (Files.isRegularFile(manifest)) {
            Files.copy(manifest, target.resolve(String.format("%02d-%s.json", i, dirs.get(i).getFileName())),
                StandardCopyOption.REPLACE_EXISTING);
          }
        }
      } catch (IOException e) {
        throw new UncheckedIOException("cannot copy the cohort manifests to " + out + ": " + e.getMessage(), e);
      }
    }
  }
}
