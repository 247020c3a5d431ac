package io.riskstream.topology.fhir;

import ca.uhn.fhir.context.FhirContext;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import ca.uhn.fhir.model.api.TemporalPrecisionEnum;
import ca.uhn.fhir.parser.IParser;
import ca.uhn.fhir.rest.api.QualifiedParamList;
import ca.uhn.fhir.rest.param.DateRangeParam;
import io.riskstream.schemas.AlertReason;
import io.riskstream.schemas.AlertSeverity;
import io.riskstream.schemas.ModelInfo;
import io.riskstream.schemas.OutcomeProbability;
import io.riskstream.schemas.RiskAlert;
import io.riskstream.schemas.RiskScore;
import io.riskstream.topology.AlertText;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.TimeZone;
import org.hl7.fhir.r4.model.Annotation;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.DateTimeType;
import org.hl7.fhir.r4.model.DecimalType;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.InstantType;
import org.hl7.fhir.r4.model.MarkdownType;
import org.hl7.fhir.r4.model.Period;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.RiskAssessment;
import org.hl7.fhir.r4.model.RiskAssessment.RiskAssessmentPredictionComponent;

/**
 * FHIR R4 RiskAssessment resources of RiskStream's scores and alerts (HAPI FHIR's R4 structures), and the searchset
 * Bundle of the FHIR endpoint. A score's assessment has one prediction per outcome; an alert's has the alert's
 * outcome, with the severity as qualitative risk and the reasons as a note. Deterministic: the resource id is the
 * score or alert id, {@code meta.lastUpdated} the record's timestamp (event time), never the wall clock, so a replay
 * writes the same resources. Thread-safe (HAPI's FhirContext is; a parser is made per call).
 */
public final class RiskAssessments {

  /** Identifier system of score ids (RiskScore.scoreId). */
  public static final String SCORE_SYSTEM = "urn:riskstream:score";
  /** Identifier system of alert ids (RiskAlert.alertId). */
  public static final String ALERT_SYSTEM = "urn:riskstream:alert";
  /** Code system of the models: code = model id, version = model version. */
  public static final String MODEL_SYSTEM = "urn:riskstream:model";
  /** Code system of the models' ONNX files: code = sha256. */
  public static final String MODEL_SHA256_SYSTEM = "urn:riskstream:model-sha256";
  /** HL7's qualitative risk codes (RiskAssessment.prediction.qualitativeRisk). */
  public static final String RISK_PROBABILITY_SYSTEM = "http://terminology.hl7.org/CodeSystem/risk-probability";

