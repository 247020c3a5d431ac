package io.riskstream.config;

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

  private static String escape(String s) {
    return s == null ? "" : s.replace("|", "\\|").replace("\n", " ");
  }

  public static void main(String[] args) {
    System.out.print(markdown(RiskStreamConfig.configDef()));
  }
}
