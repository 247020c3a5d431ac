package io.riskstream.connectors.hostile;

import static io.riskstream.connectors.hostile.HostileInputs.FORBIDDEN;
import static io.riskstream.connectors.hostile.HostileInputs.INJECTIONS;
import static io.riskstream.connectors.hostile.HostileInputs.PLAIN;
import static io.riskstream.connectors.hostile.HostileInputs.concat;
import static io.riskstream.connectors.hostile.HostileInputs.json;
import static io.riskstream.connectors.hostile.HostileInputs.jsonText;
import static io.riskstream.connectors.hostile.HostileInputs.nested;
import static io.riskstream.connectors.hostile.HostileInputs.number;
import static io.riskstream.connectors.hostile.HostileInputs.padTo;
import static io.riskstream.connectors.hostile.HostileInputs.padded;
import static io.riskstream.connectors.hostile.HostileInputs.pick;
import static io.riskstream.connectors.hostile.HostileInputs.utf8;
import static io.riskstream.connectors.hostile.HostileInputs.withRaw;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.riskstream.connectors.FieldRules;
import io.riskstream.connectors.StrictJson;
import io.riskstream.connectors.hostile.HostileInputs.Accepted;
import io.riskstream.connectors.hostile.HostileInputs.Category;
import io.riskstream.connectors.hostile.HostileInputs.Hostile;
import io.riskstream.connectors.hostile.HostileInputs.Input;
import io.riskstream.schemas.DeadLetterReason;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** The Debezium half of {@link HostileInputs}: change events as the shipped routing writes them (one topic). */
final class DebeziumHostileInputs extends HostileGenerator {

  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private static final List<String> TABLES =
      List.of("patients", "encounters", "conditions", "observations", "medications", "procedures");

  /** The role of a column in the default source mapping. */
  private enum Role { ID, PATIENT, ENCOUNTER, TIME, END_TIME, CODE_SYSTEM, CODE, DESCRIPTION, CATEGORY, VALUE,
    VALUE_TEXT, UNIT }

  private record Column(String table, String name, Role role) {
  }

  private static final List<Column> COLUMNS = columns();

  DebeziumHostileInputs(long seed, String topic, int maxRecordBytes, List<Input> valid) {
    super(seed, topic, maxRecordBytes, valid, 2048);
  }

  private static List<Column> columns() {
    List<Column> c = new ArrayList<>();
    c.add(new Column("patients", "id", Role.ID));
    c.add(new Column("patients", "id", Role.PATIENT));
    c.add(new Column("patients", "birthdate", Role.TIME));
    c.add(new Column("patients", "deathdate", Role.END_TIME));
    c.add(new Column("patients", "gender", Role.CODE));
    for (String t : List.of("encounters", "conditions", "observations", "medications", "procedures")) {
      c.add(new Column(t, "id", Role.ID));
      c.add(new Column(t, "patient_id", Role.PATIENT));
      if (!t.equals("encounters")) {
        c.add(new Column(t, "encounter_id", Role.ENCOUNTER));
      }
      c.add(new Column(t, t.equals("observations") ? "effective_time" : "start_time", Role.TIME));
      if (!t.equals("observations")) {
        c.add(new Column(t, "stop_time", Role.END_TIME));
      }
      c.add(new Column(t, "code_system", Role.CODE_SYSTEM));
      c.add(new Column(t, "code", Role.CODE));
      c.add(new Column(t, "description", Role.DESCRIPTION));
    }
    c.add(new Column("encounters", "encounter_class", Role.CATEGORY));
    c.add(new Column("observations", "category", Role.CATEGORY));
    c.add(new Column("observations", "value_numeric", Role.VALUE));
    c.add(new Column("observations", "value_text", Role.VALUE_TEXT));
    c.add(new Column("observations", "unit", Role.UNIT));
    return List.copyOf(c);
  }

  private Column column(Role role) {
    return pick(random, COLUMNS.stream().filter(c -> c.role() == role).toList());
  }

  @Override
  HostileInputs build() {
    notJson();
    truncated();
    binary();
    deepNesting();
    trailingGarbage();
    duplicateKeys();
    hugeStrings();
    hugeDocuments();
    wrongTypes();
    missingFields();
    impossibleTimes();
    unknownTables();
    forbiddenCharacters();
    injections();
    copies();
    atLimits();
    return new HostileInputs(hostile, accepted);
  }

  // ---- a valid change event of a patient of the generator's own ---------------------------------------------------

