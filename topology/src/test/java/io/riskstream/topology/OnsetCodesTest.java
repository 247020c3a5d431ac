package io.riskstream.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.riskstream.schemas.EmrEvent;
import io.riskstream.schemas.EventKind;
import io.riskstream.schemas.EventOp;
import io.riskstream.schemas.SourceCoordinates;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class OnsetCodesTest {

  /** Outcome 0: code 7; outcome 1: codes 8 and 9. */
  private static final OnsetCodes CODES = new OnsetCodes(List.of(List.of("7"), List.of("8", "9")));

  private static EmrEvent event(String id, EventKind kind, EventOp op, long day, String code) {
    return EmrEvent.newBuilder().setPatientId("p").setEventId(id).setOp(op).setKind(kind)
        .setEventTime(Instant.ofEpochMilli(day * 86_400_000L)).setCodeSystem("SNOMED-CT").setCode(code)
        .setDescription("a long description that is not remembered").setEncounterId("enc-1")
        .setSource(SourceCoordinates.newBuilder().setSystem("s").setTable("conditions").setTopic("t").build()).build();
  }

  private static EmrEvent diagnosis(String id, long day, String code) {
    return event(id, EventKind.DIAGNOSIS, EventOp.UPSERT, day, code);
  }

  @Test
  void shouldTakeOnlyDiagnosisUpsertsWithAnOutcomesCodeAsOnsets() {
    assertThat(CODES.outcomesOf(diagnosis("c1", 1, "7"))).isEqualTo(0b01L);
    assertThat(CODES.outcomesOf(diagnosis("c2", 1, "9"))).isEqualTo(0b10L);
    assertThat(CODES.outcomesOf(diagnosis("c3", 1, "6"))).isZero();
    assertThat(CODES.outcomesOf(event("c4", EventKind.DIAGNOSIS, EventOp.DELETE, 1, "7"))).isZero();
    assertThat(CODES.outcomesOf(event("o1", EventKind.OBSERVATION, EventOp.UPSERT, 1, "7"))).isZero();
    assertThat(CODES.diagnosedBy(List.of(diagnosis("c1", 5, "7"), diagnosis("c2", 9, "8")), 8 * 86_400_000L))
        .isEqualTo(0b01L);
    assertThat(OnsetCodes.indexes(0b1010L)).containsExactly(1, 3);
  }

  @Test
  void shouldRememberOnsetsUntilDeletedOrRecodedAndKeepTheEarliestFourPerOutcome() {
    List<EmrEvent> none = List.of();
    assertThat(CODES.remember(none, diagnosis("c0", 1, "6"))).isSameAs(none);

    List<EmrEvent> known = none;
    for (int day = 10; day >= 5; day--) {  // six onsets of outcome 0, newest first
      known = CODES.remember(known, diagnosis("c" + day, day, "7"));
    }
    known = CODES.remember(known, diagnosis("b1", 20, "9"));
    // outcome 0's earliest four (days 5-8), outcome 1's one; only what the rule needs of each
    assertThat(known).extracting(EmrEvent::getEventId).containsExactly("c5", "c6", "c7", "c8", "b1");
    assertThat(known.get(0).getDescription()).isNull();
    assertThat(known.get(0).getSource().getTopic()).isNull();
    assertThat(CODES.remember(known, diagnosis("c6", 6, "7"))).isSameAs(known);  // a repeat changes nothing

    // a deletion or a new code of a remembered id forgets it
    List<EmrEvent> deleted = CODES.remember(known, event("c5", EventKind.DIAGNOSIS, EventOp.DELETE, 5, "7"));
    List<EmrEvent> recoded = CODES.remember(deleted, diagnosis("b1", 20, "6"));
    assertThat(recoded).extracting(EmrEvent::getEventId).containsExactly("c6", "c7", "c8");
    assertThat(CODES.diagnosedBy(List.of(), recoded, 30 * 86_400_000L)).isEqualTo(0b01L);
    assertThat(CODES.diagnosedBy(List.of(), recoded, 5 * 86_400_000L)).isZero();
  }

  @Test
  void shouldPutTwoModelsOutcomesSideBySide() {
    OnsetCodes both = OnsetCodes.both(CODES, new OnsetCodes(List.of(List.of("6"))));
    assertThat(both.size()).isEqualTo(3);
    assertThat(both.outcomesOf(diagnosis("c", 1, "6"))).isEqualTo(0b100L);
  }
}
