package io.riskstream.connectors.synthea;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Generates a Synthea cohort (CSV export of the six clinical files RiskStream reads) with pinned seeds, reference
 * date and end date, and writes {@code cohort.json} beside the CSVs.
 *
 * <p>Synthea keeps its configuration in global statics ({@code org.mitre.synthea.helpers.Config}) and its CSV
 * exporter is a JVM-wide singleton whose file filter and writers are fixed the first time it is used. A second
 * generation in the same JVM would therefore write into the first one's files. Every generation runs Synthea's
 * own command line ({@code App}) in a fresh child JVM instead; the command is recorded in {@code cohort.json} and can
 * be re-run by hand.
 *
 * <p>Why the plain CLI flag {@code --exporter.csv.included_files=...} used to write every file: Synthea's default
 * {@code synthea.properties} sets {@code exporter.csv.excluded_files = patient_expenses.csv}, and the CSV exporter
 * ignores both lists when both are set ("Included and Excluded file settings are both set -- ignoring both"). The
 * overrides file written here clears {@code excluded_files}, so the include list takes effect.
 */
public final class SyntheaCohortGenerator {

  /** Synthea release this generator runs (the Maven dependency of this module). */
  public static final String SYNTHEA_VERSION = "3.3.0";
  /** Synthea's command-line main class (in the default package of the Synthea jar). */
  public static final String SYNTHEA_MAIN_CLASS = "App";
  /** The CSV files RiskStream reads; the only ones Synthea is asked to write. */
  public static final List<String> CSV_FILES = List.of("patients.csv", "encounters.csv", "conditions.csv",
      "observations.csv", "medications.csv", "procedures.csv");
  /** Name of the manifest written beside the CSVs. */
  public static final String MANIFEST = "cohort.json";
  /** Name of the Synthea configuration overrides file written beside the CSVs. */
  public static final String CONFIG_FILE = "synthea-overrides.properties";
  /** Name of Synthea's own console output, kept beside the (synthetic) data it describes. */
  public static final String SYNTHEA_LOG = "synthea-output.log";

  private static final Logger LOG = LoggerFactory.getLogger(SyntheaCohortGenerator.class);
  private static final DateTimeFormatter SYNTHEA_DATE = DateTimeFormatter.BASIC_ISO_DATE;

  private final String javaExecutable;
  private final String classpath;
  private final List<String> jvmOptions;

  /**
   * Options of one cohort.
   *
   * @param patients population size ({@code -p}), at least 1
   * @param seed Synthea seed ({@code -s})
   * @param clinicianSeed clinician seed ({@code -cs})
   * @param referenceDate reference date ({@code -r}), also used as end date ({@code -e}) so that a generation does
   *     not depend on the day it runs
   * @param state US state to sample the population from
   * @param outDir directory that receives the CSVs and {@code cohort.json}; must be absent or empty
   */
  public record Options(int patients, long seed, long clinicianSeed, LocalDate referenceDate, String state,
      Path outDir) {

    /** Default reference date of RiskStream's cohorts. */
    public static final LocalDate DEFAULT_REFERENCE_DATE = LocalDate.of(2025, 12, 31);
    /** Default state. */
    public static final String DEFAULT_STATE = "Massachusetts";

    public Options {
      if (patients < 1) {
        throw new IllegalArgumentException("patients must be at least 1, got " + patients);
      }
      Objects.requireNonNull(referenceDate, "referenceDate");
      Objects.requireNonNull(state, "state");
      if (state.isBlank()) {
        throw new IllegalArgumentException("state must not be blank");
      }
      outDir = Objects.requireNonNull(outDir, "outDir").toAbsolutePath().normalize();
    }

    /** Options with clinician seed = seed, the default reference date and Massachusetts. */
    public static Options of(int patients, long seed, Path outDir) {
      return new Options(patients, seed, seed, DEFAULT_REFERENCE_DATE, DEFAULT_STATE, outDir);
    }

    public Options withClinicianSeed(long value) {
      return new Options(patients, seed, value, referenceDate, state, outDir);
    }

    public Options withReferenceDate(LocalDate value) {
      return new Options(patients, seed, clinicianSeed, value, state, outDir);
    }

    public Options withState(String value) {
      return new Options(patients, seed, clinicianSeed, referenceDate, value, outDir);
    }

    public Options withOutDir(Path value) {
      return new Options(patients, seed, clinicianSeed, referenceDate, state, value);
    }
  }

