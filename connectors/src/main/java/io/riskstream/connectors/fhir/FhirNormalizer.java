package io.riskstream.connectors.fhir;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.riskstream.connectors.Normalized;
import io.riskstream.connectors.RecordNormalizer;
import io.riskstream.connectors.RejectedInputException;
import io.riskstream.schemas.DeadLetterReason;
import io.riskstream.schemas.EmrEvent;
import io.riskstream.schemas.EventKind;
import io.riskstream.schemas.EventOp;
import io.riskstream.schemas.SourceCoordinates;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Normalizes FHIR R4 JSON resources (Patient, Encounter, Condition, Observation, MedicationRequest, Procedure, and a
 * Bundle of them) into the {@link EmrEvent}s that {@code SyntheaCsvReader} makes from the CSV export of the same data.
 *
 * <p>Ids: Patient and Encounter keep their resource ids (Synthea uses the same UUIDs in both exports). Conditions,
 * observations, medications and procedures have no id in the CSV export, so their eventId is the CSV reader's
 * natural-key hash, computed from the FHIR fields rendered as the CSV writes them: {@code <table>:} + the first 32 hex
 * digits of SHA-256 over the key parts, each followed by U+001F; parts = (patient, encounter, START as
 * {@code yyyy-MM-dd} for conditions or {@code yyyy-MM-ddTHH:mm:ssZ} otherwise, code system, code), and for
 * observations (patient, encounter, DATE, code, VALUE: the number with one decimal, half-up, or the display text with
 * commas replaced by spaces, as the CSV writes it). Within one Bundle the n-th
 * repetition of a key gets {@code -n}, as in the CSV reader. {@code connectors/README.md} lists what FHIR does not carry.
 *
 * <p>A resource whose status says {@code entered-in-error} becomes a DELETE of the same eventId. Bad resources raise
 * {@link RejectedInputException} with a reason code for the dead-letter queue; in a Bundle they are collected per
 * entry and the other entries still normalize.
 *
 * <p>Hand-written over Jackson's tree rather than HAPI FHIR's model: HAPI is only a runtime dependency of Synthea here,
 * its R4 model costs seconds of start-up and hundreds of MB, and the six resources need a dozen fields each.
 */
public final class FhirNormalizer implements RecordNormalizer {

  /** {@link SourceCoordinates#getSystem()} of FHIR events. */
  public static final String SOURCE_SYSTEM = "fhir";
  public static final String LOINC = "LOINC";
  public static final String RXNORM = "RxNorm";
  public static final String SNOMED = "SNOMED-CT";
  public static final String GENDER_SYSTEM = "administrative-gender";
  private static final String ENTERED_IN_ERROR = "entered-in-error";
  private static final char KEY_SEPARATOR = '\u001f';
  private static final int HASH_HEX_DIGITS = 32;
  /** How Synthea's CSV export writes instants. */
  private static final DateTimeFormatter CSV_INSTANT =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss'Z'", Locale.ROOT).withZone(ZoneOffset.UTC);

  /** FHIR v3 ActCode encounter classes → the encounter category RiskStream uses. */
  private static final Map<String, String> ENCOUNTER_CLASSES = Map.ofEntries(
      Map.entry("AMB", "ambulatory"), Map.entry("EMER", "emergency"), Map.entry("IMP", "inpatient"),
      Map.entry("ACUTE", "inpatient"), Map.entry("NONAC", "inpatient"), Map.entry("HH", "home"),
      Map.entry("VR", "virtual"), Map.entry("OBSENC", "observation"), Map.entry("PRENC", "prenatal"),
      Map.entry("SS", "short-stay"), Map.entry("FLD", "field"));

  private static final ObjectMapper JSON = new ObjectMapper();

  /** Prefix of the transaction id the events of one FHIR record share. */
  public static final String TX_PREFIX = "fhir:";

  private final int maxRecordBytes;

