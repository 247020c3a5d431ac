package io.riskstream.connectors.synthea;

import io.riskstream.connectors.synthea.ReadReport.Reason;
import io.riskstream.schemas.EmrEvent;
import io.riskstream.schemas.EventKind;
import io.riskstream.schemas.EventOp;
import io.riskstream.schemas.SourceCoordinates;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads a Synthea CSV export directory (the folder holding patients.csv, encounters.csv, conditions.csv,
 * observations.csv, medications.csv and procedures.csv) into canonical {@link EmrEvent}s, grouped by patient.
 *
 * <p>Mapping: patients → DEMOGRAPHICS (eventTime = birth date at 00:00 UTC, endTime = death date, codeSystem
 * {@code administrative-gender}, code {@code male}/{@code female}); encounters → ENCOUNTER (category =
 * ENCOUNTERCLASS, SNOMED-CT, endTime = STOP, encounterId = Id); conditions → DIAGNOSIS; observations → OBSERVATION
 * (numeric VALUE → value + unit, other types → valueText; category = CATEGORY; LOINC); medications → MEDICATION
 * (RxNorm); procedures → PROCEDURE (SYSTEM column, else SNOMED-CT). Dates without a time are midnight UTC.
 *
 * <p>EventIds are {@code <table>:<id>}: Synthea's Id for patients and encounters; for the other tables the first 32
 * hex digits of the SHA-256 of the row's natural key (patient, encounter, start/date, system, code, and for
 * observations the value). Rows of one patient that repeat a natural key get {@code -<n>} appended for their n-th
 * repetition (n ≥ 1) in file order, which is deterministic because Synthea writes each patient's rows in order.
 *
 * <p>Malformed rows are counted per table and {@link Reason} in {@link #report()}, never dropped silently; an
 * unusable file (missing patients.csv, a missing required header column, a CSV syntax error) throws
 * {@link SyntheaCsvException}. The directory is read once, on the first call of either method; later calls return
 * the same result.
 *
 * <p>Memory: strings that repeat across events (patient and encounter ids, codes, descriptions, units) are shared,
 * and all events of a table share one {@link SourceCoordinates} instance. Avro records are mutable: copy an event
 * ({@code EmrEvent.newBuilder(e)}) before changing it or its source.
 */
public final class SyntheaCsvReader {

  /** {@link SourceCoordinates#getSystem()} of every event. */
  public static final String SOURCE_SYSTEM = "synthea-csv";
  /** Code system of DEMOGRAPHICS events. */
  public static final String GENDER_SYSTEM = "administrative-gender";
  public static final String SNOMED = "SNOMED-CT";
  public static final String LOINC = "LOINC";
  public static final String RXNORM = "RxNorm";

  public static final String PATIENTS = "patients";
  public static final String ENCOUNTERS = "encounters";
  public static final String CONDITIONS = "conditions";
  public static final String OBSERVATIONS = "observations";
  public static final String MEDICATIONS = "medications";
  public static final String PROCEDURES = "procedures";
  /** The tables read, in reading order. */
  public static final List<String> TABLES =
      List.of(PATIENTS, ENCOUNTERS, CONDITIONS, OBSERVATIONS, MEDICATIONS, PROCEDURES);

  /** Order of events in a patient's list. */
  public static final Comparator<EmrEvent> EVENT_ORDER =
      Comparator.comparing(EmrEvent::getEventTime).thenComparing(EmrEvent::getEventId);

  private static final Logger LOG = LoggerFactory.getLogger(SyntheaCsvReader.class);
  private static final int HASH_HEX_DIGITS = 32;
  private static final char KEY_SEPARATOR = '\u001f';

  private static final Map<String, List<String>> REQUIRED_HEADERS = Map.of(
      PATIENTS, List.of("Id", "BIRTHDATE", "DEATHDATE", "GENDER"),
      ENCOUNTERS, List.of("Id", "START", "STOP", "PATIENT", "ENCOUNTERCLASS", "CODE", "DESCRIPTION"),
      CONDITIONS, List.of("START", "STOP", "PATIENT", "ENCOUNTER", "CODE", "DESCRIPTION"),
      OBSERVATIONS, List.of("DATE", "PATIENT", "ENCOUNTER", "CATEGORY", "CODE", "DESCRIPTION", "VALUE", "UNITS"),
      MEDICATIONS, List.of("START", "STOP", "PATIENT", "ENCOUNTER", "CODE", "DESCRIPTION"),
      PROCEDURES, List.of("START", "PATIENT", "ENCOUNTER", "CODE", "DESCRIPTION"));

  private final Path csvDir;
  private final java.util.function.Predicate<String> patients;
  /** The memoized read (guarded by this); the reader's only mutable field. */
  private Result result;

  private record Result(Map<String, List<EmrEvent>> byPatient, ReadReport report) {
  }

  public SyntheaCsvReader(Path csvDir) {
    this(csvDir, id -> true);
  }

  /** A reader of the rows of the patients whose id {@code patients} accepts. */
  public SyntheaCsvReader(Path csvDir, java.util.function.Predicate<String> patients) {
    this.patients = Objects.requireNonNull(patients, "patients");
    this.csvDir = Objects.requireNonNull(csvDir, "csvDir");
  }

  /** All events per patient id (sorted map), each list sorted by eventTime then eventId. Unmodifiable. */
  public Map<String, List<EmrEvent>> readByPatient() {
    return read().byPatient();
  }

  /** Counts per table and malformed rows per (table, reason) of the read. */
  public ReadReport report() {
    return read().report();
  }

  private synchronized Result read() {
    if (result == null) {
      result = new Pass().run();
    }
    return result;
  }

  /** One read of the directory; holds the mutable state of reading. */
  private final class Pass {
    private final Map<String, List<EmrEvent>> byPatient = new HashMap<>();
    private final Map<String, Long> rows = new LinkedHashMap<>();
    private final Map<String, Long> events = new LinkedHashMap<>();
    private final Map<String, Map<Reason, Long>> malformed = new LinkedHashMap<>();
    private final Map<String, Long> duplicates = new TreeMap<>();
    private final List<String> missing = new ArrayList<>();
    // A canonicalizing map (not String.intern, whose table outlives the read): repeated ids, codes,
    // descriptions and units become one String each.
    private final Map<String, String> strings = new HashMap<>();
    private final MessageDigest sha256;
    private String lastTimeText;
    private Instant lastTime;

    Pass() {
      try {
        sha256 = MessageDigest.getInstance("SHA-256");
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException("SHA-256 is not available in this JVM", e);
      }
    }

    Result run() {
      if (!Files.isDirectory(csvDir)) {
        throw new SyntheaCsvException("Not a directory: " + csvDir);
      }
      if (!Files.isRegularFile(csvDir.resolve(PATIENTS + ".csv"))) {
        throw new SyntheaCsvException("No patients.csv in " + csvDir + " (is this a Synthea CSV export folder?)");
      }
      for (String table : TABLES) {
        readTable(table);
      }
      Map<String, List<EmrEvent>> sorted = new TreeMap<>();
      for (Map.Entry<String, List<EmrEvent>> entry : byPatient.entrySet()) {
        List<EmrEvent> list = entry.getValue();
        disambiguate(list);
        list.sort(EVENT_ORDER);
        ((ArrayList<EmrEvent>) list).trimToSize();
        sorted.put(entry.getKey(), Collections.unmodifiableList(list));
      }
      ReadReport report = new ReadReport(rows, events, malformed, duplicates, missing, sorted.size());
      LOG.info("Read Synthea CSV export: {}", report);
      return new Result(Collections.unmodifiableMap(sorted), report);
    }

    private void readTable(String table) {
      Path file = csvDir.resolve(table + ".csv");
      if (!Files.isRegularFile(file)) {
        missing.add(table + ".csv");
        LOG.warn("Synthea CSV export has no {}.csv; its events are absent", table);
        return;
      }
      SourceCoordinates source = SourceCoordinates.newBuilder().setSystem(SOURCE_SYSTEM).setTable(table).build();
      CSVFormat format = CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).build();
      long rowCount = 0;
      long eventCount = 0;
      Map<Reason, Long> bad = new EnumMap<>(Reason.class);
      try (CSVParser parser = CSVParser.parse(file, StandardCharsets.UTF_8, format)) {
        Set<String> header = parser.getHeaderMap() == null ? Set.of() : parser.getHeaderMap().keySet();
        List<String> absent = new ArrayList<>();
        for (String column : REQUIRED_HEADERS.get(table)) {
          if (!header.contains(column)) {
            absent.add(column);
          }
        }
        if (!absent.isEmpty()) {
          throw new SyntheaCsvException(file.getFileName() + " lacks required columns " + absent);
        }
        RowMapper mapper = new RowMapper(table, source, header);
        String patientColumn = table.equals(PATIENTS) ? "Id" : "PATIENT";
        for (CSVRecord record : parser) {
          rowCount++;
          if (record.isSet(patientColumn) && !patients.test(record.get(patientColumn))) {
            continue;
          }
          try {
            EmrEvent event = mapper.map(record);
            byPatient.computeIfAbsent(event.getPatientId(), k -> new ArrayList<>()).add(event);
            eventCount++;
          } catch (MalformedRowException e) {
            bad.merge(e.reason, 1L, Long::sum);
          }
        }
      } catch (IOException e) {
        throw new UncheckedIOException("Cannot read " + file, e);
      } catch (IllegalStateException | UncheckedIOException e) {
        // commons-csv reports syntax errors (e.g. an unterminated quote) this way; the rest of the file is unusable.
        throw new SyntheaCsvException(file.getFileName() + " is not valid CSV after data row " + rowCount, e);
      }
      rows.put(table, rowCount);
      events.put(table, eventCount);
      malformed.put(table, bad);
      LOG.debug("Read {}: {} rows, {} events, malformed {}", table, rowCount, eventCount, bad);
    }

    /** Appends -n to the n-th repetition of an eventId within one patient's events, in file order. */
    private void disambiguate(List<EmrEvent> list) {
      Map<String, Integer> seen = new HashMap<>(list.size() * 2);
      for (EmrEvent event : list) {
        String id = event.getEventId();
        Integer n = seen.merge(id, 1, Integer::sum);
        if (n > 1) {
          event.setEventId(id + "-" + (n - 1));
          duplicates.merge(event.getSource().getTable(), 1L, Long::sum);
        }
      }
    }

    private String canonical(String value) {
      if (value == null) {
        return null;
      }
      String existing = strings.putIfAbsent(value, value);
      return existing == null ? value : existing;
    }

    private String hashId(String table, String... keyParts) {
      StringBuilder key = new StringBuilder(128);
      for (String part : keyParts) {
        key.append(part).append(KEY_SEPARATOR);
      }
      byte[] digest = sha256.digest(key.toString().getBytes(StandardCharsets.UTF_8));
      return table + ":" + java.util.HexFormat.of().formatHex(digest).substring(0, HASH_HEX_DIGITS);
    }

    /** Parses an ISO date (midnight UTC) or instant; the last parse is cached since rows share times. */
    private Instant time(String text) throws MalformedRowException {
      if (text.equals(lastTimeText)) {
        return lastTime;
      }
      Instant parsed;
      try {
        if (text.length() == 10) {
          parsed = LocalDate.parse(text).atStartOfDay(ZoneOffset.UTC).toInstant();
        } else if (text.endsWith("Z")) {
          parsed = Instant.parse(text);
        } else {
          parsed = OffsetDateTime.parse(text).toInstant();
        }
      } catch (DateTimeParseException e) {
        throw new MalformedRowException(Reason.UNPARSEABLE_DATE);
      }
      lastTimeText = text;
      lastTime = parsed;
      return parsed;
    }

    /** Maps rows of one table to events. */
    private final class RowMapper {
      private final String table;
      private final SourceCoordinates source;
      private final boolean hasSystem;
      private final boolean hasType;
      private final boolean hasStop;

      RowMapper(String table, SourceCoordinates source, Set<String> header) {
        this.table = table;
        this.source = source;
        this.hasSystem = header.contains("SYSTEM");
        this.hasType = header.contains("TYPE");
        this.hasStop = header.contains("STOP");
      }

      EmrEvent map(CSVRecord r) throws MalformedRowException {
        if (!r.isConsistent()) {
          throw new MalformedRowException(Reason.WRONG_FIELD_COUNT);
        }
        switch (table) {
          case PATIENTS:
            return patient(r);
          case ENCOUNTERS:
            return encounter(r);
          case OBSERVATIONS:
            return observation(r);
          case CONDITIONS:
            return started(r, EventKind.DIAGNOSIS, system(r));
          case MEDICATIONS:
            return started(r, EventKind.MEDICATION, RXNORM);
          case PROCEDURES:
            return started(r, EventKind.PROCEDURE, system(r));
          default:
            throw new IllegalStateException("unknown table " + table);
        }
      }

      private EmrEvent patient(CSVRecord r) throws MalformedRowException {
        String id = required(r, "Id");
        Instant birth = time(required(r, "BIRTHDATE"));
        Instant death = optionalTime(r, "DEATHDATE");
        String gender;
        switch (required(r, "GENDER")) {
          case "M":
            gender = "male";
            break;
          case "F":
            gender = "female";
            break;
          default:
            throw new MalformedRowException(Reason.UNKNOWN_GENDER);
        }
        String patientId = canonical(id);
        return new EmrEvent(patientId, PATIENTS + ":" + id, EventOp.UPSERT, EventKind.DEMOGRAPHICS, birth, death,
            GENDER_SYSTEM, gender, null, null, null, null, null, null, source);
      }

      private EmrEvent encounter(CSVRecord r) throws MalformedRowException {
        String id = required(r, "Id");
        String patient = required(r, "PATIENT");
        Instant start = time(required(r, "START"));
        Instant stop = optionalTime(r, "STOP");
        String code = required(r, "CODE");
        return new EmrEvent(canonical(patient), ENCOUNTERS + ":" + id, EventOp.UPSERT, EventKind.ENCOUNTER, start,
            stop, SNOMED, canonical(code), canonical(optional(r, "DESCRIPTION")),
            canonical(optional(r, "ENCOUNTERCLASS")), null, null, null, canonical(id), source);
      }

      private EmrEvent observation(CSVRecord r) throws MalformedRowException {
        String patient = required(r, "PATIENT");
        String dateText = required(r, "DATE");
        Instant date = time(dateText);
        String code = required(r, "CODE");
        String encounter = optional(r, "ENCOUNTER");
        String rawValue = r.get("VALUE");
        String type = hasType ? r.get("TYPE") : "";
        Double value = null;
        String valueText = null;
        if ("numeric".equals(type)) {
          if (rawValue.isEmpty()) {
            throw new MalformedRowException(Reason.MISSING_REQUIRED_VALUE);
          }
          value = number(rawValue);
        } else if (type.isEmpty() && !rawValue.isEmpty() && isNumber(rawValue)) {
          value = Double.valueOf(rawValue);
        } else if (!rawValue.isEmpty()) {
          valueText = canonical(rawValue);
        }
        String id = hashId(OBSERVATIONS, patient, nullToEmpty(encounter), dateText, code, rawValue);
        return new EmrEvent(canonical(patient), id, EventOp.UPSERT, EventKind.OBSERVATION, date, null, LOINC,
            canonical(code), canonical(optional(r, "DESCRIPTION")), canonical(optional(r, "CATEGORY")), value,
            valueText, canonical(optional(r, "UNITS")), canonical(encounter), source);
      }

      /** Conditions, medications and procedures: START, optional STOP, code. */
      private EmrEvent started(CSVRecord r, EventKind kind, String codeSystem) throws MalformedRowException {
        String patient = required(r, "PATIENT");
        String startText = required(r, "START");
        Instant start = time(startText);
        Instant stop = hasStop ? optionalTime(r, "STOP") : null;
        String code = required(r, "CODE");
        String encounter = optional(r, "ENCOUNTER");
        String id = hashId(table, patient, nullToEmpty(encounter), startText, codeSystem, code);
        return new EmrEvent(canonical(patient), id, EventOp.UPSERT, kind, start, stop, canonical(codeSystem),
            canonical(code), canonical(optional(r, "DESCRIPTION")), null, null, null, null, canonical(encounter),
            source);
      }

      private String system(CSVRecord r) {
        String system = hasSystem ? r.get("SYSTEM") : "";
        return system.isEmpty() ? SNOMED : system;
      }

      private Instant optionalTime(CSVRecord r, String column) throws MalformedRowException {
        String text = r.get(column);
        return text.isEmpty() ? null : time(text);
      }
    }
  }

  private static String required(CSVRecord r, String column) throws MalformedRowException {
    String value = r.get(column);
    if (value.isBlank()) {
      throw new MalformedRowException(Reason.MISSING_REQUIRED_VALUE);
    }
    return value;
  }

  private static String optional(CSVRecord r, String column) {
    String value = r.get(column);
    return value.isEmpty() ? null : value;
  }

  private static String nullToEmpty(String value) {
    return value == null ? "" : value;
  }

  private static Double number(String text) throws MalformedRowException {
    try {
      double value = Double.parseDouble(text);
      if (!Double.isFinite(value)) {
        throw new MalformedRowException(Reason.UNPARSEABLE_NUMBER);
      }
      return value;
    } catch (NumberFormatException e) {
      throw new MalformedRowException(Reason.UNPARSEABLE_NUMBER);
    }
  }

  private static boolean isNumber(String text) {
    try {
      return Double.isFinite(Double.parseDouble(text));
    } catch (NumberFormatException e) {
      return false;
    }
  }

  /** A row that cannot become an event; carries only the reason (no row content). */
  private static final class MalformedRowException extends Exception {
    private static final long serialVersionUID = 1L;
    private final Reason reason;

    MalformedRowException(Reason reason) {
      super(reason.name(), null, false, false);
      this.reason = reason;
    }
  }
}
