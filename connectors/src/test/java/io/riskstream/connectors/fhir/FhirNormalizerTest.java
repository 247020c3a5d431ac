package io.riskstream.connectors.fhir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.riskstream.connectors.FieldRules;
import io.riskstream.connectors.Normalized;
import io.riskstream.connectors.RejectedInputException;
import io.riskstream.connectors.StrictJson;
import io.riskstream.schemas.DeadLetterReason;
import io.riskstream.schemas.EmrEvent;
import io.riskstream.schemas.EventKind;
import io.riskstream.schemas.EventOp;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

class FhirNormalizerTest {

  private static final String PATIENT = "5b7c1b1e-0000-4000-8000-000000000001";
  private static final String ENCOUNTER = "e0c0ffee-0000-4000-8000-000000000002";
  private final FhirNormalizer normalizer = new FhirNormalizer();

  private static String json(String singleQuoted) {
    return singleQuoted.replace('\'', '"');
  }

  private List<EmrEvent> events(String singleQuotedJson) throws RejectedInputException {
    return normalizer.normalize(json(singleQuotedJson)).events();
  }

  private void assertRejected(String singleQuotedJson, DeadLetterReason reason, String fieldInMessage) {
    ThrowingCallable call = () -> normalizer.normalize(json(singleQuotedJson));
    assertThatThrownBy(call).isInstanceOfSatisfying(RejectedInputException.class,
        e -> assertThat(e.reason()).isEqualTo(reason)).hasMessageContaining(fieldInMessage);
  }

  @Test
  void shouldNormalizeAPatientWithItsOwnIdAndDates() throws Exception {
    EmrEvent e = events("{'resourceType':'Patient','id':'" + PATIENT + "','gender':'female',"
        + "'birthDate':'1951-04-02','deceasedDateTime':'2019-08-30T23:10:00-05:00'}").get(0);
    assertThat(e.getEventId()).isEqualTo("patients:" + PATIENT);
    assertThat(e.getPatientId()).isEqualTo(PATIENT);
    assertThat(e.getKind()).isEqualTo(EventKind.DEMOGRAPHICS);
    assertThat(e.getCodeSystem()).isEqualTo("administrative-gender");
    assertThat(e.getCode()).isEqualTo("female");
    assertThat(e.getEventTime()).isEqualTo(Instant.parse("1951-04-02T00:00:00Z"));
    // death is a date in the CSV export: the UTC date of the FHIR dateTime
    assertThat(e.getEndTime()).isEqualTo(Instant.parse("2019-08-31T00:00:00Z"));
    assertThat(e.getSource().getSystem()).isEqualTo("fhir");
    assertThat(e.getSource().getTable()).isEqualTo("Patient");
  }

  @Test
  void shouldNormalizeAnEncounterWithItsClassAndSubjectReference() throws Exception {
    EmrEvent e = events("{'resourceType':'Encounter','id':'" + ENCOUNTER + "','status':'finished',"
        + "'class':{'code':'EMER'},'type':[{'coding':[{'system':'http://snomed.info/sct','code':'50849002',"
        + "'display':'Emergency room admission'}]}],'subject':{'reference':'Patient/" + PATIENT + "'},"
        + "'period':{'start':'2020-02-03T10:00:00+00:00','end':'2020-02-03T14:30:00+00:00'}}").get(0);
    assertThat(e.getEventId()).isEqualTo("encounters:" + ENCOUNTER);
    assertThat(e.getEncounterId()).isEqualTo(ENCOUNTER);
    assertThat(e.getPatientId()).isEqualTo(PATIENT);
    assertThat(e.getCategory()).isEqualTo("emergency");
    assertThat(e.getCodeSystem()).isEqualTo("SNOMED-CT");
    assertThat(e.getCode()).isEqualTo("50849002");
    assertThat(e.getDescription()).isEqualTo("Emergency room admission");
    assertThat(e.getEndTime()).isEqualTo(Instant.parse("2020-02-03T14:30:00Z"));
  }

