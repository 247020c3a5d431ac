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
import static io.riskstream.connectors.hostile.HostileInputs.set;
import static io.riskstream.connectors.hostile.HostileInputs.utf8;
import static io.riskstream.connectors.hostile.HostileInputs.withRaw;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.riskstream.connectors.FieldRules;
import io.riskstream.connectors.StrictJson;
import io.riskstream.connectors.hostile.HostileInputs.Accepted;
import io.riskstream.connectors.hostile.HostileInputs.Category;
import io.riskstream.connectors.hostile.HostileInputs.Hostile;
import io.riskstream.connectors.hostile.HostileInputs.Input;
import io.riskstream.schemas.DeadLetterReason;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/** The FHIR half of {@link HostileInputs}: R4 resources and Bundles of them. */
final class FhirHostileInputs extends HostileGenerator {

  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  /** What an element is to the normalizer. */
  private enum Role {
    /** Patient.id, Encounter.id: an identifier. */
    ID,
    /** A Patient or Encounter reference: its id is an identifier. */
    REF,
    CODE, SYSTEM,
    /** display, valueString: free text. */
    TEXT,
    /** Encounter.class.code, Observation.category code: free text (category). */
    CATEGORY,
    UNIT,
    /** A required dateTime. */
    TIME,
    /** An optional dateTime (end, death). */
    END,
    /** Patient.birthDate. */
    DATE,
    /** valueQuantity.value. */
    VALUE,
    /** A string that is read but not stored (status, gender, quantity code, a medication reference). */
    OTHER,
    /** An element that must be an object (also an array's element). */
    OBJECT,
    /** An element that must be an array. */
    ARRAY
  }

  /** An element of a template; {@code required}: removing it is MISSING_FIELD. */
  private record Field(String template, String path, Role role, boolean required) {
  }

  private static final Map<String, String> TEMPLATES = Map.ofEntries(
      Map.entry("patient", "{'resourceType':'Patient','id':'@P','gender':'female','birthDate':'1960-05-06',"
          + "'deceasedDateTime':'2019-08-30T23:10:00-05:00'}"),
      Map.entry("encounter", "{'resourceType':'Encounter','id':'@E','status':'finished','class':{'code':'AMB'},"
          + "'type':[{'coding':[{'system':'http://snomed.info/sct','code':'185349003','display':'@D'}]}],"
          + "'subject':{'reference':'urn:uuid:@P'},'period':{'start':'2020-02-03T10:00:00+00:00',"
          + "'end':'2020-02-03T10:30:00+00:00'}}"),
      Map.entry("condition", "{'resourceType':'Condition','verificationStatus':{'coding':[{'code':'confirmed'}]},"
          + "'code':{'coding':[{'system':'http://snomed.info/sct','code':'44054006','display':'@D'}]},"
          + "'subject':{'reference':'urn:uuid:@P'},'encounter':{'reference':'urn:uuid:@E'},"
          + "'onsetDateTime':'2020-02-03T10:00:00+00:00','abatementDateTime':'2021-02-03T10:00:00+00:00'}"),
      Map.entry("observation", "{'resourceType':'Observation','status':'final','category':[{'coding':[{"
          + "'code':'laboratory'}]}],'code':{'coding':[{'system':'http://loinc.org','code':'4548-4','display':'@D'}]},"
          + "'subject':{'reference':'urn:uuid:@P'},'encounter':{'reference':'urn:uuid:@E'},"
          + "'effectiveDateTime':'2020-02-03T10:05:00+00:00','valueQuantity':{'value':6.4,'unit':'%','code':'%'}}"),
      Map.entry("panel", "{'resourceType':'Observation','status':'final','code':{'coding':[{'code':'85354-9'}]},"
          + "'subject':{'reference':'Patient/@P'},'effectiveDateTime':'2020-02-03T10:05:00Z','component':["
          + "{'code':{'coding':[{'code':'8462-4','display':'@D'}]},'valueQuantity':{'value':81,'unit':'mm[Hg]'}},"
          + "{'code':{'coding':[{'code':'8480-6','display':'Systolic'}]},'valueQuantity':{'value':132,'unit':'mm[Hg]'}}]}"),
      Map.entry("coded", "{'resourceType':'Observation','status':'final','code':{'coding':[{'code':'67875-5'}]},"
          + "'subject':{'reference':'urn:uuid:@P'},'effectiveDateTime':'2020-02-03T10:05:00Z',"
          + "'valueCodeableConcept':{'coding':[{'code':'LA1','display':'@D'}]}}"),
      Map.entry("string", "{'resourceType':'Observation','status':'final','code':{'coding':[{'code':'8251-1'}]},"
          + "'subject':{'reference':'urn:uuid:@P'},'effectiveDateTime':'2020-02-03T10:05:00Z','valueString':'@D'}"),
      Map.entry("medication", "{'resourceType':'MedicationRequest','status':'active','medicationCodeableConcept':{"
          + "'coding':[{'system':'http://www.nlm.nih.gov/research/umls/rxnorm','code':'860975','display':'@D'}]},"
          + "'subject':{'reference':'urn:uuid:@P'},'encounter':{'reference':'urn:uuid:@E'},"
          + "'authoredOn':'2021-01-05T08:00:00+00:00'}"),
      Map.entry("contained", "{'resourceType':'MedicationRequest','status':'active','contained':[{"
          + "'resourceType':'Medication','id':'m1','code':{'coding':[{'code':'860975','display':'@D'}]}}],"
          + "'medicationReference':{'reference':'#m1'},'subject':{'reference':'urn:uuid:@P'},"
          + "'authoredOn':'2021-01-05T08:00:00Z'}"),
      Map.entry("procedure", "{'resourceType':'Procedure','status':'completed','code':{'coding':[{"
          + "'system':'http://snomed.info/sct','code':'710824005','display':'@D'}]},'subject':{'reference':'urn:uuid:@P'},"
          + "'encounter':{'reference':'urn:uuid:@E'},'performedPeriod':{'start':'2021-01-05T08:00:00Z',"
          + "'end':'2021-01-05T08:15:00Z'}}"),
      Map.entry("performed", "{'resourceType':'Procedure','status':'completed','code':{'coding':[{"
          + "'system':'http://snomed.info/sct','code':'710824005'}]},'subject':{'reference':'urn:uuid:@P'},"
          + "'performedDateTime':'2021-01-05T08:00:00Z'}"));