  private static final JsonFactory JSON = new JsonFactory();
  /** HAPI's form of a millisecond-precision dateTime in UTC. */
  private static final DateTimeFormatter DATE_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'+00:00'",
      java.util.Locale.ROOT).withZone(ZoneOffset.UTC);

  private final FhirContext fhir;
  private final Map<String, OutcomeConcept> outcomes;

  /**
   * @param outcomes the served model's outcomes by name ({@link OutcomeConcept#of}): names, codes and horizons (an
   *     alert does not carry its horizon; a score does)
   */
  public RiskAssessments(Map<String, OutcomeConcept> outcomes) {
    this.fhir = FhirContext.forR4Cached();
    this.outcomes = Map.copyOf(outcomes);
  }

  /** The concept of {@code outcome}: the served model's, else {@link OutcomeConcept#unknown}. */
  public OutcomeConcept concept(String outcome) {
    OutcomeConcept known = outcomes.get(outcome);
    return known != null ? known : OutcomeConcept.unknown(outcome);
  }

  /** The FHIR context (R4) these resources are made with. */
  public FhirContext context() {
    return fhir;
  }

  /** The assessment of a score: one prediction per outcome. */
  public RiskAssessment ofScore(RiskScore score, Instant lastUpdated) {
    RiskAssessment ra = base(score.getScoreId(), score.getPatientId(), score.getAsOf(), score.getModel(), score.getScoreId(),
        lastUpdated);
    ra.addIdentifier(new Identifier().setSystem(SCORE_SYSTEM).setValue(score.getScoreId()));
    for (OutcomeProbability o : score.getOutcomes()) {
      prediction(ra, o.getOutcome(), o.getProbability(), score.getAsOf(), o.getHorizonDays());
    }
    return ra;
  }

  /**
   * FHIR JSON of {@link #ofScore}: the same bytes HAPI FHIR's parser writes for that resource, written with Jackson's
   * streaming generator. Written by hand because HAPI's encoder (reflection over the resource model) was 13% of the
   * stream threads' CPU with one assessment per score; {@code RiskAssessmentsTest} checks it against HAPI's output.
   * Years outside 1600-9999 go through HAPI (its dates follow the Julian calendar before 1583; a fixed pattern writes
   * four-digit years).
   */
  public String scoreJson(RiskScore score, Instant lastUpdated) {
    Instant asOf = score.getAsOf();
    boolean writable = writableYear(lastUpdated) && writableYear(asOf);
    for (OutcomeProbability o : score.getOutcomes()) {
      writable &= Math.abs(o.getHorizonDays()) <= 3_660_000
          && writableYear(asOf.plus(Duration.ofDays(o.getHorizonDays())));
    }
    if (!writable) {
      return toJson(ofScore(score, lastUpdated));
    }
    String asOfText = DATE_TIME.format(asOf);
    StringWriter out = new StringWriter(2048);
    try (JsonGenerator g = JSON.createGenerator(out)) {
      ModelInfo model = score.getModel();
      g.writeStartObject();
      g.writeStringField("resourceType", "RiskAssessment");
      g.writeStringField("id", score.getScoreId());
      g.writeObjectFieldStart("meta");
      g.writeStringField("lastUpdated", DATE_TIME.format(lastUpdated));
      g.writeEndObject();
      g.writeArrayFieldStart("identifier");
      identifier(g, SCORE_SYSTEM, score.getScoreId());
      g.writeEndArray();
      g.writeStringField("status", "final");
      g.writeObjectFieldStart("method");
      g.writeArrayFieldStart("coding");
      coding(g, MODEL_SYSTEM, model.getVersion(), model.getId(), model.getId() + " " + model.getVersion());
      coding(g, MODEL_SHA256_SYSTEM, null, model.getSha256(), "ONNX file sha256");
      g.writeEndArray();
      g.writeStringField("text", "RiskStream model " + model.getId() + " version " + model.getVersion() + " (sha256 "
          + model.getSha256() + ")");
      g.writeEndObject();
      g.writeObjectFieldStart("subject");
      g.writeStringField("reference", "Patient/" + score.getPatientId());
      g.writeEndObject();
      g.writeStringField("occurrenceDateTime", asOfText);
      g.writeArrayFieldStart("basis");
      g.writeStartObject();
      g.writeFieldName("identifier");
      identifier(g, SCORE_SYSTEM, score.getScoreId());
      g.writeStringField("display", "RiskStream score " + score.getScoreId());
      g.writeEndObject();
      g.writeEndArray();
      if (!score.getOutcomes().isEmpty()) {
        g.writeArrayFieldStart("prediction");
        for (OutcomeProbability o : score.getOutcomes()) {
          OutcomeConcept concept = concept(o.getOutcome());
          g.writeStartObject();
          g.writeObjectFieldStart("outcome");
          g.writeArrayFieldStart("coding");
          if (concept.snomedCode() != null) {
            coding(g, OutcomeConcept.SNOMED, null, concept.snomedCode(), null);
          }
          coding(g, "urn:riskstream:outcome", null, o.getOutcome(), concept.display());
          g.writeEndArray();
          g.writeStringField("text", concept.display());
          g.writeEndObject();
          g.writeNumberField("probabilityDecimal", BigDecimal.valueOf(o.getProbability()));
          g.writeObjectFieldStart("whenPeriod");
          g.writeStringField("start", asOfText);
          g.writeStringField("end", DATE_TIME.format(asOf.plus(Duration.ofDays(o.getHorizonDays()))));
          g.writeEndObject();
          g.writeEndObject();
        }
        g.writeEndArray();
      }
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);  // a StringWriter does not fail
    }
    return out.toString();
  }

  private static boolean writableYear(Instant t) {
    int year = t.atZone(ZoneOffset.UTC).getYear();
    return year >= 1600 && year <= 9999;  // before 1583 java.util.Date (HAPI's) counts Julian days
  }

  private static void identifier(JsonGenerator g, String system, String value) throws IOException {
    g.writeStartObject();
    g.writeStringField("system", system);
    g.writeStringField("value", value);
    g.writeEndObject();
  }

  private static void coding(JsonGenerator g, String system, String version, String code, String display)
      throws IOException {
    g.writeStartObject();
    g.writeStringField("system", system);
    if (version != null) {
      g.writeStringField("version", version);
    }
    g.writeStringField("code", code);
    if (display != null) {
      g.writeStringField("display", display);
    }
    g.writeEndObject();
  }

  /** The assessment of an alert: its outcome, probability, severity (qualitative risk) and reasons (a note). */
  public RiskAssessment ofAlert(RiskAlert alert, Instant lastUpdated) {
    RiskAssessment ra = base(alert.getAlertId(), alert.getPatientId(), alert.getAsOf(), alert.getModel(), alert.getScoreId(),
        lastUpdated);
    ra.addIdentifier(new Identifier().setSystem(ALERT_SYSTEM).setValue(alert.getAlertId()));
    Integer horizon = concept(alert.getOutcome()).horizonDays();
    RiskAssessmentPredictionComponent p = prediction(ra, alert.getOutcome(), alert.getProbability(), alert.getAsOf(),
        horizon);
    boolean critical = alert.getSeverity() == AlertSeverity.CRITICAL;
    p.setQualitativeRisk(new CodeableConcept(new Coding(RISK_PROBABILITY_SYSTEM, critical ? "high" : "moderate",
        critical ? "High likelihood" : "Moderate likelihood")).setText(alert.getSeverity().name().toLowerCase()));
    p.setRationale("Probability " + percent(alert.getProbability()) + " crossed the " + alert.getSeverity().name()
        .toLowerCase() + " threshold " + percent(alert.getThreshold()));
    ra.addNote(new Annotation(new MarkdownType(reasonsMarkdown(alert.getReasons()))));
    return ra;
  }

  /**
   * The contributing events of an alert as a markdown list (largest contribution first), each with how often it was
   * recorded and when last; without reasons, a sentence that no single finding stands out. Descriptions and codes
   * come from the source systems, so they are {@linkplain #markdownText escaped}: a reader's markdown renderer shows
   * them as text, never as markup (a URL in them stays visible as itself).
   */
  public static String reasonsMarkdown(List<AlertReason> reasons) {
    if (reasons.isEmpty()) {
      return "Contributing events: " + AlertText.NO_REASON + " (the risk comes from the history as a whole).\n";
    }
    StringBuilder md = new StringBuilder("Contributing events (drop in probability without the event):\n\n");
    for (AlertReason r : reasons) {
      md.append("- ").append(markdownLineStart(r.getDescription() != null ? r.getDescription()
          : r.getKind().name().toLowerCase(java.util.Locale.ROOT)));
      if (r.getCode() != null) {
        md.append(" (").append(markdownText((r.getCodeSystem() == null ? "" : r.getCodeSystem() + " ") + r.getCode()))
            .append(')');
      }
      md.append(", ").append(AlertText.when(r))
          .append(": ").append(String.format(java.util.Locale.ROOT, "%+.1f", r.getContribution() * 100))
          .append(" points\n");
    }
    return md.toString();
  }

  /**
   * {@code text} with each character that can open markdown markup backslash-escaped (backslash, backtick, {@code * _
   * [ ] < > & ~ |}), so that CommonMark and GitHub-flavoured renderers show it as text: no emphasis, link, image, code
   * span, strike-through, table cell, HTML or entity can start in it. Other punctuation stays as it is, so that a
   * system that shows the note without rendering it still reads "Hemoglobin A1c/Hemoglobin.total in Blood". (Written
   * by hand: HAPI FHIR has no markdown escaping; CommonMark allows a backslash before any ASCII punctuation.) The
   * input rules keep control characters out of every field; should one get here, it becomes a space, so that no line
   * break can end the list item and start a block of its own.
   */
  static String markdownText(String text) {
    StringBuilder out = new StringBuilder(text.length() + 16);
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if ("\\`*_[]<>&~|".indexOf(c) >= 0) {
        out.append('\\');
      }
      out.append(Character.isISOControl(c) || c == '\u2028' || c == '\u2029' ? ' ' : c);
    }
    return out.toString();
  }

  /**
   * {@link #markdownText} for text that opens a line's content (a list item's): also escapes what would start a
   * block there, a heading ({@code #}), a nested list ({@code -}, {@code +}, or digits then {@code .} or {@code )}), a
   * thematic break or a setext underline ({@code -}, {@code =}).
   */
  static String markdownLineStart(String text) {
    String escaped = markdownText(text);
    int digits = 0;
    while (digits < escaped.length() && escaped.charAt(digits) >= '0' && escaped.charAt(digits) <= '9') {
      digits++;
    }
    if (digits > 0 && digits < escaped.length() && (escaped.charAt(digits) == '.' || escaped.charAt(digits) == ')')) {
      return escaped.substring(0, digits) + '\\' + escaped.substring(digits);
    }
    return !escaped.isEmpty() && "#-+=".indexOf(escaped.charAt(0)) >= 0 ? '\\' + escaped : escaped;
  }

  /** A probability as a percentage with one decimal, e.g. {@code 42.0%}. */
  public static String percent(double p) {
    return String.format(java.util.Locale.ROOT, "%.1f%%", p * 100);
  }

  /** FHIR JSON of {@code resource}. */
  public String toJson(org.hl7.fhir.instance.model.api.IBaseResource resource) {
    return parser().encodeResourceToString(resource);
  }

  /** Parses FHIR JSON of a RiskAssessment. */
  public RiskAssessment parse(String json) {
    return parser().parseResource(RiskAssessment.class, json);
  }

  /**
   * A searchset Bundle of {@code assessments} (newest first), each entry with its full URL under {@code baseUrl}
   * (e.g. {@code http://host:8080/fhir}) and search mode match.
   */
  public Bundle searchset(List<RiskAssessment> assessments, String baseUrl) {
    Bundle bundle = new Bundle().setType(Bundle.BundleType.SEARCHSET);
    bundle.setTotal(assessments.size());
    for (RiskAssessment ra : assessments) {
      bundle.addEntry().setFullUrl(baseUrl + "/RiskAssessment/" + ra.getIdElement().getIdPart()).setResource(ra)
          .getSearch().setMode(Bundle.SearchEntryMode.MATCH);
    }
    return bundle;
  }

  /**
   * The {@code _lastUpdated} search parameter from its query values (e.g. {@code ge2026-12-01T00:00:00Z}; several
   * values intersect), parsed by HAPI FHIR; an {@link IllegalArgumentException} says what is wrong with a bad one.
   */
  public DateRangeParam lastUpdated(List<String> values) {
    DateRangeParam range = new DateRangeParam();
    try {
      range.setValuesAsQueryTokens(fhir, "_lastUpdated", values.stream().map(QualifiedParamList::singleton).toList());
      range.getLowerBoundAsInstant();
      range.getUpperBoundAsInstant();
    } catch (RuntimeException e) {
      // InvalidRequestException, DataFormatException: their messages quote only the parameter value
      throw new IllegalArgumentException("invalid _lastUpdated: " + e.getMessage(), e);
    }
    return range;
  }

  /**
   * The searchset Bundle (FHIR JSON) of a patient's stored assessments whose {@code meta.lastUpdated} lies in
   * {@code lastUpdated} (null: all), newest first.
   */
  public String search(RecentAssessments recent, DateRangeParam lastUpdated, String baseUrl) {
    Date low = lastUpdated == null ? null : lastUpdated.getLowerBoundAsInstant();
    Date high = lastUpdated == null ? null : lastUpdated.getUpperBoundAsInstant();
    List<RiskAssessment> matches = new java.util.ArrayList<>();
    List<RecentAssessments.Stored> stored = recent == null ? List.of() : recent.assessments();
    for (int i = stored.size() - 1; i >= 0; i--) {
      RecentAssessments.Stored s = stored.get(i);
      if ((low == null || s.lastUpdated() >= low.getTime()) && (high == null || s.lastUpdated() <= high.getTime())) {
        matches.add(parse(s.json()));
      }
    }
    return toJson(searchset(matches, baseUrl));
  }

  private IParser parser() {
    return fhir.newJsonParser();
  }

  private RiskAssessment base(String id, String patientId, Instant asOf, ModelInfo model, String scoreId,
      Instant lastUpdated) {
    RiskAssessment ra = new RiskAssessment();
    ra.setId(id);
    // in UTC, whatever the JVM's time zone (HAPI's default): the same instant is the same text on every host
    ra.getMeta().setLastUpdatedElement(new InstantType(Date.from(lastUpdated), TemporalPrecisionEnum.MILLI, UTC));
    ra.setStatus(RiskAssessment.RiskAssessmentStatus.FINAL);
    ra.setSubject(new Reference("Patient/" + patientId));
    ra.setOccurrence(dateTime(asOf));
    CodeableConcept method = new CodeableConcept();
    method.addCoding(new Coding(MODEL_SYSTEM, model.getId(), model.getId() + " " + model.getVersion())
        .setVersion(model.getVersion()));
    method.addCoding(new Coding(MODEL_SHA256_SYSTEM, model.getSha256(), "ONNX file sha256"));
    method.setText("RiskStream model " + model.getId() + " version " + model.getVersion() + " (sha256 "
        + model.getSha256() + ")");
    ra.setMethod(method);
    // the score the assessment rests on, by its id (a RiskScore record, not a FHIR resource)
    ra.addBasis(new Reference().setIdentifier(new Identifier().setSystem(SCORE_SYSTEM).setValue(scoreId))
        .setDisplay("RiskStream score " + scoreId));
    return ra;
  }

  private RiskAssessmentPredictionComponent prediction(RiskAssessment ra, String outcome, double probability,
      Instant asOf, Integer horizon) {
    OutcomeConcept concept = concept(outcome);
    CodeableConcept code = new CodeableConcept().setText(concept.display());
    if (concept.snomedCode() != null) {
      code.addCoding(new Coding(OutcomeConcept.SNOMED, concept.snomedCode(), null));
    }
    code.addCoding(new Coding("urn:riskstream:outcome", outcome, concept.display()));
    RiskAssessmentPredictionComponent p = ra.addPrediction().setOutcome(code)
        .setProbability(new DecimalType(probability));
    if (horizon != null) {
      p.setWhen(new Period().setStartElement(dateTime(asOf))
          .setEndElement(dateTime(asOf.plus(Duration.ofDays(horizon)))));
    }
    return p;
  }

  private static final TimeZone UTC = TimeZone.getTimeZone("UTC");

  private static DateTimeType dateTime(Instant t) {
    return new DateTimeType(Date.from(t), TemporalPrecisionEnum.MILLI, UTC);
  }
}
