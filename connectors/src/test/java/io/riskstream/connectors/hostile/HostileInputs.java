package io.riskstream.connectors.hostile;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.riskstream.connectors.StrictJson;
import io.riskstream.schemas.DeadLetterReason;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Random;
import java.util.Set;

/**
 * Seeded hostile input for the normalizers: what a broken or hostile upstream could write to a CDC topic (Debezium JSON
 * change events) or a FHIR topic (R4 JSON resources and Bundles). For a seed, {@link #debezium} and {@link #fhir} give
 * the same records every time; every {@link Category} occurs at least once per run, the variant (which field, which
 * character, which wrong type, how long, how deep, where it is cut) is picked by the seed.
 *
 * <ul>
 *   <li>{@link #hostile()}: records that must each become exactly one dead letter with {@link Hostile#expected()}, no
 *       event, no exception; no dead-letter message may contain any of {@link Hostile#secrets()} (the injected
 *       values, the record's patient id and texts).</li>
 *   <li>{@link #accepted()}: records that are not errors and must be accepted: copies of the valid records passed in
 *       (exact duplicates, schema additions: unknown columns or elements, the Connect schema envelope, and the same
 *       record with an unknown column or element at each parser limit: depth, number and name length, string length,
 *       document size) whose events equal those of the original ({@link Accepted#copyOf()}); and records with every
 *       field at its bound ({@link io.riskstream.connectors.FieldRules}) that are DELETEs of facts no valid record
 *       creates, of patients no valid record names, without Debezium txId: they change no history, so no score.</li>
 * </ul>
 *
 * The limits are the normalizers': {@code maxRecordBytes} is {@code source.max.record.bytes} or
 * {@code fhir.max.record.bytes} (at least 16 KiB here); string-length variants that would not fit are left out
 * (a string over {@link StrictJson#MAX_STRING_CHARS} needs a limit above 1 MiB). Used by the connectors' and the
 * topology's tests, and reusable against a real broker (connectors test-jar).
 */
public final class HostileInputs {

  /** What is wrong with a record (or, for the accepted ones, what is unusual about it). */
  public enum Category {
    NOT_JSON, TRUNCATED, BINARY, DEEP_NESTING, TRAILING_GARBAGE, DUPLICATE_KEYS, HUGE_STRING, HUGE_DOCUMENT,
    WRONG_TYPE, MISSING_FIELD, IMPOSSIBLE_TIME, UNKNOWN_TABLE_OR_TYPE, FORBIDDEN_CHARACTERS, INJECTION,
    // accepted: not errors
    DUPLICATE, SCHEMA_ADDITION, AT_LIMIT, SKIPPED_ONLY;

    /** Whether records of this category are errors (one dead letter each). */
    public boolean hostile() {
      return ordinal() < DUPLICATE.ordinal();
    }
  }

  /** The categories every Debezium run has. */
  public static final Set<Category> DEBEZIUM_CATEGORIES =
      Collections.unmodifiableSet(EnumSet.complementOf(EnumSet.of(Category.SKIPPED_ONLY)));
  /** The categories every FHIR run has. */
  public static final Set<Category> FHIR_CATEGORIES = Collections.unmodifiableSet(EnumSet.allOf(Category.class));

  /** A record as read from a topic (key and value may be null). */
  public record Input(String topic, byte[] key, byte[] value) {
    @Override
    public String toString() {
      return "Input[" + topic + ", key " + (key == null ? "null" : key.length + " bytes") + ", value "
          + (value == null ? "null" : value.length + " bytes") + "]";
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Input i && topic.equals(i.topic) && Arrays.equals(key, i.key) && Arrays.equals(value, i.value);
    }

    @Override
    public int hashCode() {
      return Objects.hash(topic, Arrays.hashCode(key), Arrays.hashCode(value));
    }
  }

  /** A record that must become exactly one dead letter with reason {@code expected}. */
  public record Hostile(Category category, String variant, Input input, DeadLetterReason expected,
      List<String> secrets) {
    public Hostile {
      // shorter strings could occur in any message by chance ("" in every one)
      secrets = secrets.stream().filter(x -> x.length() >= 4).distinct().toList();
    }

    @Override
    public String toString() {
      return category + "/" + variant + " → " + expected + " " + input;
    }
  }