  /** One change event being built: the envelope, its row, the values that must never show in a message. */
  private final class Change {
    final String table;
    final ObjectNode envelope = NODES.objectNode();
    final ObjectNode row = NODES.objectNode();
    final List<String> secrets = new ArrayList<>();

    Change(String table, String op) {
      this.table = table;
      int n = serial++;
      String patient = "hostile-patient-" + seed + "-" + n;
      String id = table.equals("patients") ? patient : "hostile-" + table + "-" + seed + "-" + n;
      String encounter = "hostile-encounter-" + seed + "-" + n;
      String description = "hostile description " + seed + "-" + n;
      secrets.addAll(List.of(patient, id, encounter, description));
      row.put("id", id);
      switch (table) {
        case "patients" -> {
          row.put("birthdate", (int) LocalDate.parse("1960-05-06").toEpochDay());
          row.putNull("deathdate");
          row.put("gender", "female");
          row.put("race", "white");
          row.put("ethnicity", "nonhispanic");
        }
        case "encounters" -> {
          row.put("patient_id", patient);
          row.put("start_time", "2020-03-04T05:06:07.000000Z");
          row.put("stop_time", "2020-03-04T06:06:07.000000Z");
          row.put("encounter_class", "ambulatory");
          row.put("code_system", "SNOMED-CT");
          row.put("code", "185349003");
          row.put("description", description);
          row.putNull("reason_code");
        }
        case "observations" -> {
          row.put("patient_id", patient);
          row.put("encounter_id", encounter);
          row.put("effective_time", "2020-03-04T05:06:07.000000Z");
          row.put("category", "laboratory");
          row.put("code_system", "LOINC");
          row.put("code", "4548-4");
          row.put("description", description);
          row.put("value_numeric", 6.4);
          row.putNull("value_text");
          row.put("unit", "%");
        }
        default -> {
          row.put("patient_id", patient);
          row.put("encounter_id", encounter);
          row.put("start_time", "2020-03-04T05:06:07.000000Z");
          row.put("stop_time", "2020-03-05T05:06:07.000000Z");
          row.put("code_system", table.equals("medications") ? "RxNorm" : "SNOMED-CT");
          row.put("code", table.equals("medications") ? "860975" : "44054006");
          row.put("description", description);
        }
      }
      boolean delete = op.equals("d");
      envelope.set("before", delete ? row : NODES.nullNode());
      envelope.set("after", delete ? NODES.nullNode() : row);
      ObjectNode source = envelope.putObject("source");
      source.put("version", "3.6.1.Final").put("connector", "postgresql").put("name", "ehr").put("db", "ehr")
          .put("schema", "clinical").put("table", table).put("txId", 5000L + n).put("lsn", 100_000L + n)
          .put("ts_ms", 1_700_000_000_000L + n);
      envelope.put("op", op);
      envelope.put("ts_ms", 1_700_000_000_000L + n);
    }

    ObjectNode source() {
      return (ObjectNode) envelope.get("source");
    }

    /** A small key (Debezium's is {"id": <primary key>}; its content is never read). */
    byte[] key() {
      return utf8("{\"id\":\"k" + seed + "-" + serial + "\"}");
    }

    byte[] value() {
      return json(envelope);
    }
  }

  private Change change() {
    return new Change(pick(random, TABLES), pick(random, List.of("c", "c", "u", "r", "d")));
  }

  private Change change(String table) {
    return new Change(table, pick(random, List.of("c", "u", "r")));
  }

  private void add(Category category, String variant, byte[] key, byte[] value, DeadLetterReason reason,
      List<String> secrets) {
    hostile.add(new Hostile(category, variant, new Input(topic, key, value), reason, secrets));
  }

  private void add(Category category, String variant, Change c, DeadLetterReason reason, String... secrets) {
    List<String> all = new ArrayList<>(c.secrets);
    all.addAll(Arrays.asList(secrets));
    add(category, variant, c.key(), c.value(), reason, all);
  }

  private void add(Category category, String variant, Change c, String value, DeadLetterReason reason,
      String... secrets) {
    List<String> all = new ArrayList<>(c.secrets);
    all.addAll(Arrays.asList(secrets));
    add(category, variant, c.key(), utf8(value), reason, all);
  }

  // ---- parse-level categories -------------------------------------------------------------------------------------

  private void notJson() {
    List<String> texts = List.of("", "   ", "hello world", "<xml/>", "{oops", "nul", "tru", "NaN", "{'op':'c'}",
        "{\"op\":\"c\",}", "[1,2", "{\"a\" 1}", "01", "-", "\"unterminated", "{\"after\":{\"id\":NaN}}",
        "// comment\n{}", "[1,2]", "42", "\"a string\"", "true", "null", "{\"op\":\"c\"\u0000}");
    for (int i = 0; i < 2; i++) {
      String text = pick(random, texts);
      add(Category.NOT_JSON, "text#" + texts.indexOf(text), utf8("k"), utf8(text), DeadLetterReason.MALFORMED_JSON,
          List.of());
    }
  }

