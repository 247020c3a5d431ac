package io.riskstream.scoring.encoder;

import static io.riskstream.scoring.TestEvents.DAY;
import static io.riskstream.scoring.TestEvents.coded;
import static io.riskstream.scoring.TestEvents.demographics;
import static io.riskstream.scoring.TestEvents.diagnosis;
import static io.riskstream.scoring.TestEvents.encounter;
import static io.riskstream.scoring.TestEvents.observation;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.riskstream.schemas.EmrEvent;
import io.riskstream.schemas.EventKind;
import io.riskstream.schemas.EventOp;
import io.riskstream.scoring.ModelInput;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HistoryEncoderTest {

  static final String P = "patient-1";

  /** A hand-written spec: ids are fixed so the golden token ids below are exact. */
  static EncoderSpec spec(int maxLength) {
    List<String> tokens = List.of("[PAD]", "[OOV]", "sex:male", "sex:female", "sex:other", "sex:unknown",
        "age:0-17", "age:18-49", "age:50+",
        "enc:ambulatory", "encounter:SNOMED-CT:185349003", "diagnosis:SNOMED-CT:44054006",
        "obs:4548-4:bin0", "obs:4548-4:bin1", "obs:4548-4:bin2", "obs:72166-2:Never smoker", "obs:8302-2",
        "procedure:SNOMED-CT:430193006");
    Map<String, Integer> vocabulary = new LinkedHashMap<>();
    tokens.forEach(t -> vocabulary.put(t, vocabulary.size()));
    return new EncoderSpec(1, vocabulary, 1, 3, Map.of("4548-4", List.of(5.7, 6.5)), maxLength, List.of(0, 18, 50),
        100.0, EncoderSpec.RECENCY_LOG1P_DAYS, 10.0, OutcomeSpec.defaults());
  }

  /** Born on day 0 (1970-01-01), female; events on days 18262..18290; index time day 18300. */
  static List<EmrEvent> history() {
    List<EmrEvent> events = new ArrayList<>();
    events.add(demographics(P, 0, "female"));
    events.add(encounter(P, "encounters:e1", 18262, 18262.5, "ambulatory", "185349003"));
    events.add(diagnosis(P, "conditions:c1", 18262, "44054006"));
    events.add(observation(P, "observations:o1", 18270, "4548-4", 7.0, null));
    events.add(observation(P, "observations:o2", 18270, "72166-2", null, "Never smoker"));
    events.add(observation(P, "observations:o3", 18280, "72166-2", null, "Former smoker"));
    events.add(coded(P, "medications:m1", EventKind.MEDICATION, 18290, "RxNorm", "860975"));
    events.add(observation(P, "observations:o4", 18290, "8302-2", 170.0, null));
    return events;
  }

  @Test
  void shouldEncodeAHandBuiltHistoryExactly() {
    List<EmrEvent> events = history();
    Collections.reverse(events);
    EncodedHistory encoded = new HistoryEncoder(spec(64)).encode(events, 18300 * DAY);
    ModelInput input = encoded.input();

    // sex, age band at index (50.1 y), dx and encounter of day 18262 in eventId order ("conditions:" sorts before
    // "encounters:"): dx, enc class, enc code; HbA1c 7.0 (>= 6.5: bin2), smoker text in vocab,
    // smoker text not in vocab (obs:72166-2 not in vocab either: OOV), unknown medication (OOV), height (no bins).
    assertThat(input.tokens()).containsExactly(3, 8, 11, 9, 10, 14, 15, 1, 1, 16);
    assertThat(encoded.positionEventIds()).containsExactly("patients:patient-1", "patients:patient-1",
        "conditions:c1", "encounters:e1", "encounters:e1", "observations:o1", "observations:o2", "observations:o3",
        "medications:m1", "observations:o4");
    assertThat(encoded.eventCount()).isEqualTo(8);
    // ages: years since birth / 100 (18300 / 365.25 = 50.1027 y at index; 18262 d = 49.9986 y; ...).
    float[] ages = {0.501027f, 0.501027f, 0.499986f, 0.499986f, 0.499986f, 0.500205f, 0.500205f, 0.500479f,
        0.500753f, 0.500753f};
    // recency: log1p(days before index) / 10: 0 for demographics; 38 d -> ln(39)/10; 30 d; 20 d; 10 d.
    float[] recency = {0f, 0f, 0.366356f, 0.366356f, 0.366356f, 0.343399f, 0.343399f, 0.304452f, 0.239790f,
        0.239790f};
    for (int i = 0; i < ages.length; i++) {
      assertThat(input.ages()[i]).as("age %d", i).isCloseTo(ages[i], within(1e-6f));
      assertThat(input.recency()[i]).as("recency %d", i).isCloseTo(recency[i], within(1e-6f));
    }
  }

  @Test
  void shouldNeverLetAnEventAtOrAfterTheIndexTimeIn() {
    List<EmrEvent> events = new ArrayList<>(history());
    events.add(diagnosis(P, "conditions:at-index", 18300, "44054006"));
    events.add(diagnosis(P, "conditions:after", 18301, "44054006"));
    HistoryEncoder encoder = new HistoryEncoder(spec(64));

    EncodedHistory encoded = encoder.encode(events, 18300 * DAY);

    assertThat(encoded.positionEventIds()).doesNotContain("conditions:at-index", "conditions:after");
    assertThat(encoded.input()).isEqualTo(encoder.encode(history(), 18300 * DAY).input());
    // One millisecond later the event at the index time enters.
    assertThat(encoder.encode(events, 18300 * DAY + 1).positionEventIds()).contains("conditions:at-index")
        .doesNotContain("conditions:after");
  }

  @Test
  void shouldKeepTheNewestTokensAndTheDemographicsWhenTruncating() {
    HistoryEncoder encoder = new HistoryEncoder(spec(5));

    EncodedHistory encoded = encoder.encode(history(), 18300 * DAY);

    // 2 demographic tokens + the newest 3 event tokens.
    assertThat(encoded.input().tokens()).containsExactly(3, 8, 1, 1, 16);
    assertThat(encoded.positionEventIds()).containsExactly("patients:patient-1", "patients:patient-1",
        "observations:o3", "medications:m1", "observations:o4");
    assertThat(encoded.eventCount()).isEqualTo(8);
    assertThat(encoded.input().recency()[4]).isCloseTo(0.239790f, within(1e-6f));
  }

  @Test
  void shouldMapUnknownCodesToTheOutOfVocabularyToken() {
    List<EmrEvent> events = List.of(demographics(P, 0, "female"),
        diagnosis(P, "conditions:x", 18000, "999999999"),
        coded(P, "procedures:x", EventKind.PROCEDURE, 18001, "SNOMED-CT", "430193006"),
        observation(P, "observations:x", 18002, "0000-0", 1.0, null));

    ModelInput input = new HistoryEncoder(spec(64)).encode(events, 18300 * DAY).input();

    assertThat(input.tokens()).containsExactly(3, 8, 1, 17, 1);
  }

  @Test
  void shouldIgnoreDeletes() {
    List<EmrEvent> events = new ArrayList<>(history());
    events.add(EmrEvent.newBuilder(diagnosis(P, "conditions:deleted", 18295, "44054006")).setOp(EventOp.DELETE)
        .build());
    HistoryEncoder encoder = new HistoryEncoder(spec(64));

    assertThat(encoder.encode(events, 18300 * DAY)).isEqualTo(encoder.encode(history(), 18300 * DAY));
  }

  @Test
  void shouldOrderEventsOfTheSameTimeByEventId() {
    List<EmrEvent> events = List.of(demographics(P, 0, "male"),
        diagnosis(P, "b", 18000, "44054006"),
        coded(P, "a", EventKind.PROCEDURE, 18000, "SNOMED-CT", "430193006"));

    EncodedHistory encoded = new HistoryEncoder(spec(64)).encode(events, 18300 * DAY);

    assertThat(encoded.input().tokens()).containsExactly(2, 8, 17, 11);
  }

  @Test
  void shouldEncodeAnEmptyHistoryAsOneOutOfVocabularyToken() {
    EncodedHistory encoded = new HistoryEncoder(spec(64)).encode(history(), -5 * DAY);

    assertThat(encoded.input().tokens()).containsExactly(1);
    assertThat(encoded.eventCount()).isZero();
    assertThat(encoded.newestEventIds(3)).isEmpty();
  }

  @Test
  void shouldRemoveAllTokensOfAnEventForOcclusion() {
    EncodedHistory encoded = new HistoryEncoder(spec(64)).encode(history(), 18300 * DAY);

    ModelInput without = encoded.withoutEvent("encounters:e1");

    assertThat(without.tokens()).containsExactly(3, 8, 11, 14, 15, 1, 1, 16);
    assertThat(without.recency()[2]).isEqualTo(encoded.input().recency()[4]);
    assertThat(encoded.withoutEvent("no-such-event")).isEqualTo(encoded.input());
  }

  @Test
  void shouldListTheNewestDistinctEventIdsFirst() {
    EncodedHistory encoded = new HistoryEncoder(spec(64)).encode(history(), 18300 * DAY);

    assertThat(encoded.newestEventIds(4)).containsExactly("observations:o4", "medications:m1", "observations:o3",
        "observations:o2");
    assertThat(encoded.newestEventIds(100)).hasSize(8).endsWith("patients:patient-1");
  }

  @Test
  void shouldPrepareTheSameHistoryWhateverOrderTheEventsComeIn() {
    List<EmrEvent> ordered = history();
    ordered.add(3, coded(P, "medications:m0", EventKind.MEDICATION, 18270, "RxNorm", "1"));  // ties on day 18270
    PreparedHistory expected = PreparedHistory.of(ordered);
    assertThat(expected.events()).hasSize(8).isSortedAccordingTo(PreparedHistory.ORDER);
    assertThat(expected.demographics().getEventId()).isEqualTo("patients:patient-1");
    java.util.Random random = new java.util.Random(11);
    for (int round = 0; round < 50; round++) {
      List<EmrEvent> shuffled = new ArrayList<>(ordered);
      Collections.shuffle(shuffled, random);
      PreparedHistory prepared = PreparedHistory.of(shuffled);
      assertThat(prepared.events()).as("round %d", round).isEqualTo(expected.events());
      for (long day = 18261; day <= 18291; day++) {
        long t = day * DAY;
        long before = ordered.stream().filter(e -> e.getKind() != EventKind.DEMOGRAPHICS)
            .filter(e -> e.getEventTime().toEpochMilli() < t).count();
        assertThat(prepared.countBefore(t)).as("round %d day %d", round, day).isEqualTo((int) before);
      }
    }
  }

  @Test
  void shouldEncodeEveryEventWhenEncodingTheLatestHistory() {
    HistoryEncoder encoder = new HistoryEncoder(spec(64));

    EncodedHistory latest = encoder.encodeLatest(history());

    assertThat(HistoryEncoder.asOf(PreparedHistory.of(history()))).isEqualTo(18290 * DAY);
    assertThat(latest).isEqualTo(encoder.encode(history(), 18290 * DAY + 1));
    assertThat(latest.newestEventIds(2)).containsExactly("observations:o4", "medications:m1");
    assertThat(latest.eventCount()).isEqualTo(8);
    assertThat(encoder.encodeLatest(List.of()).input().tokens()).containsExactly(1);
  }

  @Test
  void shouldKeepIdentifiersOutOfToString() {
    EncodedHistory encoded = new HistoryEncoder(spec(64)).encode(history(), 18300 * DAY);

    assertThat(encoded.toString()).isEqualTo("EncodedHistory[length=10, eventCount=8]").doesNotContain(P);
  }
}
