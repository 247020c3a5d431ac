package io.riskstream.app.demo;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.riskstream.connectors.ehr.EhrRow;
import io.riskstream.connectors.ehr.EhrRows;
import io.riskstream.schemas.EmrEvent;
import io.riskstream.schemas.EventKind;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Turns Synthea histories into the Debezium change events an EHR database would emit, grouped into source
 * transactions the way {@code EhrDatabaseLoader} writes them: each patient row in a transaction of its own first, then,
 * in event-time order over all patients, one transaction per encounter (the encounter row and every fact carrying its
 * encounter id; a fact without an encounter is a transaction of its own). Values follow Debezium's PostgreSQL
 * encoding with {@code schemas.enable=false}: timestamptz as an ISO-8601 string, date as days since the epoch.
 * Written here rather than through Debezium because the demo has no database; the format is the one the connectors'
 * CdcPipelineIT pins.
 */
public final class DebeziumChangeEvents {

  /** Topic prefix of the demo's source topic: {@code ehr.clinical.}. */
  public static final String TOPIC_PREFIX = "ehr.clinical.";

  /**
   * The one topic every table's change events go to, as the shipped Kafka Connect configuration routes them
   * (connectors/kafka-connect/ehr-postgres-source.json: RegexRouter, partitioned by patient), so that the topology
   * reads each patient's changes in commit order and no source transaction is split by records of the next one
   * arriving first on another topic.
   */
  public static final String CHANGES_TOPIC = TOPIC_PREFIX + "changes";

  /**
   * Debezium's transaction metadata topic for the shipped connector ({@code topic.prefix=ehr},
   * {@code provide.transaction.metadata=true}): BEGIN and END (with the event count) of every transaction.
   */
  public static final String TRANSACTION_TOPIC = "ehr.transaction";

  /** How Debezium's JSON converter writes a PostgreSQL timestamptz (io.debezium.time.ZonedTimestamp). */
  private static final java.time.format.DateTimeFormatter DEBEZIUM_TIMESTAMP = java.time.format.DateTimeFormatter
      .ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSS'Z'").withZone(java.time.ZoneOffset.UTC);

  private static final ObjectMapper JSON = new ObjectMapper();

  private DebeziumChangeEvents() {
  }

  /**
   * One source transaction: its events in write order and the clinical time it is ordered by. The rows are mapped
   * when asked for, so that a large cohort is not held twice in memory (events and rows).
   */
  public record Transaction(String patientId, Instant time, List<EmrEvent> events) {
    public Transaction {
      events = List.copyOf(events);
    }

    /** The EHR rows of the events, in write order. */
    public List<EhrRow> rows() {
      return events.stream().map(EhrRows::toRow).toList();
    }
  }

  /** The topic of a table's change events: {@link #CHANGES_TOPIC} for every table (the table is in the envelope). */
  public static String topic(String table) {
    return CHANGES_TOPIC;
  }

  /** The feed's topics. */
  public static List<String> topics() {
    return List.of(CHANGES_TOPIC);
  }

  /**
   * The transactions of these histories in feed order. Events the row mapping rejects are counted in
   * {@code rejected[0]} and left out.
   */
  public static List<Transaction> transactions(Map<String, List<EmrEvent>> byPatient, long[] rejected) {
    return transactions(byPatient, rejected, Instant.MIN, 0);
  }

  /**
   * As {@link #transactions(Map, long[])}, but each patient's clinical history before {@code liveFrom} arrives as
   * one snapshot transaction (the newest {@code snapshotLimit} of those events: the history store keeps no more
   * than its bound anyway; and every older diagnosis, the problem list, whose onsets the history processor remembers
   * beyond its bound, so that no alert is raised for an outcome diagnosed long ago), as when an EHR is connected with
   * its past already recorded; from {@code liveFrom} on,
   * one transaction per encounter. This keeps the demo's scoring to one score per patient for the past plus one
   * per live encounter.
   */
  public static List<Transaction> transactions(Map<String, List<EmrEvent>> byPatient, long[] rejected,
      Instant liveFrom, int snapshotLimit) {
    List<Transaction> patients = new ArrayList<>();
    List<Transaction> encounters = new ArrayList<>();
    for (Map.Entry<String, List<EmrEvent>> patient : new TreeMap<>(byPatient).entrySet()) {
      Map<String, List<EmrEvent>> byEncounter = new LinkedHashMap<>();
      List<EmrEvent> past = new ArrayList<>();
      for (EmrEvent e : patient.getValue()) {
        EhrRow row;
        try {
          row = EhrRows.toRow(e);
        } catch (IllegalArgumentException ex) {
          rejected[0]++;
          continue;
        }
        if (e.getKind() == EventKind.DEMOGRAPHICS) {
          patients.add(new Transaction(patient.getKey(), e.getEventTime(), List.of(e)));
        } else if (e.getEventTime().isBefore(liveFrom)) {
          past.add(e);
        } else {
          String key = e.getKind() == EventKind.ENCOUNTER ? row.id()
              : e.getEncounterId() != null ? e.getEncounterId() : "~" + e.getEventId();
          byEncounter.computeIfAbsent(key, k -> new ArrayList<>()).add(e);
        }
      }
      Comparator<EmrEvent> order = Comparator.<EmrEvent>comparingInt(e -> e.getKind() == EventKind.ENCOUNTER ? 0 : 1)
          .thenComparing(EmrEvent::getEventTime).thenComparing(EmrEvent::getEventId);
      if (!past.isEmpty()) {
        List<EmrEvent> sortedPast = past.stream()
            .sorted(Comparator.comparing(EmrEvent::getEventTime).thenComparing(EmrEvent::getEventId)).toList();
        int skip = snapshotLimit > 0 ? Math.max(0, past.size() - snapshotLimit) : 0;
        List<EmrEvent> snapshot = new ArrayList<>();
        for (int i = 0; i < sortedPast.size(); i++) {
          // the newest snapshotLimit events, and every older diagnosis (the problem list)
          if (i >= skip || sortedPast.get(i).getKind() == EventKind.DIAGNOSIS) {
            snapshot.add(sortedPast.get(i));
          }
        }
        encounters.add(new Transaction(patient.getKey(), snapshot.get(snapshot.size() - 1).getEventTime(), snapshot));
      }
      for (List<EmrEvent> group : byEncounter.values()) {
        List<EmrEvent> sorted = group.stream().sorted(order).toList();
        Instant time = sorted.get(0).getKind() == EventKind.ENCOUNTER ? sorted.get(0).getEventTime()
            : sorted.stream().map(EmrEvent::getEventTime).min(Comparator.naturalOrder()).orElseThrow();
        encounters.add(new Transaction(patient.getKey(), time, sorted));
      }
    }
    encounters.sort(Comparator.comparing(Transaction::time).thenComparing(Transaction::patientId)
        .thenComparing(t -> t.events().get(0).getEventId()));
    List<Transaction> all = new ArrayList<>(patients.size() + encounters.size());
    all.addAll(patients);
    all.addAll(encounters);
    return all;
  }

