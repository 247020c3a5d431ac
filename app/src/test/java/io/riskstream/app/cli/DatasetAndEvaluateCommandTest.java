package io.riskstream.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.riskstream.scoring.npy.Npy;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class DatasetAndEvaluateCommandTest {

  /** The scoring module's test-only model (random weights; outcomes a, b, c = SNOMED codes 1, 2, 3). */
  static final Path TINY_MODEL = Path.of("../scoring/src/test/resources/models/test-tiny");

  /** A Synthea-format CSV export: 12 adults with an encounter, an HbA1c and a diagnosis about every 60 days. */
  static Path cohort(Path dir) throws IOException {
    return cohort(dir, "p-", false);
  }

  /** As {@link #cohort(Path)}, with patient ids {@code prefix + i} and, if asked, a QALY observation per visit. */
  static Path cohort(Path dir, String prefix, boolean qaly) throws IOException {
    Random random = new Random(1);
    List<String> patients = new ArrayList<>(List.of("Id,BIRTHDATE,DEATHDATE,GENDER"));
    List<String> encounters = new ArrayList<>(List.of("Id,START,STOP,PATIENT,ENCOUNTERCLASS,CODE,DESCRIPTION"));
    List<String> conditions = new ArrayList<>(List.of("START,STOP,PATIENT,ENCOUNTER,SYSTEM,CODE,DESCRIPTION"));
    List<String> observations = new ArrayList<>(
        List.of("DATE,PATIENT,ENCOUNTER,CATEGORY,CODE,DESCRIPTION,VALUE,UNITS,TYPE"));
    for (int p = 0; p < 12; p++) {
      String id = prefix + p;
      patients.add(id + "," + LocalDate.of(1950 + p * 2, 1 + p % 12, 1) + ",," + (p % 2 == 0 ? "M" : "F"));
      LocalDate day = LocalDate.of(2008, 1, 1).plusDays(p * 7);
      for (int e = 0; day.isBefore(LocalDate.of(2020, 1, 1)); e++, day = day.plusDays(30 + random.nextInt(60))) {
        String enc = id + "-e" + e;
        encounters.add(enc + "," + day + "T09:00:00Z," + day + "T09:30:00Z," + id + ",ambulatory,185349003,Visit");
        observations.add(day + "T09:10:00Z," + id + "," + enc + ",laboratory,4548-4,HbA1c,"
            + String.format("%.1f", 4.5 + 4 * random.nextDouble()) + ",%,numeric");
        if (qaly) {
          observations.add(day + "T09:20:00Z," + id + "," + enc + ",survey,QALY,Quality adjusted life years,"
              + (20 + e) + ",a,numeric");
        }
        int code = random.nextInt(10) == 0 ? 1 + random.nextInt(3) : 10 + random.nextInt(30);
        conditions.add(day + ",," + id + "," + enc + ",SNOMED-CT," + code + ",Condition " + code);
      }
    }
    Files.createDirectories(dir);
    Files.write(dir.resolve("patients.csv"), patients);
    Files.write(dir.resolve("encounters.csv"), encounters);
    Files.write(dir.resolve("conditions.csv"), conditions);
    Files.write(dir.resolve("observations.csv"), observations);
    Files.write(dir.resolve("medications.csv"), List.of("START,STOP,PATIENT,ENCOUNTER,CODE,DESCRIPTION"));
    Files.write(dir.resolve("procedures.csv"), List.of("START,PATIENT,ENCOUNTER,CODE,DESCRIPTION"));
    return dir;
  }

  static int run(StringWriter out, String... args) {
    CommandLine cli = RiskstreamCli.commandLine();
    cli.setOut(new PrintWriter(out));
    cli.setErr(new PrintWriter(out));
    return cli.execute(args);
  }

  @Test
  void shouldExportADatasetFromASyntheaExport(@TempDir Path dir) throws IOException {
    Path cohort = cohort(dir.resolve("csv"));
    StringWriter out = new StringWriter();

    int exit = run(out, "dataset", "export", "--cohort", cohort.toString(), "--out", dir.resolve("ds").toString(),
        "--max-length", "32", "--min-count", "2");

    assertThat(exit).as(out.toString()).isZero();
    assertThat(out.toString()).contains("Read 12 patients").contains("Dataset written to");
    JsonNode summary = new ObjectMapper().readTree(dir.resolve("ds/dataset.json").toFile());
    int n = summary.get("samples").asInt();
    assertThat(n).isGreaterThan(12);
    assertThat(Npy.read(dir.resolve("ds/tokens.npy")).shape()).containsExactly(n, 32);
    assertThat(dir.resolve("ds/encoder-spec.json")).exists();
    // one label column per outcome of the spec (the default outcomes changed from six to five on main)
    int outcomes = new ObjectMapper().readTree(dir.resolve("ds/encoder-spec.json").toFile()).get("outcomes").size();
    assertThat(outcomes).isPositive();
    assertThat(Npy.read(dir.resolve("ds/labels.npy")).shape()).containsExactly(n, outcomes);
  }

  @Test
  void shouldExportACohortGeneratedInChunksLeavingOutTheHealthEconomicsCodes(@TempDir Path dir) throws IOException {
    cohort(dir.resolve("chunks/s1"), "p-", true);
    cohort(dir.resolve("chunks/s2"), "q-", true);
    Files.writeString(dir.resolve("chunks/s1/cohort.json"), "{\"chunk\": \"s1\"}");
    Files.writeString(dir.resolve("chunks/s2/cohort.json"), "{\"chunk\": \"s2\"}");
    StringWriter out = new StringWriter();

    int exit = run(out, "dataset", "export", "--cohort", dir.resolve("chunks").toString(), "--out",
        dir.resolve("ds").toString(), "--max-length", "32", "--min-count", "2");
    int keepAll = run(out, "dataset", "export", "--cohort", dir.resolve("chunks").toString(), "--out",
        dir.resolve("ds-all").toString(), "--max-length", "32", "--min-count", "2", "--exclude-codes", "");

    assertThat(exit).as(out.toString()).isZero();
    assertThat(keepAll).as(out.toString()).isZero();
    JsonNode summary = new ObjectMapper().readTree(dir.resolve("ds/dataset.json").toFile());
    assertThat(summary.get("patients").asInt()).isEqualTo(24);
    assertThat(summary.get("cohort").isNull()).isTrue();
    assertThat(summary.get("cohorts")).hasSize(2);
    assertThat(summary.get("cohorts").get(1).asText()).endsWith("chunks/s2");
    // the chunks' manifests travel with the dataset (train.py's card reads them)
    assertThat(dir.resolve("ds/cohort-manifests/01-s2.json")).hasContent("{\"chunk\": \"s2\"}");
    assertThat(dir.resolve("ds/cohort-manifests/00-s1.json")).exists();
    JsonNode spec = new ObjectMapper().readTree(dir.resolve("ds/encoder-spec.json").toFile());
    assertThat(spec.get("formatVersion").asInt()).isEqualTo(2);
    assertThat(spec.get("excludedCodes").toString()).isEqualTo("[\"DALY\",\"QALY\",\"QOLS\"]");
    assertThat(spec.get("vocabulary").fieldNames()).toIterable().noneMatch(t -> t.contains("QALY"))
        .anyMatch(t -> t.contains("4548-4"));
    JsonNode all = new ObjectMapper().readTree(dir.resolve("ds-all/encoder-spec.json").toFile());
    assertThat(all.get("formatVersion").asInt()).isEqualTo(1);
    assertThat(all.has("excludedCodes")).isFalse();
    assertThat(all.get("vocabulary").fieldNames()).toIterable().anyMatch(t -> t.contains("QALY"));
  }

  @Test
  void shouldEvaluateAModelOnASyntheaExportAndWriteJson(@TempDir Path dir) throws IOException {
    Path cohort = cohort(dir.resolve("csv"));
    Path report = dir.resolve("reports/eval.json");
    StringWriter out = new StringWriter();

    int exit = run(out, "evaluate", "--cohort", cohort.toString(), "--model", TINY_MODEL.toString(), "--out",
        report.toString(), "--bootstrap", "50", "--min-days-between", "90");

    assertThat(exit).as(out.toString()).isZero();
    JsonNode json = new ObjectMapper().readTree(report.toFile());
    assertThat(json.get("model").asText()).isEqualTo("test-tiny");
    assertThat(json.get("patients").asInt()).isEqualTo(12);
    assertThat(json.get("samples").asInt()).isGreaterThan(12);
    assertThat(json.get("outcomes")).hasSize(3);
    JsonNode a = json.get("outcomes").get(0);
    assertThat(a.get("name").asText()).isEqualTo("a");
    assertThat(a.get("positives").asInt()).isPositive();
    assertThat(a.get("auroc").get("estimate").asDouble()).isBetween(0.0, 1.0);
    assertThat(out.toString()).contains("\"auprc\"");
  }

  @Test
  void shouldReportTheSameWhateverPartsTheCohortIsReadIn(@TempDir Path dir) throws IOException {
    Path cohort = cohort(dir.resolve("csv"));
    StringWriter out = new StringWriter();
    for (String parts : List.of("1", "5")) {
      assertThat(run(out, "evaluate", "--cohort", cohort.toString(), "--model", TINY_MODEL.toString(), "--out",
          dir.resolve("eval-" + parts + ".json").toString(), "--bootstrap", "50", "--min-days-between", "90",
          "--parts", parts, "--threads", "2")).as(out.toString()).isZero();
    }

    assertThat(out.toString()).contains("(part 5 of 5; 12 patients so far)");
    assertThat(Files.readString(dir.resolve("eval-5.json"))).isEqualTo(Files.readString(dir.resolve("eval-1.json")));
  }

  @Test
  void shouldChooseOperatingPointsAndWriteThemIntoTheModelCard(@TempDir Path dir) throws IOException {
    Path cohort = cohort(dir.resolve("csv"));
    Path model = dir.resolve("tiny");
    Files.createDirectories(model);
    for (String file : List.of("model.onnx", "model.onnx.sha256", "encoder-spec.json", "model-card.json")) {
      Files.copy(TINY_MODEL.resolve(file), model.resolve(file));
    }
    Files.writeString(model.resolve("model-card.md"), "# Model card\n\n## Data\n\nsynthetic\n\n## Limitations\n\n- tests\n");
    Path points = dir.resolve("points.json");
    StringWriter out = new StringWriter();

    int exit = run(out, "evaluate", "--cohort", cohort.toString(), "--model", model.toString(), "--bootstrap", "0",
        "--min-days-between", "365", "--operating-points", points.toString(), "--warning-per-100", "20",
        "--critical-per-100", "10", "--card", model.toString());

    assertThat(exit).as(out.toString()).isZero();
    JsonNode card = new ObjectMapper().readTree(model.resolve("model-card.json").toFile());
    assertThat(card.get("version").asText()).isEqualTo("0.0.1-test");  // the rest of the card is kept
    JsonNode a = card.get("operating_points").get("outcomes").get("a");
    assertThat(a.get("warning").get("threshold").asDouble()).isBetween(0.0, 1.0)
        .isLessThanOrEqualTo(a.get("critical").get("threshold").asDouble());
    assertThat(a.get("warning").get("selection").get("per100").asDouble()).isLessThanOrEqualTo(20.0);
    assertThat(a.get("warning").get("check").get("n").asInt()).isPositive();
    assertThat(card.get("operating_points").get("data").get("index_times").asInt()).isPositive();
    assertThat(new ObjectMapper().readTree(points.toFile())).isEqualTo(card.get("operating_points"));
    String md = Files.readString(model.resolve("model-card.md"));
    assertThat(md).contains("## Operating points").contains("| a | ");
    assertThat(md.indexOf("## Operating points")).isLessThan(md.indexOf("## Limitations"));
    assertThat(io.riskstream.scoring.model.ModelBundle.load(model.toString()).operatingPoints())
        .containsOnlyKeys("a", "b", "c");

    // a second run replaces the block and the section instead of adding another
    assertThat(run(new StringWriter(), "evaluate", "--cohort", cohort.toString(), "--model", model.toString(),
        "--bootstrap", "0", "--min-days-between", "365", "--operating-points", points.toString(), "--card",
        model.toString())).isZero();
    String again = Files.readString(model.resolve("model-card.md"));
    assertThat(again.indexOf("## Operating points")).isEqualTo(again.lastIndexOf("## Operating points"));
    assertThat(Files.readString(model.resolve("model-card.json")).split("\"operating_points\"", -1)).hasSize(2);
  }

  @Test
  void shouldRefuseOperatingPointsWithoutOneIndexTimePerPatientYear(@TempDir Path dir) throws IOException {
    StringWriter out = new StringWriter();

    int exit = run(out, "evaluate", "--cohort", cohort(dir.resolve("csv")).toString(), "--model",
        TINY_MODEL.toString(), "--operating-points", dir.resolve("p.json").toString());

    assertThat(exit).isEqualTo(2);
    assertThat(out.toString()).contains("--min-days-between 365").doesNotContain("Exception");
  }

  @Test
  void shouldFailWithAClearMessageForAMissingCohort(@TempDir Path dir) {
    StringWriter out = new StringWriter();

    int exit = run(out, "dataset", "export", "--cohort", dir.resolve("absent").toString(), "--out",
        dir.resolve("ds").toString());

    assertThat(exit).isEqualTo(2);
    assertThat(out.toString()).contains("is not a directory").doesNotContain("Exception");
  }
}