  @Test
  void shouldDeriveAConditionIdFromTheCsvNaturalKey() throws Exception {
    EmrEvent e = events("{'resourceType':'Condition','id':'fhir-only-id','code':{'coding':[{"
        + "'system':'http://snomed.info/sct','code':'44054006','display':'Diabetes mellitus type 2 (disorder)'}]},"
        + "'subject':{'reference':'urn:uuid:" + PATIENT + "'},'encounter':{'reference':'urn:uuid:" + ENCOUNTER
        + "'},'onsetDateTime':'2020-02-03T10:00:00+00:00'}").get(0);
    // the CSV holds START as a date and SYSTEM as the URL
    assertThat(e.getEventId()).isEqualTo(FhirNormalizer.hashId("conditions", PATIENT, ENCOUNTER, "2020-02-03",
        "http://snomed.info/sct", "44054006"));
    assertThat(e.getEventId()).matches("conditions:[0-9a-f]{32}");
    assertThat(e.getEventTime()).isEqualTo(Instant.parse("2020-02-03T00:00:00Z"));
    assertThat(e.getKind()).isEqualTo(EventKind.DIAGNOSIS);
    assertThat(e.getOp()).isEqualTo(EventOp.UPSERT);
    assertThat(e.getEndTime()).isNull();
  }

  @Test
  void shouldHashLikeTheCsvReader() {
    // golden value: printf 'a\x1fb\x1f' | sha256sum | cut -c1-32
    assertThat(FhirNormalizer.hashId("t", "a", "b")).isEqualTo("t:023b8059a924f728a2155e4cc8b90738");
  }

  @Test
  void shouldSplitAPanelIntoItsComponentsAndRoundTheValueForTheIdOnly() throws Exception {
    List<EmrEvent> bp = events("{'resourceType':'Observation','status':'final','category':[{'coding':[{"
        + "'code':'vital-signs'}]}],'code':{'coding':[{'system':'http://loinc.org','code':'85354-9'}]},"
        + "'subject':{'reference':'urn:uuid:" + PATIENT + "'},'encounter':{'reference':'urn:uuid:" + ENCOUNTER
        + "'},'effectiveDateTime':'2020-02-03T10:05:00+00:00','component':["
        + "{'code':{'coding':[{'code':'8462-4','display':'Diastolic Blood Pressure'}]},"
        + "'valueQuantity':{'value':81.25,'unit':'mm[Hg]'}},"
        + "{'code':{'coding':[{'code':'8480-6','display':'Systolic Blood Pressure'}]},"
        + "'valueQuantity':{'value':132,'unit':'mm[Hg]'}}]}");
    assertThat(bp).extracting(EmrEvent::getCode).containsExactly("8462-4", "8480-6");
    assertThat(bp).extracting(EmrEvent::getValue).containsExactly(81.25, 132.0);
    assertThat(bp).allSatisfy(e -> {
      assertThat(e.getCategory()).isEqualTo("vital-signs");
      assertThat(e.getUnit()).isEqualTo("mm[Hg]");
      assertThat(e.getCodeSystem()).isEqualTo("LOINC");
    });
    assertThat(bp.get(0).getEventId()).isEqualTo(FhirNormalizer.hashId("observations", PATIENT, ENCOUNTER,
        "2020-02-03T10:05:00Z", "8462-4", "81.3"));
    assertThat(bp.get(1).getEventId()).isEqualTo(FhirNormalizer.hashId("observations", PATIENT, ENCOUNTER,
        "2020-02-03T10:05:00Z", "8480-6", "132.0"));
  }

  @Test
  void shouldKeepCodedValuesAsTextAndHashThemAsTheCsvWritesThem() throws Exception {
    EmrEvent e = events("{'resourceType':'Observation','status':'final','code':{'coding':[{'code':'67875-5',"
        + "'display':'Employment status - current'}]},'subject':{'reference':'urn:uuid:" + PATIENT + "'},"
        + "'effectiveDateTime':'2020-02-03T10:05:00Z','valueCodeableConcept':{'coding':[{'code':'LA1',"
        + "'display':'Unemployed, seeking work'}]}}").get(0);
    assertThat(e.getValue()).isNull();
    assertThat(e.getValueText()).isEqualTo("Unemployed, seeking work");
    assertThat(e.getEncounterId()).isNull();
    assertThat(e.getEventId()).isEqualTo(FhirNormalizer.hashId("observations", PATIENT, "", "2020-02-03T10:05:00Z",
        "67875-5", "Unemployed  seeking work"));
  }

