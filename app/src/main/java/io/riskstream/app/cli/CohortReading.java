package io.riskstream.app.cli;

import io.riskstream.connectors.synthea.ReadReport;
import io.riskstream.connectors.synthea.SyntheaCsvReader;
import io.riskstream.schemas.EmrEvent;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/** Reads a Synthea CSV export for the dataset and evaluate commands and prints what was read (counts only). */
final class CohortReading {

  private CohortReading() {
  }

  /**
   * The Synthea export directories that {@code --cohort} values name: each value is one (it holds patients.csv) or a
   * directory of them (its subdirectories that hold patients.csv, in name order, e.g. a cohort generated in chunks).
   */
  static List<Path> exportDirectories(List<Path> values) {
    List<Path> dirs = new ArrayList<>();
    for (Path value : values) {
      if (!Files.isDirectory(value)) {
        throw new BadInputException("--cohort " + value + " is not a directory");
      }
      if (Files.isRegularFile(value.resolve("patients.csv"))) {
        dirs.add(value);
        continue;
      }
      List<Path> chunks;
      try (Stream<Path> children = Files.list(value)) {
        chunks = children.filter(c -> Files.isRegularFile(c.resolve("patients.csv"))).sorted().toList();
      } catch (IOException e) {
        throw new BadInputException("--cohort " + value + " cannot be listed: " + e.getMessage());
      }
      if (chunks.isEmpty()) {
        throw new BadInputException("--cohort " + value + " holds no patients.csv, and no directory in it does");
      }
      dirs.addAll(chunks);
    }
    if (new HashSet<>(dirs.stream().map(d -> d.toAbsolutePath().normalize()).toList()).size()
        != dirs.size()) {
      throw new BadInputException("--cohort names the same directory twice");
    }
    return dirs;
  }

  static Map<String, List<EmrEvent>> read(Path csvDir, PrintWriter out) {
    return read(csvDir, out, id -> true);
  }

  /** The events of the patients {@code accept} accepts (one part of a cohort read in parts). */
  static Map<String, List<EmrEvent>> read(Path csvDir, PrintWriter out, java.util.function.Predicate<String> accept) {
    if (!Files.isDirectory(csvDir)) {
      throw new BadInputException("--cohort " + csvDir + " is not a directory");
    }
    SyntheaCsvReader reader = new SyntheaCsvReader(csvDir, accept);
    Map<String, List<EmrEvent>> patients = reader.readByPatient();
    ReadReport report = reader.report();
    long events = patients.values().stream().mapToLong(List::size).sum();
    out.printf("Read %d patients, %d events from %s%n", patients.size(), events, csvDir);
    report.malformedByTable().forEach((table, reasons) -> reasons.forEach((reason, count) -> {
      if (count > 0) {
        out.printf("  malformed rows in %s: %d (%s)%n", table, count, reason);
      }
    }));
    out.flush();
    return patients;
  }
}
