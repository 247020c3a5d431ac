package io.riskstream.connectors.ehr;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One row of a table of {@code connectors/ehr-db/schema.sql}: the table name (without the {@code clinical.} schema)
 * and its columns in the schema's order. Values are String, {@link java.time.Instant} (timestamptz),
 * {@link java.time.LocalDate} (date), Double (double precision) or null. Immutable.
 */
public record EhrRow(String table, Map<String, Object> columns) {

  public EhrRow {
    Objects.requireNonNull(table, "table");
    // LinkedHashMap keeps the schema's column order and, unlike Map.copyOf, allows SQL NULLs.
    columns = Collections.unmodifiableMap(new LinkedHashMap<>(Objects.requireNonNull(columns, "columns")));
  }

  /** Column names in order. */
  public List<String> columnNames() {
    return List.copyOf(columns.keySet());
  }

  /** Values in column order (may contain nulls). */
  public List<Object> values() {
    return Collections.unmodifiableList(new ArrayList<>(columns.values()));
  }

  /** The value of a column; throws if the table has no such column. */
  public Object get(String column) {
    if (!columns.containsKey(column)) {
      throw new IllegalArgumentException("Table " + table + " has no column " + column);
    }
    return columns.get(column);
  }

  /** The row's primary key (column {@code id}). */
  public String id() {
    return (String) columns.get("id");
  }
}
