package io.riskstream.topology.config;

import java.util.List;
import java.util.Locale;
import org.apache.kafka.common.config.ConfigDef;

/**
 * Writes the Markdown configuration reference of the README from the ConfigDef. Kafka's ConfigDef renders only
 * RST and HTML ({@code toRst}, {@code toHtml}), so this small Markdown table writer is hand-written.
 */
public final class ConfigDocs {

  private ConfigDocs() {
  }

  public static String markdown(ConfigDef def) {
    StringBuilder sb = new StringBuilder();
    sb.append("| key | type | default | valid values | importance | environment | description |\n");
    sb.append("|---|---|---|---|---|---|---|\n");
    List<ConfigDef.ConfigKey> keys = def.configKeys().values().stream()
        .sorted(java.util.Comparator.comparing((ConfigDef.ConfigKey k) -> k.name)).toList();
    for (ConfigDef.ConfigKey k : keys) {
      String dflt = k.hasDefault() ? (k.type == ConfigDef.Type.PASSWORD ? "(none)" : String.valueOf(ConfigDef.convertToString(k.defaultValue, k.type))) : "(required)";
      sb.append("| `").append(k.name).append("` | ").append(k.type.name().toLowerCase(Locale.ROOT)).append(" | `")
          .append(escape(dflt)).append("` | ").append(k.validator == null ? "" : escape(k.validator.toString()))
          .append(" | ").append(k.importance.name().toLowerCase(Locale.ROOT)).append(" | `")
          .append(RiskStreamConfig.envName(k.name)).append("` | ").append(escape(k.documentation)).append(" |\n");
    }
    return sb.toString();
  }

  /** The whole reference page: a title, how values are given, and the table. */
  public static String document(ConfigDef def) {
    return "# RiskStream configuration reference\n\n"
        + "Generated from `RiskStreamConfig`'s ConfigDef by `riskstream config-docs` (do not edit by hand).\n"
        + "Values come from the `--config` properties file; an environment variable `RISKSTREAM_<KEY>` (upper case, dots\n"
        + "and dashes as underscores) overrides the file. Password values are never logged. Prefixed keys:\n"
        + "`source.table.<table>.<field>` (kind, patient.column, id.column, time.column, time.numeric.unit,\n"
        + "end.time.column, code.system.column, code.system.default, code.column, description.column, category.column,\n"
        + "value.column, value.text.column, unit.column, encounter.column) and `alert.outcome.<outcome>.<field>`\n"
        + "(warning.threshold, critical.threshold, hysteresis.margin, cooldown.hours). Any other Kafka client property\n"
        + "goes under `kafka.` and reaches every Kafka client as is (`kafka.session.timeout.ms`; Kafka Streams' own\n"
        + "`consumer.`, `producer.`, `admin.` prefixes work through it: `kafka.producer.linger.ms`). The `ssl.*` and\n"
        + "`sasl.*` keys are Kafka's client settings (docs shortened from Kafka's).\n\n"
        + markdown(def);
  }

  private static String escape(String s) {
    return s == null ? "" : s.replace("|", "\\|").replace("\n", " ");
  }

  public static void main(String[] args) {
    System.out.print(document(RiskStreamConfig.configDef()));
  }
}
