package io.riskstream.connectors.debezium;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/** Builds Debezium JSON change events (schemas.enable=false) for tests. */
public final class Cdc {

  private static final ObjectMapper JSON = new ObjectMapper();

  private Cdc() {
  }

  public static Map<String, Object> row(Object... kv) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      m.put((String) kv[i], kv[i + 1]);
    }
    return m;
  }

  public static byte[] change(String table, String op, Map<String, Object> row, Object txId, long lsn) {
    ObjectNode env = JSON.createObjectNode();
    boolean delete = "d".equals(op);
    env.set("before", delete ? JSON.valueToTree(row) : null);
    env.set("after", delete ? null : JSON.valueToTree(row));
    ObjectNode source = env.putObject("source");
    source.put("connector", "postgresql");
    source.put("db", "ehr");
    source.put("schema", "clinical");
    source.put("table", table);
    if (txId != null) {
      source.putPOJO("txId", txId);
    }
    source.put("lsn", lsn);
    source.put("ts_ms", 1_700_000_000_000L + lsn);
    env.put("op", op);
    env.put("ts_ms", 1_700_000_000_000L + lsn);
    return bytes(env.toString());
  }

  /** {@code change} with Debezium's transaction block ({@code provide.transaction.metadata=true}). */
  public static byte[] withTransaction(byte[] change, String transactionId, long totalOrder) {
    try {
      ObjectNode env = (ObjectNode) JSON.readTree(change);
      env.putObject("transaction").put("id", transactionId).put("total_order", totalOrder)
          .put("data_collection_order", totalOrder);
      return JSON.writeValueAsBytes(env);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** A record of Debezium's transaction topic: BEGIN, or END with {@code eventCount} events. */
  public static byte[] transactionMarker(String transactionId, String status, long eventCount) {
    ObjectNode m = JSON.createObjectNode().put("status", status).put("id", transactionId).put("ts_ms", 1L);
    if (status.equals("END")) {
      m.put("event_count", eventCount);
      m.putArray("data_collections");
    } else {
      m.putNull("event_count");
    }
    return m.toString().getBytes(StandardCharsets.UTF_8);
  }

  public static byte[] key(String id) {
    return bytes("{\"id\":\"" + id + "\"}");
  }

  public static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  public static Map<String, Object> patient(String id, String birthIsoDate, String gender) {
    return row("id", id, "birthdate", (int) java.time.LocalDate.parse(birthIsoDate).toEpochDay(), "deathdate", null,
        "gender", gender, "race", "white", "ethnicity", "nonhispanic");
  }

  public static Map<String, Object> condition(String id, String patient, String startIso, String code) {
    return row("id", id, "patient_id", patient, "encounter_id", "enc-1", "start_time", startIso, "stop_time", null,
        "code_system", "SNOMED-CT", "code", code, "description", "test condition");
  }

  public static Map<String, Object> observation(String id, String patient, String timeIso, String code, Double value, String unit) {
    return row("id", id, "patient_id", patient, "encounter_id", "enc-1", "effective_time", timeIso, "category", "laboratory",
        "code_system", "LOINC", "code", code, "description", "lab", "value_numeric", value, "value_text", null, "unit", unit);
  }
}