  /**
   * What a generation produced.
   *
   * @param csvDir the directory holding the CSVs and {@code cohort.json} (= options.outDir)
   * @param manifest path of {@code cohort.json}
   * @param patientRows data rows in patients.csv
   * @param alive living patients as Synthea reported them (-1 if its summary line was not found)
   * @param dead deceased patients as Synthea reported them (-1 if its summary line was not found)
   * @param wallTime wall time of the Synthea run
   * @param command the exact command that was run
   */
  public record Result(Path csvDir, Path manifest, long patientRows, long alive, long dead, Duration wallTime,
      List<String> command) {
    public Result {
      command = List.copyOf(command);
    }
  }

  /** Runs Synthea with this JVM's java executable and classpath, and a heap as large as this JVM's. */
  public SyntheaCohortGenerator() {
    this(List.of("-Xmx" + Math.max(512L, Runtime.getRuntime().maxMemory() >> 20) + "m"));
  }

  /** Runs Synthea with this JVM's java executable and classpath and the given JVM options (e.g. {@code -Xmx8g}). */
  public SyntheaCohortGenerator(List<String> jvmOptions) {
    this(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        absoluteClasspath(System.getProperty("java.class.path")), jvmOptions);
  }

  /** Runs Synthea with an explicit java executable, classpath (must hold the Synthea jar) and JVM options. */
  public SyntheaCohortGenerator(String javaExecutable, String classpath, List<String> jvmOptions) {
    this.javaExecutable = Objects.requireNonNull(javaExecutable, "javaExecutable");
    this.classpath = Objects.requireNonNull(classpath, "classpath");
    this.jvmOptions = List.copyOf(jvmOptions);
  }

  /** The classpath with every entry made absolute, since Synthea runs with outDir as its working directory. */
  static String absoluteClasspath(String classpath) {
    return Stream.of(classpath.split(java.io.File.pathSeparator))
        .filter(entry -> !entry.isBlank())
        .map(entry -> Path.of(entry).toAbsolutePath().normalize().toString())
        .collect(Collectors.joining(java.io.File.pathSeparator));
  }

  /** The Synthea configuration overrides for a cohort (the contents of {@link #CONFIG_FILE}). */
  static List<String> configOverrides(Path outDir) {
    return List.of(
        "# RiskStream cohort: CSV export of the six clinical files only, full history.",
        "exporter.baseDirectory = " + escapeProperty(outDir.toString() + "/"),
        "exporter.years_of_history = 0",
        "exporter.csv.export = true",
        "exporter.csv.folder_per_run = false",
        "exporter.csv.append_mode = false",
        "exporter.csv.included_files = " + String.join(",", CSV_FILES),
        "# Synthea's default excludes patient_expenses.csv; both lists set means both ignored, so clear this one.",
        "exporter.csv.excluded_files =",
        "exporter.fhir.export = false",
        "exporter.fhir_stu3.export = false",
        "exporter.fhir_dstu2.export = false",
        "exporter.ccda.export = false",
        "exporter.hospital.fhir.export = false",
        "exporter.hospital.fhir_stu3.export = false",
        "exporter.hospital.fhir_dstu2.export = false",
        "exporter.practitioner.fhir.export = false",
        "exporter.practitioner.fhir_stu3.export = false",
        "exporter.practitioner.fhir_dstu2.export = false",
        "exporter.groups.fhir.export = false",
        "exporter.json.export = false",
        "exporter.text.export = false",
        "exporter.cpcds.export = false",
        "exporter.bfd.export = false",
        "exporter.cdw.export = false",
        "exporter.symptoms.csv.export = false",
        "exporter.clinical_note.export = false",
        "# cohort.json replaces Synthea's metadata file (which records the wall-clock start time).",
        "exporter.metadata.export = false");
  }

  /** The Synthea arguments (after the main class) for these options. */
  static List<String> syntheaArguments(Options options, Path configFile) {
    String date = options.referenceDate().format(SYNTHEA_DATE);
    return List.of("-c", configFile.toString(),
        "-s", Long.toString(options.seed()),
        "-cs", Long.toString(options.clinicianSeed()),
        "-r", date,
        "-e", date,
        "-p", Integer.toString(options.patients()),
        options.state());
  }

