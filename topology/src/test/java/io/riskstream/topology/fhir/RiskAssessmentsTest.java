package io.riskstream.topology.fhir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.riskstream.schemas.AlertReason;
import io.riskstream.schemas.AlertSeverity;
import io.riskstream.schemas.EngineInfo;
import io.riskstream.schemas.EventKind;
import io.riskstream.schemas.ModelInfo;
import io.riskstream.schemas.OutcomeProbability;
import io.riskstream.schemas.RiskAlert;
import io.riskstream.schemas.RiskScore;
import io.riskstream.schemas.ScoreProvenance;
import io.riskstream.scoring.ScorerInfo;
import io.riskstream.scoring.encoder.OutcomeSpec;
import io.riskstream.topology.ScoringBackend;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.commonmark.ext.autolink.AutolinkExtension;
import org.commonmark.ext.gfm.strikethrough.StrikethroughExtension;
import org.commonmark.ext.gfm.tables.TablesExtension;
import org.commonmark.parser.Parser;
import org.commonmark.renderer.html.HtmlRenderer;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.RiskAssessment;
import org.junit.jupiter.api.Test;

class RiskAssessmentsTest {

  private static final FhirBaseValidator VALIDATOR = new FhirBaseValidator();
  private static final ModelInfo MODEL = new ModelInfo("emr-risk-small", "3", "ab12cd34");
  private static final Instant AS_OF = Instant.parse("2026-03-01T08:30:00Z");
  /** The served model's outcomes as its encoder spec has them (hypertension with a shorter horizon than the defaults). */
  private static final List<OutcomeSpec> SPEC = List.of(
      new OutcomeSpec("type2_diabetes", List.of("44054006"), 365, "Type 2 diabetes"),
      new OutcomeSpec("hypertension", List.of("59621000"), 180, "Essential hypertension"),
      OutcomeSpec.defaults().get(2), OutcomeSpec.defaults().get(4));
  private final RiskAssessments assessments = new RiskAssessments(OutcomeConcept.of(backend(SPEC)));

  /** A backend serving {@code spec}'s outcomes, as the application's scoring runtime makes it. */
  static ScoringBackend backend(List<OutcomeSpec> spec) {
    return new ScoringBackend(new ScorerInfo("onnxruntime", "fp32", "emr-risk-small", "3", "ab12cd34",
        spec.stream().map(OutcomeSpec::name).toList()), spec.stream().map(OutcomeSpec::horizonDays).toList(),
        in -> null, spec.stream().map(OutcomeSpec::label).toList(),
        spec.stream().map(OutcomeSpec::snomedCodes).toList(), Map.of(), millis -> { });
  }

  static RiskScore score(String scoreId, String patient) {
    return RiskScore.newBuilder().setScoreId(scoreId).setPatientId(patient).setHistoryVersion(4).setAsOf(AS_OF)
        .setOutcomes(List.of(new OutcomeProbability("type2_diabetes", 365, 0.42),
            new OutcomeProbability("hypertension", 180, 0.125)))
        .setModel(MODEL).setEngine(new EngineInfo("onnxruntime", "fp32"))
        .setProvenance(new ScoreProvenance(12, List.of("conditions:c1"), null, List.of()))
        .build();
  }

  static RiskAlert alert(String alertId, String patient, AlertSeverity severity) {
    return RiskAlert.newBuilder().setAlertId(alertId).setPatientId(patient).setOutcome("type2_diabetes")
        .setProbability(0.72).setSeverity(severity).setThreshold(0.6).setPreviousProbability(0.2).setAsOf(AS_OF)
        .setModel(MODEL).setScoreId("s1")
        .setReasons(List.of(new AlertReason("observations:o1", EventKind.OBSERVATION, "http://loinc.org", "4548-4",
            "Hemoglobin A1c", AS_OF.minusSeconds(86_400), 0.21, 1)))
        .build();
  }

