package io.riskstream.connectors.debezium;

import com.fasterxml.jackson.databind.JsonNode;
import io.riskstream.connectors.FieldRules;
import io.riskstream.connectors.Normalized;
import io.riskstream.connectors.NormalizerFailures;
import io.riskstream.connectors.RecordNormalizer;
import io.riskstream.connectors.RejectedInputException;
import io.riskstream.connectors.StrictJson;
import io.riskstream.schemas.DeadLetterReason;
import io.riskstream.schemas.EmrEvent;
import io.riskstream.schemas.EventOp;
import io.riskstream.schemas.SourceCoordinates;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.regex.Pattern;

/**
 * Turns one Debezium change event (the {@link RecordNormalizer} of CDC topics) (JSON, {@code schemas.enable=false}; a
 * {@code {"schema":..,"payload":..}} envelope is unwrapped too) into an {@link EmrEvent}, a skip (tombstone) or a dead
 * letter. Pure and thread-safe. op c/u/r → UPSERT from {@code after}; d → DELETE from {@code before}. The table is
 * {@code source.table}, else the last dot-separated part of the topic. eventId = {@code <table>:<id>}. Times: ISO-8601
 * strings (Debezium's ZonedTimestamp for timestamptz; a date or a local date-time is read as UTC) or numbers in the
 * column's mapped unit (days since epoch for {@code date}, micro- or milliseconds for timestamps). The JSON is read by
 * {@link StrictJson} and every event meets {@link FieldRules}; {@code source.txId} is an identifier too. Messages name
 * fields, never values.
 */
public final class DebeziumNormalizer implements RecordNormalizer {

  /** Longest time text read (no ISO-8601 date or time is longer); longer is UNPARSEABLE_TIME without parsing. */
  static final int MAX_TIME_CHARS = 64;
  /** A table name shown in messages: a plain SQL identifier; any other name is not echoed. */
  private static final Pattern SHOWN_TABLE = Pattern.compile("[A-Za-z_][A-Za-z0-9_$]{0,62}");

  private final SourceMapping mapping;
  private final String system;
  private final int maxRecordBytes;
  private final StrictJson json;

  public DebeziumNormalizer(SourceMapping mapping, String system, int maxRecordBytes) {
    this.mapping = mapping;
    this.system = system;
    this.maxRecordBytes = maxRecordBytes;
    this.json = StrictJson.withMaxDocumentChars(maxRecordBytes);
  }

  /** Never throws for any key and value: bad input is a rejection, a bug an PROCESSING_ERROR rejection. */
  @Override
  public Normalized normalize(byte[] key, byte[] value, String topic, int partition, long offset) {
    long size = (key == null ? 0L : key.length) + (value == null ? 0L : value.length);
    if (size > maxRecordBytes) {
      return Normalized.rejected(DeadLetterReason.OVERSIZED_RECORD, "record of " + size + " bytes exceeds "
          + maxRecordBytes);
    }
    if (value == null) {
      return Normalized.ofTombstone();
    }
    JsonNode envelope;
    String transactionId;
    try {
      envelope = parse(value);
      transactionId = transactionId(envelope);
    } catch (RejectedInputException b) {
      return Normalized.rejected(b.reason(), b.getMessage());
    } catch (RuntimeException bug) {
      return NormalizerFailures.unexpected(bug, "DebeziumNormalizer", topic, partition, offset);
    }
    try {
      return Normalized.event(toEvent(envelope, topic, partition, offset, transactionId));
    } catch (RejectedInputException b) {
      return Normalized.rejected(b.reason(), b.getMessage(), transactionId);
    } catch (RuntimeException bug) {
      return NormalizerFailures.unexpected(bug, "DebeziumNormalizer", topic, partition, offset);
    }
  }

  /** Most characters of a transaction metadata id (PostgreSQL's are {@code txId:LSN}). */
  static final int MAX_TRANSACTION_ID_CHARS = 256;