  /**
   * Generates the cohort into {@code options.outDir()}: runs Synthea in a child JVM, moves the CSVs from Synthea's
   * {@code csv/} subfolder into outDir and writes {@code cohort.json}.
   *
   * @throws IOException if outDir is not empty, Synthea fails, or a file cannot be written
   */
  public Result generate(Options options) throws IOException, InterruptedException {
    return generate(options, generated -> { });
  }

  /**
   * As {@link #generate(Options)}, and reports progress while Synthea runs: about once a second, {@code progress}
   * receives how many living patients (Synthea's {@code -p} counts living ones) it has generated so far, counted from
   * its console output.
   */
  public Result generate(Options options, LongConsumer progress) throws IOException, InterruptedException {
    Path outDir = options.outDir();
    prepareOutDir(outDir);
    Path configFile = outDir.resolve(CONFIG_FILE);
    Files.write(configFile, configOverrides(outDir), StandardCharsets.UTF_8);

    List<String> command = new ArrayList<>();
    command.add(javaExecutable);
    command.addAll(jvmOptions);
    command.add("-cp");
    command.add(classpath);
    command.add(SYNTHEA_MAIN_CLASS);
    command.addAll(syntheaArguments(options, configFile));

    Path log = outDir.resolve(SYNTHEA_LOG);
    LOG.info("Generating Synthea cohort: {} patients, seed {}, clinician seed {}, reference date {}, into {}",
        options.patients(), options.seed(), options.clinicianSeed(), options.referenceDate(), outDir);
    long start = System.nanoTime();
    Process process = new ProcessBuilder(command)
        .directory(outDir.toFile())
        .redirectErrorStream(true)
        .redirectOutput(log.toFile())
        .start();
    // Ending this JVM (e.g. Ctrl-C on the CLI) ends Synthea too, instead of leaving it running unattended.
    Thread stopSynthea = new Thread(process::destroy, "stop-synthea");
    Runtime.getRuntime().addShutdownHook(stopSynthea);
    int rc;
    try {
      while (!process.waitFor(1, TimeUnit.SECONDS)) {
        progress.accept(livingPatients(log));
      }
      rc = process.exitValue();
    } catch (InterruptedException e) {
      process.destroyForcibly();
      throw e;
    } finally {
      try {
        Runtime.getRuntime().removeShutdownHook(stopSynthea);
      } catch (IllegalStateException shuttingDown) {
        // the JVM is already shutting down; the hook does its job
      }
    }
    Duration wall = Duration.ofNanos(System.nanoTime() - start);
    if (rc != 0) {
      throw new IOException("Synthea exited with status " + rc + "; see " + log);
    }
    Path syntheaCsv = outDir.resolve("csv");
    for (String file : CSV_FILES) {
      Path produced = syntheaCsv.resolve(file);
      if (!Files.isRegularFile(produced)) {
        throw new IOException("Synthea did not write " + file + " under " + syntheaCsv + "; see " + log);
      }
      Files.move(produced, outDir.resolve(file), StandardCopyOption.REPLACE_EXISTING);
    }
    List<String> unexpected;
    try (Stream<Path> rest = Files.list(syntheaCsv)) {
      unexpected = rest.map(p -> p.getFileName().toString()).sorted().collect(Collectors.toList());
    }
    if (!unexpected.isEmpty()) {
      throw new IOException("Synthea wrote files that were not asked for: " + unexpected);
    }
    Files.delete(syntheaCsv);

    long patientRows = countDataRows(outDir.resolve("patients.csv"));
    long[] aliveDead = aliveDead(log);
    Result result = new Result(outDir, outDir.resolve(MANIFEST), patientRows, aliveDead[0], aliveDead[1], wall,
        command);
    writeManifest(result, options);
    LOG.info("Synthea cohort written: {} patient rows ({} alive, {} dead) in {} s", patientRows, aliveDead[0],
        aliveDead[1], wall.toSeconds());
    return result;
  }

  private static void prepareOutDir(Path outDir) throws IOException {
    if (Files.exists(outDir)) {
      if (!Files.isDirectory(outDir)) {
        throw new IOException("Output path exists and is not a directory: " + outDir);
      }
      try (Stream<Path> entries = Files.list(outDir)) {
        if (entries.findAny().isPresent()) {
          throw new IOException("Output directory is not empty: " + outDir
              + " (choose a new directory so cohorts are never mixed)");
        }
      }
    }
    Files.createDirectories(outDir);
  }

