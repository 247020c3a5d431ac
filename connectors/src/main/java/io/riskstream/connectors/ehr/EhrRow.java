package io.riskstream.connectors.ehr;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One row of the EHR database ({@code connectors/ehr-db/schema.sql}): its table in schema {@code clinical}, and its
 * columns in table order. The first column is the primary key {@code id}. Values are JDBC-bindable: String,
 * Double, {@link java.time.LocalDate} or {@link java.time.OffsetDateTime}, or null.
 */
public record EhrRow(String table, Map<String, Object> columns) {

  public EhrRow {
    Objects.requireNonNull(table, "table");
    Objects.requireNonNull(columns, "columns");
    if (!columns.containsKey("id") || columns.get("id") == null) {
      throw new IllegalArgumentException("row of table " + table + " has no id");
    }
    columns = Collections.unmodifiableMap(new LinkedHashMap<>(columns));
  }

  public String id() {
    return (String) columns.get("id");
  }
}