  /**
   * A record that must be accepted: {@code copyOf} is the index of the valid record whose events it repeats
   * (source coordinates aside), or -1 for a record that yields {@code events} DELETE events of a patient of its own.
   */
  public record Accepted(Category category, String variant, Input input, int copyOf, int events) {
    @Override
    public String toString() {
      return category + "/" + variant + (copyOf >= 0 ? " (copy of valid[" + copyOf + "])" : "") + " " + input;
    }
  }

  /** Characters no text field may hold (FieldRules: control, bidirectional formatting, separators, surrogates). */
  static final List<String> FORBIDDEN = List.of("\u0000", "\u0001", "\u0007", "\b", "\t", "\n", "\r", "\u001b[31m",
      "\u007f", "\u0085", "\u009b", "\u061c", "\u200e", "\u200f", "\u202a", "\u202b", "\u202c", "\u202d", "\u202e",
      "\u2066", "\u2067", "\u2068", "\u2069", "\u2028", "\u2029", "\ud800", "\udbff", "\udc00", "\udc00\ud800");

  /**
   * Injection strings: each has a character no identifier and no code may hold, and none has a control character,
   * a slash or a question mark (which would change how a FHIR reference is split), so each has exactly one reason.
   */
  static final List<String> INJECTIONS = List.of("' OR '1'='1", "1'; DROP TABLE patients; --",
      "\"; SELECT pg_sleep(10); --", "<img src=x onerror=alert(1)>", "${jndi:ldap:evil.example}", "{{7*7}}",
      "$(touch pwned)", "`id`", "admin'--", "<svg onload=alert(1)>", "%' AND 1=1 AND '%'='",
      "'; EXEC xp_cmdshell 'dir'; --");

  /** Writes JSON with every non-ASCII char escaped, so that unpaired surrogates survive. */
  static final ObjectMapper ESCAPING = new ObjectMapper(JsonFactory.builder()
      .enable(JsonWriteFeature.ESCAPE_NON_ASCII).build());
  static final ObjectMapper PLAIN = new ObjectMapper();

  private final List<Hostile> hostile;
  private final List<Accepted> accepted;

  HostileInputs(List<Hostile> hostile, List<Accepted> accepted) {
    this.hostile = List.copyOf(hostile);
    this.accepted = List.copyOf(accepted);
  }

  /**
   * Hostile Debezium change events for topic {@code topic} (the table is named in {@code source.table}, as the shipped
   * routing into one topic does), for a normalizer with the default source mapping and {@code maxRecordBytes};
   * {@code valid} are valid change events of that topic to copy.
   */
  public static HostileInputs debezium(long seed, String topic, int maxRecordBytes, List<Input> valid) {
    return new DebeziumHostileInputs(seed, topic, maxRecordBytes, valid).build();
  }

  /** Hostile FHIR records for topic {@code topic}; {@code valid} are valid FHIR records to copy. */
  public static HostileInputs fhir(long seed, String topic, int maxRecordBytes, List<Input> valid) {
    return new FhirHostileInputs(seed, topic, maxRecordBytes, valid).build();
  }

  /** Records that must each become one dead letter. */
  public List<Hostile> hostile() {
    return hostile;
  }

  /** Records that must be accepted. */
  public List<Accepted> accepted() {
    return accepted;
  }

  // ---- shared helpers ---------------------------------------------------------------------------------------------