  @Test
  void shouldMapAScoreToAValidRiskAssessmentWithOnePredictionPerOutcome() {
    RiskAssessment ra = assessments.ofScore(score("s1", "p-1"), AS_OF.plusSeconds(5));
    String json = assessments.toJson(ra);

    assertThat(VALIDATOR.errors(json)).isEmpty();
    RiskAssessment read = assessments.parse(json);
    assertThat(read.getIdElement().getIdPart()).isEqualTo("s1");
    assertThat(read.getStatus()).isEqualTo(RiskAssessment.RiskAssessmentStatus.FINAL);
    assertThat(read.getSubject().getReference()).isEqualTo("Patient/p-1");
    assertThat(read.getOccurrenceDateTimeType().getValue().toInstant()).isEqualTo(AS_OF);
    assertThat(read.getMeta().getLastUpdated().toInstant()).isEqualTo(AS_OF.plusSeconds(5));
    assertThat(read.getPrediction()).hasSize(2);
    RiskAssessment.RiskAssessmentPredictionComponent diabetes = read.getPredictionFirstRep();
    assertThat(diabetes.getOutcome().getCodingFirstRep().getSystem()).isEqualTo("http://snomed.info/sct");
    assertThat(diabetes.getOutcome().getCodingFirstRep().getCode()).isEqualTo("44054006");
    assertThat(diabetes.getOutcome().getCodingFirstRep().hasDisplay()).as("the spec names no SNOMED term").isFalse();
    assertThat(diabetes.getOutcome().getText()).isEqualTo("Type 2 diabetes");
    assertThat(diabetes.getProbabilityDecimalType().getValue().doubleValue()).isEqualTo(0.42);
    assertThat(diabetes.getWhenPeriod().getStart().toInstant()).isEqualTo(AS_OF);
    assertThat(diabetes.getWhenPeriod().getEnd().toInstant()).isEqualTo(AS_OF.plusSeconds(365L * 86_400));
    assertThat(read.getPrediction().get(1).getWhenPeriod().getEnd().toInstant())
        .isEqualTo(AS_OF.plusSeconds(180L * 86_400));
    assertThat(read.getMethod().getCoding()).extracting(c -> c.getSystem() + "|" + c.getCode() + "|" + c.getVersion())
        .containsExactly("urn:riskstream:model|emr-risk-small|3", "urn:riskstream:model-sha256|ab12cd34|null");
    assertThat(read.getBasisFirstRep().getIdentifier().getValue()).isEqualTo("s1");
    assertThat(read.getIdentifierFirstRep().getSystem()).isEqualTo(RiskAssessments.SCORE_SYSTEM);
  }

  @Test
  void shouldMapAnAlertWithItsSeverityReasonsAndHorizon() {
    RiskAssessment critical = assessments.parse(assessments.toJson(
        assessments.ofAlert(alert("al1", "p-1", AlertSeverity.CRITICAL), AS_OF)));
    RiskAssessment warning = assessments.ofAlert(alert("al2", "p-1", AlertSeverity.WARNING), AS_OF);

    assertThat(VALIDATOR.errors(assessments.toJson(critical))).isEmpty();
    assertThat(VALIDATOR.errors(assessments.toJson(warning))).isEmpty();
    assertThat(critical.getIdentifierFirstRep().getValue()).isEqualTo("al1");
    assertThat(critical.getIdentifierFirstRep().getSystem()).isEqualTo(RiskAssessments.ALERT_SYSTEM);
    assertThat(critical.getBasisFirstRep().getIdentifier().getValue()).isEqualTo("s1");
    assertThat(critical.getPrediction()).singleElement().satisfies(p -> {
      assertThat(p.getQualitativeRisk().getCodingFirstRep().getCode()).isEqualTo("high");
      assertThat(p.getProbabilityDecimalType().getValue().doubleValue()).isEqualTo(0.72);
      assertThat(p.getWhenPeriod().getEnd().toInstant()).isEqualTo(AS_OF.plusSeconds(365L * 86_400));
    });
    assertThat(warning.getPredictionFirstRep().getQualitativeRisk().getCodingFirstRep().getCode()).isEqualTo("moderate");
    assertThat(critical.getNoteFirstRep().getText()).contains("Hemoglobin A1c (http://loinc.org 4548-4)")
        .contains("+21.0 points");
  }

