package io.riskstream.connectors.debezium;

import com.fasterxml.jackson.databind.JsonNode;
import io.riskstream.connectors.RejectedInputException;
import io.riskstream.connectors.StrictJson;
import io.riskstream.schemas.DeadLetterReason;

/**
 * One record of the transaction metadata topic Debezium writes with {@code provide.transaction.metadata=true}
 * ({@code <topic.prefix>.transaction}): BEGIN, or END with the number of change events the transaction wrote (over all
 * tables). JSON without schemas, or in a {@code {"schema":..,"payload":..}} envelope. Pure and thread-safe.
 *
 * @param id the transaction's key ({@link #key}: what its change events' {@code transaction.id} reduce to as well)
 * @param eventCount the transaction's change events (END only; null for BEGIN)
 */
public record TransactionMetadata(Status status, String id, Long eventCount) {

  /** BEGIN or END of a transaction. */
  public enum Status { BEGIN, END }

  /** Most bytes of a transaction metadata record (an END lists one count per table). */
  private static final int MAX_BYTES = 64 * 1024;
  private static final StrictJson JSON = StrictJson.withMaxDocumentChars(MAX_BYTES);

  /** A PostgreSQL transaction id as Debezium writes it: {@code <xid>:<LSN>}. */
  private static final java.util.regex.Pattern POSTGRES_ID = java.util.regex.Pattern.compile("([0-9]+):[0-9]+");

  /**
   * The key that identifies a transaction in its metadata and in its change events. Debezium's PostgreSQL connector
   * writes {@code <xid>:<LSN>} with the LSN of each event (and of the commit on END), so only the xid is common to
   * them (measured: CdcPipelineIT); other connectors' ids are taken whole.
   */
  public static String key(String id) {
    java.util.regex.Matcher m = POSTGRES_ID.matcher(id);
    return m.matches() ? m.group(1) : id;
  }

  /** Reads a record of the transaction topic; a record that is not one is rejected with a reason. */
  public static TransactionMetadata parse(byte[] value) throws RejectedInputException {
    if (value == null) {
      throw new RejectedInputException(DeadLetterReason.MISSING_FIELD, "transaction metadata record without a value");
    }
    if (value.length > MAX_BYTES) {
      throw new RejectedInputException(DeadLetterReason.OVERSIZED_RECORD, "transaction metadata record of "
          + value.length + " bytes exceeds " + MAX_BYTES);
    }
    JsonNode node = JSON.parse(value);
    if (node != null && node.isObject() && node.has("payload") && node.has("schema")) {
      node = node.get("payload");
    }
    if (node == null || !node.isObject()) {
      throw new RejectedInputException(DeadLetterReason.MALFORMED_JSON, "transaction metadata is not a JSON object");
    }
    JsonNode status = node.get("status");
    JsonNode id = node.get("id");
    if (status == null || !status.isTextual() || !(status.asText().equals("BEGIN") || status.asText().equals("END"))) {
      throw new RejectedInputException(DeadLetterReason.INVALID_FIELD, "transaction metadata status is not BEGIN or END");
    }
    if (id == null || !id.isTextual() || id.asText().isEmpty()
        || id.asText().length() > DebeziumNormalizer.MAX_TRANSACTION_ID_CHARS) {
      throw new RejectedInputException(DeadLetterReason.INVALID_FIELD, "transaction metadata id is not a string of 1.."
          + DebeziumNormalizer.MAX_TRANSACTION_ID_CHARS + " characters");
    }
    if (status.asText().equals("BEGIN")) {
      return new TransactionMetadata(Status.BEGIN, key(id.asText()), null);
    }
    JsonNode count = node.get("event_count");
    if (count == null || !count.canConvertToLong() || !count.isIntegralNumber() || count.asLong() < 0) {
      throw new RejectedInputException(DeadLetterReason.INVALID_FIELD,
          "transaction metadata END has no event_count of zero or more");
    }
    return new TransactionMetadata(Status.END, key(id.asText()), count.asLong());
  }
}