  private void truncated() {
    for (int i = 0; i < 2; i++) {
      Change c = change();
      byte[] full = c.value();
      int cut = 1 + random.nextInt(full.length - 1);
      add(Category.TRUNCATED, "cut at " + cut + " of " + full.length, c.key(), Arrays.copyOf(full, cut),
          DeadLetterReason.MALFORMED_JSON, c.secrets);
    }
  }

  private void binary() {
    List<String> variants = List.of("random", "invalid-utf8-in-string", "utf16le-bom", "utf16be", "raw-control");
    for (int i = 0; i < 2; i++) {
      String variant = pick(random, variants);
      Change c = change();
      byte[] value = switch (variant) {
        case "random" -> {
          byte[] b = new byte[1 + random.nextInt(512)];
          random.nextBytes(b);
          b[0] = (byte) 0xFF;
          yield b;
        }
        case "invalid-utf8-in-string" -> {
          c.row.put("description", "@@BAD@@");
          byte[] bad = pick(random, List.of(new byte[] {(byte) 0xC0, (byte) 0xAF}, new byte[] {(byte) 0x80},
              new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80}, new byte[] {(byte) 0xF0, (byte) 0x9F},
              new byte[] {(byte) 0xFE}, new byte[] {(byte) 0xF8, (byte) 0x88, (byte) 0x80, (byte) 0x80}));
          yield splice(c.value(), utf8("@@BAD@@"), bad);
        }
        case "utf16le-bom" -> concat(new byte[] {(byte) 0xFF, (byte) 0xFE},
            jsonText(c.envelope).getBytes(StandardCharsets.UTF_16LE));
        case "utf16be" -> jsonText(c.envelope).getBytes(StandardCharsets.UTF_16BE);
        default -> {
          c.row.put("description", "@@CTRL@@");
          yield splice(c.value(), utf8("@@CTRL@@"), new byte[] {'a', (byte) (1 + random.nextInt(31)), 'b'});
        }
      };
      add(Category.BINARY, variant, c.key(), value, DeadLetterReason.MALFORMED_JSON, c.secrets);
    }
  }

  private void deepNesting() {
    List<String> variants = List.of("bare-arrays", "bare-arrays-unclosed", "bare-objects", "column-arrays",
        "column-objects", "mapped-column", "column-unclosed");
    for (int i = 0; i < 2; i++) {
      String variant = pick(random, variants);
      int depth = StrictJson.MAX_DEPTH + 1 + random.nextInt(random.nextBoolean() ? 4 : 5000);
      Change c = change();
      String value;
      switch (variant) {
        case "bare-arrays" -> value = nested(depth, true, true);
        case "bare-arrays-unclosed" -> value = nested(depth, true, false);
        case "bare-objects" -> value = nested(depth, false, true);
        case "column-arrays", "column-objects", "column-unclosed" -> {
          c.row.put("x_extra", "@@DEEP@@");
          String raw = nested(depth - 2, !variant.equals("column-objects"), !variant.equals("column-unclosed"));
          value = withRaw(c.envelope, "@@DEEP@@", raw);
          if (variant.equals("column-unclosed")) {
            value = value.substring(0, value.indexOf(raw) + raw.length());
          }
        }
        default -> {
          c.row.put("description", "@@DEEP@@");
          value = withRaw(c.envelope, "@@DEEP@@", nested(depth - 2, true, true));
        }
      }
      add(Category.DEEP_NESTING, variant + " depth " + depth, c, value, DeadLetterReason.NESTING_TOO_DEEP);
    }
  }

  private void trailingGarbage() {
    List<String> suffixes = List.of("}}}}", "]", " x", "{}", "\u0000", ",", " {\"op\":\"d\"}", "\n\nGARBAGE", "null",
        "1", "\"\"", "}\n");
    for (int i = 0; i < 2; i++) {
      Change c = change();
      String suffix = pick(random, suffixes);
      add(Category.TRAILING_GARBAGE, "suffix#" + suffixes.indexOf(suffix), c, jsonText(c.envelope) + suffix,
          DeadLetterReason.TRAILING_DATA);
    }
  }

  private void duplicateKeys() {
    Change c = change(pick(random, List.of("conditions", "observations", "procedures")));
    String text = jsonText(c.envelope);
    String variant = pick(random, List.of("op", "after.patient_id"));
    String value = variant.equals("op") ? "{\"op\":\"d\"," + text.substring(1)
        : text.replace("\"after\":{", "\"after\":{\"patient_id\":\"someone-else\",");
    add(Category.DUPLICATE_KEYS, variant, c, value, DeadLetterReason.MALFORMED_JSON);
  }

  // ---- sizes ------------------------------------------------------------------------------------------------------

  private void hugeStrings() {
    for (Role role : List.of(Role.ID, Role.PATIENT, Role.ENCOUNTER, Role.CODE, Role.CODE_SYSTEM, Role.DESCRIPTION,
        Role.CATEGORY, Role.VALUE_TEXT, Role.UNIT)) {
      Column col = column(role);
      int bound = bound(role);
      int length = overLength(bound);
      Change c = change(col.table());
      String value = padded(col.role() == Role.CODE || col.role() == Role.CODE_SYSTEM ? "X" : "hostile", length);
      c.row.put(col.name(), value);
      add(Category.HUGE_STRING, col.table() + "." + col.name() + " of " + length, c, reason(role), value);
    }
    Change tx = change();
    String txId = "9".repeat(overLength(FieldRules.MAX_ID_CHARS));
    tx.source().put("txId", txId);
    add(Category.HUGE_STRING, "source.txId of " + txId.length(), tx, DeadLetterReason.INVALID_IDENTIFIER, txId);

    Change num = change();
    String digits = number(StrictJson.MAX_NUMBER_CHARS + 1 + random.nextInt(64), random.nextBoolean());
    num.row.put("x_extra", "@@NUM@@");
    add(Category.HUGE_STRING, "number of " + digits.length(), num, withRaw(num.envelope, "@@NUM@@", digits),
        DeadLetterReason.VALUE_TOO_LONG);

    Change name = change();
    String longName = "x".repeat(StrictJson.MAX_NAME_CHARS + 1 + random.nextInt(1000));
    name.row.put(longName, 1);
    add(Category.HUGE_STRING, "name of " + longName.length(), name, DeadLetterReason.VALUE_TOO_LONG);

    if (StrictJson.MAX_STRING_CHARS + 1 <= room()) {
      Change big = change();
      String s = "y".repeat(StrictJson.MAX_STRING_CHARS + 1);
      big.row.put("x_extra", s);
      add(Category.HUGE_STRING, "string of " + s.length(), big, DeadLetterReason.VALUE_TOO_LONG);
    }
  }

  private static int bound(Role role) {
    return switch (role) {
      case ID, PATIENT, ENCOUNTER -> FieldRules.MAX_ID_CHARS;
      case CODE -> FieldRules.MAX_CODE_CHARS;
      case CODE_SYSTEM -> FieldRules.MAX_CODE_SYSTEM_CHARS;
      case UNIT -> FieldRules.MAX_UNIT_CHARS;
      default -> FieldRules.MAX_TEXT_CHARS;
    };
  }

  private static DeadLetterReason reason(Role role) {
    return role == Role.ID || role == Role.PATIENT || role == Role.ENCOUNTER ? DeadLetterReason.INVALID_IDENTIFIER
        : DeadLetterReason.VALUE_TOO_LONG;
  }

  private void hugeDocuments() {
    Change c = change();
    int over = 1 + (random.nextBoolean() ? 0 : random.nextInt(4096));
    byte[] value = padTo(c.envelope, c.row, c.key().length, maxRecordBytes + over);
    add(Category.HUGE_DOCUMENT, "value " + over + " bytes over", c.key(), value, DeadLetterReason.OVERSIZED_RECORD,
        c.secrets);
    Change k = change();
    byte[] key = new byte[maxRecordBytes];
    random.nextBytes(key);
    add(Category.HUGE_DOCUMENT, "key of " + key.length + " bytes", key, k.value(), DeadLetterReason.OVERSIZED_RECORD,
        k.secrets);
  }

  // ---- mapped fields -----------------------------------------------------------------------------------------------

  private JsonNode wrongType(Role role) {
    return switch (role) {
      case ID, PATIENT, ENCOUNTER, TIME, END_TIME -> pick(random, List.of(NODES.booleanNode(true),
          NODES.numberNode(1.5), NODES.objectNode().put("id", 1), NODES.arrayNode().add("a")));
      case VALUE -> pick(random, List.of(NODES.textNode("high"), NODES.booleanNode(false), NODES.objectNode(),
          NODES.arrayNode().add(1)));
      default -> pick(random, List.of(NODES.numberNode(42), NODES.booleanNode(true),
          NODES.objectNode().put("a", 1), NODES.arrayNode().add("a")));
    };
  }

  private void wrongTypes() {
    for (Role role : Role.values()) {
      Column col = column(role);
      Change c = change(col.table());
      JsonNode wrong = wrongType(role);
      c.row.set(col.name(), wrong);
      add(Category.WRONG_TYPE, col.table() + "." + col.name() + " as " + wrong.getNodeType(), c,
          DeadLetterReason.INVALID_FIELD);
    }
    Change empty = change();
    empty.row.put("id", "");
    add(Category.WRONG_TYPE, "empty id", empty, DeadLetterReason.INVALID_FIELD);

    JsonNode notText = pick(random, List.of(NODES.numberNode(1), NODES.booleanNode(true), NODES.objectNode(),
        NODES.arrayNode()));
    Change op = change();
    op.envelope.set("op", notText);
    add(Category.WRONG_TYPE, "op as " + notText.getNodeType(), op, DeadLetterReason.INVALID_FIELD);
    Change opValue = change();
    opValue.envelope.put("op", pick(random, List.of("x", "C", "insert", "")));
    add(Category.WRONG_TYPE, "op value", opValue, DeadLetterReason.INVALID_FIELD);
    Change source = change();
    source.envelope.set("source", pick(random, List.of(NODES.textNode("postgres"), NODES.numberNode(1),
        NODES.arrayNode(), NODES.booleanNode(true))));
    add(Category.WRONG_TYPE, "source", source, DeadLetterReason.INVALID_FIELD);
    Change table = change();
    table.source().set("table", notText);
    add(Category.WRONG_TYPE, "source.table", table, DeadLetterReason.INVALID_FIELD);
    Change tx = change();
    tx.source().set("txId", pick(random, List.of(NODES.booleanNode(true), NODES.numberNode(1.5),
        NODES.objectNode(), NODES.arrayNode())));
    add(Category.WRONG_TYPE, "source.txId", tx, DeadLetterReason.INVALID_FIELD);
    for (String field : List.of("lsn", "ts_ms")) {
      Change c = change();
      c.source().set(field, pick(random, List.of(NODES.textNode("5"), NODES.numberNode(1.5),
          NODES.booleanNode(true), NODES.objectNode(), NODES.numberNode(BigInteger.TWO.pow(70)))));
      add(Category.WRONG_TYPE, "source." + field, c, DeadLetterReason.INVALID_FIELD);
    }
    Change row = change();
    String rowField = row.envelope.get("op").asText().equals("d") ? "before" : "after";
    row.envelope.set(rowField, pick(random, List.of(NODES.textNode("row"), NODES.arrayNode(), NODES.numberNode(1),
        NODES.booleanNode(true))));
    add(Category.WRONG_TYPE, rowField, row, DeadLetterReason.INVALID_FIELD);
  }

  private void missingFields() {
    Change op = change();
    if (random.nextBoolean()) {
      op.envelope.remove("op");
    } else {
      op.envelope.putNull("op");
    }
    add(Category.MISSING_FIELD, "op", op, DeadLetterReason.MISSING_FIELD);
    Change row = change();
    String rowField = row.envelope.get("op").asText().equals("d") ? "before" : "after";
    if (random.nextBoolean()) {
      row.envelope.remove(rowField);
    } else {
      row.envelope.putNull(rowField);
    }
    add(Category.MISSING_FIELD, rowField, row, DeadLetterReason.MISSING_FIELD);
    for (Role role : List.of(Role.ID, Role.PATIENT)) {
      Column col = column(role);
      Change c = new Change(col.table(), pick(random, List.of("c", "u", "r", "d")));
      if (random.nextBoolean()) {
        c.row.remove(col.name());
      } else {
        c.row.putNull(col.name());
      }
      add(Category.MISSING_FIELD, col.table() + "." + col.name(), c, DeadLetterReason.MISSING_FIELD);
    }
    Column time = column(Role.TIME);
    Change c = change(time.table());
    c.row.remove(time.name());
    add(Category.MISSING_FIELD, time.table() + "." + time.name(), c, DeadLetterReason.MISSING_FIELD);
  }

  private void impossibleTimes() {
    List<String> unparseable = List.of("2020-13-45T00:00:00Z", "2020-02-30T00:00:00Z", "2021-02-29",
        "2020-01-01T25:00:00Z", "yesterday", "", "0000-00-00", "2020/01/01", "2020-01-01T00:00:00+25:00",
        "2020-01-01T00:00:00Z\u0000", "9".repeat(100), "2020-01-01T00:00:00Z <script>");
    List<String> outOfRange = List.of("1200-01-01T00:00:00Z", "9999-12-31T23:59:59Z", "+999999999-12-31T23:59:59Z",
        "-000001-01-01T00:00:00Z", "1849-12-31T23:59:59Z", "2201-01-01T00:00:00Z", "0001-01-01");
    Column col = column(random.nextBoolean() ? Role.TIME : Role.END_TIME);
    Change a = change(col.table());
    String text = pick(random, unparseable);
    a.row.put(col.name(), text);
    add(Category.IMPOSSIBLE_TIME, col.table() + "." + col.name() + " unparseable", a,
        DeadLetterReason.UNPARSEABLE_TIME, text);

    col = column(random.nextBoolean() ? Role.TIME : Role.END_TIME);
    Change b = change(col.table());
    text = pick(random, outOfRange);
    b.row.put(col.name(), text);
    add(Category.IMPOSSIBLE_TIME, col.table() + "." + col.name() + " out of range", b,
        DeadLetterReason.INVALID_FIELD, text);

    col = column(random.nextBoolean() ? Role.TIME : Role.END_TIME);
    Change n = change(col.table());
    boolean days = col.table().equals("patients");
    JsonNode number = days
        ? pick(random, List.of(NODES.numberNode(1_000_000_000L), NODES.numberNode(-100_000),
            NODES.numberNode(Long.MAX_VALUE), NODES.numberNode(BigInteger.TWO.pow(64))))
        : pick(random, List.of(NODES.numberNode(Long.MAX_VALUE), NODES.numberNode(Long.MIN_VALUE),
            NODES.numberNode(100_000_000_000_000_000L), NODES.numberNode(-100_000_000_000_000_000L),
            NODES.numberNode(BigInteger.TWO.pow(70))));
    n.row.set(col.name(), number);
    add(Category.IMPOSSIBLE_TIME, col.table() + "." + col.name() + " = " + number, n, DeadLetterReason.INVALID_FIELD);

    Change ts = change();
    ts.source().put("ts_ms", pick(random, List.of(-1_000_000_000_000_000L, 1_000_000_000_000_000L, Long.MAX_VALUE,
        Long.MIN_VALUE)));
    add(Category.IMPOSSIBLE_TIME, "source.ts_ms", ts, DeadLetterReason.INVALID_FIELD);
  }

  private void unknownTables() {
    List<String> names = List.of("allergies", "immunizations", "debezium_signal", "pg_stat_activity", "patients_v2",
        "patients; DROP TABLE x", "", "patients\u0000", "Conditions", "conditions ", "../observations",
        "observations\u202e");
    for (int i = 0; i < 2; i++) {
      Change c = change();
      String name = pick(random, names);
      c.source().put("table", name);
      // a plain identifier is shown in the message (it is schema, not patient data); any other name must not be
      List<String> secrets = name.matches("[A-Za-z_][A-Za-z0-9_$]{0,62}") ? List.of() : List.of(name);
      add(Category.UNKNOWN_TABLE_OR_TYPE, "table#" + names.indexOf(name), c, DeadLetterReason.UNKNOWN_TABLE,
          secrets.toArray(String[]::new));
    }
  }

  // ---- characters ---------------------------------------------------------------------------------------------------

  /** A value with a forbidden char inside an otherwise valid value of the role. */
  private String withForbidden(Role role, String ch) {
    return switch (role) {
      case ID, PATIENT, ENCOUNTER -> "hostile-" + serial + ch + "-id";
      case CODE, CODE_SYSTEM -> "E11" + ch + "9";
      default -> "some text " + ch + " more text";
    };
  }

  /** The envelope as bytes: a forbidden char that may appear raw in JSON is written raw half of the time. */
  private byte[] encode(Change c, String ch) {
    boolean rawAllowed = ch.chars().allMatch(x -> x >= 0x7F && !Character.isSurrogate((char) x));
    if (rawAllowed && random.nextBoolean()) {
      try {
        return PLAIN.writeValueAsBytes(c.envelope);
      } catch (JsonProcessingException e) {
        throw new IllegalStateException(e);
      }
    }
    return c.value();
  }

  private void forbiddenCharacters() {
    for (Role role : List.of(Role.ID, Role.PATIENT, Role.ENCOUNTER, Role.CODE_SYSTEM, Role.CODE, Role.DESCRIPTION,
        Role.CATEGORY, Role.VALUE_TEXT, Role.UNIT)) {
      Column col = column(role);
      Change c = change(col.table());
      String ch = pick(random, FORBIDDEN);
      String value = withForbidden(role, ch);
      c.row.put(col.name(), value);
      add(Category.FORBIDDEN_CHARACTERS, col.table() + "." + col.name() + " with U+"
          + Integer.toHexString(ch.charAt(0)), c.key(), encode(c, ch), DeadLetterReason.INVALID_CHARACTERS,
          secretsWith(c, value));
    }
    Change tx = change();
    String ch = pick(random, FORBIDDEN);
    String txId = "77" + ch + "1";
    tx.source().put("txId", txId);
    add(Category.FORBIDDEN_CHARACTERS, "source.txId with U+" + Integer.toHexString(ch.charAt(0)), tx.key(),
        encode(tx, ch), DeadLetterReason.INVALID_CHARACTERS, secretsWith(tx, txId));
  }

  private static List<String> secretsWith(Change c, String value) {
    List<String> all = new ArrayList<>(c.secrets);
    all.add(value);
    return all;
  }

  private void injections() {
    for (Role role : List.of(Role.ID, Role.PATIENT, Role.ENCOUNTER, Role.CODE, Role.CODE_SYSTEM)) {
      Column col = column(role);
      Change c = change(col.table());
      String value = pick(random, INJECTIONS);
      c.row.put(col.name(), value);
      add(Category.INJECTION, col.table() + "." + col.name() + " #" + INJECTIONS.indexOf(value), c,
          role == Role.CODE || role == Role.CODE_SYSTEM ? DeadLetterReason.INVALID_CHARACTERS
              : DeadLetterReason.INVALID_IDENTIFIER, value);
    }
    Change tx = change();
    String value = pick(random, INJECTIONS);
    tx.source().put("txId", value);
    add(Category.INJECTION, "source.txId #" + INJECTIONS.indexOf(value), tx, DeadLetterReason.INVALID_IDENTIFIER,
        value);
  }

  // ---- accepted -----------------------------------------------------------------------------------------------------

  /** A valid record's envelope (parsed again, so it can be changed) and its row. */
  private record Parsed(ObjectNode envelope, ObjectNode inner, ObjectNode row) {
  }

  private Parsed parse(Input input) {
    try {
      ObjectNode envelope = (ObjectNode) PLAIN.readTree(input.value());
      ObjectNode inner = envelope.has("payload") && envelope.has("schema") ? (ObjectNode) envelope.get("payload")
          : envelope;
      String rowField = "d".equals(inner.path("op").asText()) ? "before" : "after";
      return new Parsed(envelope, inner, (ObjectNode) inner.get(rowField));
    } catch (java.io.IOException | ClassCastException e) {
      throw new IllegalArgumentException("valid input is not a Debezium change event with a row", e);
    }
  }

  private void accept(Category category, String variant, int copyOf, byte[] key, byte[] value) {
    accepted.add(new Accepted(category, variant, new Input(topic, key, value), copyOf, 1));
  }

  private void copies() {
    if (valid.isEmpty()) {
      return;
    }
    for (int i = 0; i < 2; i++) {
      int index = random.nextInt(valid.size());
      Input v = valid.get(index);
      accept(Category.DUPLICATE, "exact copy", index, v.key(), v.value());
    }
    for (int i = 0; i < 2; i++) {
      int index = random.nextInt(valid.size());
      Parsed p = parse(valid.get(index));
      p.row().put("x_new_text", "added column " + pick(random, FORBIDDEN) + pick(random, INJECTIONS));
      p.row().put("x_new_number", random.nextInt());
      p.row().set("x_new_json", NODES.objectNode().put("a", 1).set("b", NODES.arrayNode().add(true)));
      p.row().putNull("x_new_null");
      p.inner().set("x_new_block", NODES.objectNode().put("id", "571:53195832").put("total_order", 1));
      if (p.inner().path("source").isObject()) {
        ((ObjectNode) p.inner().get("source")).put("sequence", "[\"1\",\"2\"]");
      }
      accept(Category.SCHEMA_ADDITION, "unknown columns", index, valid.get(index).key(), json(p.envelope()));
    }
    int index = random.nextInt(valid.size());
    ObjectNode wrapped = NODES.objectNode();
    wrapped.putObject("schema").put("type", "struct").put("name", "ehr.clinical.Envelope");
    wrapped.set("payload", parse(valid.get(index)).envelope());
    accept(Category.SCHEMA_ADDITION, "connect schema envelope", index, valid.get(index).key(), json(wrapped));
  }

  private void atLimits() {
    if (!valid.isEmpty()) {
      int index = random.nextInt(valid.size());
      Parsed p = parse(valid.get(index));
      p.row().put("x_deep", "@@DEEP@@");
      int rowDepth = p.envelope().has("payload") ? 3 : 2;
      accept(Category.AT_LIMIT, "depth " + StrictJson.MAX_DEPTH, index, valid.get(index).key(),
          utf8(withRaw(p.envelope(), "@@DEEP@@", nested(StrictJson.MAX_DEPTH - rowDepth, random.nextBoolean(), true))));

      index = random.nextInt(valid.size());
      p = parse(valid.get(index));
      p.row().put("x_number", "@@NUM@@");
      accept(Category.AT_LIMIT, "number of " + StrictJson.MAX_NUMBER_CHARS, index, valid.get(index).key(),
          utf8(withRaw(p.envelope(), "@@NUM@@", number(StrictJson.MAX_NUMBER_CHARS, random.nextBoolean()))));

      index = random.nextInt(valid.size());
      p = parse(valid.get(index));
      p.row().put("x".repeat(StrictJson.MAX_NAME_CHARS), true);
      accept(Category.AT_LIMIT, "name of " + StrictJson.MAX_NAME_CHARS, index, valid.get(index).key(),
          json(p.envelope()));

      if (StrictJson.MAX_STRING_CHARS <= room()) {
        index = random.nextInt(valid.size());
        p = parse(valid.get(index));
        p.row().put("x_string", "s".repeat(StrictJson.MAX_STRING_CHARS));
        accept(Category.AT_LIMIT, "string of " + StrictJson.MAX_STRING_CHARS, index, valid.get(index).key(),
            json(p.envelope()));
      }

      index = random.nextInt(valid.size());
      p = parse(valid.get(index));
      byte[] key = valid.get(index).key();
      accept(Category.AT_LIMIT, "record of " + maxRecordBytes + " bytes", index, key,
          padTo(p.envelope(), p.row(), key == null ? 0 : key.length, maxRecordBytes));
    }
    // every bounded field at its bound: deletes of facts of the generator's own patients, without txId
    Change obs = new Change("observations", "d");
    obs.source().remove("txId");
    obs.row.put("id", padded("hostile-obs-" + seed + "-", FieldRules.MAX_ID_CHARS));
    obs.row.put("patient_id", padded("hostile-patient-at-bound-" + seed + "-", FieldRules.MAX_ID_CHARS));
    obs.row.put("encounter_id", padded("hostile-encounter-" + seed + "-", FieldRules.MAX_ID_CHARS));
    obs.row.put("effective_time", "1850-01-01T00:00:00.000000Z");
    obs.row.put("code", padded("LOINC-", FieldRules.MAX_CODE_CHARS));
    obs.row.put("code_system", padded("urn:oid:2.16.840.1.113883.6.1.", FieldRules.MAX_CODE_SYSTEM_CHARS));
    obs.row.put("description", padded(pick(random, INJECTIONS) + " ", FieldRules.MAX_TEXT_CHARS));
    obs.row.put("category", padded("laboratory ", FieldRules.MAX_TEXT_CHARS));
    obs.row.put("value_text", padded("<5 mg/dL; \"quoted\" 'text' ", FieldRules.MAX_TEXT_CHARS));
    obs.row.put("value_numeric", Double.MAX_VALUE);
    obs.row.put("unit", padded("{score}/", FieldRules.MAX_UNIT_CHARS));
    accept(Category.AT_LIMIT, "observation delete with every field at its bound", -1, obs.key(), obs.value());

    Change cond = new Change("conditions", "d");
    cond.source().remove("txId");
    cond.row.put("patient_id", padded("hostile-patient-at-bound-" + seed + "-c-", FieldRules.MAX_ID_CHARS));
    cond.row.put("start_time", "1850-01-01T00:00:00Z");
    cond.row.put("stop_time", "2200-12-31T23:59:59.999Z");
    cond.row.put("code", padded("Code with single inner spaces ", FieldRules.MAX_CODE_CHARS - 1) + "9");
    accept(Category.AT_LIMIT, "condition delete with times at the bounds", -1, cond.key(), cond.value());
  }

  // ---- bytes ----------------------------------------------------------------------------------------------------------

  private static byte[] splice(byte[] value, byte[] marker, byte[] replacement) {
    for (int i = 0; i + marker.length <= value.length; i++) {
      if (Arrays.equals(value, i, i + marker.length, marker, 0, marker.length)) {
        return concat(Arrays.copyOf(value, i), replacement, Arrays.copyOfRange(value, i + marker.length, value.length));
      }
    }
    throw new IllegalStateException("marker not found");
  }
}
