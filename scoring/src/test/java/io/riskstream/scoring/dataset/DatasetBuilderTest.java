package io.riskstream.scoring.dataset;

import static io.riskstream.scoring.TestEvents.DAY;
import static io.riskstream.scoring.TestEvents.demographics;
import static io.riskstream.scoring.TestEvents.diagnosis;
import static io.riskstream.scoring.TestEvents.encounter;
import static io.riskstream.scoring.TestEvents.observation;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.riskstream.schemas.EmrEvent;
import io.riskstream.scoring.ModelInput;
import io.riskstream.scoring.encoder.EncoderSpec;
import io.riskstream.scoring.encoder.HistoryEncoder;
import io.riskstream.scoring.encoder.OutcomeSpec;
import io.riskstream.scoring.model.ModelBundle;
import io.riskstream.scoring.npy.Npy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatasetBuilderTest {

  static final String P = "patient-1";
  static final DatasetBuilder BUILDER = new DatasetBuilder(OutcomeSpec.defaults(), SamplingOptions.defaults());

  /** Born day 0; encounters (half a day long) on days 5000 (age 13.7), 10000, 10300, 10600, 11400; T2D on 10400. */
  static List<EmrEvent> history() {
    List<EmrEvent> events = new ArrayList<>();
    events.add(demographics(P, 0, "male"));
    for (int day : new int[] {5000, 10000, 10300, 10600, 11400}) {
      events.add(encounter(P, "encounters:" + day, day, day + 0.5, "ambulatory", "185349003"));
    }
    events.add(diagnosis(P, "conditions:t2d", 10400, "44054006"));
    events.add(observation(P, "observations:last", 11500, "8302-2", 180.0, null));
    return events;
  }

  @Test
  void shouldSampleAdultEncounterEndsAndLabelOnsetWithinTheHorizon() {
    List<Sample> samples = BUILDER.samples(P, history());

    assertThat(samples).extracting(Sample::indexTimeMillis)
        .containsExactly(Math.round(10000.5 * DAY), Math.round(10300.5 * DAY), Math.round(10600.5 * DAY),
            Math.round(11400.5 * DAY));
    // T2D on 10400: 10000.5 + 365 < 10400 -> 0; 10300.5 -> 1; afterwards already had it -> -1.
    // No hypertension: 0 while follow-up (to day 11500) covers 365 days, -1 at 11400.5. Other outcomes alike.
    float[][] expected = {{0, 0, 0, 0, 0}, {1, 0, 0, 0, 0}, {-1, 0, 0, 0, 0}, {-1, -1, -1, -1, -1}};
    for (int i = 0; i < expected.length; i++) {
      assertThat(samples.get(i).labels()).as("sample %d", i).containsExactly(expected[i]);
    }
  }

  @Test
  void shouldEndFollowUpAtDeath() {
    List<EmrEvent> events = new ArrayList<>(history());
    events.set(0, EmrEvent.newBuilder(events.get(0)).setEndTime(Instant.ofEpochMilli(10500 * DAY)).build());

    List<Sample> samples = BUILDER.samples(P, events);

    assertThat(samples).extracting(Sample::indexTimeMillis)
        .containsExactly(Math.round(10000.5 * DAY), Math.round(10300.5 * DAY));
    // 10000.5 + 365 days is before death: full follow-up.
    assertThat(samples.get(0).labels()).containsExactly(0, 0, 0, 0, 0);
    // Onset seen before death: positive; the others lack 365 days of follow-up: masked.
    assertThat(samples.get(1).labels()).containsExactly(1, -1, -1, -1, -1);
  }

  @Test
  void shouldKeepAtMostOneIndexTimePerWindowDeterministically() {
    List<EmrEvent> events = new ArrayList<>();
    events.add(demographics(P, 0, "female"));
    for (int day = 10000; day < 12000; day += 30) {
      events.add(encounter(P, "encounters:" + day, day, day, "wellness", "410620009"));
    }
    long[] a = BUILDER.indexTimes(P, io.riskstream.scoring.encoder.PreparedHistory.of(events));
    long[] b = BUILDER.indexTimes(P, io.riskstream.scoring.encoder.PreparedHistory.of(events));

    assertThat(a).isEqualTo(b);
    for (int i = 1; i < a.length; i++) {
      assertThat(a[i] - a[i - 1]).isGreaterThanOrEqualTo(180 * DAY);
    }
    // 2000 days of monthly encounters: between 2000 / 360 and 2000 / 180 + 1 windows.
    assertThat(a.length).isBetween(6, 12);
    boolean seedMatters = false;
    for (long seed = 1; seed < 20 && !seedMatters; seed++) {
      long[] other = new DatasetBuilder(OutcomeSpec.defaults(), new SamplingOptions(seed, 18, 180))
          .indexTimes(P, io.riskstream.scoring.encoder.PreparedHistory.of(events));
      seedMatters = !Arrays.equals(other, a);
    }
    assertThat(seedMatters).isTrue();
  }

  @Test
  void shouldSplitPatientsSeventyFifteenFifteenDeterministically() {
    Map<Split, Integer> counts = new EnumMap<>(Split.class);
    for (int i = 0; i < 20_000; i++) {
      counts.merge(Split.of("patient-" + i), 1, Integer::sum);
    }
    assertThat(counts.get(Split.TRAIN) / 20_000.0).isCloseTo(0.70, within(0.015));
    assertThat(counts.get(Split.VALIDATION) / 20_000.0).isCloseTo(0.15, within(0.015));
    assertThat(counts.get(Split.TEST) / 20_000.0).isCloseTo(0.15, within(0.015));
    assertThat(Split.of("patient-7")).isEqualTo(Split.of("patient-7"));
  }

  /** Synthetic cohort: monthly encounters from age 17, random diagnoses and HbA1c values (seeded). */
  static Map<String, List<EmrEvent>> cohort(int patients) {
    Random random = new Random(3);
    Map<String, List<EmrEvent>> cohort = new TreeMap<>();
    for (int p = 0; p < patients; p++) {
      String id = "synthetic-" + p;
      List<EmrEvent> events = new ArrayList<>();
      events.add(demographics(id, p * 50, p % 2 == 0 ? "male" : "female"));
      for (int day = p * 50 + 6200; day < p * 50 + 9000; day += 30 + random.nextInt(60)) {
        events.add(encounter(id, id + ":enc:" + day, day, day + 0.1, random.nextBoolean() ? "ambulatory"
            : "wellness", "185349003"));
        events.add(observation(id, id + ":obs:" + day, day, "4548-4", 4.5 + 3 * random.nextDouble(), null));
        if (random.nextInt(10) == 0) {
          events.add(diagnosis(id, id + ":dx:" + day, day, random.nextBoolean() ? "44054006" : "59621000"));
        }
      }
      if (Split.of(id) == Split.TEST) {
        for (int k = 0; k < 10; k++) {
          events.add(diagnosis(id, id + ":only-test:" + k, p * 50 + 7000 + k, "1234567"));
        }
      }
      cohort.put(id, events);
    }
    return cohort;
  }

  @Test
  void shouldExportArraysNumpyCanReadWithASpecFittedOnTrainingPatientsOnly(@TempDir Path dir) throws Exception {
    Map<String, List<EmrEvent>> cohort = cohort(30);
    Path out = dir.resolve("dataset");

    DatasetSummary summary = BUILDER.export(cohort, EncoderSpec.builder().maxLength(24).minCount(2), out,
        "synthetic-cohort");

    EncoderSpec spec = EncoderSpec.read(out.resolve("encoder-spec.json"));
    assertThat(spec.inVocabulary("diagnosis:SNOMED-CT:1234567")).isFalse();
    assertThat(spec.inVocabulary("diagnosis:SNOMED-CT:44054006")).isTrue();
    assertThat(cohort.keySet().stream().filter(id -> Split.of(id) == Split.TEST)).isNotEmpty();

    int n = summary.samples();
    Npy.NpyArray tokens = Npy.read(out.resolve("tokens.npy"));
    assertThat(tokens.shape()).containsExactly(n, 24);
    assertThat(Npy.read(out.resolve("ages.npy")).shape()).containsExactly(n, 24);
    assertThat(Npy.read(out.resolve("recency.npy")).shape()).containsExactly(n, 24);
    assertThat(Npy.read(out.resolve("labels.npy")).shape()).containsExactly(n, 5);
    byte[] split = Npy.read(out.resolve("split.npy")).asBytes();
    int[] patient = Npy.read(out.resolve("patient.npy")).asInts();
    long[] indexTime = Npy.read(out.resolve("index_time.npy")).asLongs();
    long[] flatTokens = tokens.asLongs();
    float[] flatAges = Npy.read(out.resolve("ages.npy")).asFloats();
    float[] labels = Npy.read(out.resolve("labels.npy")).asFloats();

    // Every row is exactly what the encoder and the labeller give for that patient and index time.
    List<String> ids = new ArrayList<>(cohort.keySet());
    HistoryEncoder encoder = new HistoryEncoder(spec);
    int row = 0;
    for (int p = 0; p < ids.size(); p++) {
      for (Sample sample : BUILDER.samples(ids.get(p), cohort.get(ids.get(p)))) {
        assertThat(patient[row]).isEqualTo(p);
        assertThat(split[row]).isEqualTo(Split.of(ids.get(p)).code());
        assertThat(indexTime[row]).isEqualTo(sample.indexTimeMillis());
        assertThat(Arrays.copyOfRange(labels, row * 5, row * 5 + 5)).containsExactly(sample.labels());
        ModelInput input = encoder.encode(cohort.get(ids.get(p)), sample.indexTimeMillis()).input();
        long[] padded = Arrays.copyOf(input.tokens(), 24);
        assertThat(Arrays.copyOfRange(flatTokens, row * 24, row * 24 + 24)).containsExactly(padded);
        assertThat(Arrays.copyOfRange(flatAges, row * 24, row * 24 + input.length())).containsExactly(input.ages());
        row++;
      }
    }
    assertThat(row).isEqualTo(n).isGreaterThan(30);

    JsonNode json = new ObjectMapper().readTree(out.resolve("dataset.json").toFile());
    assertThat(json.get("cohort").asText()).isEqualTo("synthetic-cohort");
    assertThat(json.get("samples").asInt()).isEqualTo(n);
    assertThat(json.get("specSha256").asText())
        .isEqualTo(ModelBundle.sha256(Files.readAllBytes(out.resolve("encoder-spec.json"))));
    int perSplit = 0;
    for (Split s : Split.values()) {
      perSplit += json.get("splits").get(s.jsonName()).get("samples").asInt();
    }
    assertThat(perSplit).isEqualTo(n);
    JsonNode t2dTrain = json.get("splits").get("train").get("outcomes").get("type2_diabetes");
    long positives = 0;
    for (int r = 0; r < n; r++) {
      if (split[r] == 0 && labels[r * 5] == 1f) {
        positives++;
      }
    }
    assertThat(t2dTrain.get("positives").asLong()).isEqualTo(positives).isPositive();
  }

  @Test
  void shouldExportACohortReadInPartsAsItExportsItWhole(@TempDir Path dir) throws Exception {
    TreeMap<String, List<EmrEvent>> cohort = new TreeMap<>(cohort(30));
    List<String> ids = new ArrayList<>(cohort.keySet());
    // three parts of consecutive ids: part order, then id order, is the whole cohort's id order
    List<Map<String, List<EmrEvent>>> partMaps = List.of(new TreeMap<>(cohort.headMap(ids.get(10))),
        new TreeMap<>(cohort.subMap(ids.get(10), ids.get(21))), new TreeMap<>(cohort.tailMap(ids.get(21))));
    int[] reads = new int[3];
    CohortParts parts = new CohortParts() {
      @Override
      public List<String> names() {
        return List.of("part-a", "part-b", "part-c");
      }

      @Override
      public Map<String, List<EmrEvent>> read(int part, Predicate<String> accept) {
        reads[part]++;
        Map<String, List<EmrEvent>> accepted = new TreeMap<>();
        partMaps.get(part).forEach((id, events) -> {
          if (accept.test(id)) {
            accepted.put(id, events);
          }
        });
        return accepted;
      }
    };
    Path whole = dir.resolve("whole");
    Path inParts = dir.resolve("parts");

    DatasetSummary one = BUILDER.export(cohort, EncoderSpec.builder().maxLength(24).minCount(2), whole, "cohort");
    DatasetSummary three = BUILDER.export(parts, EncoderSpec.builder().maxLength(24).minCount(2), inParts);

    // fitting reads each part's training patients twice (values, then tokens), writing reads it once more
    assertThat(reads).containsExactly(3, 3, 3);
    for (String file : List.of("tokens.npy", "ages.npy", "recency.npy", "labels.npy", "split.npy", "patient.npy",
        "index_time.npy", "encoder-spec.json")) {
      assertThat(Files.readAllBytes(inParts.resolve(file))).as(file)
          .isEqualTo(Files.readAllBytes(whole.resolve(file)));
    }
    assertThat(three.samples()).isEqualTo(one.samples()).isGreaterThan(30);
    assertThat(three.patients()).isEqualTo(30);
    assertThat(three.splits()).isEqualTo(one.splits());
    JsonNode json = new ObjectMapper().readTree(inParts.resolve("dataset.json").toFile());
    assertThat(json.get("cohort").isNull()).isTrue();
    assertThat(json.get("cohorts").toString()).isEqualTo("[\"part-a\",\"part-b\",\"part-c\"]");
    assertThat(new ObjectMapper().readTree(whole.resolve("dataset.json").toFile()).get("cohorts").toString())
        .isEqualTo("[\"cohort\"]");
  }

  @Test
  void shouldRefuseAPatientInTwoPartsWithoutNamingThePatient(@TempDir Path dir) {
    Map<String, List<EmrEvent>> cohort = cohort(12);
    CohortParts twice = new CohortParts() {
      @Override
      public List<String> names() {
        return List.of("/cohorts/s1", "/cohorts/s1-again");
      }

      @Override
      public Map<String, List<EmrEvent>> read(int part, Predicate<String> accept) {
        return CohortParts.of("s1", cohort).read(0, accept);
      }
    };

    assertThatThrownBy(() -> BUILDER.export(twice, EncoderSpec.builder().maxLength(24).minCount(2),
        dir.resolve("ds")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("a patient of /cohorts/s1-again is also in an earlier part: the same cohort given twice?")
        .satisfies(e -> cohort.keySet().forEach(id -> assertThat(e.getMessage()).doesNotContain(id)));
  }
}