  /**
   * The transaction key ({@link TransactionMetadata#key}) of the {@code transaction.id} of an envelope Debezium wrote
   * with {@code provide.transaction.metadata=true}, else null.
   */
  private static String transactionId(JsonNode envelope) throws RejectedInputException {
    JsonNode transaction = envelope.get("transaction");
    if (transaction == null || transaction.isNull()) {
      return null;
    }
    JsonNode id = transaction.isObject() ? transaction.get("id") : null;
    if (id == null || !id.isTextual() || id.asText().isEmpty() || id.asText().length() > MAX_TRANSACTION_ID_CHARS) {
      throw new RejectedInputException(DeadLetterReason.INVALID_FIELD,
          "transaction.id is not a string of 1.." + MAX_TRANSACTION_ID_CHARS + " characters");
    }
    return TransactionMetadata.key(id.asText());
  }

  private JsonNode parse(byte[] value) throws RejectedInputException {
    JsonNode root = json.parse(value);
    if (!root.isObject()) {
      throw new RejectedInputException(DeadLetterReason.MALFORMED_JSON, "value is not a JSON object");
    }
    if (root.has("payload") && root.has("schema")) {
      root = root.get("payload");
      if (!root.isObject()) {
        throw new RejectedInputException(DeadLetterReason.MALFORMED_JSON, "payload is not a JSON object");
      }
    }
    return root;
  }

  private EmrEvent toEvent(JsonNode env, String topic, int partition, long offset, String transactionId)
      throws RejectedInputException {
    String op = text(env, "op", "envelope");
    EventOp eventOp = switch (op) {
      case "c", "u", "r" -> EventOp.UPSERT;
      case "d" -> EventOp.DELETE;
      default -> throw new RejectedInputException(DeadLetterReason.INVALID_FIELD, "op must be c, u, r or d");
    };
    JsonNode source = env.get("source");
    if (source != null && source.isNull()) {
      source = null;
    }
    if (source != null && !source.isObject()) {
      throw new RejectedInputException(DeadLetterReason.INVALID_FIELD, "source is not an object");
    }
    String table = source != null && source.hasNonNull("table") ? text(source, "table", "source")
        : topic.substring(topic.lastIndexOf('.') + 1);
    SourceMapping.Table t = mapping.table(table)
        .orElseThrow(() -> new RejectedInputException(DeadLetterReason.UNKNOWN_TABLE, "table "
            + (SHOWN_TABLE.matcher(table).matches() ? "'" + table + "'" : "(name not shown: not a plain identifier)")
            + " has no source mapping"));
    String rowField = eventOp == EventOp.DELETE ? "before" : "after";
    JsonNode row = env.get(rowField);
    if (row == null || row.isNull()) {
      throw new RejectedInputException(DeadLetterReason.MISSING_FIELD, rowField + " is missing for op " + op);
    }
    if (!row.isObject()) {
      throw new RejectedInputException(DeadLetterReason.INVALID_FIELD, rowField + " is not an object");
    }
    String id = idText(row, t.idColumn(), table);
    String patient = idText(row, t.patientColumn(), table);

    String txId = source == null ? null : optText(source, "txId", "source", true);
    if (txId != null) {
      FieldRules.identifier(txId, "source.txId");
    }
    Long lsn = optLong(source, "lsn", "source");
    Long commitTime = optLong(source, "ts_ms", "source");
    if (commitTime != null && !FieldRules.plausible(commitTime)) {
      throw new RejectedInputException(DeadLetterReason.INVALID_FIELD, "source.ts_ms is outside the plausible range "
          + FieldRules.EARLIEST_TIME + " .. " + FieldRules.LATEST_TIME);
    }
    long eventTime;
    if (eventOp == EventOp.DELETE && !row.hasNonNull(t.timeColumn())) {
      // a delete needs only the event id; with REPLICA IDENTITY DEFAULT the before image has only the key
      eventTime = commitTime != null ? commitTime : 0L;
    } else {
      eventTime = time(row, t.timeColumn(), t);
    }
    Long endTime = t.endTimeColumn() == null ? null : optTime(row, t.endTimeColumn(), t);

    SourceCoordinates coords = SourceCoordinates.newBuilder().setSystem(system).setTable(table)
        .setTxId(txId)
        .setLsn(lsn)
        .setCommitTime(commitTime == null ? null : Instant.ofEpochMilli(commitTime))
        .setTopic(topic).setPartition(partition).setOffset(offset).setTransactionId(transactionId).build();
    String codeSystem = t.codeSystemColumn() == null ? null : optText(row, t.codeSystemColumn(), table, false);
    Double value = null;
    if (t.valueColumn() != null && row.hasNonNull(t.valueColumn())) {
      JsonNode v = row.get(t.valueColumn());
      if (!v.isNumber()) {
        throw new RejectedInputException(DeadLetterReason.INVALID_FIELD, table + "." + t.valueColumn() + " is not a number");
      }
      value = v.doubleValue();
    }
    EmrEvent event = EmrEvent.newBuilder()
        .setPatientId(patient)
        .setEventId(table + ":" + id)
        .setOp(eventOp)
        .setKind(t.kind())
        .setEventTime(Instant.ofEpochMilli(eventTime))
        .setEndTime(endTime == null ? null : Instant.ofEpochMilli(endTime))
        .setCodeSystem(codeSystem != null ? codeSystem : t.codeSystemDefault())
        .setCode(t.codeColumn() == null ? null : optText(row, t.codeColumn(), table, false))
        .setDescription(t.descriptionColumn() == null ? null : optText(row, t.descriptionColumn(), table, false))
        .setCategory(t.categoryColumn() == null ? null : optText(row, t.categoryColumn(), table, false))
        .setValue(value)
        .setValueText(t.valueTextColumn() == null ? null : optText(row, t.valueTextColumn(), table, false))
        .setUnit(t.unitColumn() == null ? null : optText(row, t.unitColumn(), table, false))
        .setEncounterId(t.encounterColumn() == null ? null : optText(row, t.encounterColumn(), table, true))
        .setSource(coords)
        .build();
    FieldRules.check(event, f -> columnName(t, f, eventOp == EventOp.DELETE && !row.hasNonNull(t.timeColumn())));
    return event;
  }

