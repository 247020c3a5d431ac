package io.riskstream.app.cli;

import io.riskstream.connectors.synthea.CohortSummary;
import io.riskstream.connectors.synthea.ReadReport;
import io.riskstream.connectors.synthea.SyntheaCohortGenerator;
import io.riskstream.connectors.synthea.SyntheaCohortGenerator.Options;
import io.riskstream.connectors.synthea.SyntheaCohortGenerator.Result;
import io.riskstream.connectors.synthea.SyntheaCsvReader;
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
    subcommands = {CohortCommand.Generate.class, CohortCommand.Summarize.class, CohortLoadCommand.class})
public final class CohortCommand implements Runnable, DeveloperCommand {

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

  /** {@code riskstream cohort summarize}: aggregate counts of a Synthea CSV export (no patient data). */
  @Command(name = "summarize", mixinStandardHelpOptions = true,
      description = "Reads a Synthea CSV export and writes aggregate counts: patients (alive, dead), rows, events"
          + " and malformed rows per table, patients per diagnosis code, the most frequent diagnoses.")
  public static final class Summarize implements Callable<Integer> {

    /** Candidate outcome codes (SNOMED CT) of issue 2. */
    public static final String DEFAULT_CODES = "44054006,59621000,433144002,431857002,46177005,22298006,"
        + "401303003,401314000,88805009,84114007,230690007,714628002,127013003,368581000119106,1551000119108,"
        + "53741008,399211009";

    @Spec
    private CommandSpec spec;

    @Option(names = "--cohort", required = true, description = "Synthea CSV export directory.")
    private Path cohort;

    @Option(names = "--codes", split = ",", defaultValue = DEFAULT_CODES,
        description = "SNOMED CT diagnosis codes to count patients for; default: issue 2's candidate outcomes.")
    private List<String> codes;

    @Option(names = "--top", defaultValue = "30", description = "How many of the most frequent diagnosis codes"
        + " to list; default: ${DEFAULT-VALUE}.")
    private int top;

    @Option(names = "--out", description = "JSON file to write; default: <cohort>/summary.json.")
    private Path outFile;

    @Override
    public Integer call() throws Exception {
      long start = System.nanoTime();
      SyntheaCsvReader reader = new SyntheaCsvReader(cohort);
      ReadReport report = reader.report();
      CohortSummary summary = CohortSummary.of(reader.readByPatient(), report, codes, top);
      Path file = outFile == null ? cohort.resolve("summary.json") : outFile;
      summary.writeJson(file);
      PrintWriter w = spec.commandLine().getOut();
      w.printf("Read %d patients (%d alive, %d dead), %d events, %d malformed rows in %.1f s%n",
          summary.patients(), summary.alive(), summary.dead(), report.totalEvents(), report.totalMalformed(),
          (System.nanoTime() - start) / 1e9);
      w.printf("Rows per table: %s%nMalformed: %s%nDuplicates disambiguated: %s%n", report.rowsByTable(),
          report.malformedByTable(), report.duplicatesByTable());
      w.println("Patients with diagnosis code (ever):");
      summary.patientsWithCode().forEach((code, n) -> w.printf("  %-18s %6d%n", code, n));
      w.printf("Top %d diagnoses by patients:%n", summary.topDiagnoses().size());
      summary.topDiagnoses().forEach(c -> w.printf("  %-18s %6d  %s%n", c.code(), c.patients(), c.description()));
      w.printf("Summary written to %s%n", file);
      w.flush();
      return 0;
    }
  }
}
