package io.riskstream.connectors.debezium;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.riskstream.connectors.Normalized;
import io.riskstream.connectors.RecordNormalizer;
import io.riskstream.connectors.RejectedInputException;
import io.riskstream.connectors.debezium.SourceMapping;
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
import java.util.concurrent.TimeUnit;

/**
 * Turns one Debezium change event (the {@link RecordNormalizer} of CDC topics) (JSON, {@code schemas.enable=false}; a {@code {"schema":..,"payload":..}}
 * envelope is unwrapped too) into an {@link EmrEvent}, a skip (tombstone) or a dead letter. Pure and thread-safe.
 * op c/u/r → UPSERT from {@code after}; d → DELETE from {@code before}. The table is {@code source.table}, else the
 * last dot-separated part of the topic. eventId = {@code <table>:<id>}. Times: ISO-8601 strings (Debezium's
 * ZonedTimestamp for timestamptz; a date or a local date-time is read as UTC) or numbers in the column's mapped
 * unit (days since epoch for {@code date}, micro- or milliseconds for timestamps). Messages name fields, never values.
 */
public final class DebeziumNormalizer implements RecordNormalizer {

  private final SourceMapping mapping;
  private final String system;
  private final int maxRecordBytes;
  private final ObjectMapper json = new ObjectMapper();

  public DebeziumNormalizer(SourceMapping mapping, String system, int maxRecordBytes) {
    this.mapping = mapping;
    this.system = system;
    this.maxRecordBytes = maxRecordBytes;
  }

  @Override
  public Normalized normalize(byte[] key, byte[] value, String topic, int partition, long offset) {
    int size = (key == null ? 0 : key.length) + (value == null ? 0 : value.length);
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
    }
    try {
      return Normalized.event(toEvent(envelope, topic, partition, offset, transactionId));
    } catch (RejectedInputException b) {
      return Normalized.rejected(b.reason(), b.getMessage(), transactionId);
    }
  }

  /** Most characters of a transaction metadata id (PostgreSQL's are {@code txId:LSN}). */
  static final int MAX_TRANSACTION_ID_CHARS = 256;

  /**
   * The {@code transaction.id} of an envelope Debezium wrote with {@code provide.transaction.metadata=true}, else null.
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
    return id.asText();
  }

  private JsonNode parse(byte[] value) throws RejectedInputException {
    JsonNode root;
    try {
      root = json.readTree(value);
    } catch (JsonProcessingException e) {
      throw new RejectedInputException(DeadLetterReason.MALFORMED_JSON, "value is not JSON (line " + e.getLocation().getLineNr()
          + ", column " + e.getLocation().getColumnNr() + ")");
    } catch (java.io.IOException e) {
      throw new RejectedInputException(DeadLetterReason.MALFORMED_JSON, "value is not JSON");
    }
    if (root == null || !root.isObject()) {
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
    if (source != null && !source.isNull() && !source.isObject()) {
      throw new RejectedInputException(DeadLetterReason.INVALID_FIELD, "source is not an object");
    }
    String table = source != null && source.hasNonNull("table") ? source.get("table").asText()
        : topic.substring(topic.lastIndexOf('.') + 1);
    SourceMapping.Table t = mapping.table(table)
        .orElseThrow(() -> new RejectedInputException(DeadLetterReason.UNKNOWN_TABLE, "table '" + table + "' has no source mapping"));
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

    Long commitTime = optLong(source, "ts_ms", "source");
    long eventTime;
    if (eventOp == EventOp.DELETE && !row.hasNonNull(t.timeColumn())) {
      // a delete needs only the event id; with REPLICA IDENTITY DEFAULT the before image has only the key
      eventTime = commitTime != null ? commitTime : 0L;
    } else {
      eventTime = time(row, t.timeColumn(), t, true);
    }
    Long endTime = t.endTimeColumn() == null ? null : optTime(row, t.endTimeColumn(), t);

    SourceCoordinates coords = SourceCoordinates.newBuilder().setSystem(system).setTable(table)
        .setTxId(source == null ? null : optText(source, "txId", "source", true))
        .setLsn(optLong(source, "lsn", "source"))
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
    return EmrEvent.newBuilder()
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
    if (!v.isIntegralNumber()) {
      throw new RejectedInputException(DeadLetterReason.INVALID_FIELD, where + "." + field + " is not an integer");
    }
    return v.longValue();
  }

  private static Long optTime(JsonNode row, String column, SourceMapping.Table t) throws RejectedInputException {
    return row.hasNonNull(column) ? time(row, column, t, false) : null;
  }

  private static long time(JsonNode row, String column, SourceMapping.Table t, boolean required) throws RejectedInputException {
    JsonNode v = row.get(column);
    String name = t.table() + "." + column;
    if (v == null || v.isNull()) {
      throw new RejectedInputException(DeadLetterReason.MISSING_FIELD, name + " is missing");
    }
    if (v.isIntegralNumber()) {
      long n = v.longValue();
      return switch (t.numericTimeUnit()) {
        case DAYS -> TimeUnit.DAYS.toMillis(n);
        case MILLIS -> n;
        case MICROS -> Math.floorDiv(n, 1000L);
      };
    }
    if (!v.isTextual()) {
      throw new RejectedInputException(DeadLetterReason.INVALID_FIELD, name + " is neither a string nor an integer");
    }
    String s = v.asText();
    try {
      return OffsetDateTime.parse(s).toInstant().toEpochMilli();
    } catch (DateTimeParseException e1) {
      try {
        return LocalDateTime.parse(s).toInstant(ZoneOffset.UTC).toEpochMilli();
      } catch (DateTimeParseException e2) {
        try {
          return LocalDate.parse(s).atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
        } catch (DateTimeParseException e3) {
          throw new RejectedInputException(DeadLetterReason.UNPARSEABLE_TIME, name + " is not an ISO-8601 date or time");
        }
      }
    }
  }
}
