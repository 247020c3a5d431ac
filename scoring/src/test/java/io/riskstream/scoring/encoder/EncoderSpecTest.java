package io.riskstream.scoring.encoder;

import static io.riskstream.scoring.TestEvents.DAY;
import static io.riskstream.scoring.TestEvents.demographics;
import static io.riskstream.scoring.TestEvents.diagnosis;
import static io.riskstream.scoring.TestEvents.observation;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.riskstream.schemas.EmrEvent;
import io.riskstream.schemas.EventOp;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EncoderSpecTest {

  /** Patient i: female, HbA1c values i, i + 10, and the diagnosis 44054006 for even i, 123 for i = 0 only. */
  static List<List<EmrEvent>> patients(int count) {
    List<List<EmrEvent>> patients = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      String p = "p" + i;
      List<EmrEvent> events = new ArrayList<>();
      events.add(demographics(p, 0, "female"));
      events.add(observation(p, p + ":o1", 100, "4548-4", (double) i, null));
      events.add(observation(p, p + ":o2", 101, "4548-4", (double) i + 10, null));
      events.add(observation(p, p + ":o3", 102, "72166-2", null, "Never smoker"));
      if (i % 2 == 0) {
        events.add(diagnosis(p, p + ":d1", 103, "44054006"));
      }
      if (i == 0) {
        events.add(diagnosis(p, p + ":d2", 104, "123"));
      }
      patients.add(events);
    }
    return patients;
  }

  @Test
  void shouldLearnQuantileBinsAndAVocabularyWithAMinimumCount() {
    EncoderSpec spec = EncoderSpec.builder().minCount(3).binCount(4).maxLength(32).fit(patients(10));

    // Values 0..19, 20 of them: quartile edges at sorted[5], sorted[10], sorted[15] = 5, 10, 15.
    assertThat(spec.binEdges()).containsOnlyKeys("4548-4");
    assertThat(spec.binEdges().get("4548-4")).containsExactly(5.0, 10.0, 15.0);
    assertThat(spec.bin("4548-4", 4.9)).isZero();
    assertThat(spec.bin("4548-4", 5.0)).isEqualTo(1);
    assertThat(spec.bin("4548-4", 19)).isEqualTo(3);
    assertThat(spec.bin("8302-2", 1)).isEqualTo(-1);
    // Specials first, then learned tokens by count (bins 5 each, text 10, its fallback 10, dx 5); "123" is rare.
    assertThat(spec.tokenId("[PAD]")).isZero();
    assertThat(spec.tokenId("[OOV]")).isEqualTo(1);
    assertThat(spec.tokenId("sex:male")).isEqualTo(2);
    assertThat(spec.tokenId("age:0-17")).isEqualTo(6);
    assertThat(spec.tokenId("age:90+")).isEqualTo(14);
    List<String> learned = new ArrayList<>(spec.vocabulary().keySet()).subList(15, spec.vocabularySize());
    assertThat(learned).containsExactly("obs:72166-2", "obs:72166-2:Never smoker", "diagnosis:SNOMED-CT:44054006",
        "obs:4548-4:bin0", "obs:4548-4:bin1", "obs:4548-4:bin2", "obs:4548-4:bin3");
    assertThat(spec.tokenId("diagnosis:SNOMED-CT:123")).isEqualTo(1);
    assertThat(spec.maxLength()).isEqualTo(32);
  }

  @Test
  void shouldKeepNoAnswerOfACodeWithFreeTextOrIdentifiersAsAToken() {
    // every patient answers the address question (56799-0) 5 times with their own address: each address is seen 5
    // times, enough for minCount, but 101 distinct answers are no coded answer set
    List<List<EmrEvent>> patients = patients(EncoderSpec.MAX_TEXT_VALUES_PER_CODE + 1);
    for (int i = 0; i < patients.size(); i++) {
      List<EmrEvent> events = new ArrayList<>(patients.get(i));
      for (int k = 0; k < 5; k++) {
        events.add(observation("p" + i, "p" + i + ":a" + k, 110 + k, "56799-0", null, i + " Main Street"));
      }
      patients.set(i, events);
    }

    EncoderSpec spec = EncoderSpec.builder().minCount(3).fit(patients);

    assertThat(spec.inVocabulary("obs:56799-0")).isTrue();  // that the question was asked stays
    assertThat(spec.vocabulary().keySet()).noneMatch(t -> t.startsWith("obs:56799-0:"));
    assertThat(spec.inVocabulary("obs:72166-2:Never smoker")).isTrue();  // a coded answer stays

    // at the limit the answers are still a coded set
    EncoderSpec atLimit = EncoderSpec.builder().minCount(3)
        .fit(patients.subList(0, EncoderSpec.MAX_TEXT_VALUES_PER_CODE));
    assertThat(atLimit.inVocabulary("obs:56799-0:7 Main Street")).isTrue();
  }

  @Test
  void shouldShipNoAnswerOfACodeWithFreeTextOrIdentifiersInTheBundledSpecs() throws Exception {
    for (String model : List.of("emr-risk-small", "emr-risk-base")) {
      EncoderSpec spec;
      try (var in = getClass().getResourceAsStream("/models/" + model + "/encoder-spec.json")) {
        spec = EncoderSpec.read(in);
      }
      Map<String, Long> answersByCode = new java.util.HashMap<>();
      spec.vocabulary().keySet().stream().filter(t -> t.startsWith("obs:") && t.indexOf(':', 4) > 0
          && !t.matches("obs:[^:]+:bin\\d+"))
          .forEach(t -> answersByCode.merge(t.substring(0, t.indexOf(':', 4)), 1L, Long::sum));
      assertThat(answersByCode).as(model).allSatisfy((code, n) ->
          assertThat(n).as(code).isLessThanOrEqualTo(EncoderSpec.MAX_TEXT_VALUES_PER_CODE));
      assertThat(spec.vocabulary().keySet()).as(model).noneMatch(t -> t.startsWith("obs:56799-0:"));
    }
  }

  @Test
  void shouldIgnoreDeletedEventsWhenFitting() {
    List<List<EmrEvent>> patients = patients(10);
    List<EmrEvent> first = new ArrayList<>(patients.get(0));
    for (int i = 0; i < 5; i++) {
      first.add(EmrEvent.newBuilder(diagnosis("p0", "deleted" + i, 200, "999")).setOp(EventOp.DELETE).build());
    }
    patients.set(0, first);

    EncoderSpec spec = EncoderSpec.builder().minCount(3).fit(patients);

    assertThat(spec.inVocabulary("diagnosis:SNOMED-CT:999")).isFalse();
  }

  @Test
  void shouldRoundTripThroughJson(@TempDir Path dir) {
    EncoderSpec spec = EncoderSpec.builder().minCount(3).binCount(4).maxLength(32).fit(patients(10));
    Path file = dir.resolve("encoder-spec.json");

    spec.write(file);

    EncoderSpec read = EncoderSpec.read(file);
    assertThat(read).isEqualTo(spec);
    assertThat(read.toJsonBytes()).isEqualTo(spec.toJsonBytes());
    assertThat(new ArrayList<>(read.vocabulary().values())).isSorted();
    assertThat(EncoderSpec.read(new ByteArrayInputStream(spec.toJsonBytes()))).isEqualTo(spec);
    // The encoder gives the same input with the spec read back.
    List<EmrEvent> history = patients(1).get(0);
    assertThat(new HistoryEncoder(read).encode(history, 200 * DAY))
        .isEqualTo(new HistoryEncoder(spec).encode(history, 200 * DAY));
  }

  @Test
  void shouldRejectAnInvalidSpecWithAClearMessage() {
    assertThatThrownBy(() -> new EncoderSpec(1, Map.of("[PAD]", 0, "x", 1), 1, 5, Map.of(), 32, List.of(0), 100,
        EncoderSpec.RECENCY_LOG1P_DAYS, 10, OutcomeSpec.defaults()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("[OOV]");
    assertThatThrownBy(() -> new EncoderSpec(2, Map.of("[PAD]", 0, "[OOV]", 1), 1, 5, Map.of(), 32, List.of(0), 100,
        EncoderSpec.RECENCY_LOG1P_DAYS, 10, OutcomeSpec.defaults()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("formatVersion");
    assertThatThrownBy(() -> new EncoderSpec(1, Map.of("[PAD]", 0, "[OOV]", 1), 1, 5, Map.of("x", List.of(2.0, 1.0)),
        32, List.of(0), 100, EncoderSpec.RECENCY_LOG1P_DAYS, 10, OutcomeSpec.defaults()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("strictly increasing");
    assertThatThrownBy(() -> EncoderSpec.read(new ByteArrayInputStream("{\"formatVersion\": 1".getBytes())))
        .hasMessageContaining("cannot parse encoder spec");
  }

  @Test
  void shouldLeaveExcludedCodesOutOfFittingAndEncodingAsFormatTwo() {
    List<List<EmrEvent>> patients = patients(10);
    EncoderSpec spec = EncoderSpec.builder().minCount(3).binCount(4).maxLength(32)
        .excludedCodes(java.util.Set.of("72166-2", "4548-4")).fit(patients);

    assertThat(spec.formatVersion()).isEqualTo(EncoderSpec.FORMAT_VERSION_EXCLUDED_CODES);
    assertThat(spec.excludedCodes()).containsExactly("4548-4", "72166-2");
    assertThat(spec.binEdges()).isEmpty();
    assertThat(spec.vocabulary().keySet()).noneMatch(t -> t.contains("4548-4") || t.contains("72166-2"))
        .contains("diagnosis:SNOMED-CT:44054006");
    String json = new String(spec.toJsonBytes(), java.nio.charset.StandardCharsets.UTF_8);
    assertThat(json).contains("\"formatVersion\" : 2").contains("\"excludedCodes\" : [ \"4548-4\", \"72166-2\" ]");
    EncoderSpec read = EncoderSpec.read(new ByteArrayInputStream(spec.toJsonBytes()));
    assertThat(read).isEqualTo(spec);
    assertThat(read.toJsonBytes()).isEqualTo(spec.toJsonBytes());
    // Serving encodes the history as if the excluded events were not there.
    List<EmrEvent> history = patients.get(0);
    List<EmrEvent> without = history.stream()
        .filter(e -> !"4548-4".equals(e.getCode()) && !"72166-2".equals(e.getCode())).toList();
    HistoryEncoder encoder = new HistoryEncoder(read);
    assertThat(encoder.encode(history, 200 * DAY).input()).isEqualTo(encoder.encode(without, 200 * DAY).input());
    assertThat(encoder.encode(history, 200 * DAY).input().length()).isEqualTo(2 + 2);
  }

  @Test
  void shouldWriteTheShippedSpecBackByteForByteAndOneWithoutExcludedCodesAsFormatOne() throws Exception {
    byte[] shipped;
    try (var in = getClass().getResourceAsStream("/models/emr-risk-small/encoder-spec.json")) {
      assertThat(in).isNotNull();
      shipped = in.readAllBytes();
    }
    EncoderSpec spec = EncoderSpec.read(new ByteArrayInputStream(shipped));

    assertThat(spec.formatVersion()).isEqualTo(2);
    assertThat(spec.excludedCodes()).containsExactlyInAnyOrder("QALY", "DALY", "QOLS", "32624-9");
    assertThat(spec.toJsonBytes()).isEqualTo(shipped);

    // The same spec as a format-1 file (what every spec was before excludedCodes) is read and written back unchanged.
    String formatOne = new String(shipped, StandardCharsets.UTF_8)
        .replace("\"formatVersion\" : 2", "\"formatVersion\" : 1")
        .replaceFirst(",\\s*\"excludedCodes\" : \\[[^\\]]*\\]", "");
    assertThat(formatOne).doesNotContain("excludedCodes");
    EncoderSpec one = EncoderSpec.read(new ByteArrayInputStream(formatOne.getBytes(StandardCharsets.UTF_8)));
    assertThat(one.formatVersion()).isEqualTo(EncoderSpec.FORMAT_VERSION);
    assertThat(one.excludedCodes()).isEmpty();
    assertThat(new String(one.toJsonBytes(), StandardCharsets.UTF_8)).isEqualTo(formatOne);
    assertThatThrownBy(() -> new EncoderSpec(1, spec.vocabulary(), 1, 5, Map.of(), 32, List.of(0), 100,
        EncoderSpec.RECENCY_LOG1P_DAYS, 10, OutcomeSpec.defaults(), java.util.Set.of("QALY")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("formatVersion is 2");
    assertThatThrownBy(() -> new EncoderSpec(3, spec.vocabulary(), 1, 5, Map.of(), 32, List.of(0), 100,
        EncoderSpec.RECENCY_LOG1P_DAYS, 10, OutcomeSpec.defaults(), java.util.Set.of("QALY")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("this build reads 1 and 2");
  }
}