  private static final List<Field> FIELDS = List.of(
      new Field("patient", "resourceType", Role.OTHER, true),
      new Field("patient", "id", Role.ID, true),
      new Field("patient", "gender", Role.OTHER, true),
      new Field("patient", "birthDate", Role.DATE, true),
      new Field("patient", "deceasedDateTime", Role.END, false),
      new Field("encounter", "id", Role.ID, true),
      new Field("encounter", "status", Role.OTHER, false),
      new Field("encounter", "class", Role.OBJECT, false),
      new Field("encounter", "class.code", Role.CATEGORY, false),
      new Field("encounter", "type", Role.ARRAY, true),
      new Field("encounter", "type[0]", Role.OBJECT, true),
      new Field("encounter", "type[0].coding", Role.ARRAY, true),
      new Field("encounter", "type[0].coding[0]", Role.OBJECT, true),
      new Field("encounter", "type[0].coding[0].code", Role.CODE, true),
      new Field("encounter", "type[0].coding[0].display", Role.TEXT, false),
      new Field("encounter", "subject", Role.OBJECT, true),
      new Field("encounter", "subject.reference", Role.REF, true),
      new Field("encounter", "period", Role.OBJECT, true),
      new Field("encounter", "period.start", Role.TIME, true),
      new Field("encounter", "period.end", Role.END, false),
      new Field("condition", "verificationStatus", Role.OBJECT, false),
      new Field("condition", "verificationStatus.coding", Role.ARRAY, false),
      new Field("condition", "code", Role.OBJECT, true),
      new Field("condition", "code.coding", Role.ARRAY, true),
      new Field("condition", "code.coding[0].system", Role.SYSTEM, true),
      new Field("condition", "code.coding[0].code", Role.CODE, true),
      new Field("condition", "code.coding[0].display", Role.TEXT, false),
      new Field("condition", "subject.reference", Role.REF, true),
      new Field("condition", "encounter", Role.OBJECT, false),
      new Field("condition", "encounter.reference", Role.REF, false),
      new Field("condition", "onsetDateTime", Role.TIME, true),
      new Field("condition", "abatementDateTime", Role.END, false),
      new Field("observation", "status", Role.OTHER, false),
      new Field("observation", "category", Role.ARRAY, false),
      new Field("observation", "category[0]", Role.OBJECT, false),
      new Field("observation", "category[0].coding[0].code", Role.CATEGORY, false),
      new Field("observation", "code", Role.OBJECT, true),
      new Field("observation", "code.coding[0].code", Role.CODE, true),
      new Field("observation", "code.coding[0].display", Role.TEXT, false),
      new Field("observation", "subject", Role.OBJECT, true),
      new Field("observation", "encounter.reference", Role.REF, false),
      new Field("observation", "effectiveDateTime", Role.TIME, true),
      new Field("observation", "valueQuantity", Role.OBJECT, false),
      new Field("observation", "valueQuantity.value", Role.VALUE, true),
      new Field("observation", "valueQuantity.unit", Role.UNIT, false),
      new Field("observation", "valueQuantity.code", Role.OTHER, false),
      new Field("panel", "component", Role.ARRAY, false),
      new Field("panel", "component[0]", Role.OBJECT, false),
      new Field("panel", "component[0].code.coding[0].code", Role.CODE, true),
      new Field("panel", "component[1].code.coding[0].display", Role.TEXT, false),
      new Field("panel", "component[0].valueQuantity.unit", Role.UNIT, false),
      new Field("panel", "subject.reference", Role.REF, true),
      new Field("coded", "valueCodeableConcept", Role.OBJECT, false),
      new Field("coded", "valueCodeableConcept.coding", Role.ARRAY, false),
      new Field("coded", "valueCodeableConcept.coding[0].display", Role.TEXT, true),
      new Field("string", "valueString", Role.TEXT, false),
      new Field("medication", "medicationCodeableConcept", Role.OBJECT, true),
      new Field("medication", "medicationCodeableConcept.coding[0].code", Role.CODE, true),
      new Field("medication", "medicationCodeableConcept.coding[0].display", Role.TEXT, false),
      new Field("medication", "authoredOn", Role.TIME, true),
      new Field("medication", "encounter.reference", Role.REF, false),
      new Field("contained", "medicationReference", Role.OBJECT, false),
      new Field("contained", "medicationReference.reference", Role.OTHER, true),
      new Field("contained", "contained", Role.ARRAY, false),
      new Field("contained", "contained[0].code", Role.OBJECT, false),
      new Field("contained", "contained[0].code.coding[0].code", Role.CODE, true),
      new Field("procedure", "performedPeriod", Role.OBJECT, true),
      new Field("procedure", "performedPeriod.start", Role.TIME, true),
      new Field("procedure", "performedPeriod.end", Role.END, false),
      new Field("procedure", "code.coding[0].system", Role.SYSTEM, true),
      new Field("procedure", "code.coding[0].code", Role.CODE, true),
      new Field("procedure", "encounter.reference", Role.REF, false),
      new Field("performed", "performedDateTime", Role.TIME, true));

