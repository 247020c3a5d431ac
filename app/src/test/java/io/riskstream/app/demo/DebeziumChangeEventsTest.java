package io.riskstream.app.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.riskstream.connectors.Normalized;
import io.riskstream.connectors.debezium.DebeziumNormalizer;
import io.riskstream.connectors.debezium.SourceMapping;
import io.riskstream.connectors.ehr.EhrRow;
import io.riskstream.connectors.synthea.SyntheaCsvReader;
import io.riskstream.schemas.EmrEvent;
import io.riskstream.schemas.EventKind;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CdcFeedTest {

  private static final Path COHORT = Path.of("src/test/resources/demo-cohort");

  @Test
  void shouldFeedPatientsFirstThenOneTransactionPerEncounterInEventTimeOrder() {
    Map<String, List<EmrEvent>> byPatient = new SyntheaCsvReader(COHORT).readByPatient();
    long[] rejected = {0};
    List<DebeziumChangeEvents.Transaction> txs = DebeziumChangeEvents.transactions(byPatient, rejected);

    assertThat(rejected[0]).isZero();
    assertThat(txs.subList(0, 3)).allSatisfy(t -> {
      assertThat(t.rows()).hasSize(1);
      assertThat(t.rows().get(0).table()).isEqualTo("patients");
    });
    List<DebeziumChangeEvents.Transaction> encounters = txs.subList(3, txs.size());
    assertThat(encounters).isSortedAccordingTo((a, b) -> a.time().compareTo(b.time()));
    long encounterLed = 0;
    for (DebeziumChangeEvents.Transaction t : encounters) {
      EhrRow first = t.rows().get(0);
      if (first.table().equals("encounters")) {
        encounterLed++;
        assertThat(t.rows().subList(1, t.rows().size()))
            .allSatisfy(r -> assertThat(r.get("encounter_id")).isEqualTo(first.id()));
      } else {
        // a fact without an encounter is a transaction of its own
        assertThat(t.rows()).singleElement().satisfies(r -> assertThat(r.get("encounter_id")).isNull());
      }
    }
    assertThat(encounterLed).isEqualTo(91);
    long events = byPatient.values().stream().mapToLong(List::size).sum();
    assertThat(txs.stream().mapToLong(t -> t.events().size()).sum()).isEqualTo(events);
    assertThat(txs).hasSize(3 + 91 + 99);
  }

  @Test
  void shouldSendEachPatientsPastAsOneBoundedSnapshotThenLiveEncounters() {
    Map<String, List<EmrEvent>> byPatient = new SyntheaCsvReader(COHORT).readByPatient();
    java.time.Instant liveFrom = byPatient.values().stream().flatMap(List::stream).map(EmrEvent::getEventTime)
        .max(java.util.Comparator.naturalOrder()).orElseThrow().minus(java.time.Duration.ofDays(730));
    int bound = 50;

    List<DebeziumChangeEvents.Transaction> txs = DebeziumChangeEvents.transactions(byPatient, new long[1], liveFrom, bound);

    List<DebeziumChangeEvents.Transaction> snapshots = txs.stream().filter(t -> t.time().isBefore(liveFrom)
        && !t.rows().get(0).table().equals("patients")).toList();
    assertThat(snapshots).hasSize(byPatient.size());
    int olderDiagnosesSent = 0;
    for (DebeziumChangeEvents.Transaction snapshot : snapshots) {
      List<EmrEvent> past = byPatient.get(snapshot.patientId()).stream()
          .filter(e -> e.getKind() != EventKind.DEMOGRAPHICS && e.getEventTime().isBefore(liveFrom)).toList();
      // the newest `bound` events of the past and every older diagnosis, oldest first, all in one transaction
      List<EmrEvent> newest = past.subList(Math.max(0, past.size() - bound), past.size());
      List<EmrEvent> olderDiagnoses = past.subList(0, Math.max(0, past.size() - bound)).stream()
          .filter(e -> e.getKind() == EventKind.DIAGNOSIS).toList();
      List<EmrEvent> expected = new ArrayList<>(olderDiagnoses);
      expected.addAll(newest);
      assertThat(snapshot.events()).containsExactlyElementsOf(expected);
      olderDiagnosesSent += olderDiagnoses.size();
    }
    assertThat(olderDiagnosesSent).isPositive();
    List<DebeziumChangeEvents.Transaction> live = txs.stream().filter(t -> !t.time().isBefore(liveFrom)).toList();
    assertThat(live).isNotEmpty().allSatisfy(t ->
        assertThat(t.events()).allSatisfy(e -> assertThat(e.getEventTime()).isAfterOrEqualTo(liveFrom)));
  }

  @Test
  void shouldWriteEnvelopesTheNormalizerTurnsBackIntoTheSameEvents() {
    Map<String, List<EmrEvent>> byPatient = new SyntheaCsvReader(COHORT).readByPatient();
    Map<String, EmrEvent> original = new HashMap<>();
    byPatient.values().forEach(list -> list.forEach(e -> original.put(e.getEventId(), e)));
    DebeziumNormalizer normalizer = new DebeziumNormalizer(SourceMapping.defaults(), "postgres:ehr", 1 << 20);

    List<EmrEvent> normalized = new ArrayList<>();
    long txId = 7;
    long lsn = 1;
    for (DebeziumChangeEvents.Transaction t : DebeziumChangeEvents.transactions(byPatient, new long[1])) {
      for (EhrRow row : t.rows()) {
        Normalized r = normalizer.normalize(DebeziumChangeEvents.key(row), DebeziumChangeEvents.create(row, txId, lsn, 1000L),
            DebeziumChangeEvents.topic(row.table()), 0, lsn);
        assertThat(r.rejections()).isEmpty();
        assertThat(r.events()).hasSize(1);
        EmrEvent e = r.events().get(0);
        assertThat(e.getSource().getTxId()).isEqualTo(Long.toString(txId));
        normalized.add(e);
        lsn++;
      }
      txId++;
    }

    assertThat(normalized).hasSize(original.size());
    for (EmrEvent e : normalized) {
      EmrEvent o = original.get(e.getEventId());
      assertThat(o).as("event %s", e.getEventId()).isNotNull();
      assertThat(e.getPatientId()).isEqualTo(o.getPatientId());
      assertThat(e.getKind()).isEqualTo(o.getKind());
      assertThat(e.getEventTime()).isEqualTo(o.getEventTime());
      assertThat(e.getCode()).isEqualTo(o.getCode());
      if (o.getKind() != EventKind.DEMOGRAPHICS) {
        assertThat(e.getCodeSystem()).isEqualTo(o.getCodeSystem());
        assertThat(e.getValue()).isEqualTo(o.getValue());
        assertThat(e.getUnit()).isEqualTo(o.getUnit());
      }
    }
  }

  @Test
  void shouldPlanASmallFirstPartAndTheRest() {
    Path root = Path.of("/cache");
    assertThat(DemoCohort.plan(200, 1, root)).extracting(DemoCohort.Part::patients, DemoCohort.Part::seed,
            DemoCohort.Part::dir)
        .containsExactly(org.assertj.core.groups.Tuple.tuple(5, 1L, root.resolve("1-200/part-0")),
            org.assertj.core.groups.Tuple.tuple(195, 2L, root.resolve("1-200/part-1")));
    assertThat(DemoCohort.plan(3, 9, root)).singleElement()
        .satisfies(p -> assertThat(p.patients()).isEqualTo(3));
  }

  @Test
  void shouldTakeNearestRankPercentiles() {
    long[] sorted = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
    assertThat(DemoRunner.percentile(sorted, 0.5)).isEqualTo(5.0);
    assertThat(DemoRunner.percentile(sorted, 0.99)).isEqualTo(10.0);
    assertThat(DemoRunner.percentile(new long[0], 0.5)).isNaN();
  }
}
