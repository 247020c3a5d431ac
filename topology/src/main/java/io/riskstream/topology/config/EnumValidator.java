package io.riskstream.topology.config;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;

/**
 * Accepts exactly the lower-case names of an enum's constants (for {@code Backend}: {@code auto},
 * {@code onnxruntime}, {@code tensorrt}), in declaration order; documented as {@code [auto, onnxruntime, tensorrt]}.
 */
final class EnumValidator implements ConfigDef.Validator {

  private final List<String> values;

  private EnumValidator(List<String> values) {
    this.values = values;
  }

  static EnumValidator of(Class<? extends Enum<?>> type) {
    return new EnumValidator(Arrays.stream(type.getEnumConstants()).map(EnumValidator::label).toList());
  }

  /** The constant of {@code type} whose lower-case name is {@code value} (a value this validator accepted). */
  static <E extends Enum<E>> E parse(Class<E> type, String value) {
    for (E constant : type.getEnumConstants()) {
      if (label(constant).equals(value)) {
        return constant;
      }
    }
    throw new ConfigException("'" + value + "' is not one of " + of(type));
  }

  private static String label(Enum<?> constant) {
    return constant.name().toLowerCase(Locale.ROOT);
  }

  @Override
  public void ensureValid(String name, Object value) {
    if (!values.contains(value)) {
      throw new ConfigException(name, value, "String must be one of: " + String.join(", ", values));
    }
  }

  @Override
  public String toString() {
    return "[" + String.join(", ", values) + "]";
  }
}