  @Test
  void shouldFindAPatientsAssessmentsNewestFirstInAValidSearchsetFilteredByLastUpdated() {
    RecentAssessments recent = RecentAssessments.empty();
    for (int i = 0; i < 3; i++) {
      RiskAssessment ra = assessments.ofScore(score("s" + i, "p-1"), AS_OF.plusSeconds(60L * i));
      recent = recent.with(new RecentAssessments.Stored("s" + i, AS_OF.plusSeconds(60L * i).toEpochMilli(),
          assessments.toJson(ra)), 32);
    }

    String all = assessments.search(recent, null, "http://localhost:8080/fhir");
    String since = assessments.search(recent, assessments.lastUpdated(List.of("ge" + AS_OF.plusSeconds(60))),
        "http://localhost:8080/fhir");

    assertThat(VALIDATOR.errors(all)).isEmpty();
    Bundle bundle = assessments.context().newJsonParser().parseResource(Bundle.class, all);
    assertThat(bundle.getType()).isEqualTo(Bundle.BundleType.SEARCHSET);
    assertThat(bundle.getTotal()).isEqualTo(3);
    assertThat(bundle.getEntry()).extracting(e -> e.getResource().getIdElement().getIdPart())
        .containsExactly("s2", "s1", "s0");
    assertThat(bundle.getEntryFirstRep().getFullUrl()).isEqualTo("http://localhost:8080/fhir/RiskAssessment/s2");
    Bundle filtered = assessments.context().newJsonParser().parseResource(Bundle.class, since);
    assertThat(filtered.getEntry()).extracting(e -> e.getResource().getIdElement().getIdPart())
        .containsExactly("s2", "s1");
    assertThat(VALIDATOR.errors(assessments.search(RecentAssessments.empty(), null, "http://x/fhir"))).isEmpty();
  }