  /** The source column a field of the event came from, for messages. */
  private static String columnName(SourceMapping.Table t, FieldRules.Field field, boolean timeFromCommit) {
    String column = switch (field) {
      case PATIENT_ID -> t.patientColumn();
      case EVENT_ID -> t.idColumn();
      case ENCOUNTER_ID -> t.encounterColumn();
      case EVENT_TIME -> timeFromCommit ? null : t.timeColumn();
      case END_TIME -> t.endTimeColumn();
      case CODE_SYSTEM -> t.codeSystemColumn() == null ? "code.system.default" : t.codeSystemColumn();
      case CODE -> t.codeColumn();
      case DESCRIPTION -> t.descriptionColumn();
      case CATEGORY -> t.categoryColumn();
      case VALUE -> t.valueColumn();
      case VALUE_TEXT -> t.valueTextColumn();
      case UNIT -> t.unitColumn();
    };
    return column == null ? "source.ts_ms" : t.table() + "." + column;
  }

  private static String text(JsonNode node, String field, String where) throws RejectedInputException {
    JsonNode v = node.get(field);
    if (v == null || v.isNull()) {
      throw new RejectedInputException(DeadLetterReason.MISSING_FIELD, where + "." + field + " is missing");
    }
    if (!v.isTextual()) {
      throw new RejectedInputException(DeadLetterReason.INVALID_FIELD, where + "." + field + " is not a string");
    }
    return v.asText();
  }

  private static String idText(JsonNode row, String column, String table) throws RejectedInputException {
    JsonNode v = row.get(column);
    if (v == null || v.isNull()) {
      throw new RejectedInputException(DeadLetterReason.MISSING_FIELD, table + "." + column + " is missing");
    }
    if (!(v.isTextual() || v.isIntegralNumber()) || v.asText().isEmpty()) {
      throw new RejectedInputException(DeadLetterReason.INVALID_FIELD, table + "." + column + " is not a non-empty string or integer");
    }
    return v.asText();
  }