  FhirHostileInputs(long seed, String topic, int maxRecordBytes, List<Input> valid) {
    super(seed, topic, maxRecordBytes, valid, 4096);
  }

  @Override
  HostileInputs build() {
    parseLevel();
    hugeStrings();
    hugeDocuments();
    wrongTypes();
    missingFields();
    impossibleTimes();
    unknownTypes();
    bundleEntries();
    forbiddenCharacters();
    injections();
    copies();
    atLimits();
    return new HostileInputs(hostile, accepted);
  }

  // ---- a valid resource of a patient of the generator's own ------------------------------------------------------

  /** A resource being built from a template, with the values that must never show in a message. */
  private final class Resource {
    final ObjectNode root;
    final List<String> secrets = new ArrayList<>();

    Resource(String template) {
      int n = serial++;
      String patient = "hostile-fhir-patient-" + seed + "-" + n;
      String encounter = "hostile-fhir-encounter-" + seed + "-" + n;
      String display = "hostile display " + seed + "-" + n;
      secrets.addAll(List.of(patient, encounter, display));
      try {
        root = (ObjectNode) PLAIN.readTree(TEMPLATES.get(template).replace('\'', '"').replace("@P", patient)
            .replace("@E", encounter).replace("@D", display));
      } catch (JsonProcessingException e) {
        throw new IllegalStateException(e);
      }
    }
  }

  private Resource resource(Field f) {
    return new Resource(f.template());
  }

  private Field field(Role... roles) {
    List<Role> wanted = Arrays.asList(roles);
    return pick(random, FIELDS.stream().filter(f -> wanted.contains(f.role())).toList());
  }

  private static byte[] key(int n) {
    return utf8("{\"id\":\"fhir-" + n + "\"}");
  }

  private void add(Category category, String variant, byte[] value, DeadLetterReason reason, List<String> secrets) {
    hostile.add(new Hostile(category, variant, new Input(topic, key(serial), value), reason, secrets));
  }

  private void add(Category category, String variant, Resource r, DeadLetterReason reason, String... more) {
    List<String> secrets = new ArrayList<>(r.secrets);
    secrets.addAll(Arrays.asList(more));
    add(category, variant, json(r.root), reason, secrets);
  }

  /**
   * A resource with one bad element: alone, or (half of the time) as the only clinical entry of a Bundle among
   * entries of types that carry no clinical fact, so that the Bundle gives exactly one rejection.
   */
  private void addEntry(Category category, String variant, Resource r, DeadLetterReason reason, String... more) {
    if (random.nextBoolean()) {
      add(category, variant, r, reason, more);
      return;
    }
    ObjectNode bundle = NODES.objectNode().put("resourceType", "Bundle").put("type", "collection");
    ArrayNode entries = bundle.putArray("entry");
    int others = random.nextInt(4);
    int at = random.nextInt(others + 1);
    for (int i = 0; i <= others; i++) {
      ObjectNode entry = entries.addObject().put("fullUrl", "urn:uuid:entry-" + seed + "-" + serial + "-" + i);
      if (i == at) {
        entry.set("resource", r.root);
      } else {
        entry.putObject("resource").put("resourceType", pick(random, List.of("Claim", "ExplanationOfBenefit",
            "Provenance", "DiagnosticReport"))).put("id", "other-" + i);
      }
    }
    List<String> secrets = new ArrayList<>(r.secrets);
    secrets.addAll(Arrays.asList(more));
    add(category, variant + " (Bundle entry " + at + " of " + (others + 1) + ")", json(bundle), reason, secrets);
  }

