package io.riskstream.connectors.synthea;

import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * What a {@link SyntheaCsvReader} read: data rows and events per table, malformed rows per table and reason,
 * duplicate rows that were disambiguated, and expected files that were absent. For every table
 * {@code rows(table) == events(table) + malformed(table)}: no row is lost without being counted. Immutable.
 */
public final class ReadReport {

  /** Why a row did not become an event. */
  public enum Reason {
    /** The row has a different number of fields than the header. */
    WRONG_FIELD_COUNT,
    /** A required value (id, patient, date, code, gender, numeric value) is empty. */
    MISSING_REQUIRED_VALUE,
    /** A date or timestamp is not ISO-8601 (YYYY-MM-DD or an instant such as 2020-01-02T03:04:05Z). */
    UNPARSEABLE_DATE,
    /** A numeric observation value is not a finite number. */
    UNPARSEABLE_NUMBER,
    /** The patient's GENDER is neither M nor F. */
    UNKNOWN_GENDER
  }

  private final Map<String, Long> rows;
  private final Map<String, Long> events;
  private final Map<String, Map<Reason, Long>> malformed;
  private final Map<String, Long> duplicates;
  private final List<String> missingFiles;
  private final int patients;

  /**
   * @param rows data rows read per table
   * @param events events produced per table
   * @param malformed malformed rows per table and reason (tables without malformed rows may be absent)
   * @param duplicates rows per table whose natural key repeated an earlier row of the same patient and whose
   *     eventId therefore carries an occurrence index
   * @param missingFiles expected CSV files that were not in the directory
   * @param patients distinct patients with at least one event
   */
  public ReadReport(Map<String, Long> rows, Map<String, Long> events, Map<String, Map<Reason, Long>> malformed,
      Map<String, Long> duplicates, List<String> missingFiles, int patients) {
    this.rows = Collections.unmodifiableMap(new TreeMap<>(rows));
    this.events = Collections.unmodifiableMap(new TreeMap<>(events));
    Map<String, Map<Reason, Long>> copy = new TreeMap<>();
    malformed.forEach((table, byReason) -> {
      if (!byReason.isEmpty()) {
        copy.put(table, Collections.unmodifiableMap(new EnumMap<>(byReason)));
      }
    });
    this.malformed = Collections.unmodifiableMap(copy);
    this.duplicates = Collections.unmodifiableMap(new TreeMap<>(duplicates));
    this.missingFiles = List.copyOf(missingFiles);
    this.patients = patients;
  }

  /** Data rows read per table (table = file name without .csv). */
  public Map<String, Long> rowsByTable() {
    return rows;
  }

  /** Events produced per table. */
  public Map<String, Long> eventsByTable() {
    return events;
  }

  /** Malformed rows per table and reason; tables without malformed rows are absent. */
  public Map<String, Map<Reason, Long>> malformedByTable() {
    return malformed;
  }

  /** Rows per table that repeated an earlier row's natural key and got an occurrence index in their eventId. */
  public Map<String, Long> duplicatesByTable() {
    return duplicates;
  }

  /** Expected CSV files (e.g. {@code procedures.csv}) that were not present. */
  public List<String> missingFiles() {
    return missingFiles;
  }

  /** Distinct patients with at least one event. */
  public int patients() {
    return patients;
  }

  public long rows(String table) {
    return rows.getOrDefault(table, 0L);
  }

  public long events(String table) {
    return events.getOrDefault(table, 0L);
  }

  public long malformed(String table, Reason reason) {
    Objects.requireNonNull(reason, "reason");
    return malformed.getOrDefault(table, Map.of()).getOrDefault(reason, 0L);
  }

  public long malformed(String table) {
    return malformed.getOrDefault(table, Map.of()).values().stream().mapToLong(Long::longValue).sum();
  }

  public long totalRows() {
    return rows.values().stream().mapToLong(Long::longValue).sum();
  }

  public long totalEvents() {
    return events.values().stream().mapToLong(Long::longValue).sum();
  }

  public long totalMalformed() {
    return malformed.values().stream().flatMap(m -> m.values().stream()).mapToLong(Long::longValue).sum();
  }

  /** Counts only (no patient data), suitable for logs. */
  @Override
  public String toString() {
    return "ReadReport{patients=" + patients + ", rows=" + rows + ", events=" + events + ", malformed=" + malformed
        + ", duplicates=" + duplicates + ", missingFiles=" + missingFiles + "}";
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof ReadReport)) {
      return false;
    }
    ReadReport other = (ReadReport) o;
    return patients == other.patients && rows.equals(other.rows) && events.equals(other.events)
        && malformed.equals(other.malformed) && duplicates.equals(other.duplicates)
        && missingFiles.equals(other.missingFiles);
  }

  @Override
  public int hashCode() {
    return Objects.hash(rows, events, malformed, duplicates, missingFiles, patients);
  }
}
