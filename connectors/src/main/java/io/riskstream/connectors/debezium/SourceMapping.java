package io.riskstream.connectors.debezium;

import io.riskstream.schemas.EventKind;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.config.ConfigException;

/**
 * Per source table: which EmrEvent kind it holds and which columns give patient id, event id, times, code,
 * value and unit. The defaults are the six tables of {@code connectors/ehr-db/schema.sql} with exactly its column
 * names; any field can be overridden with {@code source.table.<table>.<field>} (fields: kind, patient.column,
 * id.column, time.column, time.numeric.unit, end.time.column, code.system.column, code.system.default,
 * code.column, description.column, category.column, value.column, value.text.column, unit.column,
 * encounter.column; an empty value means "no such column").
 */
public final class SourceMapping {

  public static final List<String> DEFAULT_TABLES =
      List.of("patients", "encounters", "conditions", "observations", "medications", "procedures");

  /** How a numeric (Debezium-encoded) time column is read. */
  public enum NumericTimeUnit { DAYS, MILLIS, MICROS }

  /** One table's mapping. Null column names mean the table has no such column. */
  public record Table(String table, EventKind kind, String patientColumn, String idColumn, String timeColumn,
      NumericTimeUnit numericTimeUnit, String endTimeColumn, String codeSystemColumn, String codeSystemDefault,
      String codeColumn, String descriptionColumn, String categoryColumn, String valueColumn, String valueTextColumn,
      String unitColumn, String encounterColumn) {

    public Table {
      if (kind == null || idColumn == null || patientColumn == null || timeColumn == null) {
        throw new ConfigException("source table '" + table + "' needs kind, id.column, patient.column and time.column");
      }
    }
  }

  private final Map<String, Table> tables;

  private SourceMapping(Map<String, Table> tables) {
    this.tables = Map.copyOf(tables);
  }

  public Optional<Table> table(String name) {
    return Optional.ofNullable(tables.get(name));
  }

  public Map<String, Table> tables() {
    return tables;
  }

  public static SourceMapping fromConfig(List<String> tableNames, Map<String, Object> overrides) {
    Map<String, Table> out = new LinkedHashMap<>();
    for (String t : tableNames) {
      Map<String, String> fields = new LinkedHashMap<>(defaults(t));
      String prefix = t + ".";
      overrides.forEach((k, v) -> {
        if (k.startsWith(prefix)) {
          fields.put(k.substring(prefix.length()), v == null ? "" : v.toString().trim());
        }
      });
      if (fields.isEmpty()) {
        throw new ConfigException("source table '" + t + "' has no built-in mapping: set source.table." + t
            + ".kind, .id.column, .patient.column and .time.column");
      }
      out.put(t, toTable(t, fields));
    }
    return new SourceMapping(out);
  }

  public static SourceMapping defaults() {
    return fromConfig(DEFAULT_TABLES, Map.of());
  }

  private static Table toTable(String t, Map<String, String> f) {
    EventKind kind;
    try {
      kind = EventKind.valueOf(f.getOrDefault("kind", "").toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new ConfigException("source.table." + t + ".kind", f.get("kind"), "must be one of DEMOGRAPHICS, ENCOUNTER, DIAGNOSIS, OBSERVATION, MEDICATION, PROCEDURE");
    }
    NumericTimeUnit unit;
    try {
      unit = NumericTimeUnit.valueOf(f.getOrDefault("time.numeric.unit", "micros").toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new ConfigException("source.table." + t + ".time.numeric.unit", f.get("time.numeric.unit"), "must be days, millis or micros");
    }
    return new Table(t, kind, col(f, "patient.column"), col(f, "id.column"), col(f, "time.column"), unit,
        col(f, "end.time.column"), col(f, "code.system.column"), col(f, "code.system.default"), col(f, "code.column"),
        col(f, "description.column"), col(f, "category.column"), col(f, "value.column"), col(f, "value.text.column"),
        col(f, "unit.column"), col(f, "encounter.column"));
  }

  private static String col(Map<String, String> f, String key) {
    String v = f.get(key);
    return v == null || v.isEmpty() ? null : v;
  }

  private static Map<String, String> defaults(String table) {
    Map<String, String> m = new LinkedHashMap<>();
    switch (table) {
      case "patients" -> {
        m.put("kind", "DEMOGRAPHICS");
        m.put("patient.column", "id");
        m.put("id.column", "id");
        m.put("time.column", "birthdate");
        m.put("time.numeric.unit", "days");
        m.put("end.time.column", "deathdate");
        m.put("code.system.default", "administrative-gender");
        m.put("code.column", "gender");
      }
      case "encounters" -> clinical(m, "ENCOUNTER", "start_time", "SNOMED-CT", "encounter_class");
      case "conditions" -> clinical(m, "DIAGNOSIS", "start_time", "SNOMED-CT", null);
      case "observations" -> {
        clinical(m, "OBSERVATION", "effective_time", "LOINC", "category");
        m.remove("end.time.column");
        m.put("value.column", "value_numeric");
        m.put("value.text.column", "value_text");
        m.put("unit.column", "unit");
      }
      case "medications" -> clinical(m, "MEDICATION", "start_time", "RxNorm", null);
      case "procedures" -> clinical(m, "PROCEDURE", "start_time", "SNOMED-CT", null);
      default -> { }
    }
    if ("encounters".equals(table)) {
      m.remove("encounter.column");
    }
    return m;
  }

  private static void clinical(Map<String, String> m, String kind, String time, String system, String category) {
    m.put("kind", kind);
    m.put("patient.column", "patient_id");
    m.put("id.column", "id");
    m.put("time.column", time);
    m.put("time.numeric.unit", "micros");
    m.put("end.time.column", "stop_time");
    m.put("code.system.column", "code_system");
    m.put("code.system.default", system);
    m.put("code.column", "code");
    m.put("description.column", "description");
    if (category != null) {
      m.put("category.column", category);
    }
    m.put("encounter.column", "encounter_id");
  }
}
