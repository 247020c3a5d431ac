package io.riskstream.cli;

import io.riskstream.connectors.synthea.SyntheaCohortGenerator;
import io.riskstream.connectors.synthea.SyntheaCohortGenerator.Options;
import io.riskstream.connectors.synthea.SyntheaCohortGenerator.Result;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code riskstream cohort}: Synthea cohorts. Subcommands: {@code generate} (and, later, {@code load}). */
@Command(name = "cohort", mixinStandardHelpOptions = true,
    description = "Synthetic EHR cohorts (Synthea): generate them, load them.",
    subcommands = {CohortCommand.Generate.class})
public final class CohortCommand implements Runnable {

  @Spec
  private CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "Missing subcommand (e.g. generate)");
  }

  /** {@code riskstream cohort generate}: a Synthea CSV cohort with pinned seeds and reference date. */
  @Command(name = "generate", mixinStandardHelpOptions = true,
      description = {"Generates a Synthea cohort (CSV: patients, encounters, conditions, observations, medications,"
          + " procedures; full history) into an empty directory, with cohort.json recording how.",
          "Synthea runs in a child JVM (its configuration is JVM-global)."})
  public static final class Generate implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Option(names = "--patients", required = true, description = "Population size (Synthea -p).")
    private int patients;

    @Option(names = "--seed", required = true, description = "Synthea seed (-s).")
    private long seed;

    @Option(names = "--clinician-seed", description = "Clinician seed (-cs); default: the seed.")
    private Long clinicianSeed;

    @Option(names = "--reference-date", description = "Reference and end date, YYYY-MM-DD (-r, -e); default:"
        + " ${DEFAULT-VALUE}.", defaultValue = "2025-12-31")
    private LocalDate referenceDate;

    @Option(names = "--state", description = "US state; default: ${DEFAULT-VALUE}.",
        defaultValue = Options.DEFAULT_STATE)
    private String state;

    @Option(names = "--out", required = true, description = "Output directory (absent or empty).")
    private Path out;

    @Option(names = "--synthea-heap", description = "Heap of the Synthea JVM, e.g. 8g; default: this JVM's"
        + " maximum heap.")
    private String syntheaHeap;

    @Override
    public Integer call() throws Exception {
      Options options = new Options(patients, seed, clinicianSeed == null ? seed : clinicianSeed, referenceDate,
          state, out);
      SyntheaCohortGenerator generator = syntheaHeap == null
          ? new SyntheaCohortGenerator()
          : new SyntheaCohortGenerator(List.of("-Xmx" + syntheaHeap));
      Result result = generator.generate(options);
      PrintWriter outWriter = spec.commandLine().getOut();
      outWriter.printf("Cohort written to %s: %d patients (%d alive, %d dead) in %.1f s; manifest %s%n",
          result.csvDir(), result.patientRows(), result.alive(), result.dead(),
          result.wallTime().toMillis() / 1000.0, result.manifest().getFileName());
      outWriter.flush();
      return 0;
    }
  }
}