  @Test
  void shouldResolveAMedicationReferenceInsideABundleAndSkipOtherResourceTypes() throws Exception {
    FhirNormalizer.Result result = normalizer.normalize(json("{'resourceType':'Bundle','type':'transaction',"
        + "'entry':[{'fullUrl':'urn:uuid:med-1','resource':{'resourceType':'Medication','code':{'coding':[{"
        + "'system':'http://www.nlm.nih.gov/research/umls/rxnorm','code':'860975','display':'metformin'}]}}},"
        + "{'fullUrl':'urn:uuid:mr-1','resource':{'resourceType':'MedicationRequest','status':'active',"
        + "'medicationReference':{'reference':'urn:uuid:med-1'},'subject':{'reference':'urn:uuid:" + PATIENT
        + "'},'encounter':{'reference':'urn:uuid:" + ENCOUNTER + "'},'authoredOn':'2021-01-05T08:00:00+00:00'}},"
        + "{'fullUrl':'urn:uuid:claim-1','resource':{'resourceType':'Claim'}}]}"));
    assertThat(result.rejected()).isEmpty();
    assertThat(result.skipped()).containsEntry("Claim", 1).containsEntry("Medication", 1);
    EmrEvent e = result.events().get(0);
    assertThat(e.getKind()).isEqualTo(EventKind.MEDICATION);
    assertThat(e.getCodeSystem()).isEqualTo("RxNorm");
    assertThat(e.getCode()).isEqualTo("860975");
    assertThat(e.getEndTime()).isNull();
    assertThat(e.getEventId()).isEqualTo(FhirNormalizer.hashId("medications", PATIENT, ENCOUNTER,
        "2021-01-05T08:00:00Z", "RxNorm", "860975"));
  }

  @Test
  void shouldNumberRepeatedFactsInABundleAsTheCsvReaderDoes() throws Exception {
    String procedure = "{'resource':{'resourceType':'Procedure','status':'completed','code':{'coding':[{"
        + "'system':'http://snomed.info/sct','code':'710824005'}]},'subject':{'reference':'urn:uuid:" + PATIENT
        + "'},'performedPeriod':{'start':'2021-01-05T08:00:00Z','end':'2021-01-05T08:15:00Z'}}}";
    List<EmrEvent> events = normalizer.normalize(json("{'resourceType':'Bundle','entry':[" + procedure + ","
        + procedure + "," + procedure + "]}")).events();
    String id = FhirNormalizer.hashId("procedures", PATIENT, "", "2021-01-05T08:00:00Z", "http://snomed.info/sct",
        "710824005");
    assertThat(events).extracting(EmrEvent::getEventId).containsExactly(id, id + "-1", id + "-2");
    assertThat(events.get(0).getEndTime()).isEqualTo(Instant.parse("2021-01-05T08:15:00Z"));
  }

  @Test
  void shouldTurnEnteredInErrorIntoADelete() throws Exception {
    EmrEvent e = events("{'resourceType':'Condition','verificationStatus':{'coding':[{'code':'entered-in-error'}]},"
        + "'code':{'coding':[{'system':'http://snomed.info/sct','code':'44054006'}]},"
        + "'subject':{'reference':'urn:uuid:" + PATIENT + "'},'onsetDateTime':'2020-02-03'}").get(0);
    assertThat(e.getOp()).isEqualTo(EventOp.DELETE);
  }

