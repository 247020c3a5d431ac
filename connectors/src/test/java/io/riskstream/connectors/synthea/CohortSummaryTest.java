package io.riskstream.connectors.synthea;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.riskstream.connectors.synthea.CohortSummary.CodeCount;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CohortSummaryTest {

  private static CohortSummary summary(List<String> codes, int top) throws Exception {
    SyntheaCsvReader reader = new SyntheaCsvReader(
        Path.of(CohortSummaryTest.class.getResource("/synthea/valid").toURI()));
    return CohortSummary.of(reader.readByPatient(), reader.report(), codes, top);
  }

  @Test
  void shouldCountAliveAndDeadPatients() throws Exception {
    CohortSummary summary = summary(List.of(), 10);

    assertThat(summary.patients()).isEqualTo(2);
    assertThat(summary.alive()).isEqualTo(1);
    assertThat(summary.dead()).isEqualTo(1);
  }

  @Test
  void shouldCountPatientsPerRequestedDiagnosisCodeIncludingAbsentOnes() throws Exception {
    CohortSummary summary = summary(List.of("44054006", "22298006"), 10);

    assertThat(summary.patientsWithCode()).containsExactly(
        java.util.Map.entry("44054006", 1), java.util.Map.entry("22298006", 0));
  }

  @Test
  void shouldRankDiagnosesByPatients() throws Exception {
    CohortSummary summary = summary(List.of(), 10);

    assertThat(summary.topDiagnoses()).containsExactly(
        new CodeCount("44054006", "Diabetes mellitus type 2 (disorder)", 1));
    assertThat(summary(List.of(), 0).topDiagnoses()).isEmpty();
  }

  @Test
  void shouldWriteCountsAsJson(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("summary.json");

    summary(List.of("44054006"), 5).writeJson(file);

    JsonNode json = new ObjectMapper().readTree(file.toFile());
    assertThat(json.path("patients").asInt()).isEqualTo(2);
    assertThat(json.path("events").asLong()).isEqualTo(11);
    assertThat(json.path("rowsByTable").path("observations").asLong()).isEqualTo(4);
    assertThat(json.path("patientsWithDiagnosisCode").path("44054006").asInt()).isEqualTo(1);
    assertThat(json.path("topDiagnoses").get(0).path("code").asText()).isEqualTo("44054006");
  }
}