  // ---- parse-level ------------------------------------------------------------------------------------------------

  private void parseLevel() {
    List<String> notJson = List.of("", " ", "hello", "<Patient/>", "{oops", "[1,2", "{'resourceType':'Patient'}",
        "{\"resourceType\":\"Patient\",}", "NaN", "01", "[1,2]", "\"Patient\"", "42", "null", "true");
    for (int i = 0; i < 2; i++) {
      String text = pick(random, notJson);
      add(Category.NOT_JSON, "text#" + notJson.indexOf(text), utf8(text), DeadLetterReason.MALFORMED_JSON, List.of());
    }
    for (int i = 0; i < 2; i++) {
      Resource r = new Resource(pick(random, List.copyOf(TEMPLATES.keySet().stream().sorted().toList())));
      byte[] full = json(r.root);
      int cut = 1 + random.nextInt(full.length - 1);
      add(Category.TRUNCATED, "cut at " + cut, Arrays.copyOf(full, cut), DeadLetterReason.MALFORMED_JSON, r.secrets);
    }
    for (int i = 0; i < 2; i++) {
      Resource r = new Resource("condition");
      String variant = pick(random, List.of("random", "utf16le-bom", "utf16be", "invalid-utf8", "raw-control"));
      byte[] value = switch (variant) {
        case "random" -> {
          byte[] b = new byte[1 + random.nextInt(512)];
          random.nextBytes(b);
          b[0] = (byte) 0xC0;
          yield b;
        }
        case "utf16le-bom" -> concat(new byte[] {(byte) 0xFF, (byte) 0xFE},
            jsonText(r.root).getBytes(StandardCharsets.UTF_16LE));
        case "utf16be" -> jsonText(r.root).getBytes(StandardCharsets.UTF_16BE);
        case "invalid-utf8" -> {
          byte[] b = json(r.root);
          int at = jsonText(r.root).indexOf("hostile display");
          b[at] = (byte) (int) pick(random, List.of(0x80, 0xC0, 0xFF, 0xFE, 0xED));
          yield b;
        }
        default -> {
          byte[] b = json(r.root);
          b[jsonText(r.root).indexOf("hostile display") + 7] = (byte) (1 + random.nextInt(31));
          yield b;
        }
      };
      add(Category.BINARY, variant, value, DeadLetterReason.MALFORMED_JSON, r.secrets);
    }
    for (int i = 0; i < 2; i++) {
      Resource r = new Resource(pick(random, List.of("patient", "condition", "observation")));
      int depth = StrictJson.MAX_DEPTH + 1 + random.nextInt(random.nextBoolean() ? 4 : 5000);
      String variant = pick(random, List.of("extension-arrays", "extension-objects", "bare", "unclosed"));
      String value;
      if (variant.equals("bare")) {
        value = nested(depth, random.nextBoolean(), true);
      } else {
        r.root.put("extension", "@@DEEP@@");
        String raw = nested(depth - 1, !variant.equals("extension-objects"), !variant.equals("unclosed"));
        value = withRaw(r.root, "@@DEEP@@", raw);
        if (variant.equals("unclosed")) {
          value = value.substring(0, value.indexOf(raw) + raw.length());
        }
      }
      add(Category.DEEP_NESTING, variant + " depth " + depth, utf8(value), DeadLetterReason.NESTING_TOO_DEEP,
          r.secrets);
    }
    List<String> suffixes = List.of("}}}}", "]", " x", "{}", "\u0000", ",", "{\"resourceType\":\"Patient\"}",
        "\n--boundary--", "null", "0");
    for (int i = 0; i < 2; i++) {
      Resource r = new Resource(pick(random, List.of("patient", "encounter", "procedure")));
      String suffix = pick(random, suffixes);
      add(Category.TRAILING_GARBAGE, "suffix#" + suffixes.indexOf(suffix), utf8(jsonText(r.root) + suffix),
          DeadLetterReason.TRAILING_DATA, r.secrets);
    }
    Resource d = new Resource("condition");
    String text = jsonText(d.root);
    String variant = pick(random, List.of("resourceType", "subject.reference"));
    String value = variant.equals("resourceType") ? "{\"resourceType\":\"Patient\"," + text.substring(1)
        : text.replace("\"subject\":{", "\"subject\":{\"reference\":\"urn:uuid:someone-else\",");
    add(Category.DUPLICATE_KEYS, variant, utf8(value), DeadLetterReason.MALFORMED_JSON, d.secrets);
  }