  @Test
  void shouldRejectBadResourcesWithAReasonAndNoValues() {
    assertRejected("{not json", DeadLetterReason.MALFORMED_JSON, "not valid JSON");
    assertRejected("[1,2]", DeadLetterReason.MALFORMED_JSON, "JSON object");
    assertRejected("{'resourceType':'Immunization','id':'x'}", DeadLetterReason.UNSUPPORTED_RESOURCE, "Immunization");
    assertRejected("{'id':'x'}", DeadLetterReason.MISSING_FIELD, "resourceType");
    assertRejected("{'resourceType':'Patient','gender':'female','birthDate':'1951-04-02'}", DeadLetterReason.MISSING_FIELD,
        "Patient.id");
    assertRejected("{'resourceType':'Patient','id':'p','gender':'robot','birthDate':'1951-04-02'}",
        DeadLetterReason.INVALID_FIELD, "Patient.gender");
    assertRejected("{'resourceType':'Patient','id':'p','gender':'male','birthDate':'04/02/1951'}",
        DeadLetterReason.UNPARSEABLE_TIME, "Patient.birthDate");
    assertRejected("{'resourceType':'Condition','code':{'coding':[{'system':'s','code':'1'}]},"
        + "'subject':{'reference':'Patient?identifier=x|secret-mrn'},'onsetDateTime':'2020-02-03'}",
        DeadLetterReason.INVALID_FIELD, "Condition.subject");
    assertRejected("{'resourceType':'Observation','code':{'coding':[{'code':'8867-4'}]},"
        + "'subject':{'reference':'urn:uuid:p'},'effectiveDateTime':'2020-02-03T10:00:00Z',"
        + "'valueQuantity':{'value':'88'}}", DeadLetterReason.INVALID_FIELD, "valueQuantity.value");
    assertRejected("{'resourceType':'MedicationRequest','medicationReference':{'reference':'urn:uuid:nowhere'},"
        + "'subject':{'reference':'urn:uuid:p'},'authoredOn':'2021-01-05T08:00:00Z'}", DeadLetterReason.MISSING_FIELD,
        "medicationReference");
    assertRejected("{'resourceType':'Encounter','id':'e','type':[{'coding':[{'code':'1'}]}],"
        + "'subject':{'reference':'urn:uuid:p'}}", DeadLetterReason.MISSING_FIELD, "Encounter.period.start");
    // the message never carries the offending values
    ThrowingCallable call = () -> normalizer.normalize(json("{'resourceType':'Condition','code':{'coding':[{"
        + "'system':'s','code':'1'}]},'subject':{'reference':'Patient?identifier=x|secret-mrn'},"
        + "'onsetDateTime':'2020-02-03'}"));
    assertThatThrownBy(call).hasMessageNotContaining("secret-mrn");
  }

  @Test
  void shouldCollectBadEntriesOfABundleAndKeepTheGoodOnes() throws Exception {
    FhirNormalizer.Result result = normalizer.normalize(json("{'resourceType':'Bundle','entry':["
        + "{'resource':{'resourceType':'Patient','id':'p1','gender':'male','birthDate':'1960-01-01'}},"
        + "{'resource':{'resourceType':'Patient','id':'p2','gender':'male'}},"
        + "{'request':{'method':'DELETE'}}]}"));
    assertThat(result.events()).extracting(EmrEvent::getPatientId).containsExactly("p1");
    assertThat(result.rejected()).extracting(FhirNormalizer.Rejection::entry, FhirNormalizer.Rejection::reason)
        .containsExactly(org.assertj.core.groups.Tuple.tuple(1, DeadLetterReason.MISSING_FIELD),
            org.assertj.core.groups.Tuple.tuple(2, DeadLetterReason.MISSING_FIELD));
  }

  // ---- strict parsing and field rules -------------------------------------------------------------------------------

  private static final String CONDITION = "{'resourceType':'Condition','code':{'coding':[{'system':'http://snomed.info/sct',"
      + "'code':'44054006','display':'Diabetes'}]},'subject':{'reference':'urn:uuid:" + PATIENT + "'},"
      + "'encounter':{'reference':'urn:uuid:" + ENCOUNTER + "'},'onsetDateTime':'2020-02-03T10:00:00+00:00'}";

  private Normalized record(String json) {
    return normalizer.normalize("{}".getBytes(StandardCharsets.UTF_8), json.getBytes(StandardCharsets.UTF_8),
        "fhir.resources", 0, 7);
  }

  private DeadLetterReason recordReason(String json) {
    Normalized n = record(json);
    assertThat(n.events()).as(json.length() > 200 ? json.substring(0, 200) : json).isEmpty();
    assertThat(n.rejections()).hasSize(1);
    return n.rejections().get(0).reason();
  }