  /**
   * Synthea's line for each generated person, e.g. {@code 7 -- Name (36 y/o M) City, State  (50556)}, with
   * {@code DECEASED} before the last parenthesis for a dead one (Synthea then generates that slot again).
   */
  private static final Pattern PERSON_LINE = Pattern.compile("^\\d+ -- .* (DECEASED)? \\(\\d+\\)$");

  /** How many living patients Synthea's console output reports as generated (its lines name no one here). */
  static long livingPatients(Stream<String> syntheaOutput) {
    return syntheaOutput.map(PERSON_LINE::matcher).filter(m -> m.matches() && m.group(1) == null).count();
  }

  private static long livingPatients(Path log) throws IOException {
    // ISO-8859-1 decodes any bytes: a line being written or a name in another encoding never fails the count
    try (Stream<String> lines = Files.lines(log, StandardCharsets.ISO_8859_1)) {
      return livingPatients(lines);
    }
  }

  /** Synthea's closing summary line, e.g. {@code Records: total=4, alive=4, dead=0}. */
  private static final Pattern RECORDS_LINE =
      Pattern.compile("^Records: total=(\\d+), alive=(\\d+), dead=(\\d+)");

  private static long[] aliveDead(Path log) throws IOException {
    long[] result = {-1L, -1L};
    try (Stream<String> lines = Files.lines(log, StandardCharsets.UTF_8)) {
      lines.map(RECORDS_LINE::matcher).filter(Matcher::find).reduce((first, second) -> second).ifPresent(m -> {
        result[0] = Long.parseLong(m.group(2));
        result[1] = Long.parseLong(m.group(3));
      });
    }
    return result;
  }

  private static void writeManifest(Result result, Options options) throws IOException {
    Path manifest = result.manifest();
    List<String> command = result.command();
    ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    ObjectNode root = mapper.createObjectNode();
    root.put("generator", "riskstream cohort generate");
    root.put("syntheaVersion", SYNTHEA_VERSION);
    root.put("syntheaBuild", syntheaBuild());
    ObjectNode opts = root.putObject("options");
    opts.put("patients", options.patients());
    opts.put("seed", options.seed());
    opts.put("clinicianSeed", options.clinicianSeed());
    opts.put("referenceDate", options.referenceDate().toString());
    opts.put("endDate", options.referenceDate().toString());
    opts.put("state", options.state());
    opts.put("outDir", options.outDir().toString());
    opts.put("yearsOfHistory", 0);
    ArrayNode files = root.putArray("files");
    CSV_FILES.forEach(files::add);
    root.put("riskstreamCommand", riskstreamCommand(options));
    root.put("configFile", CONFIG_FILE);
    ArrayNode cmd = root.putArray("command");
    command.forEach(cmd::add);
    root.put("commandNote", "Run in outDir; Synthea writes the CSVs to outDir/csv/, which generate() then moves"
        + " into outDir.");
    root.put("patientRows", result.patientRows());
    root.put("alive", result.alive());
    root.put("dead", result.dead());
    root.put("wallTimeSeconds", result.wallTime().toMillis() / 1000.0);
    mapper.writeValue(manifest.toFile(), root);
  }

  /** The {@code riskstream} command line that regenerates a cohort with these options. */
  public static String riskstreamCommand(Options options) {
    return "riskstream cohort generate --patients " + options.patients() + " --seed " + options.seed()
        + " --clinician-seed " + options.clinicianSeed() + " --reference-date " + options.referenceDate()
        + (Options.DEFAULT_STATE.equals(options.state()) ? "" : " --state '" + options.state() + "'")
        + " --out " + options.outDir();
  }

  /** Synthea's git describe string, from the version.txt resource of its jar ("unknown" if absent). */
  static String syntheaBuild() {
    try (InputStream in = SyntheaCohortGenerator.class.getClassLoader().getResourceAsStream("version.txt")) {
      return in == null ? "unknown" : new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
    } catch (IOException e) {
      return "unknown";
    }
  }

  private static long countDataRows(Path csv) throws IOException {
    CSVFormat format = CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).build();
    try (CSVParser parser = CSVParser.parse(csv, StandardCharsets.UTF_8, format)) {
      long rows = 0;
      for (CSVRecord ignored : parser) {
        rows++;
      }
      return rows;
    }
  }

  private static String escapeProperty(String value) {
    // java.util.Properties treats backslash as an escape character; ':' and '=' in values are literal.
    return value.replace("\\", "\\\\");
  }
}