  // ---- sizes ------------------------------------------------------------------------------------------------------

  private static int bound(Role role) {
    return switch (role) {
      case ID, REF -> FieldRules.MAX_ID_CHARS;
      case CODE -> FieldRules.MAX_CODE_CHARS;
      case SYSTEM -> FieldRules.MAX_CODE_SYSTEM_CHARS;
      case UNIT -> FieldRules.MAX_UNIT_CHARS;
      default -> FieldRules.MAX_TEXT_CHARS;
    };
  }

  /** A value of the role with {@code core} as its id or text. */
  private static String valueOf(Role role, String core) {
    return role == Role.REF ? "urn:uuid:" + core : core;
  }

  private void hugeStrings() {
    for (Role role : List.of(Role.ID, Role.REF, Role.CODE, Role.SYSTEM, Role.TEXT, Role.CATEGORY, Role.UNIT)) {
      Field f = field(role);
      Resource r = resource(f);
      int length = overLength(bound(role));
      String core = padded(role == Role.CODE || role == Role.SYSTEM ? "X" : "hostile", length);
      set(r.root, f.path(), NODES.textNode(valueOf(role, core)));
      addEntry(Category.HUGE_STRING, f.template() + "." + f.path() + " of " + length, r,
          role == Role.ID || role == Role.REF ? DeadLetterReason.INVALID_IDENTIFIER : DeadLetterReason.VALUE_TOO_LONG,
          core);
    }
    Resource num = new Resource("observation");
    String digits = number(StrictJson.MAX_NUMBER_CHARS + 1 + random.nextInt(64), random.nextBoolean());
    String where = pick(random, List.of("valueQuantity.value", "x_unknown"));
    set(num.root, where, NODES.textNode("@@NUM@@"));
    add(Category.HUGE_STRING, where + " number of " + digits.length(), utf8(withRaw(num.root, "@@NUM@@", digits)),
        DeadLetterReason.VALUE_TOO_LONG, num.secrets);
    Resource name = new Resource("patient");
    name.root.put("x".repeat(StrictJson.MAX_NAME_CHARS + 1 + random.nextInt(1000)), true);
    add(Category.HUGE_STRING, "name", name, DeadLetterReason.VALUE_TOO_LONG);
    if (StrictJson.MAX_STRING_CHARS + 1 <= room()) {
      Resource big = new Resource("patient");
      big.root.put("x_unknown", "y".repeat(StrictJson.MAX_STRING_CHARS + 1));
      add(Category.HUGE_STRING, "string", big, DeadLetterReason.VALUE_TOO_LONG);
    }
  }

  private void hugeDocuments() {
    Resource r = new Resource(pick(random, List.of("patient", "condition", "observation")));
    int over = 1 + (random.nextBoolean() ? 0 : random.nextInt(4096));
    byte[] key = key(serial);
    add(Category.HUGE_DOCUMENT, "value " + over + " bytes over", padTo(r.root, r.root, key.length, maxRecordBytes + over),
        DeadLetterReason.OVERSIZED_RECORD, r.secrets);
    Resource k = new Resource("patient");
    byte[] bigKey = new byte[maxRecordBytes];
    random.nextBytes(bigKey);
    hostile.add(new Hostile(Category.HUGE_DOCUMENT, "key of " + bigKey.length + " bytes",
        new Input(topic, bigKey, json(k.root)), DeadLetterReason.OVERSIZED_RECORD, k.secrets));
  }

  // ---- elements -----------------------------------------------------------------------------------------------------

  private JsonNode wrongType(Role role) {
    return switch (role) {
      case OBJECT -> pick(random, List.of(NODES.textNode("x"), NODES.numberNode(1), NODES.arrayNode().add(1),
          NODES.booleanNode(true)));
      case ARRAY -> pick(random, List.of(NODES.objectNode().put("a", 1), NODES.textNode("x"), NODES.numberNode(1),
          NODES.booleanNode(false)));
      case VALUE -> pick(random, List.of(NODES.textNode("88"), NODES.booleanNode(true), NODES.objectNode(),
          NODES.arrayNode().add(88)));
      default -> pick(random, List.of(NODES.numberNode(42), NODES.booleanNode(true), NODES.objectNode().put("a", 1),
          NODES.arrayNode().add("a")));
    };
  }

  private void wrongTypes() {
    for (Field f : FIELDS) {
      Resource r = resource(f);
      JsonNode wrong = wrongType(f.role());
      set(r.root, f.path(), wrong);
      addEntry(Category.WRONG_TYPE, f.template() + "." + f.path() + " as " + wrong.getNodeType(), r,
          DeadLetterReason.INVALID_FIELD);
    }
  }