  /** A normalizer for documents of any size (tests, files). */
  public FhirNormalizer() {
    this(Integer.MAX_VALUE);
  }

  /** A normalizer that rejects records (key + value) larger than {@code maxRecordBytes} without parsing them. */
  public FhirNormalizer(int maxRecordBytes) {
    this.maxRecordBytes = maxRecordBytes;
  }

  /**
   * Normalizes a FHIR record read from a topic. Every event gets the record's coordinates and the source transaction
   * id {@code fhir:<topic>-<partition>@<offset>}, so one record (e.g. a Bundle) is scored once per patient, like one
   * Debezium transaction. A document that cannot be read at all is one rejection; each entry of a Bundle that cannot
   * be normalized is one rejection (naming the entry index and fields) while the other entries still become events.
   */
  @Override
  public Normalized normalize(byte[] key, byte[] value, String topic, int partition, long offset) {
    if (value == null) {
      return Normalized.ofTombstone();
    }
    int size = value.length + (key == null ? 0 : key.length);
    if (size > maxRecordBytes) {
      return Normalized.rejected(DeadLetterReason.OVERSIZED_RECORD, "record of " + size + " bytes exceeds "
          + maxRecordBytes);
    }
    Result result;
    try {
      result = normalize(utf8(value));
    } catch (RejectedInputException e) {
      return Normalized.rejected(e.reason(), e.getMessage());
    } catch (CharacterCodingException e) {
      return Normalized.rejected(DeadLetterReason.MALFORMED_JSON, "not UTF-8 text");
    }
    String txId = TX_PREFIX + topic + "-" + partition + "@" + offset;
    List<EmrEvent> located = new ArrayList<>(result.events().size());
    for (EmrEvent e : result.events()) {
      SourceCoordinates source = SourceCoordinates.newBuilder(e.getSource()).setTxId(txId).setTopic(topic)
          .setPartition(partition).setOffset(offset).build();
      located.add(EmrEvent.newBuilder(e).setSource(source).build());
    }
    List<Normalized.Rejection> rejections = result.rejected().stream().map(r -> new Normalized.Rejection(r.reason(),
        "Bundle.entry[" + r.entry() + "] (" + r.resourceType() + "): " + r.message())).toList();
    int skipped = result.skipped().values().stream().mapToInt(Integer::intValue).sum();
    return new Normalized(located, rejections, false, skipped);
  }

