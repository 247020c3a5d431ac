package io.riskstream.connectors.ehr;

import io.riskstream.schemas.EmrEvent;
import io.riskstream.schemas.EventKind;
import io.riskstream.schemas.EventOp;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads per-patient {@link EmrEvent} histories into the EHR database the way an EHR writes them, so that Debezium
 * captures EHR-like transactions:
 * <ol>
 *   <li>each patient row in its own transaction, before any of the patient's encounters;</li>
 *   <li>then, in event-time order over all patients, one transaction per encounter: the encounter row and every fact
 *       that carries its encounter id (a fact without an encounter is a transaction of its own);</li>
 *   <li>optionally paced: {@code speed} simulated seconds per wall-clock second, so history replays as live traffic;</li>
 *   <li>amendments as an EHR makes them, each in a transaction of its own after the encounter: an UPSERT of a fact
 *       already stored updates it, a DELETE event deletes it, and (when the rates are above zero) a deterministic
 *       sample of numeric observations is corrected ({@code UPDATE ... value_numeric}) and of conditions deleted as
 *       entered in error ({@code DELETE}).</li>
 * </ol>
 * Events the row mapping rejects are counted in {@link LoadResult#rejected()}, never loaded silently half-way.
 * Nothing about patients is logged, only counts.
 */
public final class EhrDatabaseLoader {

  private static final Logger LOG = LoggerFactory.getLogger(EhrDatabaseLoader.class);

  /** schema.sql, copied from connectors/ehr-db into the jar at this classpath location. */
  public static final String SCHEMA_RESOURCE = "/io/riskstream/connectors/ehr/schema.sql";
  /** The schema that holds the clinical tables. */
  public static final String SCHEMA = "clinical";
  /** Factor applied to a corrected observation value: a simulated transcription correction of +5 %. */
  public static final double CORRECTION_FACTOR = 1.05;

  /** Sleeps for a number of nanoseconds; replaced in tests. */
  @FunctionalInterface
  interface Sleeper {
    void sleepNanos(long nanos) throws InterruptedException;
  }

  /**
   * How to load.
   *
   * @param speed simulated seconds per wall-clock second; 0 (or below) loads unpaced
   * @param correctionRate fraction (0..1) of numeric observations corrected after their encounter
   * @param deletionRate fraction (0..1) of conditions deleted (entered in error) after their encounter
   */
  public record Options(double speed, double correctionRate, double deletionRate) {
    public Options {
      if (Double.isNaN(speed) || Double.isInfinite(speed)) {
        throw new IllegalArgumentException("speed must be a finite number");
      }
      if (!(correctionRate >= 0 && correctionRate <= 1) || !(deletionRate >= 0 && deletionRate <= 1)) {
        throw new IllegalArgumentException("correction and deletion rates must be between 0 and 1");
      }
    }

    /** Unpaced, without simulated amendments. */
    public static Options unpaced() {
      return new Options(0, 0, 0);
    }
  }

  /**
   * What a load did.
   *
   * @param patients patient rows written
   * @param encounters encounter rows written
   * @param facts condition, observation, medication and procedure rows written
   * @param transactions committed transactions
   * @param updates rows that existed and were updated (UPSERT of a stored fact, and simulated corrections)
   * @param deletes rows deleted (DELETE events, and simulated deletions)
   * @param rejected events the row mapping could not represent (not loaded)
   */
  public record LoadResult(int patients, int encounters, int facts, int transactions, int updates, int deletes,
                           int rejected) {
  }

  private final EhrRowMapping mapping;
  private final Options options;
  private final Sleeper sleeper;
  private final LongSupplier nanoTime;

  public EhrDatabaseLoader(EhrRowMapping mapping, Options options) {
    this(mapping, options, nanos -> TimeUnit.NANOSECONDS.sleep(nanos), System::nanoTime);
  }

  EhrDatabaseLoader(EhrRowMapping mapping, Options options, Sleeper sleeper, LongSupplier nanoTime) {
    this.mapping = Objects.requireNonNull(mapping, "mapping");
    this.options = Objects.requireNonNull(options, "options");
    this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
    this.nanoTime = Objects.requireNonNull(nanoTime, "nanoTime");
  }

  /** The EHR schema (tables, indexes, replica identity, signal table, publication) as SQL text. */
  public static String schemaSql() {
    try (InputStream in = EhrDatabaseLoader.class.getResourceAsStream(SCHEMA_RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException("schema.sql missing from the classpath at " + SCHEMA_RESOURCE);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalStateException("cannot read " + SCHEMA_RESOURCE, e);
    }
  }

  /** Applies schema.sql (idempotent) in one transaction. */
  public static void applySchema(Connection connection) throws SQLException {
    boolean autoCommit = connection.getAutoCommit();
    connection.setAutoCommit(false);
    try (Statement statement = connection.createStatement()) {
      statement.execute(schemaSql());
      connection.commit();
    } catch (SQLException e) {
      connection.rollback();
      throw e;
    } finally {
      connection.setAutoCommit(autoCommit);
    }
  }

  /**
   * Loads the histories (patient id → events) into the database on {@code connection}, whose schema must exist.
   *
   * @throws SQLException when the database refuses a transaction (the load stops there; committed transactions stay)
   * @throws InterruptedException when interrupted while pacing
   */
  public LoadResult load(Connection connection, Map<String, List<EmrEvent>> byPatient)
      throws SQLException, InterruptedException {
    Counts counts = new Counts();
    List<Group> patientGroups = new ArrayList<>();
    List<Group> encounterGroups = new ArrayList<>();
    for (Map.Entry<String, List<EmrEvent>> patient : new TreeMap<>(byPatient).entrySet()) {
      split(patient.getValue(), patientGroups, encounterGroups, counts);
    }
    encounterGroups.sort(Comparator.comparing(Group::time).thenComparing(Group::patientId)
        .thenComparing(Group::groupKey));

    boolean autoCommit = connection.getAutoCommit();
    connection.setAutoCommit(false);
    try {
      for (Group group : patientGroups) {
        write(connection, group, counts);
      }
      long startNanos = nanoTime.getAsLong();
      Instant first = encounterGroups.isEmpty() ? null : encounterGroups.get(0).time();
      for (Group group : encounterGroups) {
        pace(startNanos, first, group.time());
        write(connection, group, counts);
        amend(connection, group, counts);
      }
    } finally {
      connection.setAutoCommit(autoCommit);
    }
    LoadResult result = counts.result();
    LOG.info("EHR load: {} patients, {} encounters, {} facts in {} transactions; {} updates, {} deletes, {} rejected",
        result.patients(), result.encounters(), result.facts(), result.transactions(), result.updates(),
        result.deletes(), result.rejected());
    return result;
  }

  private record Mapped(EmrEvent event, EhrRow row) {
  }

  private record Group(String patientId, String groupKey, Instant time, List<Mapped> rows) {
  }

  private void split(List<EmrEvent> events, List<Group> patientGroups, List<Group> encounterGroups, Counts counts) {
    List<Mapped> demographics = new ArrayList<>();
    Map<String, List<Mapped>> byEncounter = new LinkedHashMap<>();
    for (EmrEvent event : events) {
      EhrRow row;
      try {
        row = mapping.toRow(event);
      } catch (RuntimeException e) {
        counts.rejected++;
        continue;
      }
      Mapped mapped = new Mapped(event, row);
      if (event.getKind() == EventKind.DEMOGRAPHICS) {
        demographics.add(mapped);
      } else {
        String key = event.getKind() == EventKind.ENCOUNTER ? row.id()
            : event.getEncounterId() != null ? event.getEncounterId()
            : "~" + row.table() + ":" + row.id();
        byEncounter.computeIfAbsent(key, k -> new ArrayList<>()).add(mapped);
      }
    }
    for (Mapped m : demographics) {
      patientGroups.add(new Group(m.event().getPatientId(), m.row().id(), m.event().getEventTime(), List.of(m)));
    }
    Comparator<Mapped> order = Comparator.<Mapped>comparingInt(m -> m.event().getKind() == EventKind.ENCOUNTER ? 0 : 1)
        .thenComparing(m -> m.event().getEventTime())
        .thenComparing(m -> m.row().table())
        .thenComparing(m -> m.row().id());
    for (Map.Entry<String, List<Mapped>> e : byEncounter.entrySet()) {
      List<Mapped> rows = e.getValue().stream().sorted(order).toList();
      Instant time = rows.stream().filter(m -> m.event().getKind() == EventKind.ENCOUNTER)
          .map(m -> m.event().getEventTime()).findFirst()
          .orElse(rows.stream().map(m -> m.event().getEventTime()).min(Comparator.naturalOrder()).orElseThrow());
      encounterGroups.add(new Group(rows.get(0).event().getPatientId(), e.getKey(), time, rows));
    }
  }

  private void pace(long startNanos, Instant first, Instant time) throws InterruptedException {
    if (options.speed() <= 0 || first == null) {
      return;
    }
    double simulatedSeconds = (time.toEpochMilli() - first.toEpochMilli()) / 1000.0;
    long dueNanos = startNanos + (long) (simulatedSeconds / options.speed() * 1e9);
    long waitNanos = dueNanos - nanoTime.getAsLong();
    if (waitNanos > 0) {
      sleeper.sleepNanos(waitNanos);
    }
  }

  private void write(Connection connection, Group group, Counts counts) throws SQLException {
    try {
      for (Mapped m : group.rows()) {
        if (m.event().getOp() == EventOp.DELETE) {
          if (delete(connection, m.row().table(), m.row().id())) {
            counts.deletes++;
          }
        } else if (upsert(connection, m.row())) {
          counts.inserted(m.row().table());
        } else {
          counts.updates++;
        }
      }
      connection.commit();
      counts.transactions++;
    } catch (SQLException e) {
      connection.rollback();
      throw new SQLException("transaction of " + group.rows().size() + " rows failed (SQL state " + e.getSQLState()
          + ")", e.getSQLState(), e);
    }
  }

  /** Simulated amendments after an encounter, each in its own transaction. */
  private void amend(Connection connection, Group group, Counts counts) throws SQLException {
    for (Mapped m : group.rows()) {
      if (m.event().getOp() != EventOp.UPSERT) {
        continue;
      }
      String table = m.row().table();
      Object value = m.row().columns().get("value_numeric");
      if (table.equals("observations") && value instanceof Double v
          && selected(m.row(), "correct", options.correctionRate())) {
        try (PreparedStatement update = connection.prepareStatement(
            "UPDATE " + SCHEMA + ".observations SET value_numeric = ? WHERE id = ?")) {
          update.setDouble(1, v * CORRECTION_FACTOR);
          update.setString(2, m.row().id());
          counts.updates += update.executeUpdate();
        }
        connection.commit();
        counts.transactions++;
      } else if (table.equals("conditions") && selected(m.row(), "delete", options.deletionRate())) {
        if (delete(connection, table, m.row().id())) {
          counts.deletes++;
        }
        connection.commit();
        counts.transactions++;
      }
    }
  }

  /** Deterministic sample: the same rows are amended on every load of the same data. */
  static boolean selected(EhrRow row, String action, double rate) {
    if (rate <= 0) {
      return false;
    }
    // MD5 (name-based UUID) spreads similar ids evenly; String.hashCode does not.
    UUID hash = UUID.nameUUIDFromBytes((action + "|" + row.table() + "|" + row.id()).getBytes(StandardCharsets.UTF_8));
    long bucket = Math.floorMod(hash.getLeastSignificantBits(), 10_000L);
    return bucket < rate * 10_000;
  }

  private static boolean upsert(Connection connection, EhrRow row) throws SQLException {
    List<String> columns = List.copyOf(row.columns().keySet());
    String sql = "INSERT INTO " + SCHEMA + "." + row.table() + " (" + String.join(", ", columns) + ") VALUES ("
        + columns.stream().map(c -> "?").collect(Collectors.joining(", ")) + ") ON CONFLICT (id) DO UPDATE SET "
        + columns.stream().filter(c -> !c.equals("id")).map(c -> c + " = EXCLUDED." + c)
            .collect(Collectors.joining(", "))
        // xmax = 0 only for a freshly inserted tuple: tells an insert from an update in one round trip.
        + " RETURNING (xmax = 0) AS inserted";
    try (PreparedStatement statement = connection.prepareStatement(sql)) {
      int i = 1;
      for (Object value : row.columns().values()) {
        bind(statement, i++, value);
      }
      try (ResultSet rs = statement.executeQuery()) {
        rs.next();
        return rs.getBoolean(1);
      }
    }
  }

  private static boolean delete(Connection connection, String table, String id) throws SQLException {
    try (PreparedStatement statement = connection.prepareStatement(
        "DELETE FROM " + SCHEMA + "." + table + " WHERE id = ?")) {
      statement.setString(1, id);
      return statement.executeUpdate() > 0;
    }
  }

  private static void bind(PreparedStatement statement, int index, Object value) throws SQLException {
    if (value == null) {
      statement.setObject(index, null);
    } else if (value instanceof Instant instant) {
      // pgjdbc binds OffsetDateTime (not Instant) to timestamptz
      statement.setObject(index, instant.atOffset(ZoneOffset.UTC));
    } else if (value instanceof OffsetDateTime || value instanceof LocalDate) {
      statement.setObject(index, value);
    } else if (value instanceof Double d) {
      statement.setDouble(index, d);
    } else if (value instanceof String s) {
      statement.setString(index, s);
    } else {
      throw new SQLException("cannot bind a " + value.getClass().getSimpleName() + " value at column " + index);
    }
  }

  /** Mutable tally of one load; confined to the loading thread. */
  private static final class Counts {
    private final Map<String, Integer> inserts = new HashMap<>();
    private int transactions;
    private int updates;
    private int deletes;
    private int rejected;

    void inserted(String table) {
      inserts.merge(table, 1, Integer::sum);
    }

    LoadResult result() {
      int patients = inserts.getOrDefault("patients", 0);
      int encounters = inserts.getOrDefault("encounters", 0);
      int facts = inserts.values().stream().mapToInt(Integer::intValue).sum() - patients - encounters;
      return new LoadResult(patients, encounters, facts, transactions, updates, deletes, rejected);
    }
  }
}