  private void missingFields() {
    List<Field> required = FIELDS.stream().filter(Field::required).toList();
    for (int i = 0; i < 4; i++) {
      Field f = pick(random, required);
      Resource r = resource(f);
      if (f.role() == Role.ARRAY) {
        set(r.root, f.path(), NODES.arrayNode()); // an empty list of codings is no coding
      } else if (f.path().equals("medicationReference.reference")) {
        set(r.root, f.path(), NODES.textNode("#nowhere")); // a reference that resolves to nothing
      } else {
        set(r.root, f.path(), null);
      }
      addEntry(Category.MISSING_FIELD, f.template() + "." + f.path(), r, DeadLetterReason.MISSING_FIELD);
    }
  }

  private void impossibleTimes() {
    List<String> unparseable = List.of("2020-13-01", "2020-02-30", "2021-02-29T10:00:00Z", "2020-01-01T10:00:00",
        "2020-01-01T25:00:00Z", "yesterday", "01/02/2020", "2020-01-01T00:00:00+25:00", "9".repeat(100),
        "2020-01-01T10:00:00Z\u0000");
    List<String> outOfRange = List.of("1200-01-01T00:00:00Z", "9999-12-31T23:59:59Z", "+999999999-12-31T23:59:59Z",
        "1849-12-31T23:59:59Z", "2201-01-01T00:00:00Z", "0001-01-01");
    List<String> datesOutOfRange = List.of("1200-01-01", "9999-12-31", "0001-01-01", "1849-12-31", "2201-01-01");
    Field f = field(Role.TIME, Role.END, Role.DATE);
    Resource a = resource(f);
    String text = pick(random, unparseable);
    set(a.root, f.path(), NODES.textNode(text));
    addEntry(Category.IMPOSSIBLE_TIME, f.template() + "." + f.path() + " unparseable", a,
        DeadLetterReason.UNPARSEABLE_TIME, text);
    f = field(Role.TIME, Role.END, Role.DATE);
    Resource b = resource(f);
    text = pick(random, f.role() == Role.DATE ? datesOutOfRange : outOfRange);
    set(b.root, f.path(), NODES.textNode(text));
    addEntry(Category.IMPOSSIBLE_TIME, f.template() + "." + f.path() + " out of range", b,
        DeadLetterReason.INVALID_FIELD, text);
    Resource c = new Resource("patient");
    c.root.put("birthDate", pick(random, List.of("1960-05-06T00:00:00Z", "1960-05", "1960", "1960-5-6")));
    addEntry(Category.IMPOSSIBLE_TIME, "Patient.birthDate not a date", c, DeadLetterReason.UNPARSEABLE_TIME);
  }

  private void unknownTypes() {
    List<String> types = List.of("Immunization", "AllergyIntolerance", "CarePlan", "Foo", "patient", "bundle",
        "Patient'; DROP TABLE x", "Observation\u0000", "Observation\u202e", "<script>Patient</script>");
    for (int i = 0; i < 2; i++) {
      Resource r = new Resource(pick(random, List.of("patient", "condition")));
      String type = pick(random, types);
      r.root.put("resourceType", type);
      add(Category.UNKNOWN_TABLE_OR_TYPE, "type#" + types.indexOf(type), r, DeadLetterReason.UNSUPPORTED_RESOURCE,
          type.matches("[A-Z][A-Za-z]{0,63}") ? new String[0] : new String[] {type});
    }
  }

  private void bundleEntries() {
    Resource r = new Resource("condition");
    String variant = pick(random, List.of("entry-object", "entry-string", "resource-string", "no-resource",
        "resource-type-number", "no-resource-type"));
    ObjectNode bundle = NODES.objectNode().put("resourceType", "Bundle").put("type", "collection");
    DeadLetterReason reason;
    switch (variant) {
      case "entry-object" -> {
        bundle.putObject("entry").set("resource", r.root);
        reason = DeadLetterReason.INVALID_FIELD;
      }
      case "entry-string" -> {
        bundle.putArray("entry").add("urn:uuid:x");
        reason = DeadLetterReason.INVALID_FIELD;
      }
      case "resource-string" -> {
        bundle.putArray("entry").addObject().put("resource", "Condition");
        reason = DeadLetterReason.INVALID_FIELD;
      }
      case "no-resource" -> {
        bundle.putArray("entry").addObject().putObject("request").put("method", "DELETE");
        reason = DeadLetterReason.MISSING_FIELD;
      }
      case "resource-type-number" -> {
        r.root.put("resourceType", 7);
        bundle.putArray("entry").addObject().set("resource", r.root);
        reason = DeadLetterReason.INVALID_FIELD;
      }
      default -> {
        r.root.remove("resourceType");
        bundle.putArray("entry").addObject().set("resource", r.root);
        reason = DeadLetterReason.MISSING_FIELD;
      }
    }
    add(reason == DeadLetterReason.MISSING_FIELD ? Category.MISSING_FIELD : Category.WRONG_TYPE, "Bundle " + variant,
        json(bundle), reason, r.secrets);
  }

