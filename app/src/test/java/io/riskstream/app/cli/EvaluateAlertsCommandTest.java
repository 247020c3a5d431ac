package io.riskstream.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.riskstream.app.evaluate.PatientTimeline;
import io.riskstream.app.evaluate.StreamReplay;
import io.riskstream.connectors.synthea.SyntheaCsvReader;
import io.riskstream.schemas.EmrEvent;
import io.riskstream.schemas.EventKind;
import io.riskstream.scoring.encoder.HistoryEncoder;
import io.riskstream.scoring.model.ModelBundle;
import io.riskstream.scoring.onnx.OnnxRuntimeScorer;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EvaluateAlertsCommandTest {

  @Test
  void shouldScoreOncePerTransactionAsTheStreamDoes(@TempDir Path dir) throws Exception {
    Path cohort = DatasetAndEvaluateCommandTest.cohort(dir.resolve("csv"));
    Map<String, List<EmrEvent>> patients = new SyntheaCsvReader(cohort).readByPatient();
    List<EmrEvent> events = patients.get("p-0");
    ModelBundle bundle = ModelBundle.load(DatasetAndEvaluateCommandTest.TINY_MODEL.toString());
    try (OnnxRuntimeScorer scorer = new OnnxRuntimeScorer(bundle, OnnxRuntimeScorer.Options.defaults())) {
      PatientTimeline t = new StreamReplay(bundle, scorer, 512, Duration.ZERO, 16).replay("p-0", events);

      long encounters = events.stream().filter(e -> e.getKind() == EventKind.ENCOUNTER).count();
      EmrEvent birth = events.stream().filter(e -> e.getKind() == EventKind.DEMOGRAPHICS).findFirst().orElseThrow();
      // the patient row alone, then one transaction per encounter (its HbA1c and diagnosis carry its id)
      assertThat(t.size()).isEqualTo(encounters + 1);
      assertThat(t.asOf()[0]).isEqualTo(birth.getEventTime().toEpochMilli());
      assertThat(t.ageYears()[0]).isZero();
      long newest = events.stream().mapToLong(e -> e.getEventTime().toEpochMilli()).max().orElseThrow();
      assertThat(t.asOf()[t.size() - 1]).isEqualTo(newest);
      assertThat(t.ageYears()[t.size() - 1]).isEqualTo(HistoryEncoder.ageYears(birth.getEventTime().toEpochMilli(),
          newest));
      // the last score is the whole history's, encoded as the history processor encodes it
      float[] whole = scorer.score(List.of(new HistoryEncoder(bundle.spec()).encodeLatest(events).input()))[0];
      assertThat(t.probabilities()[t.size() - 1]).containsExactly(whole);
      // the outcomes diagnosed at each score: those whose onset (first diagnosis with a code of theirs) is at or
      // before it (nothing is evicted from 512 events); the death the patient row records
      assertThat(t.onsets()).anyMatch(java.util.Objects::nonNull);
      for (int i = 0; i < t.size(); i++) {
        for (int k = 0; k < t.onsets().length; k++) {
          boolean had = t.onsets()[k] != null && t.onsets()[k] <= t.asOf()[i];
          assertThat((t.diagnosed()[i] & (1L << k)) != 0).as("score %d outcome %d", i, k).isEqualTo(had);
        }
      }
      assertThat(t.deathTime()).isEqualTo(birth.getEndTime() == null ? null : birth.getEndTime().toEpochMilli());
    }
  }

  @Test
  void shouldRefuseTimelinesSavedBeforeDiagnosesAndDeathWereKept(@TempDir Path dir) throws IOException {
    Path cohort = DatasetAndEvaluateCommandTest.cohort(dir.resolve("csv"));
    Path old = dir.resolve("old.gz");
    try (java.io.DataOutputStream o = new java.io.DataOutputStream(new java.util.zip.GZIPOutputStream(
        Files.newOutputStream(old)))) {
      o.writeUTF("riskstream-timelines-1");
      o.writeUTF("sha");
      o.writeUTF(cohort.toString());
      o.writeInt(0);
    }
    StringWriter out = new StringWriter();

    int exit = DatasetAndEvaluateCommandTest.run(out, "evaluate", "--alerts", "--cohort", cohort.toString(), "--model",
        DatasetAndEvaluateCommandTest.TINY_MODEL.toString(), "--timelines", old.toString());

    assertThat(exit).isEqualTo(2);
    assertThat(out.toString()).contains("scored before alerts were withheld").contains("score the cohort again");
  }

  @Test
  void shouldReportEachPolicySideBySideAndWriteStreamingOperatingPointsIntoTheCard(@TempDir Path dir)
      throws IOException {
    Path cohort = DatasetAndEvaluateCommandTest.cohort(dir.resolve("csv"));
    Path model = dir.resolve("model");
    Files.createDirectories(model.resolve("validation"));
    try (var files = Files.walk(DatasetAndEvaluateCommandTest.TINY_MODEL)) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        Files.copy(f, model.resolve(DatasetAndEvaluateCommandTest.TINY_MODEL.relativize(f).toString()));
      }
    }
    Path noFloor = dir.resolve("no-floor.properties");
    Files.writeString(noFloor, "population.min.age.years=0\nalert.cooldown.hours=0\n");
    StringWriter out = new StringWriter();

    int exit = DatasetAndEvaluateCommandTest.run(out, "evaluate", "--alerts", "--cohort", cohort.toString(), "--model",
        model.toString(), "--policy", noFloor.toString(), "--bootstrap", "20", "--workers", "2", "--out",
        dir.resolve("alerts.json").toString(), "--operating-points", dir.resolve("op.json").toString(), "--card",
        model.toString(), "--save-timelines", dir.resolve("timelines.gz").toString(), "--parts", "2");

    assertThat(exit).as(out.toString()).isZero();
    assertThat(out.toString()).contains("scored 12 of 12 patients").contains("operating point a");
    JsonNode report = new ObjectMapper().readTree(dir.resolve("alerts.json").toFile());
    assertThat(report.get("policies")).extracting(p -> p.get("name").asText())
        .containsExactly("model card", "no-floor", "chosen");
    assertThat(report.at("/policies/1/minimumAgeYears").asDouble()).isZero();
    assertThat(report.at("/policies/1/rules/a/cooldownHours").asLong()).isZero();
    assertThat(report.at("/data/patients").asInt()).isEqualTo(12);
    assertThat(report.at("/policies/0/outcomes/a/patients").asInt()).isEqualTo(12);
    assertThat(dir.resolve("alerts.png").toFile().exists() || out.toString().contains("warning: no PNG")).isTrue();
    ModelBundle updated = ModelBundle.load(model.toString());
    JsonNode chosen = new ObjectMapper().readTree(dir.resolve("op.json").toFile());
    assertThat(updated.operatingPoints().get("a").warningThreshold())
        .isEqualTo(chosen.at("/outcomes/a/warning/threshold").asDouble());
    assertThat(Files.readString(model.resolve("model-card.json"))).contains("the streaming alert policy");

    // the saved timelines give the same figures without scoring again
    StringWriter again = new StringWriter();
    assertThat(DatasetAndEvaluateCommandTest.run(again, "evaluate", "--alerts", "--cohort", cohort.toString(),
        "--model", model.toString(), "--policy", noFloor.toString(), "--bootstrap", "20", "--timelines",
        dir.resolve("timelines.gz").toString(), "--out", dir.resolve("again.json").toString())).as(again.toString())
        .isZero();
    assertThat(again.toString()).contains("read 12 scored timelines").doesNotContain("scored 12 of 12");
    JsonNode second = new ObjectMapper().readTree(dir.resolve("again.json").toFile());
    // the card now holds the chosen thresholds: its policy is the first run's "chosen"
    assertThat(second.at("/policies/0/outcomes")).isEqualTo(report.at("/policies/2/outcomes"));
    assertThat(second.at("/policies/0/rules")).isEqualTo(report.at("/policies/2/rules"));
  }

  @Test
  void shouldRefuseAPolicyFileWithOtherKeys(@TempDir Path dir) throws IOException {
    Path cohort = DatasetAndEvaluateCommandTest.cohort(dir.resolve("csv"));
    Path bad = dir.resolve("bad.properties");
    Files.writeString(bad, "bootstrap.servers=x:9092\n");
    StringWriter out = new StringWriter();

    int exit = DatasetAndEvaluateCommandTest.run(out, "evaluate", "--alerts", "--cohort", cohort.toString(), "--model",
        DatasetAndEvaluateCommandTest.TINY_MODEL.toString(), "--policy", bad.toString());

    assertThat(exit).isEqualTo(2);
    assertThat(out.toString()).contains("bootstrap.servers is not an alert.* key");
  }
}