  /** Strict UTF-8 decoding: invalid bytes are bad input, not silently replaced. */
  private static String utf8(byte[] value) throws CharacterCodingException {
    return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(value)).toString();
  }

  /**
   * The events of a Bundle, the entries that could not be normalized, and the entries skipped because their resource
   * type carries no clinical fact RiskStream uses (Claim, DiagnosticReport, ...), counted per type.
   */
  public record Result(List<EmrEvent> events, List<Rejection> rejected, Map<String, Integer> skipped) {
    public Result {
      events = List.copyOf(events);
      rejected = List.copyOf(rejected);
      skipped = Collections.unmodifiableMap(new TreeMap<>(skipped));
    }
  }

  /** An entry of a Bundle that could not be normalized: its index, type and why. */
  public record Rejection(int entry, String resourceType, DeadLetterReason reason, String message) {
  }

  /** Normalizes a JSON document: a single resource, or a Bundle. */
  public Result normalize(String json) throws RejectedInputException {
    JsonNode node;
    try {
      node = JSON.readTree(json);
    } catch (JsonProcessingException e) {
      throw new RejectedInputException(DeadLetterReason.MALFORMED_JSON, "not valid JSON (line "
          + e.getLocation().getLineNr() + ")");
    }
    return normalize(node);
  }

  /** Normalizes a parsed resource or Bundle. */
  public Result normalize(JsonNode node) throws RejectedInputException {
    if (node == null || !node.isObject()) {
      throw new RejectedInputException(DeadLetterReason.MALFORMED_JSON, "a FHIR resource must be a JSON object");
    }
    if ("Bundle".equals(node.path("resourceType").asText())) {
      return normalizeBundle(node);
    }
    return new Result(normalizeResource(node, Map.of()), List.of(), Map.of());
  }

  /** Normalizes one resource outside a Bundle (references to other resources cannot be resolved). */
  public List<EmrEvent> normalizeResource(JsonNode resource) throws RejectedInputException {
    return normalizeResource(resource, Map.of());
  }

  private Result normalizeBundle(JsonNode bundle) throws RejectedInputException {
    JsonNode entries = bundle.path("entry");
    if (!entries.isMissingNode() && !entries.isArray()) {
      throw new RejectedInputException(DeadLetterReason.INVALID_FIELD, "Bundle.entry is not an array");
    }
    Map<String, JsonNode> byFullUrl = new HashMap<>();
    for (JsonNode entry : entries) {
      if (entry.path("fullUrl").isTextual() && entry.path("resource").isObject()) {
        byFullUrl.put(entry.path("fullUrl").asText(), entry.path("resource"));
        JsonNode resource = entry.path("resource");
        if (resource.path("id").isTextual()) {
          byFullUrl.put(resource.path("resourceType").asText() + "/" + resource.path("id").asText(), resource);
        }
      }
    }
    List<EmrEvent> events = new ArrayList<>();
    List<Rejection> rejected = new ArrayList<>();
    Map<String, Integer> skipped = new HashMap<>();
    int index = 0;
    for (JsonNode entry : entries) {
      JsonNode resource = entry.path("resource");
      String type = resource.path("resourceType").asText("");
      try {
        if (!resource.isObject()) {
          throw new RejectedInputException(DeadLetterReason.MISSING_FIELD, "Bundle.entry[" + index + "] has no resource");
        }
        if (KIND_OF.containsKey(type)) {
          events.addAll(normalizeResource(resource, byFullUrl));
        } else {
          skipped.merge(type.isEmpty() ? "(none)" : type, 1, Integer::sum);
        }
      } catch (RejectedInputException e) {
        rejected.add(new Rejection(index, type, e.reason(), e.getMessage()));
      }
      index++;
    }
    disambiguate(events);
    return new Result(events, rejected, skipped);
  }

  private static final Map<String, EventKind> KIND_OF = Map.of(
      "Patient", EventKind.DEMOGRAPHICS, "Encounter", EventKind.ENCOUNTER, "Condition", EventKind.DIAGNOSIS,
      "Observation", EventKind.OBSERVATION, "MedicationRequest", EventKind.MEDICATION,
      "Procedure", EventKind.PROCEDURE);

  private List<EmrEvent> normalizeResource(JsonNode r, Map<String, JsonNode> bundle)
      throws RejectedInputException {
    if (r == null || !r.isObject()) {
      throw new RejectedInputException(DeadLetterReason.MALFORMED_JSON, "a FHIR resource must be a JSON object");
    }
    String type = r.path("resourceType").asText("");
    if (type.isEmpty()) {
      throw new RejectedInputException(DeadLetterReason.MISSING_FIELD, "resourceType");
    }
    return switch (type) {
      case "Patient" -> List.of(patient(r));
      case "Encounter" -> List.of(encounter(r));
      case "Condition" -> List.of(condition(r));
      case "Observation" -> observation(r);
      case "MedicationRequest" -> List.of(medicationRequest(r, bundle));
      case "Procedure" -> List.of(procedure(r));
      default -> throw new RejectedInputException(DeadLetterReason.UNSUPPORTED_RESOURCE, "resource type " + type
          + " is not normalized (supported: Patient, Encounter, Condition, Observation, MedicationRequest,"
          + " Procedure, Bundle)");
    };
  }

  private static SourceCoordinates source(String type) {
    return SourceCoordinates.newBuilder().setSystem(SOURCE_SYSTEM).setTable(type).build();
  }

  private EmrEvent patient(JsonNode r) throws RejectedInputException {
    String id = text(r, "id", "Patient");
    String gender = text(r, "gender", "Patient");
    if (!List.of("male", "female", "other", "unknown").contains(gender)) {
      throw new RejectedInputException(DeadLetterReason.INVALID_FIELD, "Patient.gender is not an administrative gender");
    }
    Instant birth = dateAtMidnight(text(r, "birthDate", "Patient"), "Patient.birthDate");
    Instant death = null;
    if (r.path("deceasedDateTime").isTextual()) {
      death = dateAtMidnight(utcDate(instant(r.path("deceasedDateTime").asText(), "Patient.deceasedDateTime")),
          "Patient.deceasedDateTime");
    }
    return new EmrEvent(id, "patients:" + id, EventOp.UPSERT, EventKind.DEMOGRAPHICS, birth, death, GENDER_SYSTEM,
        gender, null, null, null, null, null, null, source("Patient"));
  }

  private EmrEvent encounter(JsonNode r) throws RejectedInputException {
    String id = text(r, "id", "Encounter");
    String patient = reference(r.path("subject"), "Encounter.subject");
    Instant start = instant(required(r.path("period").path("start"), "Encounter.period.start").asText(),
        "Encounter.period.start");
    Instant end = optionalInstant(r.path("period").path("end"), "Encounter.period.end");
    JsonNode coding = firstCoding(r.path("type").path(0), "Encounter.type");
    String classCode = r.path("class").path("code").asText(null);
    String category = classCode == null ? null
        : ENCOUNTER_CLASSES.getOrDefault(classCode, classCode.toLowerCase(Locale.ROOT));
    EventOp op = ENTERED_IN_ERROR.equals(r.path("status").asText()) ? EventOp.DELETE : EventOp.UPSERT;
    return new EmrEvent(patient, "encounters:" + id, op, EventKind.ENCOUNTER, start, end, SNOMED,
        text(coding, "code", "Encounter.type.coding"), display(r.path("type").path(0), coding), category, null, null,
        null, id, source("Encounter"));
  }

  private EmrEvent condition(JsonNode r) throws RejectedInputException {
    String patient = reference(r.path("subject"), "Condition.subject");
    String encounter = optionalReference(r.path("encounter"), "Condition.encounter");
    JsonNode coding = firstCoding(r.path("code"), "Condition.code");
    String system = text(coding, "system", "Condition.code.coding");
    String code = text(coding, "code", "Condition.code.coding");
    // the CSV export writes condition START and STOP as dates
    String startText = utcDate(instant(required(r.path("onsetDateTime"), "Condition.onsetDateTime").asText(),
        "Condition.onsetDateTime"));
    Instant start = dateAtMidnight(startText, "Condition.onsetDateTime");
    Instant stop = r.path("abatementDateTime").isTextual()
        ? dateAtMidnight(utcDate(instant(r.path("abatementDateTime").asText(), "Condition.abatementDateTime")),
            "Condition.abatementDateTime")
        : null;
    boolean error = ENTERED_IN_ERROR.equals(firstCodeOf(r.path("verificationStatus")));
    return new EmrEvent(patient, hashId("conditions", patient, nullToEmpty(encounter), startText, system, code),
        error ? EventOp.DELETE : EventOp.UPSERT, EventKind.DIAGNOSIS, start, stop, system, code,
        display(r.path("code"), coding), null, null, null, null, encounter, source("Condition"));
  }

  private List<EmrEvent> observation(JsonNode r) throws RejectedInputException {
    String patient = reference(r.path("subject"), "Observation.subject");
    String encounter = optionalReference(r.path("encounter"), "Observation.encounter");
    String dateText = CSV_INSTANT.format(instant(required(r.path("effectiveDateTime"),
        "Observation.effectiveDateTime").asText(), "Observation.effectiveDateTime"));
    Instant date = Instant.parse(dateText);
    String category = firstCodeOf(r.path("category").path(0));
    EventOp op = ENTERED_IN_ERROR.equals(r.path("status").asText()) ? EventOp.DELETE : EventOp.UPSERT;
    List<EmrEvent> events = new ArrayList<>();
    JsonNode components = r.path("component");
    boolean hasValue = hasValue(r);
    if (hasValue || !components.isArray() || components.isEmpty()) {
      events.add(observationEvent(r, r.path("code"), "Observation", patient, encounter, dateText, date, category, op));
    }
    if (components.isArray()) {
      int i = 0;
      for (JsonNode component : components) {
        if (hasValue(component)) {
          events.add(observationEvent(component, component.path("code"), "Observation.component[" + i + "]",
              patient, encounter, dateText, date, category, op));
        }
        i++;
      }
    }
    return events;
  }

  private static boolean hasValue(JsonNode node) {
    return node.has("valueQuantity") || node.has("valueCodeableConcept") || node.has("valueString");
  }

  private EmrEvent observationEvent(JsonNode node, JsonNode codeNode, String where, String patient, String encounter,
                                    String dateText, Instant date, String category, EventOp op)
      throws RejectedInputException {
    JsonNode coding = firstCoding(codeNode, where + ".code");
    String code = text(coding, "code", where + ".code.coding");
    Double value = null;
    String valueText = null;
    String unit = null;
    String rawValue;
    if (node.has("valueQuantity")) {
      JsonNode quantity = node.path("valueQuantity");
      JsonNode v = quantity.path("value");
      if (!v.isNumber()) {
        throw new RejectedInputException(v.isMissingNode() ? DeadLetterReason.MISSING_FIELD : DeadLetterReason.INVALID_FIELD,
            where + ".valueQuantity.value");
      }
      value = v.doubleValue();
      if (!Double.isFinite(value)) {
        throw new RejectedInputException(DeadLetterReason.INVALID_FIELD, where + ".valueQuantity.value is not finite");
      }
      unit = quantity.path("unit").isTextual() ? quantity.path("unit").asText()
          : quantity.path("code").asText(null);
      // the CSV export writes numeric values with one decimal
      rawValue = String.format(Locale.ROOT, "%.1f", value);
    } else if (node.has("valueCodeableConcept")) {
      JsonNode concept = node.path("valueCodeableConcept");
      valueText = display(concept, concept.path("coding").path(0));
      if (valueText == null) {
        throw new RejectedInputException(DeadLetterReason.MISSING_FIELD, where + ".valueCodeableConcept display or text");
      }
      rawValue = csvText(valueText);
    } else if (node.path("valueString").isTextual()) {
      valueText = node.path("valueString").asText();
      rawValue = csvText(valueText);
    } else if (node.has("valueString")) {
      throw new RejectedInputException(DeadLetterReason.INVALID_FIELD, where + ".valueString is not a string");
    } else {
      rawValue = "";
    }
    return new EmrEvent(patient, hashId("observations", patient, nullToEmpty(encounter), dateText, code, rawValue),
        op, EventKind.OBSERVATION, date, null, LOINC, code, display(codeNode, coding), category, value, valueText,
        unit, encounter, source("Observation"));
  }

  private EmrEvent medicationRequest(JsonNode r, Map<String, JsonNode> bundle) throws RejectedInputException {
    String patient = reference(r.path("subject"), "MedicationRequest.subject");
    String encounter = optionalReference(r.path("encounter"), "MedicationRequest.encounter");
    JsonNode concept = r.path("medicationCodeableConcept");
    if (concept.isMissingNode() && r.has("medicationReference")) {
      String ref = text(r.path("medicationReference"), "reference", "MedicationRequest.medicationReference");
      JsonNode medication = bundle.get(ref);
      if (medication == null) {
        medication = contained(r, ref);
      }
      if (medication == null) {
        throw new RejectedInputException(DeadLetterReason.MISSING_FIELD, "MedicationRequest.medicationReference does not"
            + " resolve to a Medication in the Bundle or contained resources");
      }
      concept = medication.path("code");
    }
    JsonNode coding = firstCoding(concept, "MedicationRequest.medication");
    String code = text(coding, "code", "MedicationRequest.medication.coding");
    String startText = CSV_INSTANT.format(instant(required(r.path("authoredOn"), "MedicationRequest.authoredOn")
        .asText(), "MedicationRequest.authoredOn"));
    EventOp op = ENTERED_IN_ERROR.equals(r.path("status").asText()) ? EventOp.DELETE : EventOp.UPSERT;
    return new EmrEvent(patient, hashId("medications", patient, nullToEmpty(encounter), startText, RXNORM, code), op,
        EventKind.MEDICATION, Instant.parse(startText), null, RXNORM, code, display(concept, coding), null, null,
        null, null, encounter, source("MedicationRequest"));
  }

  private static JsonNode contained(JsonNode r, String ref) {
    if (!ref.startsWith("#")) {
      return null;
    }
    for (JsonNode c : r.path("contained")) {
      if (ref.substring(1).equals(c.path("id").asText())) {
        return c;
      }
    }
    return null;
  }

  private EmrEvent procedure(JsonNode r) throws RejectedInputException {
    String patient = reference(r.path("subject"), "Procedure.subject");
    String encounter = optionalReference(r.path("encounter"), "Procedure.encounter");
    JsonNode coding = firstCoding(r.path("code"), "Procedure.code");
    String system = text(coding, "system", "Procedure.code.coding");
    String code = text(coding, "code", "Procedure.code.coding");
    JsonNode startNode = r.path("performedPeriod").path("start");
    String where = "Procedure.performedPeriod.start";
    if (startNode.isMissingNode()) {
      startNode = r.path("performedDateTime");
      where = "Procedure.performedDateTime";
    }
    String startText = CSV_INSTANT.format(instant(required(startNode, where).asText(), where));
    Instant stop = optionalInstant(r.path("performedPeriod").path("end"), "Procedure.performedPeriod.end");
    EventOp op = ENTERED_IN_ERROR.equals(r.path("status").asText()) ? EventOp.DELETE : EventOp.UPSERT;
    return new EmrEvent(patient, hashId("procedures", patient, nullToEmpty(encounter), startText, system, code), op,
        EventKind.PROCEDURE, Instant.parse(startText), stop, system, code, display(r.path("code"), coding), null,
        null, null, null, encounter, source("Procedure"));
  }

  /** Appends -n to the n-th repetition of an eventId in order, as the CSV reader does within a patient. */
  private static void disambiguate(List<EmrEvent> events) {
    Map<String, Integer> seen = new HashMap<>();
    for (int i = 0; i < events.size(); i++) {
      EmrEvent event = events.get(i);
      String key = event.getPatientId() + KEY_SEPARATOR + event.getEventId();
      int n = seen.merge(key, 1, Integer::sum);
      if (n > 1) {
        events.set(i, EmrEvent.newBuilder(event).setEventId(event.getEventId() + "-" + (n - 1)).build());
      }
    }
  }

  /** The CSV reader's natural-key id: table + ':' + 32 hex digits of SHA-256 over the parts, each ending in U+001F. */
  static String hashId(String table, String... parts) {
    StringBuilder key = new StringBuilder(128);
    for (String part : parts) {
      key.append(part).append(KEY_SEPARATOR);
    }
    MessageDigest sha256;
    try {
      sha256 = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is not available in this JVM", e);
    }
    byte[] digest = sha256.digest(key.toString().getBytes(StandardCharsets.UTF_8));
    return table + ":" + HexFormat.of().formatHex(digest).substring(0, HASH_HEX_DIGITS);
  }

  private static JsonNode required(JsonNode node, String where) throws RejectedInputException {
    if (node == null || node.isMissingNode() || node.isNull()) {
      throw new RejectedInputException(DeadLetterReason.MISSING_FIELD, where);
    }
    if (!node.isTextual()) {
      throw new RejectedInputException(DeadLetterReason.INVALID_FIELD, where + " is not a string");
    }
    return node;
  }

  private static String text(JsonNode parent, String field, String where) throws RejectedInputException {
    String value = required(parent.path(field), where + "." + field).asText();
    if (value.isBlank()) {
      throw new RejectedInputException(DeadLetterReason.MISSING_FIELD, where + "." + field + " is empty");
    }
    return value;
  }

  private static JsonNode firstCoding(JsonNode concept, String where) throws RejectedInputException {
    JsonNode coding = concept.path("coding").path(0);
    if (!coding.isObject()) {
      throw new RejectedInputException(DeadLetterReason.MISSING_FIELD, where + ".coding");
    }
    return coding;
  }

  private static String firstCodeOf(JsonNode concept) {
    JsonNode code = concept.path("coding").path(0).path("code");
    return code.isTextual() ? code.asText() : null;
  }

  /** The coding's display, else the concept's text (the CSV export's DESCRIPTION). */
  private static String display(JsonNode concept, JsonNode coding) {
    if (coding.path("display").isTextual()) {
      return coding.path("display").asText();
    }
    return concept.path("text").isTextual() ? concept.path("text").asText() : null;
  }

  /** The id of a Patient or Encounter reference: {@code urn:uuid:<id>} or {@code <Type>/<id>}. */
  private static String reference(JsonNode ref, String where) throws RejectedInputException {
    String value = text(ref, "reference", where);
    String id;
    if (value.startsWith("urn:uuid:")) {
      id = value.substring("urn:uuid:".length());
    } else {
      int slash = value.lastIndexOf('/');
      if (slash < 0 || value.contains("?")) {
        throw new RejectedInputException(DeadLetterReason.INVALID_FIELD, where + ".reference is neither urn:uuid:<id>"
            + " nor <Type>/<id>");
      }
      id = value.substring(slash + 1);
    }
    if (id.isBlank()) {
      throw new RejectedInputException(DeadLetterReason.INVALID_FIELD, where + ".reference has no id");
    }
    return id;
  }

  private static String optionalReference(JsonNode ref, String where) throws RejectedInputException {
    return ref.isMissingNode() || ref.isNull() ? null : reference(ref, where);
  }

  private static Instant instant(String text, String where) throws RejectedInputException {
    try {
      if (text.length() == 10) {
        return LocalDate.parse(text).atStartOfDay(ZoneOffset.UTC).toInstant();
      }
      return OffsetDateTime.parse(text).toInstant();
    } catch (DateTimeParseException e) {
      throw new RejectedInputException(DeadLetterReason.UNPARSEABLE_TIME, where + " is not a FHIR date or dateTime");
    }
  }

  private static Instant optionalInstant(JsonNode node, String where) throws RejectedInputException {
    if (node.isMissingNode() || node.isNull()) {
      return null;
    }
    return instant(required(node, where).asText(), where);
  }

  private static String utcDate(Instant instant) {
    return LocalDate.ofInstant(instant, ZoneOffset.UTC).toString();
  }

  private static Instant dateAtMidnight(String date, String where) throws RejectedInputException {
    try {
      return LocalDate.parse(date.length() > 10 ? date.substring(0, 10) : date).atStartOfDay(ZoneOffset.UTC)
          .toInstant();
    } catch (DateTimeParseException e) {
      throw new RejectedInputException(DeadLetterReason.UNPARSEABLE_TIME, where + " is not a FHIR date");
    }
  }

  /** Synthea's CSV export replaces commas in text with spaces; the id hash must see the text the CSV holds. */
  private static String csvText(String text) {
    return text.replace(',', ' ');
  }

  private static String nullToEmpty(String value) {
    return value == null ? "" : value;
  }
}