  static <T> T pick(Random random, List<T> options) {
    return options.get(random.nextInt(options.size()));
  }

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }

  /** The tree as JSON bytes, non-ASCII escaped (unpaired surrogates included). */
  static byte[] json(JsonNode tree) {
    try {
      return ESCAPING.writeValueAsBytes(tree);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * The document with unknown pad fields in {@code padded} (the document itself, or an object inside it) so that key +
   * value is exactly {@code total} bytes (ASCII pads, at most {@link StrictJson#MAX_STRING_CHARS} each).
   */
  static byte[] padTo(ObjectNode document, ObjectNode padded, int keyBytes, int total) {
    int pads = 1;
    while (true) {
      for (int i = 0; i < pads; i++) {
        padded.put("x_pad" + i, "");
      }
      int missing = total - keyBytes - json(document).length;
      if (missing < 0) {
        throw new IllegalStateException("record is already larger than " + total);
      }
      if (missing <= (long) pads * StrictJson.MAX_STRING_CHARS) {
        for (int i = 0; i < pads; i++) {
          int n = Math.min(missing, StrictJson.MAX_STRING_CHARS);
          padded.put("x_pad" + i, "p".repeat(n));
          missing -= n;
        }
        byte[] value = json(document);
        if (value.length + keyBytes != total) {
          throw new IllegalStateException("padding missed");
        }
        return value;
      }
      pads++;
    }
  }

  /** The tree as JSON text, non-ASCII escaped. */
  static String jsonText(JsonNode tree) {
    return new String(json(tree), StandardCharsets.UTF_8);
  }

  /** The tree's JSON with the string value {@code "placeholder"} replaced by raw JSON text. */
  static String withRaw(JsonNode tree, String placeholder, String raw) {
    String text = jsonText(tree);
    String quoted = "\"" + placeholder + "\"";
    int at = text.indexOf(quoted);
    if (at < 0) {
      throw new IllegalStateException("placeholder not found");
    }
    return text.substring(0, at) + raw + text.substring(at + quoted.length());
  }

  /** {@code depth} nested arrays or objects around {@code 1}; unclosed when {@code closed} is false. */
  static String nested(int depth, boolean arrays, boolean closed) {
    StringBuilder b = new StringBuilder(depth * 8);
    for (int i = 0; i < depth; i++) {
      b.append(arrays ? "[" : "{\"a\":");
    }
    b.append('1');
    if (closed) {
      b.append((arrays ? "]" : "}").repeat(depth));
    }
    return b.toString();
  }

  /** A JSON number of exactly {@code chars} chars (an integer, or a decimal fraction). */
  static String number(int chars, boolean integer) {
    return integer ? "1" + "0".repeat(chars - 1) : "0." + "1".repeat(chars - 2);
  }

  /** A value for a text field of exactly {@code chars} chars, with the given seed-picked text at its start. */
  static String padded(String start, int chars) {
    if (start.length() >= chars) {
      return start.substring(0, chars);
    }
    return start + "x".repeat(chars - start.length());
  }

  /** Walks a path like {@code a.b[0].c} from {@code root}; the last step's parent (created if missing). */
  static JsonNode parentOf(ObjectNode root, String path) {
    String[] steps = path.split("\\.");
    JsonNode node = root;
    for (int i = 0; i < steps.length - 1; i++) {
      node = step(node, steps[i]);
    }
    return node;
  }

  private static JsonNode step(JsonNode node, String step) {
    int bracket = step.indexOf('[');
    if (bracket < 0) {
      JsonNode next = node.get(step);
      if (next == null || !next.isContainerNode()) {
        next = ((ObjectNode) node).putObject(step);
      }
      return next;
    }
    JsonNode array = node.get(step.substring(0, bracket));
    int index = Integer.parseInt(step.substring(bracket + 1, step.length() - 1));
    return array.get(index);
  }

  /** The last step of a path: a name, or name[i]. */
  private static String last(String path) {
    return path.substring(path.lastIndexOf('.') + 1);
  }

  /** Sets (or, with null, removes) the element at {@code path}. */
  static void set(ObjectNode root, String path, JsonNode value) {
    JsonNode parent = parentOf(root, path);
    String name = last(path);
    int bracket = name.indexOf('[');
    if (bracket >= 0) {
      ArrayNode array = (ArrayNode) parent.get(name.substring(0, bracket));
      int index = Integer.parseInt(name.substring(bracket + 1, name.length() - 1));
      if (value == null) {
        array.remove(index);
      } else {
        array.set(index, value);
      }
    } else if (value == null) {
      ((ObjectNode) parent).remove(name);
    } else {
      ((ObjectNode) parent).set(name, value);
    }
  }

  /** The element at {@code path}, or null. */
  static JsonNode get(ObjectNode root, String path) {
    JsonNode node = root;
    for (String step : path.split("\\.")) {
      int bracket = step.indexOf('[');
      node = bracket < 0 ? node.get(step) : node.get(step.substring(0, bracket))
          .get(Integer.parseInt(step.substring(bracket + 1, step.length() - 1)));
      if (node == null) {
        return null;
      }
    }
    return node;
  }
}
