package io.riskstream.app.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.riskstream.connectors.synthea.SyntheaCsvReader;
import io.riskstream.schemas.EmrEvent;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CdcFeedTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  private static ChangeEventFeed feed() {
    Map<String, List<EmrEvent>> cohort = new SyntheaCsvReader(Path.of("src/test/resources/synthea/valid")).readByPatient();
    return ChangeEventFeed.of(cohort, "ehr", 5_000L);
  }

  @Test
  void shouldWriteOneInsertPerEventOnTheChangesTopic() throws Exception {
    Map<String, List<EmrEvent>> cohort = new SyntheaCsvReader(Path.of("src/test/resources/synthea/valid")).readByPatient();
    ChangeEventFeed feed = ChangeEventFeed.of(cohort, "ehr", 5_000L);
    assertThat(feed.records()).hasSize(cohort.values().stream().mapToInt(List::size).sum());
    assertThat(feed.topics()).containsExactly("ehr.clinical.changes");
    for (ChangeEventFeed.Record r : feed.records()) {
      JsonNode env = JSON.readTree(r.value());
      assertThat(env.get("op").asText()).isEqualTo("c");
      assertThat(env.get("before").isNull()).isTrue();
      assertThat(env.get("source").get("table").asText()).isIn("patients", "encounters", "conditions", "observations",
          "medications", "procedures");
      assertThat(env.get("source").get("txId").asLong()).isEqualTo(r.txId());
      assertThat(JSON.readTree(r.key()).get("id").asText()).isEqualTo(env.get("after").get("id").asText());
    }
  }

  @Test
  void shouldPutPatientsFirstThenOneTransactionPerEncounterWithIncreasingTimestamps() throws Exception {
    ChangeEventFeed feed = feed();
    List<ChangeEventFeed.Record> records = feed.records();
    long patients = records.stream().filter(r -> r.topic().endsWith(".patients")).count();
    for (int i = 0; i < patients; i++) {
      assertThat(records.get(i).topic()).isEqualTo("ehr.clinical.patients");
    }
    Map<Long, String> encounterOfTx = new HashMap<>();
    for (int i = 0; i < records.size(); i++) {
      ChangeEventFeed.Record r = records.get(i);
      assertThat(r.timestamp()).isEqualTo(5_000L + i);
      if (i > 0) {
        assertThat(r.txId()).isGreaterThanOrEqualTo(records.get(i - 1).txId()); // a transaction's records are contiguous
      }
      JsonNode after = JSON.readTree(r.value()).get("after");
      String encounter = r.topic().endsWith(".encounters") ? after.get("id").asText()
          : after.hasNonNull("encounter_id") ? after.get("encounter_id").asText() : null;
      if (encounter != null) {
        assertThat(encounterOfTx.putIfAbsent(r.txId(), encounter)).isIn(null, encounter);
      }
    }
    assertThat(feed.transactions()).isEqualTo((int) records.stream().mapToLong(ChangeEventFeed.Record::txId).distinct().count());
  }

  @Test
  void shouldUseDebeziumValueFormats() throws Exception {
    ChangeEventFeed feed = feed();
    JsonNode patient = JSON.readTree(feed.records().get(0).value()).get("after");
    assertThat(patient.get("birthdate").isInt()).isTrue(); // date: days since the epoch
    JsonNode encounter = feed.records().stream().filter(r -> table(r.value()).equals("encounters")).findFirst()
        .map(r -> readAfter(r.value())).orElseThrow();
    assertThat(encounter.get("start_time").asText()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{6}Z");
  }

  private static String table(byte[] value) {
    try {
      return JSON.readTree(value).get("source").get("table").asText();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static JsonNode readAfter(byte[] value) {
    try {
      return JSON.readTree(value).get("after");
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