  @Test
  void shouldRejectThousandsOfNestingLevelsWithoutAnException() {
    // finding 1: Jackson's nesting error has no location; reading it crashed the stream
    assertThat(recordReason("[".repeat(10_000))).isEqualTo(DeadLetterReason.NESTING_TOO_DEEP);
    assertThat(recordReason(json(CONDITION).replace("'onsetDateTime'".replace('\'', '"'),
        "\"extension\":" + "[{\"x\":".repeat(40) + "1" + "}]".repeat(40) + ",\"onsetDateTime\"")))
        .isEqualTo(DeadLetterReason.NESTING_TOO_DEEP);
    assertRejected("{'a':" + "[".repeat(100) + "]".repeat(100) + "}", DeadLetterReason.NESTING_TOO_DEEP, "deeper than 64");
  }

  @Test
  void shouldAcceptTheDepthOfABundleUpToTheLimit() {
    // Bundle (1), entry (2), entry object (3), resource (4), then 60 levels: 64
    String bundle = "{'resourceType':'Bundle','entry':[{'resource':" + CONDITION.replace("'onsetDateTime'",
        "'extension':" + "[".repeat(60) + "]".repeat(60) + ",'onsetDateTime'") + "}]}";
    assertThat(record(json(bundle)).events()).hasSize(1);
    String tooDeep = bundle.replace("[".repeat(60), "[".repeat(61)).replace("]".repeat(60), "]".repeat(61));
    assertThat(recordReason(json(tooDeep))).isEqualTo(DeadLetterReason.NESTING_TOO_DEEP);
  }

  @Test
  void shouldRejectTrailingDataAsItsOwnReason() {
    assertThat(recordReason(json(CONDITION) + "}}}}")).isEqualTo(DeadLetterReason.TRAILING_DATA);
    assertThat(recordReason(json(CONDITION) + json(CONDITION))).isEqualTo(DeadLetterReason.TRAILING_DATA);
    assertThat(record(json(CONDITION) + "\n").events()).hasSize(1);
  }

  @Test
  void shouldRejectOverlongStringsNumbersAndNamesAndDuplicateProperties() {
    assertRejected(CONDITION.replace("'onsetDateTime'", "'note':'" + "n".repeat(StrictJson.MAX_STRING_CHARS + 1)
        + "','onsetDateTime'"), DeadLetterReason.VALUE_TOO_LONG, "string longer than");
    assertRejected(CONDITION.replace("'onsetDateTime'", "'x':" + "9".repeat(65) + ",'onsetDateTime'"),
        DeadLetterReason.VALUE_TOO_LONG, "number longer than 64");
    assertRejected(CONDITION.replace("'onsetDateTime'", "'" + "k".repeat(257) + "':1,'onsetDateTime'"),
        DeadLetterReason.VALUE_TOO_LONG, "name longer than 256");
    assertRejected(CONDITION.replace("'onsetDateTime'", "'subject':{'reference':'urn:uuid:other'},'onsetDateTime'"),
        DeadLetterReason.MALFORMED_JSON, "not valid JSON");
    FhirNormalizer small = new FhirNormalizer(2048);
    assertThatThrownBy(() -> small.normalize(json(CONDITION).replace("Diabetes", "d".repeat(3000))))
        .isInstanceOfSatisfying(RejectedInputException.class,
            e -> assertThat(e.reason()).isEqualTo(DeadLetterReason.OVERSIZED_RECORD));
  }

  @Test
  void shouldCheckIdentifiersOfPatientsEncountersAndReferences() throws Exception {
    String longId = "a".repeat(129);
    assertRejected("{'resourceType':'Patient','id':'" + longId + "','gender':'male','birthDate':'1950-01-01'}",
        DeadLetterReason.INVALID_IDENTIFIER, "Patient.id");
    assertRejected(CONDITION.replace("urn:uuid:" + PATIENT, "urn:uuid:p 1"), DeadLetterReason.INVALID_IDENTIFIER,
        "Condition.subject.reference");
    assertRejected(CONDITION.replace("urn:uuid:" + ENCOUNTER, "Encounter/<img src=x>"),
        DeadLetterReason.INVALID_IDENTIFIER, "Condition.encounter.reference");
    assertRejected(CONDITION.replace("urn:uuid:" + PATIENT, "urn:uuid:" + PATIENT + "\\u202e"),
        DeadLetterReason.INVALID_CHARACTERS, "Condition.subject.reference");
    String atBound = "A-z0.9_:@/+=" + "x".repeat(116);
    assertThat(normalizer.normalize(json("{'resourceType':'Patient','id':'" + atBound
        + "','gender':'male','birthDate':'1950-01-01'}")).events().get(0).getPatientId()).isEqualTo(atBound);
  }

