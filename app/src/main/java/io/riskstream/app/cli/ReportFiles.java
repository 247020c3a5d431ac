package io.riskstream.app.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;

/** What the report commands (replay, shadow-report) share: their period options and their JSON report files. */
final class ReportFiles {

  static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private ReportFiles() {
  }

  /** The instant an option gives (null when not given); a value that is not ISO-8601 is bad input. */
  static Instant instant(String option, String value) {
    if (value == null) {
      return null;
    }
    try {
      return Instant.parse(value);
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException(option + " must be an ISO-8601 instant such as 2026-11-01T00:00:00Z, got: "
          + value);
    }
  }

  /** Whether {@code --report -} asks for the JSON on standard output (after the summary) instead of a file. */
  static boolean toStdout(Path report) {
    return report != null && report.toString().equals("-");
  }

  /** Writes {@code document} as indented JSON to {@code file}, creating its folder. */
  static void write(Path file, Object document) throws IOException {
    if (file.toAbsolutePath().getParent() != null) {
      Files.createDirectories(file.toAbsolutePath().getParent());
    }
    JSON.writeValue(file.toFile(), document);
  }
}