  // ---- characters -------------------------------------------------------------------------------------------------

  private static String withForbidden(Role role, String ch, int n) {
    return switch (role) {
      case ID, REF -> "hostile-" + n + ch + "-id";
      case CODE, SYSTEM -> "E11" + ch + "9";
      default -> "some text " + ch + " more text";
    };
  }

  private void forbiddenCharacters() {
    for (Role role : List.of(Role.ID, Role.REF, Role.CODE, Role.SYSTEM, Role.TEXT, Role.CATEGORY, Role.UNIT)) {
      Field f = field(role);
      Resource r = resource(f);
      String ch = pick(random, FORBIDDEN);
      String core = withForbidden(role, ch, serial);
      set(r.root, f.path(), NODES.textNode(valueOf(role, core)));
      addEntry(Category.FORBIDDEN_CHARACTERS, f.template() + "." + f.path() + " with U+"
          + Integer.toHexString(ch.charAt(0)), r, DeadLetterReason.INVALID_CHARACTERS, core);
    }
  }

  private void injections() {
    for (Role role : List.of(Role.ID, Role.REF, Role.CODE, Role.SYSTEM)) {
      Field f = field(role);
      Resource r = resource(f);
      String value = pick(random, INJECTIONS);
      set(r.root, f.path(), NODES.textNode(role == Role.REF
          ? pick(random, List.of("urn:uuid:", "Patient/", "Encounter/")) + value : value));
      addEntry(Category.INJECTION, f.template() + "." + f.path() + " #" + INJECTIONS.indexOf(value), r,
          role == Role.ID || role == Role.REF ? DeadLetterReason.INVALID_IDENTIFIER : DeadLetterReason.INVALID_CHARACTERS,
          value);
    }
  }

  // ---- accepted ----------------------------------------------------------------------------------------------------

  private ObjectNode parse(Input input) {
    try {
      return (ObjectNode) PLAIN.readTree(input.value());
    } catch (java.io.IOException | ClassCastException e) {
      throw new IllegalArgumentException("valid input is not a FHIR JSON object", e);
    }
  }

  private void accept(Category category, String variant, int copyOf, byte[] key, byte[] value, int events) {
    accepted.add(new Accepted(category, variant, new Input(topic, key, value), copyOf, events));
  }

  /** Unknown elements in a resource, as a newer FHIR version or an extension would add them. */
  private void addUnknown(ObjectNode resource) {
    resource.putObject("meta").put("versionId", "2").put("lastUpdated", "2024-01-01T00:00:00Z");
    resource.putObject("text").put("status", "generated")
        .put("div", "<div xmlns=\"http://www.w3.org/1999/xhtml\">" + pick(random, INJECTIONS) + "</div>");
    resource.putArray("extension").addObject().put("url", "http://example.org/x").put("valueString",
        "unknown " + pick(random, FORBIDDEN));
    resource.put("x_riskstream_unknown", random.nextInt());
    resource.putObject("_id").putArray("extension");
  }

  private void copies() {
    if (!valid.isEmpty()) {
      for (int i = 0; i < 2; i++) {
        int index = random.nextInt(valid.size());
        accept(Category.DUPLICATE, "exact copy", index, valid.get(index).key(), valid.get(index).value(), -1);
      }
      for (int i = 0; i < 2; i++) {
        int index = random.nextInt(valid.size());
        ObjectNode doc = parse(valid.get(index));
        addUnknown(doc);
        for (JsonNode entry : doc.path("entry")) {
          if (entry.path("resource").isObject()) {
            addUnknown((ObjectNode) entry.get("resource"));
            ((ObjectNode) entry).putObject("search").put("mode", "match");
          }
        }
        accept(Category.SCHEMA_ADDITION, "unknown elements", index, valid.get(index).key(), json(doc), -1);
      }
    }
    ObjectNode skipped = NODES.objectNode().put("resourceType", "Bundle").put("type", "collection");
    ArrayNode entries = skipped.putArray("entry");
    int n = 1 + random.nextInt(4);
    for (int i = 0; i < n; i++) {
      entries.addObject().putObject("resource").put("resourceType", pick(random, List.of("Claim",
          "ExplanationOfBenefit", "Immunization", "DiagnosticReport", "Provenance"))).put("id", "skip-" + i);
    }
    accept(Category.SKIPPED_ONLY, n + " entries of other types", -1, key(serial), json(skipped), 0);
  }