  @Test
  void shouldRejectForbiddenCharactersInEveryTextElement() {
    for (String ch : new String[] {"\\u0000", "\\u0009", "\\u001b", "\\u0085", "\\u061c", "\\u200f", "\\u202e", "\\u2067",
        "\\u2028", "\\ud800", "\\udc00"}) {
      assertRejected(CONDITION.replace("44054006", "4405" + ch + "4006"), DeadLetterReason.INVALID_CHARACTERS,
          "Condition.code.coding.code");
      assertRejected(CONDITION.replace("Diabetes", "Dia" + ch + "betes"), DeadLetterReason.INVALID_CHARACTERS,
          "Condition.code.coding.display or .text");
      assertRejected(CONDITION.replace("http://snomed.info/sct", "http://snomed" + ch + ".info/sct"),
          DeadLetterReason.INVALID_CHARACTERS, "Condition.code.coding.system");
      assertRejected("{'resourceType':'Observation','code':{'coding':[{'code':'8251-1'}]},"
          + "'subject':{'reference':'urn:uuid:p'},'effectiveDateTime':'2020-02-03T10:00:00Z',"
          + "'valueString':'pos" + ch + "itive'}", DeadLetterReason.INVALID_CHARACTERS, "valueString");
    }
  }

  @Test
  void shouldBoundCodesUnitsAndTextsAndRejectInjectionInCodes() {
    assertRejected(CONDITION.replace("44054006", "1".repeat(65)), DeadLetterReason.VALUE_TOO_LONG, "64");
    assertRejected(CONDITION.replace("Diabetes", "d".repeat(1025)), DeadLetterReason.VALUE_TOO_LONG, "1024");
    assertRejected(CONDITION.replace("44054006", "1; DROP TABLE x"), DeadLetterReason.INVALID_CHARACTERS,
        "which a code may not hold");
    assertRejected("{'resourceType':'Observation','code':{'coding':[{'code':'4548-4'}]},"
        + "'subject':{'reference':'urn:uuid:p'},'effectiveDateTime':'2020-02-03T10:00:00Z',"
        + "'valueQuantity':{'value':6.4,'unit':'" + "u".repeat(65) + "'}}", DeadLetterReason.VALUE_TOO_LONG, "unit");
    ThrowingCallable call = () -> normalizer.normalize(json(CONDITION.replace("44054006", "<script>alert(1)</script>")));
    assertThatThrownBy(call).hasMessageNotContaining("script").hasMessageContaining("U+003C");
  }

  @Test
  void shouldRejectAPanelWithOneBadComponentWhole() {
    assertRejected("{'resourceType':'Observation','code':{'coding':[{'code':'85354-9'}]},"
        + "'subject':{'reference':'urn:uuid:p'},'effectiveDateTime':'2020-02-03T10:00:00Z','component':["
        + "{'code':{'coding':[{'code':'8462-4'}]},'valueQuantity':{'value':81,'unit':'mm[Hg]'}},"
        + "{'code':{'coding':[{'code':'8480-6'}]},'valueQuantity':{'value':1e999,'unit':'mm[Hg]'}}]}",
        DeadLetterReason.INVALID_FIELD, "Observation.component[1].valueQuantity.value");
  }

