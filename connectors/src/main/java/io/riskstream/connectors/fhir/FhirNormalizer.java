package io.riskstream.connectors.fhir;

import com.fasterxml.jackson.databind.JsonNode;
import io.riskstream.connectors.FieldRules;
import io.riskstream.connectors.Normalized;
import io.riskstream.connectors.NormalizerFailures;
import io.riskstream.connectors.RecordNormalizer;
import io.riskstream.connectors.RejectedInputException;
import io.riskstream.connectors.StrictJson;
import io.riskstream.schemas.DeadLetterReason;
import io.riskstream.schemas.EmrEvent;
import io.riskstream.schemas.EventKind;
import io.riskstream.schemas.EventOp;
import io.riskstream.schemas.SourceCoordinates;
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
import java.util.function.Function;
import java.util.regex.Pattern;

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
 * entry and the other entries still normalize. The JSON is read by {@link StrictJson}; every element the normalizer
 * reads must have its FHIR JSON type (absent → MISSING_FIELD where required, another type → INVALID_FIELD), and every
 * event meets {@link FieldRules}: a resource with one bad event (e.g. one component of a panel) is rejected whole.
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
  /** Longest date or dateTime text read (no FHIR dateTime is longer); longer is UNPARSEABLE_TIME without parsing. */
  static final int MAX_TIME_CHARS = 64;
  /** A resource type shown in messages: a FHIR type name; any other value is not echoed. */
  private static final Pattern SHOWN_TYPE = Pattern.compile("[A-Z][A-Za-z]{0,63}");
  /** How Synthea's CSV export writes instants. */
  private static final DateTimeFormatter CSV_INSTANT =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss'Z'", Locale.ROOT).withZone(ZoneOffset.UTC);

  /** FHIR v3 ActCode encounter classes → the encounter category RiskStream uses. */
  private static final Map<String, String> ENCOUNTER_CLASSES = Map.ofEntries(
      Map.entry("AMB", "ambulatory"), Map.entry("EMER", "emergency"), Map.entry("IMP", "inpatient"),
      Map.entry("ACUTE", "inpatient"), Map.entry("NONAC", "inpatient"), Map.entry("HH", "home"),
      Map.entry("VR", "virtual"), Map.entry("OBSENC", "observation"), Map.entry("PRENC", "prenatal"),
      Map.entry("SS", "short-stay"), Map.entry("FLD", "field"));

  /** Prefix of the transaction id the events of one FHIR record share. */
  public static final String TX_PREFIX = "fhir:";

  private final int maxRecordBytes;
  private final StrictJson json;

  /** A normalizer for documents of any size (tests, files). */
  public FhirNormalizer() {
    this(Integer.MAX_VALUE);
  }

  /** A normalizer that rejects records (key + value) larger than {@code maxRecordBytes} without parsing them. */
  public FhirNormalizer(int maxRecordBytes) {
    this.maxRecordBytes = maxRecordBytes;
    this.json = StrictJson.withMaxDocumentChars(maxRecordBytes);
  }

  /**
   * Normalizes a FHIR record read from a topic. Every event gets the record's coordinates and the source transaction
   * id {@code fhir:<topic>-<partition>@<offset>}, so one record (e.g. a Bundle) is scored once per patient, like one
   * Debezium transaction. A document that cannot be read at all is one rejection; each entry of a Bundle that cannot
   * be normalized is one rejection (naming the entry index and fields) while the other entries still become events.
   * Never throws for any key and value: bad input is a rejection, a bug an PROCESSING_ERROR rejection.
   */
  @Override
  public Normalized normalize(byte[] key, byte[] value, String topic, int partition, long offset) {
    try {
      if (value == null) {
        return Normalized.ofTombstone();
      }
      long size = (long) value.length + (key == null ? 0 : key.length);
      if (size > maxRecordBytes) {
        return Normalized.rejected(DeadLetterReason.OVERSIZED_RECORD, "record of " + size + " bytes exceeds "
            + maxRecordBytes);
      }
      Result result;
      try {
        result = normalize(json.parse(value));
      } catch (RejectedInputException e) {
        return Normalized.rejected(e.reason(), e.getMessage());
      }
      String txId = TX_PREFIX + topic + "-" + partition + "@" + offset;
      List<EmrEvent> located = new ArrayList<>(result.events().size());
      for (EmrEvent e : result.events()) {
        SourceCoordinates source = SourceCoordinates.newBuilder(e.getSource()).setTxId(txId).setTopic(topic)
            .setPartition(partition).setOffset(offset).build();
        located.add(EmrEvent.newBuilder(e).setSource(source).build());
      }
      List<Normalized.Rejection> rejections = result.rejected().stream().map(r -> new Normalized.Rejection(r.reason(),
          "Bundle.entry[" + r.entry() + "]" + (r.resourceType().isEmpty() ? "" : " (" + r.resourceType() + ")") + ": "
              + r.message())).toList();
      int skipped = result.skipped().values().stream().mapToInt(Integer::intValue).sum();
      return new Normalized(located, rejections, false, skipped);
    } catch (RuntimeException bug) {
      return NormalizerFailures.unexpected(bug, "FhirNormalizer", topic, partition, offset);
    }
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

  /**
   * An entry of a Bundle that could not be normalized: its index, type (as shown in messages: empty when it has none
   * or it is not a FHIR type name) and why.
   */
  public record Rejection(int entry, String resourceType, DeadLetterReason reason, String message) {
  }

  /** Normalizes a JSON document: a single resource, or a Bundle (read by {@link StrictJson}). */
  public Result normalize(String document) throws RejectedInputException {
    return normalize(json.parse(document));
  }

  /** Normalizes a parsed resource or Bundle. */
  public Result normalize(JsonNode node) throws RejectedInputException {
    if (node == null || !node.isObject()) {
      throw new RejectedInputException(DeadLetterReason.MALFORMED_JSON, "a FHIR resource must be a JSON object");
    }
    if ("Bundle".equals(resourceType(node))) {
      return normalizeBundle(node);
    }
    return new Result(normalizeResource(node, Map.of()), List.of(), Map.of());
  }

  /** Normalizes one resource outside a Bundle (references to other resources cannot be resolved). */
  public List<EmrEvent> normalizeResource(JsonNode resource) throws RejectedInputException {
    return normalizeResource(resource, Map.of());
  }

  private Result normalizeBundle(JsonNode bundle) throws RejectedInputException {
    JsonNode entries = array(bundle, "entry", "Bundle.entry");
    if (entries == null) {
      return new Result(List.of(), List.of(), Map.of());
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
      String shown = "";
      try {
        if (!entry.isObject()) {
          throw new RejectedInputException(DeadLetterReason.INVALID_FIELD, "Bundle.entry[" + index + "] is not an object");
        }
        JsonNode resource = entry.get("resource");
        if (resource == null || resource.isNull()) {
          throw new RejectedInputException(DeadLetterReason.MISSING_FIELD, "Bundle.entry[" + index + "] has no resource");
        }
        if (!resource.isObject()) {
          throw new RejectedInputException(DeadLetterReason.INVALID_FIELD, "Bundle.entry[" + index
              + "].resource is not an object");
        }
        String type = resourceType(resource);
        shown = SHOWN_TYPE.matcher(type).matches() ? type : "";
        if (KIND_OF.containsKey(type)) {
          events.addAll(normalizeResource(resource, byFullUrl));
        } else {
          skipped.merge(shown.isEmpty() ? "(other)" : shown, 1, Integer::sum);
        }
      } catch (RejectedInputException e) {
        rejected.add(new Rejection(index, shown, e.reason(), e.getMessage()));
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

  /** A resource's type: a non-empty string, else MISSING_FIELD or INVALID_FIELD. */
  private static String resourceType(JsonNode r) throws RejectedInputException {
    JsonNode t = r.get("resourceType");
    if (t == null || t.isNull() || (t.isTextual() && t.asText().isEmpty())) {
      throw new RejectedInputException(DeadLetterReason.MISSING_FIELD, "resourceType");
    }
    if (!t.isTextual()) {
      throw new RejectedInputException(DeadLetterReason.INVALID_FIELD, "resourceType is not a string");
    }
    return t.asText();
  }

  private List<EmrEvent> normalizeResource(JsonNode r, Map<String, JsonNode> bundle)
      throws RejectedInputException {
    if (r == null || !r.isObject()) {
      throw new RejectedInputException(DeadLetterReason.MALFORMED_JSON, "a FHIR resource must be a JSON object");
    }
    String type = resourceType(r);
    List<EmrEvent> events = switch (type) {
      case "Patient" -> List.of(patient(r));
      case "Encounter" -> List.of(encounter(r));
      case "Condition" -> List.of(condition(r));
      case "Observation" -> observation(r);
      case "MedicationRequest" -> List.of(medicationRequest(r, bundle));
      case "Procedure" -> List.of(procedure(r));
      default -> throw new RejectedInputException(DeadLetterReason.UNSUPPORTED_RESOURCE, "resource type "
          + (SHOWN_TYPE.matcher(type).matches() ? type : "(not shown: not a FHIR type name)")
          + " is not normalized (supported: Patient, Encounter, Condition, Observation, MedicationRequest,"
          + " Procedure, Bundle)");
    };
    return events;
  }

  private static SourceCoordinates source(String type) {
    return SourceCoordinates.newBuilder().setSystem(SOURCE_SYSTEM).setTable(type).build();
  }

  /**
   * {@code event} once it meets {@link FieldRules}; {@code concept} names the CodeableConcept its code came from,
   * {@code element} the element that holds its value (an Observation or one of its components).
   */
  private static EmrEvent checked(EmrEvent event, String type, String concept, String element)
      throws RejectedInputException {
    FieldRules.check(event, names(type, concept, element));
    return event;
  }

  private static EmrEvent checked(EmrEvent event, String type, String concept) throws RejectedInputException {
    return checked(event, type, concept, type);
  }

  /** Where in a resource of {@code type} each EmrEvent field comes from, for messages. */
  private static Function<FieldRules.Field, String> names(String type, String concept, String element) {
    return f -> switch (f) {
      case PATIENT_ID -> type.equals("Patient") ? "Patient.id" : type + ".subject.reference";
      case EVENT_ID -> type.equals("Patient") || type.equals("Encounter") ? type + ".id" : type + " natural key";
      case ENCOUNTER_ID -> type.equals("Encounter") ? "Encounter.id" : type + ".encounter.reference";
      case EVENT_TIME -> switch (type) {
        case "Patient" -> "Patient.birthDate";
        case "Encounter" -> "Encounter.period.start";
        case "Condition" -> "Condition.onsetDateTime";
        case "Observation" -> "Observation.effectiveDateTime";
        case "MedicationRequest" -> "MedicationRequest.authoredOn";
        default -> "Procedure.performed";
      };
      case END_TIME -> switch (type) {
        case "Patient" -> "Patient.deceasedDateTime";
        case "Encounter" -> "Encounter.period.end";
        case "Condition" -> "Condition.abatementDateTime";
        default -> type + ".performedPeriod.end";
      };
      case CODE_SYSTEM -> concept + ".coding.system";
      case CODE -> type.equals("Patient") ? "Patient.gender" : concept + ".coding.code";
      case DESCRIPTION -> concept + ".coding.display or .text";
      case CATEGORY -> type.equals("Encounter") ? "Encounter.class.code" : type + ".category.coding.code";
      case VALUE -> element + ".valueQuantity.value";
      case VALUE_TEXT -> element + ".valueCodeableConcept or .valueString";
      case UNIT -> element + ".valueQuantity.unit or .code";
    };
  }

  private EmrEvent patient(JsonNode r) throws RejectedInputException {
    String id = text(r, "id", "Patient");
    String gender = text(r, "gender", "Patient");
    if (!List.of("male", "female", "other", "unknown").contains(gender)) {
      throw new RejectedInputException(DeadLetterReason.INVALID_FIELD, "Patient.gender is not an administrative gender");
    }
    Instant birth = date(text(r, "birthDate", "Patient"), "Patient.birthDate");
    String deceased = optionalText(r, "deceasedDateTime", "Patient.deceasedDateTime");
    Instant death = deceased == null ? null
        : date(utcDate(instant(deceased, "Patient.deceasedDateTime")), "Patient.deceasedDateTime");
    return checked(new EmrEvent(id, "patients:" + id, EventOp.UPSERT, EventKind.DEMOGRAPHICS, birth, death,
        GENDER_SYSTEM, gender, null, null, null, null, null, null, source("Patient")), "Patient", "Patient");
  }

  private EmrEvent encounter(JsonNode r) throws RejectedInputException {
    String id = text(r, "id", "Encounter");
    String patient = reference(object(r, "subject", "Encounter.subject"), "Encounter.subject");
    JsonNode period = object(r, "period", "Encounter.period");
    Instant start = instant(requiredText(period == null ? null : period.get("start"), "Encounter.period.start"),
        "Encounter.period.start");
    Instant end = optionalInstant(period, "end", "Encounter.period.end");
    JsonNode types = array(r, "type", "Encounter.type");
    JsonNode type = types == null || types.isEmpty() ? null : element(types, 0, "Encounter.type");
    JsonNode coding = firstCoding(type, "Encounter.type");
    JsonNode encounterClass = object(r, "class", "Encounter.class");
    String classCode = encounterClass == null ? null : optionalText(encounterClass, "code", "Encounter.class.code");
    String category = classCode == null ? null
        : ENCOUNTER_CLASSES.getOrDefault(classCode, classCode.toLowerCase(Locale.ROOT));
    EventOp op = ENTERED_IN_ERROR.equals(optionalText(r, "status", "Encounter.status")) ? EventOp.DELETE : EventOp.UPSERT;
    return checked(new EmrEvent(patient, "encounters:" + id, op, EventKind.ENCOUNTER, start, end, SNOMED,
        text(coding, "code", "Encounter.type.coding"), display(type, coding, "Encounter.type"), category, null, null,
        null, id, source("Encounter")), "Encounter", "Encounter.type");
  }

  private EmrEvent condition(JsonNode r) throws RejectedInputException {
    String patient = reference(object(r, "subject", "Condition.subject"), "Condition.subject");
    String encounter = optionalReference(r, "encounter", "Condition.encounter");
    JsonNode concept = object(r, "code", "Condition.code");
    JsonNode coding = firstCoding(concept, "Condition.code");
    String system = text(coding, "system", "Condition.code.coding");
    String code = text(coding, "code", "Condition.code.coding");
    // the CSV export writes condition START and STOP as dates
    String startText = utcDate(instant(requiredText(r.get("onsetDateTime"), "Condition.onsetDateTime"),
        "Condition.onsetDateTime"));
    Instant start = date(startText, "Condition.onsetDateTime");
    String abatement = optionalText(r, "abatementDateTime", "Condition.abatementDateTime");
    Instant stop = abatement == null ? null
        : date(utcDate(instant(abatement, "Condition.abatementDateTime")), "Condition.abatementDateTime");
    boolean error = ENTERED_IN_ERROR.equals(firstCodeOf(r, "verificationStatus", "Condition.verificationStatus"));
    return checked(new EmrEvent(patient, hashId("conditions", patient, nullToEmpty(encounter), startText, system,
        code), error ? EventOp.DELETE : EventOp.UPSERT, EventKind.DIAGNOSIS, start, stop, system, code,
        display(concept, coding, "Condition.code"), null, null, null, null, encounter, source("Condition")),
        "Condition", "Condition.code");
  }

  private List<EmrEvent> observation(JsonNode r) throws RejectedInputException {
    String patient = reference(object(r, "subject", "Observation.subject"), "Observation.subject");
    String encounter = optionalReference(r, "encounter", "Observation.encounter");
    String dateText = CSV_INSTANT.format(instant(requiredText(r.get("effectiveDateTime"),
        "Observation.effectiveDateTime"), "Observation.effectiveDateTime"));
    Instant date = Instant.parse(dateText);
    JsonNode categories = array(r, "category", "Observation.category");
    JsonNode firstCategory = categories == null || categories.isEmpty() ? null
        : element(categories, 0, "Observation.category");
    String category = firstCategory == null ? null : firstCodeOf(firstCategory, "Observation.category[0]");
    EventOp op = ENTERED_IN_ERROR.equals(optionalText(r, "status", "Observation.status")) ? EventOp.DELETE
        : EventOp.UPSERT;
    List<EmrEvent> events = new ArrayList<>();
    JsonNode components = array(r, "component", "Observation.component");
    boolean hasValue = hasValue(r);
    if (hasValue || components == null || components.isEmpty()) {
      events.add(observationEvent(r, "Observation", patient, encounter, dateText, date, category, op));
    }
    if (components != null) {
      for (int i = 0; i < components.size(); i++) {
        String where = "Observation.component[" + i + "]";
        JsonNode component = element(components, i, "Observation.component");
        if (hasValue(component)) {
          events.add(observationEvent(component, where, patient, encounter, dateText, date, category, op));
        }
      }
    }
    return events;
  }

  private static boolean hasValue(JsonNode node) {
    return node.has("valueQuantity") || node.has("valueCodeableConcept") || node.has("valueString");
  }

  private EmrEvent observationEvent(JsonNode node, String where, String patient, String encounter,
                                    String dateText, Instant date, String category, EventOp op)
      throws RejectedInputException {
    JsonNode concept = object(node, "code", where + ".code");
    JsonNode coding = firstCoding(concept, where + ".code");
    String code = text(coding, "code", where + ".code.coding");
    Double value = null;
    String valueText = null;
    String unit = null;
    String rawValue;
    if (node.has("valueQuantity")) {
      JsonNode quantity = object(node, "valueQuantity", where + ".valueQuantity");
      JsonNode v = quantity == null ? null : quantity.get("value");
      if (v == null || v.isNull() || !v.isNumber()) {
        throw new RejectedInputException(v == null || v.isNull() ? DeadLetterReason.MISSING_FIELD
            : DeadLetterReason.INVALID_FIELD, where + ".valueQuantity.value");
      }
      value = v.doubleValue();
      if (!Double.isFinite(value)) {
        throw new RejectedInputException(DeadLetterReason.INVALID_FIELD, where + ".valueQuantity.value is not finite");
      }
      unit = optionalText(quantity, "unit", where + ".valueQuantity.unit");
      String unitCode = optionalText(quantity, "code", where + ".valueQuantity.code");
      unit = unit != null ? unit : unitCode;
      // the CSV export writes numeric values with one decimal
      rawValue = String.format(Locale.ROOT, "%.1f", value);
    } else if (node.has("valueCodeableConcept")) {
      JsonNode valueConcept = object(node, "valueCodeableConcept", where + ".valueCodeableConcept");
      JsonNode valueCodings = valueConcept == null ? null
          : array(valueConcept, "coding", where + ".valueCodeableConcept.coding");
      JsonNode valueCoding = valueCodings == null || valueCodings.isEmpty() ? null
          : element(valueCodings, 0, where + ".valueCodeableConcept.coding");
      valueText = valueConcept == null ? null : display(valueConcept, valueCoding, where + ".valueCodeableConcept");
      if (valueText == null) {
        throw new RejectedInputException(DeadLetterReason.MISSING_FIELD, where + ".valueCodeableConcept display or text");
      }
      rawValue = csvText(valueText);
    } else if (node.has("valueString")) {
      valueText = optionalText(node, "valueString", where + ".valueString");
      if (valueText == null) {
        throw new RejectedInputException(DeadLetterReason.MISSING_FIELD, where + ".valueString");
      }
      rawValue = csvText(valueText);
    } else {
      rawValue = "";
    }
    return checked(new EmrEvent(patient, hashId("observations", patient, nullToEmpty(encounter), dateText, code,
        rawValue), op, EventKind.OBSERVATION, date, null, LOINC, code, display(concept, coding, where + ".code"),
        category, value, valueText, unit, encounter, source("Observation")), "Observation", where + ".code", where);
  }

  private EmrEvent medicationRequest(JsonNode r, Map<String, JsonNode> bundle) throws RejectedInputException {
    String patient = reference(object(r, "subject", "MedicationRequest.subject"), "MedicationRequest.subject");
    String encounter = optionalReference(r, "encounter", "MedicationRequest.encounter");
    JsonNode concept = object(r, "medicationCodeableConcept", "MedicationRequest.medicationCodeableConcept");
    if (concept == null && r.has("medicationReference")) {
      JsonNode reference = object(r, "medicationReference", "MedicationRequest.medicationReference");
      String ref = text(reference, "reference", "MedicationRequest.medicationReference");
      JsonNode medication = bundle.get(ref);
      if (medication == null) {
        medication = contained(r, ref);
      }
      if (medication == null) {
        throw new RejectedInputException(DeadLetterReason.MISSING_FIELD, "MedicationRequest.medicationReference does not"
            + " resolve to a Medication in the Bundle or contained resources");
      }
      concept = object(medication, "code", "Medication.code");
    }
    JsonNode coding = firstCoding(concept, "MedicationRequest.medication");
    String code = text(coding, "code", "MedicationRequest.medication.coding");
    String startText = CSV_INSTANT.format(instant(requiredText(r.get("authoredOn"), "MedicationRequest.authoredOn"),
        "MedicationRequest.authoredOn"));
    EventOp op = ENTERED_IN_ERROR.equals(optionalText(r, "status", "MedicationRequest.status")) ? EventOp.DELETE
        : EventOp.UPSERT;
    return checked(new EmrEvent(patient, hashId("medications", patient, nullToEmpty(encounter), startText, RXNORM,
        code), op, EventKind.MEDICATION, Instant.parse(startText), null, RXNORM, code,
        display(concept, coding, "MedicationRequest.medication"), null, null, null, null, encounter,
        source("MedicationRequest")), "MedicationRequest", "MedicationRequest.medication");
  }

  private static JsonNode contained(JsonNode r, String ref) throws RejectedInputException {
    if (!ref.startsWith("#")) {
      return null;
    }
    JsonNode contained = array(r, "contained", "MedicationRequest.contained");
    if (contained == null) {
      return null;
    }
    for (int i = 0; i < contained.size(); i++) {
      JsonNode c = element(contained, i, "MedicationRequest.contained");
      if (ref.substring(1).equals(optionalText(c, "id", "MedicationRequest.contained.id"))) {
        return c;
      }
    }
    return null;
  }

  private EmrEvent procedure(JsonNode r) throws RejectedInputException {
    String patient = reference(object(r, "subject", "Procedure.subject"), "Procedure.subject");
    String encounter = optionalReference(r, "encounter", "Procedure.encounter");
    JsonNode concept = object(r, "code", "Procedure.code");
    JsonNode coding = firstCoding(concept, "Procedure.code");
    String system = text(coding, "system", "Procedure.code.coding");
    String code = text(coding, "code", "Procedure.code.coding");
    JsonNode period = object(r, "performedPeriod", "Procedure.performedPeriod");
    JsonNode startNode = period == null ? null : period.get("start");
    String where = "Procedure.performedPeriod.start";
    if (startNode == null) {
      startNode = r.get("performedDateTime");
      where = "Procedure.performedDateTime";
    }
    String startText = CSV_INSTANT.format(instant(requiredText(startNode, where), where));
    Instant stop = optionalInstant(period, "end", "Procedure.performedPeriod.end");
    EventOp op = ENTERED_IN_ERROR.equals(optionalText(r, "status", "Procedure.status")) ? EventOp.DELETE
        : EventOp.UPSERT;
    return checked(new EmrEvent(patient, hashId("procedures", patient, nullToEmpty(encounter), startText, system,
        code), op, EventKind.PROCEDURE, Instant.parse(startText), stop, system, code,
        display(concept, coding, "Procedure.code"), null, null, null, null, encounter, source("Procedure")),
        "Procedure", "Procedure.code");
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

  // ---- typed access: absent (or JSON null) is null; present with another JSON type is INVALID_FIELD -------------

  /** {@code parent.field} as an object, null when absent; {@code parent} may be null (absent too). */
  private static JsonNode object(JsonNode parent, String field, String where) throws RejectedInputException {
    JsonNode v = parent == null ? null : parent.get(field);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isObject()) {
      throw new RejectedInputException(DeadLetterReason.INVALID_FIELD, where + " is not an object");
    }
    return v;
  }

  /** {@code parent.field} as an array, null when absent. */
  private static JsonNode array(JsonNode parent, String field, String where) throws RejectedInputException {
    JsonNode v = parent == null ? null : parent.get(field);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isArray()) {
      throw new RejectedInputException(DeadLetterReason.INVALID_FIELD, where + " is not an array");
    }
    return v;
  }

  /** The i-th element of an array, which must be an object. */
  private static JsonNode element(JsonNode array, int i, String where) throws RejectedInputException {
    JsonNode v = array.get(i);
    if (v == null || !v.isObject()) {
      throw new RejectedInputException(DeadLetterReason.INVALID_FIELD, where + "[" + i + "] is not an object");
    }
    return v;
  }

  /** A string that must be there: absent → MISSING_FIELD ({@code where}), another type → INVALID_FIELD. */
  private static String requiredText(JsonNode node, String where) throws RejectedInputException {
    if (node == null || node.isMissingNode() || node.isNull()) {
      throw new RejectedInputException(DeadLetterReason.MISSING_FIELD, where);
    }
    if (!node.isTextual()) {
      throw new RejectedInputException(DeadLetterReason.INVALID_FIELD, where + " is not a string");
    }
    return node.asText();
  }

  /** {@code parent.field}: a non-blank string that must be there ({@code parent} may be null: absent). */
  private static String text(JsonNode parent, String field, String where) throws RejectedInputException {
    String value = requiredText(parent == null ? null : parent.get(field), where + "." + field);
    if (value.isBlank()) {
      throw new RejectedInputException(DeadLetterReason.MISSING_FIELD, where + "." + field + " is empty");
    }
    return value;
  }

  /** {@code parent.field} as a string, null when absent. */
  private static String optionalText(JsonNode parent, String field, String where) throws RejectedInputException {
    JsonNode v = parent == null ? null : parent.get(field);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isTextual()) {
      throw new RejectedInputException(DeadLetterReason.INVALID_FIELD, where + " is not a string");
    }
    return v.asText();
  }

  /** The first coding of a CodeableConcept (null: absent), which must be there. */
  private static JsonNode firstCoding(JsonNode concept, String where) throws RejectedInputException {
    JsonNode codings = array(concept, "coding", where + ".coding");
    if (codings == null || codings.isEmpty()) {
      throw new RejectedInputException(DeadLetterReason.MISSING_FIELD, where + ".coding");
    }
    return element(codings, 0, where + ".coding");
  }

  /** The code of the first coding of {@code parent.field} (a CodeableConcept), null when there is none. */
  private static String firstCodeOf(JsonNode parent, String field, String where) throws RejectedInputException {
    JsonNode concept = object(parent, field, where);
    return concept == null ? null : firstCodeOf(concept, where);
  }

  private static String firstCodeOf(JsonNode concept, String where) throws RejectedInputException {
    JsonNode codings = array(concept, "coding", where + ".coding");
    if (codings == null || codings.isEmpty()) {
      return null;
    }
    return optionalText(element(codings, 0, where + ".coding"), "code", where + ".coding[0].code");
  }

  /** The coding's display, else the concept's text (the CSV export's DESCRIPTION); null when neither is there. */
  private static String display(JsonNode concept, JsonNode coding, String where) throws RejectedInputException {
    String display = optionalText(coding, "display", where + ".coding[0].display");
    return display != null ? display : optionalText(concept, "text", where + ".text");
  }

  /** The id of a Patient or Encounter reference (null: absent): {@code urn:uuid:<id>} or {@code <Type>/<id>}. */
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

  private static String optionalReference(JsonNode r, String field, String where) throws RejectedInputException {
    JsonNode ref = object(r, field, where);
    return ref == null ? null : reference(ref, where);
  }

  /**
   * A FHIR date ({@code yyyy-MM-dd}: midnight UTC) or dateTime with offset: unparseable (or longer than
   * {@value #MAX_TIME_CHARS} chars) → UNPARSEABLE_TIME; outside {@link FieldRules#EARLIEST_TIME} ..
   * {@link FieldRules#LATEST_TIME} → INVALID_FIELD.
   */
  private static Instant instant(String text, String where) throws RejectedInputException {
    Instant instant;
    try {
      if (text.length() > MAX_TIME_CHARS) {
        throw new DateTimeParseException("too long", "", 0);
      }
      instant = text.length() == 10 ? LocalDate.parse(text).atStartOfDay(ZoneOffset.UTC).toInstant()
          : OffsetDateTime.parse(text).toInstant();
    } catch (DateTimeParseException e) {
      throw new RejectedInputException(DeadLetterReason.UNPARSEABLE_TIME, where + " is not a FHIR date or dateTime");
    }
    return FieldRules.time(instant, where);
  }

  private static Instant optionalInstant(JsonNode parent, String field, String where) throws RejectedInputException {
    String text = optionalText(parent, field, where);
    return text == null ? null : instant(text, where);
  }

  private static String utcDate(Instant instant) {
    return LocalDate.ofInstant(instant, ZoneOffset.UTC).toString();
  }

  /** A FHIR date {@code yyyy-MM-dd} as midnight UTC, within the plausible range. */
  private static Instant date(String date, String where) throws RejectedInputException {
    Instant instant;
    try {
      if (date.length() != 10) {
        throw new DateTimeParseException("not yyyy-MM-dd", "", 0);
      }
      instant = LocalDate.parse(date).atStartOfDay(ZoneOffset.UTC).toInstant();
    } catch (DateTimeParseException e) {
      throw new RejectedInputException(DeadLetterReason.UNPARSEABLE_TIME, where + " is not a FHIR date");
    }
    return FieldRules.time(instant, where);
  }

  /** Synthea's CSV export replaces commas in text with spaces; the id hash must see the text the CSV holds. */
  private static String csvText(String text) {
    return text.replace(',', ' ');
  }

  private static String nullToEmpty(String value) {
    return value == null ? "" : value;
  }
}