  private void atLimits() {
    if (!valid.isEmpty()) {
      int index = random.nextInt(valid.size());
      ObjectNode doc = parse(valid.get(index));
      doc.put("x_deep", "@@DEEP@@");
      accept(Category.AT_LIMIT, "depth " + StrictJson.MAX_DEPTH, index, valid.get(index).key(),
          utf8(withRaw(doc, "@@DEEP@@", nested(StrictJson.MAX_DEPTH - 1, random.nextBoolean(), true))), -1);
      index = random.nextInt(valid.size());
      doc = parse(valid.get(index));
      doc.put("x_number", "@@NUM@@");
      accept(Category.AT_LIMIT, "number of " + StrictJson.MAX_NUMBER_CHARS, index, valid.get(index).key(),
          utf8(withRaw(doc, "@@NUM@@", number(StrictJson.MAX_NUMBER_CHARS, random.nextBoolean()))), -1);
      index = random.nextInt(valid.size());
      doc = parse(valid.get(index));
      doc.put("x".repeat(StrictJson.MAX_NAME_CHARS), true);
      accept(Category.AT_LIMIT, "name of " + StrictJson.MAX_NAME_CHARS, index, valid.get(index).key(), json(doc), -1);
      if (StrictJson.MAX_STRING_CHARS <= room()) {
        index = random.nextInt(valid.size());
        doc = parse(valid.get(index));
        doc.put("x_string", "s".repeat(StrictJson.MAX_STRING_CHARS));
        accept(Category.AT_LIMIT, "string of " + StrictJson.MAX_STRING_CHARS, index, valid.get(index).key(),
            json(doc), -1);
      }
      index = random.nextInt(valid.size());
      doc = parse(valid.get(index));
      byte[] key = valid.get(index).key();
      accept(Category.AT_LIMIT, "record of " + maxRecordBytes + " bytes", index, key,
          padTo(doc, doc, key == null ? 0 : key.length, maxRecordBytes), -1);
    }
    // every bounded field at its bound: entered-in-error (DELETE) resources of the generator's own patients
    String patient = padded("hostile-fhir-patient-at-bound-" + seed + "-", FieldRules.MAX_ID_CHARS);
    String encounter = padded("hostile-fhir-encounter-at-bound-" + seed + "-", FieldRules.MAX_ID_CHARS);
    Resource cond = new Resource("condition");
    cond.root.putObject("verificationStatus").putArray("coding").addObject().put("code", "entered-in-error");
    set(cond.root, "subject.reference", NODES.textNode("urn:uuid:" + patient));
    set(cond.root, "encounter.reference", NODES.textNode("Encounter/" + encounter));
    set(cond.root, "code.coding[0].code", NODES.textNode(padded("SNOMED ", FieldRules.MAX_CODE_CHARS - 1) + "1"));
    set(cond.root, "code.coding[0].system", NODES.textNode(padded("http://snomed.info/sct/",
        FieldRules.MAX_CODE_SYSTEM_CHARS)));
    set(cond.root, "code.coding[0].display", NODES.textNode(padded(pick(random, INJECTIONS) + " ",
        FieldRules.MAX_TEXT_CHARS)));
    cond.root.put("onsetDateTime", "1850-01-01");
    cond.root.put("abatementDateTime", "2200-12-31T23:59:59.999Z");
    accept(Category.AT_LIMIT, "Condition entered-in-error with every field at its bound", -1, key(serial),
        json(cond.root), 1);

    Resource obs = new Resource("observation");
    obs.root.put("status", "entered-in-error");
    set(obs.root, "subject.reference", NODES.textNode("Patient/" + patient));
    set(obs.root, "encounter.reference", NODES.textNode("urn:uuid:" + encounter));
    set(obs.root, "category[0].coding[0].code", NODES.textNode(padded("laboratory ", FieldRules.MAX_TEXT_CHARS)));
    set(obs.root, "code.coding[0].code", NODES.textNode(padded("LOINC-", FieldRules.MAX_CODE_CHARS)));
    set(obs.root, "code.coding[0].display", NODES.textNode(padded("<5 mg/dL; 'quoted' ", FieldRules.MAX_TEXT_CHARS)));
    obs.root.putObject("valueQuantity").put("value", Double.MAX_VALUE)
        .put("unit", padded("{score}/", FieldRules.MAX_UNIT_CHARS));
    obs.root.putArray("component").addObject().put("valueString", padded("text ", FieldRules.MAX_TEXT_CHARS))
        .putObject("code").putArray("coding").addObject().put("code", "8251-1");
    accept(Category.AT_LIMIT, "Observation entered-in-error with every field at its bound", -1, key(serial),
        json(obs.root), 2);

    Resource enc = new Resource("encounter");
    enc.root.put("status", "entered-in-error");
    enc.root.put("id", encounter);
    set(enc.root, "subject.reference", NODES.textNode("urn:uuid:" + patient));
    set(enc.root, "class.code", NODES.textNode(padded("ambulatory ", FieldRules.MAX_TEXT_CHARS)));
    set(enc.root, "type[0].coding[0].code", NODES.textNode(padded("185349003-", FieldRules.MAX_CODE_CHARS)));
    accept(Category.AT_LIMIT, "Encounter entered-in-error with id and category at their bounds", -1, key(serial),
        json(enc.root), 1);
  }
}