  @Test
  void shouldRejectElementsOfTheWrongJsonType() {
    assertRejected(CONDITION.replace("'subject':{'reference':'urn:uuid:" + PATIENT + "'}", "'subject':'" + PATIENT + "'"),
        DeadLetterReason.INVALID_FIELD, "Condition.subject is not an object");
    assertRejected(CONDITION.replace("'code':{'coding':[{", "'code':{'coding':{'x':[{").replace("}]},'subject'",
        "}]}},'subject'"), DeadLetterReason.INVALID_FIELD, "Condition.code.coding is not an array");
    assertRejected(CONDITION.replace("'display':'Diabetes'", "'display':7"), DeadLetterReason.INVALID_FIELD,
        "display is not a string");
    assertRejected(CONDITION.replace("'onsetDateTime':'2020-02-03T10:00:00+00:00'", "'onsetDateTime':20200203"),
        DeadLetterReason.INVALID_FIELD, "Condition.onsetDateTime is not a string");
    assertRejected("{'resourceType':7}", DeadLetterReason.INVALID_FIELD, "resourceType is not a string");
    assertRejected("{'resourceType':'Patient','id':'p','gender':'male','birthDate':'1950-01-01',"
        + "'deceasedDateTime':true}", DeadLetterReason.INVALID_FIELD, "Patient.deceasedDateTime");
    assertRejected("{'resourceType':'Bundle','entry':{'resource':{}}}", DeadLetterReason.INVALID_FIELD,
        "Bundle.entry is not an array");
  }

  @Test
  void shouldRejectImplausibleTimesAndBirthDatesThatAreNotDates() throws Exception {
    for (String time : new String[] {"1849-12-31T23:59:59Z", "2201-01-01T00:00:00Z", "+999999999-12-31T23:59:59Z",
        "0001-01-01"}) {
      assertRejected(CONDITION.replace("2020-02-03T10:00:00+00:00", time), DeadLetterReason.INVALID_FIELD,
          "outside the plausible range");
    }
    assertRejected("{'resourceType':'Patient','id':'p','gender':'male','birthDate':'1950-01-01T00:00:00Z'}",
        DeadLetterReason.UNPARSEABLE_TIME, "Patient.birthDate");
    assertRejected("{'resourceType':'Patient','id':'p','gender':'male','birthDate':'1200-01-01'}",
        DeadLetterReason.INVALID_FIELD, "Patient.birthDate");
    assertRejected(CONDITION.replace("2020-02-03T10:00:00+00:00", "9".repeat(70)), DeadLetterReason.UNPARSEABLE_TIME,
        "Condition.onsetDateTime");
    EmrEvent bounds = normalizer.normalize(json(CONDITION.replace("2020-02-03T10:00:00+00:00", "1850-01-01")
        .replace("'onsetDateTime'", "'abatementDateTime':'2200-12-31T23:59:59.999Z','onsetDateTime'"))).events().get(0);
    assertThat(bounds.getEventTime()).isEqualTo(FieldRules.EARLIEST_TIME);
    assertThat(bounds.getEndTime()).isEqualTo(Instant.parse("2200-12-31T00:00:00Z"));
  }

  @Test
  void shouldNotEchoResourceTypesThatAreNotFhirTypeNames() {
    assertRejected("{'resourceType':'Patient; DROP TABLE x','id':'p'}", DeadLetterReason.UNSUPPORTED_RESOURCE,
        "not shown");
    ThrowingCallable call = () -> normalizer.normalize(json("{'resourceType':'<script>x</script>'}"));
    assertThatThrownBy(call).hasMessageNotContaining("script");
    Normalized n = record(json("{'resourceType':'Bundle','entry':[{'resource':{'resourceType':'Patient\\u0000',"
        + "'id':'p'}},{'resource':{'id':'no-type'}}]}"));
    assertThat(n.rejections()).extracting(Normalized.Rejection::reason).containsExactly(DeadLetterReason.MISSING_FIELD);
    assertThat(n.rejections().get(0).message()).startsWith("Bundle.entry[1]: resourceType");
    assertThat(n.skipped()).isEqualTo(1);
  }

  @Test
  void shouldRejectBytesThatAreNotUtf8() {
    assertThat(recordReason(new String(json(CONDITION).getBytes(StandardCharsets.UTF_16LE), StandardCharsets.ISO_8859_1)))
        .isEqualTo(DeadLetterReason.MALFORMED_JSON);
    Normalized n = normalizer.normalize(null, new byte[] {'{', (byte) 0xC0, (byte) 0xAF, '}'}, "t", 0, 0);
    assertThat(n.rejections()).extracting(Normalized.Rejection::message).containsExactly("value is not UTF-8 text");
  }
}
