package io.riskstream.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.riskstream.schemas.EmrEvent;
import io.riskstream.schemas.EventKind;
import io.riskstream.schemas.EventOp;
import io.riskstream.schemas.SourceCoordinates;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ReasonGroupsTest {

  private final Map<String, EmrEvent> byId = new LinkedHashMap<>();
  private final List<RequestEncoder.Occluded> candidates = new ArrayList<>();

  /** Adds an occlusion candidate (call newest first) holding input position {@code position}. */
  private void candidate(String id, EventKind kind, String code, String description, long time, int position) {
    candidate(id, kind, kind == EventKind.OBSERVATION ? "LOINC" : "SNOMED-CT", code, description, time, position);
  }

  private void candidate(String id, EventKind kind, String system, String code, String description, long time,
      int position) {
    byId.put(id, EmrEvent.newBuilder().setPatientId("p").setEventId(id).setOp(EventOp.UPSERT).setKind(kind)
        .setEventTime(Instant.ofEpochMilli(time)).setCodeSystem(system)
        .setCode(code).setDescription(description)
        .setSource(SourceCoordinates.newBuilder().setSystem("test").setTable("t").build()).build());
    candidates.add(new RequestEncoder.Occluded(id, position < 0 ? List.of() : List.of(position)));
  }

  @Test
  void shouldGroupTheSameCodeIntoOneReasonWithItsCountNewestEventAndEveryPosition() {
    candidate("observations:3", EventKind.OBSERVATION, "4548-4", "Hemoglobin A1c", 300, 9);
    candidate("conditions:1", EventKind.DIAGNOSIS, "44054006", "Diabetes", 250, 8);
    candidate("observations:2", EventKind.OBSERVATION, "4548-4", "Hemoglobin A1c", 200, 7);
    candidate("observations:1", EventKind.OBSERVATION, "4548-4", "Hemoglobin A1c", 100, 4);

    List<ScoringRequest.ReasonEvent> reasons = ReasonGroups.of(3).select(candidates, byId);

    assertThat(reasons).extracting(ScoringRequest.ReasonEvent::eventId)
        .containsExactly("observations:3", "conditions:1");
    ScoringRequest.ReasonEvent a1c = reasons.get(0);
    assertThat(a1c.count()).isEqualTo(3);
    assertThat(a1c.eventTime()).isEqualTo(300);
    assertThat(a1c.description()).isEqualTo("Hemoglobin A1c");
    assertThat(a1c.positions()).containsExactly(4, 7, 9);
    assertThat(reasons.get(1).count()).isEqualTo(1);
  }

  @Test
  void shouldGroupTheSameFactCodedInAnotherSystemButNotOtherCodesOfOneSystem() {
    candidate("conditions:2", EventKind.DIAGNOSIS, "ICD-10-CM", "E11.9", "Diabetes mellitus type 2", 200, 5);
    candidate("conditions:1", EventKind.DIAGNOSIS, "SNOMED-CT", "44054006", "diabetes mellitus type 2 ", 100, 3);
    candidate("procedures:1", EventKind.PROCEDURE, "SNOMED-CT", "1234", "Diabetes mellitus type 2", 50, 2);
    candidate("conditions:3", EventKind.DIAGNOSIS, "SNOMED-CT", "105", "test condition", 40, 1);
    candidate("conditions:4", EventKind.DIAGNOSIS, "SNOMED-CT", "130", "test condition", 30, 0);

    List<ScoringRequest.ReasonEvent> reasons = ReasonGroups.of(5).select(candidates, byId);

    assertThat(reasons).extracting(ScoringRequest.ReasonEvent::eventId, ScoringRequest.ReasonEvent::count)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("conditions:2", 2),
            org.assertj.core.groups.Tuple.tuple("procedures:1", 1),  // another kind is another fact
            org.assertj.core.groups.Tuple.tuple("conditions:3", 1),  // two codes of one system: two facts
            org.assertj.core.groups.Tuple.tuple("conditions:4", 1));
  }

  @Test
  void shouldNeverCiteExcludedCodesOrEventsOutsideTheInputAndKeepTheNewestGroups() {
    candidate("observations:q", EventKind.OBSERVATION, "QALY", "QALY", 400, 9);
    candidate("observations:d", EventKind.OBSERVATION, "DALY", "DALY", 400, 8);
    candidate("conditions:gone", EventKind.DIAGNOSIS, "1", "Truncated away", 350, -1);
    candidate("conditions:a", EventKind.DIAGNOSIS, "2", "A", 300, 7);
    candidate("conditions:b", EventKind.DIAGNOSIS, "3", "B", 200, 6);
    candidate("conditions:c", EventKind.DIAGNOSIS, "4", "C", 100, 5);

    List<ScoringRequest.ReasonEvent> reasons = new ReasonGroups(2, Set.of("QALY", "DALY", "QOLS"))
        .select(candidates, byId);

    assertThat(reasons).extracting(ScoringRequest.ReasonEvent::eventId).containsExactly("conditions:a", "conditions:b");
    assertThat(ReasonGroups.of(0).select(candidates, byId)).isEmpty();
    assertThat(ReasonGroups.of(0).candidates()).isZero();
  }

  @Test
  void shouldCiteTheSameGroupsWhateverTheMaxLeavesUncited() {
    candidate("conditions:a", EventKind.DIAGNOSIS, "ICD-10-CM", "E11.9", "Diabetes mellitus type 2", 300, 9);
    candidate("conditions:b", EventKind.DIAGNOSIS, "SNOMED-CT", "38341003", "Hypertension", 200, 8);
    // the code of the uncited group b, with a's description in b's system: it joins b (by code), never a
    candidate("conditions:c", EventKind.DIAGNOSIS, "SNOMED-CT", "38341003", "diabetes mellitus type 2", 100, 7);
    // b's description in another system joins b; in b's system with another code it is a fact of its own
    candidate("conditions:d", EventKind.DIAGNOSIS, "ICD-10-CM", "I10", "hypertension", 90, 6);
    candidate("conditions:e", EventKind.DIAGNOSIS, "SNOMED-CT", "59621000", "Hypertension", 80, 5);

    List<ScoringRequest.ReasonEvent> one = ReasonGroups.of(1).select(candidates, byId);
    List<ScoringRequest.ReasonEvent> five = ReasonGroups.of(5).select(candidates, byId);

    assertThat(five).extracting(ScoringRequest.ReasonEvent::eventId, ScoringRequest.ReasonEvent::count)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("conditions:a", 1),
            org.assertj.core.groups.Tuple.tuple("conditions:b", 3),
            org.assertj.core.groups.Tuple.tuple("conditions:e", 1));
    assertThat(one).containsExactly(five.get(0));
    assertThat(ReasonGroups.of(2).select(candidates, byId)).containsExactly(five.get(0), five.get(1));
  }
}
