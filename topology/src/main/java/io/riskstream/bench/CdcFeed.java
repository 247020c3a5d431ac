package io.riskstream.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.riskstream.connectors.ehr.EhrRow;
import io.riskstream.connectors.ehr.EhrRows;
import io.riskstream.schemas.EmrEvent;
import io.riskstream.schemas.EventKind;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * A cohort's events as the Debezium change events the CDC connector would write for them, without a database: the
 * transactions of {@code EhrDatabaseLoader} (each patient row alone, then one transaction per encounter with every
 * fact that carries its encounter id, in event-time order over all patients), one insert ({@code op c}) per row, on
 * {@code <prefix>.clinical.<table>}, JSON without schemas, value formats as in connectors/README.md. Record
 * timestamps increase by 1 ms per record in feed order, so a consumer that merges topics by timestamp sees the feed
 * order, and a transaction's records lie within (size - 1) ms of each other. Hand-written because Debezium only
 * produces these from a live database; the envelope is the small documented subset the normalizer reads.
 */
public final class CdcFeed {

  /** One change event: its topic, key and value bytes, record timestamp and (for bookkeeping only) transaction id. */
  public record Record(String topic, byte[] key, byte[] value, long timestamp, long txId) {
    public Record {
      Objects.requireNonNull(topic, "topic");
    }
  }

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final DateTimeFormatter MICROS =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSS'Z'").withZone(ZoneOffset.UTC);

  private final List<Record> records;
  private final int transactions;

  private CdcFeed(List<Record> records, int transactions) {
    this.records = List.copyOf(records);
    this.transactions = transactions;
  }

  /**
   * The change events of a cohort (events by patient, as {@code SyntheaCsvReader.readByPatient()} returns them).
   *
   * @throws IllegalArgumentException for an event that has no EHR row (see {@code EhrRows.toRow})
   */
  public static CdcFeed of(Map<String, List<EmrEvent>> byPatient, String topicPrefix, long firstTimestamp) {
    List<Group> patientGroups = new ArrayList<>();
    List<Group> encounterGroups = new ArrayList<>();
    for (Map.Entry<String, List<EmrEvent>> patient : new TreeMap<>(byPatient).entrySet()) {
      Map<String, List<Mapped>> byEncounter = new LinkedHashMap<>();
      for (EmrEvent event : patient.getValue()) {
        EhrRow row = EhrRows.toRow(event);
        Mapped mapped = new Mapped(event, row);
        if (event.getKind() == EventKind.DEMOGRAPHICS) {
          patientGroups.add(new Group(patient.getKey(), row.id(), event.getEventTime(), List.of(mapped)));
        } else {
          String key = event.getKind() == EventKind.ENCOUNTER ? row.id()
              : event.getEncounterId() != null ? event.getEncounterId() : "~" + row.table() + ":" + row.id();
          byEncounter.computeIfAbsent(key, k -> new ArrayList<>()).add(mapped);
        }
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
        encounterGroups.add(new Group(patient.getKey(), e.getKey(), time, rows));
      }
    }
    encounterGroups.sort(Comparator.comparing(Group::time).thenComparing(Group::patientId)
        .thenComparing(Group::groupKey));
    List<Group> all = new ArrayList<>(patientGroups);
    all.addAll(encounterGroups);
    List<Record> out = new ArrayList<>();
    long txId = 1000;
    long lsn = 1;
    long timestamp = firstTimestamp;
    for (Group group : all) {
      txId++;
      for (Mapped m : group.rows()) {
        String topic = topicPrefix + "." + EhrRows.SCHEMA + "." + m.row().table();
        out.add(new Record(topic, key(m.row().id()), envelope(m.row(), txId, lsn), timestamp, txId));
        lsn++;
        timestamp++;
      }
    }
    return new CdcFeed(out, all.size());
  }

  /** The change events in feed (commit) order. */
  public List<Record> records() {
    return records;
  }

  /** How many source transactions the feed holds (= scoring requests when each closes on its own). */
  public int transactions() {
    return transactions;
  }

  /** The distinct topics of the feed, sorted. */
  public List<String> topics() {
    return records.stream().map(Record::topic).distinct().sorted().toList();
  }

  private static byte[] key(String id) {
    ObjectNode key = JSON.createObjectNode();
    key.put("id", id);
    return key.toString().getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] envelope(EhrRow row, long txId, long lsn) {
    ObjectNode env = JSON.createObjectNode();
    env.putNull("before");
    ObjectNode after = env.putObject("after");
    row.columns().forEach((column, value) -> {
      if (value == null) {
        after.putNull(column);
      } else if (value instanceof Instant instant) {
        after.put(column, MICROS.format(instant));
      } else if (value instanceof LocalDate date) {
        after.put(column, (int) date.toEpochDay());
      } else if (value instanceof Double number) {
        after.put(column, number);
      } else {
        after.put(column, value.toString());
      }
    });
    ObjectNode source = env.putObject("source");
    source.put("connector", "postgresql");
    source.put("db", "ehr");
    source.put("schema", EhrRows.SCHEMA);
    source.put("table", row.table());
    source.put("txId", txId);
    source.put("lsn", lsn);
    source.put("ts_ms", 1_700_000_000_000L + lsn);
    env.put("op", "c");
    env.put("ts_ms", 1_700_000_000_000L + lsn);
    return env.toString().getBytes(StandardCharsets.UTF_8);
  }

  private record Mapped(EmrEvent event, EhrRow row) {
  }

  private record Group(String patientId, String groupKey, Instant time, List<Mapped> rows) {
  }
}