  @Test
  void shouldRefuseAMalformedLastUpdated() {
    assertThatThrownBy(() -> assessments.lastUpdated(List.of("ge-not-a-date")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("_lastUpdated");
  }

  @Test
  void shouldKeepTheNewestAssessmentsAndReplaceOneWithTheSameId() {
    RecentAssessments r = RecentAssessments.empty();
    for (int i = 0; i < 5; i++) {
      r = r.with(new RecentAssessments.Stored("id" + i, i, "{}"), 3);
    }
    r = r.with(new RecentAssessments.Stored("id3", 9, "{\"again\":true}"), 3);

    assertThat(r.assessments()).extracting(RecentAssessments.Stored::id).containsExactly("id2", "id4", "id3");
    assertThat(r.assessments().get(2).json()).contains("again");
  }

  @Test
  void shouldNameAndCodeOutcomesAsTheServedModelsSpecDoes() {
    RiskScore score = RiskScore.newBuilder(score("s1", "p-1")).setOutcomes(List.of(
        new OutcomeProbability("ckd_stage3plus", 365, 0.3), new OutcomeProbability("diabetic_kidney_disease", 365, 0.2),
        new OutcomeProbability("retired_outcome", 365, 0.1))).build();

    RiskAssessment ra = assessments.parse(assessments.toJson(assessments.ofScore(score, AS_OF)));

    assertThat(ra.getPrediction()).extracting(p -> p.getOutcome().getText()).containsExactly(
        "Chronic kidney disease stage 3 or higher", "Kidney disease due to diabetes", "retired_outcome");
    assertThat(ra.getPrediction()).extracting(p -> p.getOutcome().getCoding().stream()
        .map(c -> c.getSystem() + "|" + c.getCode()).toList()).containsExactly(
        List.of("http://snomed.info/sct|433144002", "urn:riskstream:outcome|ckd_stage3plus"),
        List.of("http://snomed.info/sct|127013003", "urn:riskstream:outcome|diabetic_kidney_disease"),
        List.of("urn:riskstream:outcome|retired_outcome"));
    assertThat(assessments.concept("ckd_stage3plus")).isEqualTo(new OutcomeConcept("ckd_stage3plus",
        OutcomeSpec.defaults().get(2).displayName(), "433144002", 365));
    assertThat(VALIDATOR.errors(assessments.toJson(ra))).isEmpty();
  }

  @Test
  void shouldKeepTheNewestIndexedAlertsAndTheAssessmentsBeside() {
    RecentAssessments r = RecentAssessments.empty().with(new RecentAssessments.Stored("s1", 1, "{}"), 3);
    for (int i = 0; i < 4; i++) {
      r = r.withIndexedAlert("a" + i, 3);
    }
    r = r.withIndexedAlert("a2", 3).with(new RecentAssessments.Stored("s2", 2, "{}"), 3);

    assertThat(r.indexedAlerts()).containsExactly("a1", "a3", "a2");
    assertThat(r.assessments()).extracting(RecentAssessments.Stored::id).containsExactly("s1", "s2");
  }

  @Test
  void shouldWriteAScoreAssessmentAsHapiFhirDoes() {
    java.util.Random random = new java.util.Random(7);
    java.util.TimeZone zone = java.util.TimeZone.getDefault();
    try {
      // HAPI's default for meta.lastUpdated is the JVM's zone: the assessments are in UTC whatever it is
      java.util.TimeZone.setDefault(java.util.TimeZone.getTimeZone("America/New_York"));
      double[] probabilities = {0.0, 1.0, 1e-9, 1.2e-7, 0.5, 0.999999, 3.0e-4, Double.MIN_VALUE};
      String[] outcomes = {"type2_diabetes", "hypertension", "ckd_stage3plus", "an_outcome_the_model_lacks"};
      for (int i = 0; i < 1_000; i++) {
        List<OutcomeProbability> scored = new java.util.ArrayList<>();
        for (int k = random.nextInt(5); k > 0; k--) {
          double p = i % 3 == 0 ? probabilities[random.nextInt(probabilities.length)] : random.nextDouble();
          int horizon = random.nextInt(5) == 0 ? 0 : 1 + random.nextInt(3_650);
          scored.add(new OutcomeProbability(outcomes[random.nextInt(outcomes.length)], horizon, p));
        }
        // event times from year 1 to 9999 and beyond (those go through HAPI)
        long millis = i % 100 == 0 ? Instant.parse("9999-06-01T00:00:00Z").toEpochMilli() + random.nextLong(1L << 40)
            : Instant.parse("0001-01-01T00:00:00Z").toEpochMilli() + (random.nextLong() >>> 1) % 315_000_000_000_000L;
        RiskScore score = RiskScore.newBuilder(score(Long.toHexString(random.nextLong()), "patient-" + i))
            .setAsOf(Instant.ofEpochMilli(millis)).setOutcomes(scored)
            .setModel(new ModelInfo("m" + random.nextInt(3), Integer.toString(random.nextInt(20)), "cafe" + i))
            .build();
        Instant lastUpdated = Instant.ofEpochMilli(random.nextLong(4_000_000_000_000L));
        assertThat(assessments.scoreJson(score, lastUpdated)).as("score %d", i)
            .isEqualTo(assessments.toJson(assessments.ofScore(score, lastUpdated)));
      }
      RiskScore now = score("s1", "p1");
      assertThat(assessments.scoreJson(now, AS_OF)).contains("\"lastUpdated\":\"2026-03-01T08:30:00.000+00:00\"");
    } finally {
      java.util.TimeZone.setDefault(zone);
    }
  }

  @Test
  void shouldGroupAReasonsEventsAndSayWhenNoFindingStandsOut() {
    RiskAlert grouped = RiskAlert.newBuilder(alert("al3", "p-1", AlertSeverity.WARNING))
        .setReasons(List.of(new AlertReason("procedures:p9", EventKind.PROCEDURE, "SNOMED-CT", "371883000",
            "Outpatient procedure", AS_OF.minusSeconds(2 * 86_400), 0.006, 16))).build();
    RiskAlert none = RiskAlert.newBuilder(alert("al4", "p-1", AlertSeverity.WARNING)).setReasons(List.of()).build();

    assertThat(assessments.ofAlert(grouped, AS_OF).getNoteFirstRep().getText())
        .contains("- Outpatient procedure (SNOMED-CT 371883000), 16×, latest 2026-02-27: +0.6 points");
    String noneJson = assessments.toJson(assessments.ofAlert(none, AS_OF));
    assertThat(VALIDATOR.errors(noneJson)).isEmpty();
    assertThat(assessments.parse(noneJson).getNoteFirstRep().getText().strip())
        .isEqualTo("Contributing events: no single recent finding stands out (the risk comes from the history as a"
            + " whole).");
  }

  /**
   * Descriptions come from the source systems: a renderer of the note must show them as text, never as markup. A URL
   * stays visible as itself (the GitHub-flavoured autolink extension makes it clickable, as in any text), but nothing
   * can hide a link target behind other words.
   */
  @Test
  void shouldRenderHostileDescriptionsAndCodesAsPlainTextInTheMarkdownNote() {
    List<String> hostile = List.of("[Call now](https://evil.example/phish \"title\")", "![x](https://evil.example/t.png)",
        "<img src=x onerror=alert(1)>", "<script>alert(1)</script>", "<https://evil.example/auto>",
        "**bold** __strong__ *em* _em_", "`code` ``code``", "~~struck~~ ~one~", "a | b | c", "&lt;b&gt; &amp; &#60;",
        "\\[escaped\\](https://evil.example)", "[ref]\n\n[ref]: https://evil.example", "<!-- comment -->",
        "trailing backslash \\", "# Heading", "###### h6", "1. ordered", "12) ordered", "- nested", "+ nested",
        "---", "===", "-", "2024.");
    Parser parser = Parser.builder().extensions(List.of(TablesExtension.create(), StrikethroughExtension.create(),
        AutolinkExtension.create())).build();
    HtmlRenderer renderer = HtmlRenderer.builder().extensions(List.of(TablesExtension.create(),
        StrikethroughExtension.create(), AutolinkExtension.create())).build();
    for (String text : hostile) {
      RiskAlert alert = RiskAlert.newBuilder(alert("al5", "p-1", AlertSeverity.CRITICAL))
          .setReasons(List.of(new AlertReason("observations:o2", EventKind.OBSERVATION, "LOINC", text, text,
              AS_OF.minusSeconds(86_400), 0.2, 1))).build();
      String markdown = assessments.ofAlert(alert, AS_OF).getNoteFirstRep().getText();
      String html = renderer.render(parser.parse(markdown));

      assertThat(html).as("%s rendered as %s", text, html)
          .doesNotContain("<img", "<script", "<em>", "<strong>", "<code>", "<del>", "<table", "<!--", "<b>", "<h", "<ol",
              "<pre", "<blockquote")
          .contains("<li>");
      assertThat(html.split("<ul>", -1)).as("one list, nothing nested: %s", html).hasSize(2);
      java.util.regex.Matcher link = java.util.regex.Pattern.compile("<a href=\"([^\"]*)\">([^<]*)</a>").matcher(html);
      while (link.find()) {
        assertThat(link.group(2)).as("a link shows its own target in %s", html).isEqualTo(link.group(1));
      }
      assertThat(html.split("<a ", -1)).as("every link is a bare URL in %s", html)
          .hasSize((int) java.util.regex.Pattern.compile("<a href=\"([^\"]*)\">([^<]*)</a>").matcher(html).results().count() + 1);
      String shown = html.replaceAll("<[^>]+>", "").replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"")
          .replace("&amp;", "&");
      String written = text.replaceAll("[\\x00-\\x1f]", " ");
      assertThat(shown).as("the text as written (line breaks as spaces), twice: description and code")
          .contains(written + " (LOINC " + written + ")");
    }
  }
}