  /** The Debezium key of a row: {@code {"id": "..."}}. */
  public static byte[] key(EhrRow row) {
    ObjectNode key = JSON.createObjectNode();
    key.put("id", row.id());
    return bytes(key);
  }

  /**
   * The transaction metadata id Debezium's PostgreSQL connector gives the transaction {@code txId} whose first change
   * is at {@code lsn}: {@code txId:lsn}.
   */
  public static String transactionId(long txId, long lsn) {
    return txId + ":" + lsn;
  }

  /**
   * The create event of a row written with {@code provide.transaction.metadata=true}: as {@link #create(EhrRow, long,
   * long, long)} plus the {@code transaction} block (id, total order, order within the table, both 1-based).
   */
  public static byte[] create(EhrRow row, long txId, long lsn, long tsMs, String transactionId, long totalOrder) {
    ObjectNode env = envelope(row, txId, lsn, tsMs);
    env.putObject("transaction").put("id", transactionId).put("total_order", totalOrder)
        .put("data_collection_order", totalOrder);
    return bytes(env);
  }

  /** The key of a record of the transaction topic: {@code {"id": "..."}}. */
  public static byte[] transactionKey(String transactionId) {
    ObjectNode key = JSON.createObjectNode();
    key.put("id", transactionId);
    return bytes(key);
  }

  /** The END record of a transaction that wrote {@code eventCount} change events (one table's count per event). */
  public static byte[] transactionEnd(String transactionId, List<EhrRow> rows, long tsMs) {
    ObjectNode end = JSON.createObjectNode();
    end.put("status", "END");
    end.put("id", transactionId);
    end.put("ts_ms", tsMs);
    end.put("event_count", rows.size());
    Map<String, Integer> byTable = new java.util.TreeMap<>();
    rows.forEach(r -> byTable.merge(r.table(), 1, Integer::sum));
    var collections = end.putArray("data_collections");
    byTable.forEach((table, n) -> collections.addObject().put("data_collection", EhrRows.SCHEMA + "." + table)
        .put("event_count", n));
    return bytes(end);
  }

  /** The Debezium create event ({@code op "c"}) of a row, in transaction {@code txId} at {@code lsn}. */
  public static byte[] create(EhrRow row, long txId, long lsn, long tsMs) {
    return bytes(envelope(row, txId, lsn, tsMs));
  }

  private static ObjectNode envelope(EhrRow row, long txId, long lsn, long tsMs) {
    ObjectNode env = JSON.createObjectNode();
    env.putNull("before");
    ObjectNode after = env.putObject("after");
    row.columns().forEach((column, value) -> {
      if (value == null) {
        after.putNull(column);
      } else if (value instanceof Instant instant) {
        after.put(column, DEBEZIUM_TIMESTAMP.format(instant));
      } else if (value instanceof LocalDate date) {
        after.put(column, (int) date.toEpochDay());
      } else if (value instanceof Double d) {
        after.put(column, d);
      } else {
        after.put(column, value.toString());
      }
    });
    ObjectNode source = env.putObject("source");
    source.put("version", "3.6.1.Final");
    source.put("connector", "postgresql");
    source.put("name", "riskstream-demo");
    source.put("ts_ms", tsMs);
    source.put("db", "ehr");
    source.put("schema", EhrRows.SCHEMA);
    source.put("table", row.table());
    source.put("txId", txId);
    source.put("lsn", lsn);
    env.put("op", "c");
    env.put("ts_ms", tsMs);
    return env;
  }

  private static byte[] bytes(ObjectNode node) {
    return node.toString().getBytes(StandardCharsets.UTF_8);
  }
}
