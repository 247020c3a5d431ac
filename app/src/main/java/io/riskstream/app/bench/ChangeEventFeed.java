package io.riskstream.app.bench;

import io.riskstream.app.demo.DebeziumChangeEvents;
import io.riskstream.connectors.ehr.EhrRow;
import io.riskstream.connectors.ehr.EhrRows;
import io.riskstream.schemas.EmrEvent;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.kafka.common.utils.Utils;

/**
 * A cohort's events as the Debezium change events the CDC connector would write for them, without a database: the
 * transactions of {@code EhrDatabaseLoader} (each patient row alone, then one transaction per encounter with every
 * fact that carries its encounter id, in event-time order over all patients), one insert ({@code op c}) per row, all
 * on {@code <prefix>.clinical.changes} as the shipped Kafka Connect configuration routes them, JSON without schemas,
 * value formats as in connectors/README.md, with Debezium's transaction metadata (the {@code transaction} block and the
 * END records of {@link #transactionEnds()}). Record timestamps increase by 1 ms per record in feed order, so a
 * transaction's records lie within (size - 1) ms of each other. The transactions and envelopes are the
 * demo's ({@link io.riskstream.app.demo.DebeziumChangeEvents}); this adds topic prefixes and record timestamps.
 */
public final class ChangeEventFeed {

  /**
   * One change event: its topic, partition (by patient), key and value bytes, record timestamp and (for bookkeeping
   * only) transaction id.
   */
  public record Record(String topic, int partition, byte[] key, byte[] value, long timestamp, long txId) {
    public Record {
      Objects.requireNonNull(topic, "topic");
    }
  }

  private final List<Record> records;
  private final List<Record> transactionEnds;
  private final int transactions;

  private ChangeEventFeed(List<Record> records, List<Record> transactionEnds, int transactions) {
    this.records = List.copyOf(records);
    this.transactionEnds = List.copyOf(transactionEnds);
    this.transactions = transactions;
  }

  /**
   * The change events of a cohort (events by patient, as {@code SyntheaCsvReader.readByPatient()} returns them).
   *
   * @throws IllegalArgumentException for an event that has no EHR row (see {@code EhrRows.toRow})
   */
  public static ChangeEventFeed of(Map<String, List<EmrEvent>> byPatient, String topicPrefix, long firstTimestamp) {
    return of(byPatient, topicPrefix, firstTimestamp, 1);
  }

  /**
   * As {@link #of(Map, String, long)}, with the change events spread over {@code partitions} partitions by patient (as
   * Kafka's default partitioner places a record keyed by the patient id), as the shipped routing does; each END record
   * goes to partition 0 of its topic.
   */
  public static ChangeEventFeed of(Map<String, List<EmrEvent>> byPatient, String topicPrefix, long firstTimestamp,
      int partitions) {
    long[] rejected = {0};
    List<DebeziumChangeEvents.Transaction> transactions =
        DebeziumChangeEvents.transactions(byPatient, rejected);
    if (rejected[0] > 0) {
      throw new IllegalArgumentException(rejected[0] + " events have no EHR row (see EhrRows.toRow)");
    }
    List<Record> out = new ArrayList<>();
    List<Record> ends = new ArrayList<>();
    long txId = 1000;
    long lsn = 1;
    long timestamp = firstTimestamp;
    String topic = topicPrefix + "." + EhrRows.SCHEMA + ".changes";
    for (DebeziumChangeEvents.Transaction transaction : transactions) {
      txId++;
      String transactionId = DebeziumChangeEvents.transactionId(txId, lsn);
      List<EhrRow> rows = transaction.rows();
      int partition = Utils.toPositive(Utils.murmur2(transaction.patientId().getBytes(StandardCharsets.UTF_8)))
          % partitions;
      for (int i = 0; i < rows.size(); i++) {
        out.add(new Record(topic, partition, DebeziumChangeEvents.key(rows.get(i)), DebeziumChangeEvents.create(rows.get(i), txId,
            lsn, 1_700_000_000_000L + lsn, transactionId, i + 1), timestamp, txId));
        lsn++;
        timestamp++;
      }
      ends.add(new Record(topicPrefix + ".transaction", 0, DebeziumChangeEvents.transactionKey(transactionId),
          DebeziumChangeEvents.transactionEnd(transactionId, rows, 1_700_000_000_000L + lsn - 1), timestamp - 1, txId));
    }
    return new ChangeEventFeed(out, ends, transactions.size());
  }

  /**
   * The END record of every transaction (topic {@code <prefix>.transaction}), in feed order, each with the timestamp of
   * the transaction's last change event, as Debezium writes them with {@code provide.transaction.metadata=true}.
   */
  public List<Record> transactionEnds() {
    return transactionEnds;
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
}