  private static String optText(JsonNode node, String field, String where, boolean allowNumber) throws RejectedInputException {
    if (node == null || !node.hasNonNull(field)) {
      return null;
    }
    JsonNode v = node.get(field);
    if (v.isTextual() || (allowNumber && v.isIntegralNumber())) {
      return v.asText();
    }
    throw new RejectedInputException(DeadLetterReason.INVALID_FIELD, where + "." + field + " is not a string");
  }

  private static Long optLong(JsonNode node, String field, String where) throws RejectedInputException {
    if (node == null || !node.hasNonNull(field)) {
      return null;
    }
    JsonNode v = node.get(field);
    if (!v.isIntegralNumber() || !v.canConvertToLong()) {
      throw new RejectedInputException(DeadLetterReason.INVALID_FIELD, where + "." + field + " is not a 64-bit integer");
    }
    return v.longValue();
  }

  private static Long optTime(JsonNode row, String column, SourceMapping.Table t) throws RejectedInputException {
    return row.hasNonNull(column) ? time(row, column, t) : null;
  }

  /**
   * A time column in epoch milliseconds: an ISO-8601 string (at most {@value #MAX_TIME_CHARS} chars) or an integer in
   * the column's unit; unparseable → UNPARSEABLE_TIME; outside {@link FieldRules#EARLIEST_TIME} ..
   * {@link FieldRules#LATEST_TIME} (or not a 64-bit integer) → INVALID_FIELD.
   */
  private static long time(JsonNode row, String column, SourceMapping.Table t) throws RejectedInputException {
    JsonNode v = row.get(column);
    String name = t.table() + "." + column;
    if (v == null || v.isNull()) {
      throw new RejectedInputException(DeadLetterReason.MISSING_FIELD, name + " is missing");
    }
    if (v.isIntegralNumber()) {
      if (!v.canConvertToLong()) {
        throw new RejectedInputException(DeadLetterReason.INVALID_FIELD, name + " is not a 64-bit integer");
      }
      long n = v.longValue();
      long millis = switch (t.numericTimeUnit()) {
        case DAYS -> Math.abs(n) > 100_000_000L ? Long.MAX_VALUE : n * 86_400_000L;
        case MILLIS -> n;
        case MICROS -> Math.floorDiv(n, 1000L);
      };
      return plausible(millis, name);
    }
    if (!v.isTextual()) {
      throw new RejectedInputException(DeadLetterReason.INVALID_FIELD, name + " is neither a string nor an integer");
    }
    String s = v.asText();
    if (s.length() > MAX_TIME_CHARS) {
      throw new RejectedInputException(DeadLetterReason.UNPARSEABLE_TIME, name + " is not an ISO-8601 date or time"
          + " (longer than " + MAX_TIME_CHARS + " chars)");
    }
    Instant instant;
    try {
      instant = OffsetDateTime.parse(s).toInstant();
    } catch (DateTimeParseException e1) {
      try {
        instant = LocalDateTime.parse(s).toInstant(ZoneOffset.UTC);
      } catch (DateTimeParseException e2) {
        try {
          instant = LocalDate.parse(s).atStartOfDay(ZoneOffset.UTC).toInstant();
        } catch (DateTimeParseException e3) {
          throw new RejectedInputException(DeadLetterReason.UNPARSEABLE_TIME, name + " is not an ISO-8601 date or time");
        }
      }
    }
    // checked before toEpochMilli, which overflows for instants far from 1970
    return FieldRules.time(instant, name).toEpochMilli();
  }

  private static long plausible(long millis, String name) throws RejectedInputException {
    if (!FieldRules.plausible(millis)) {
      throw new RejectedInputException(DeadLetterReason.INVALID_FIELD, name + " is outside the plausible range "
          + FieldRules.EARLIEST_TIME + " .. " + FieldRules.LATEST_TIME);
    }
    return millis;
  }
}
