package io.riskstream.scoring.eval;

import static io.riskstream.scoring.TestEvents.demographics;
import static io.riskstream.scoring.TestEvents.diagnosis;
import static io.riskstream.scoring.TestEvents.encounter;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.riskstream.schemas.EmrEvent;
import io.riskstream.scoring.ModelInput;
import io.riskstream.scoring.Scorer;
import io.riskstream.scoring.ScorerInfo;
import io.riskstream.scoring.dataset.DatasetBuilder;
import io.riskstream.scoring.dataset.Sample;
import io.riskstream.scoring.dataset.SamplingOptions;
import io.riskstream.scoring.encoder.HistoryEncoder;
import io.riskstream.scoring.model.ModelBundle;
import io.riskstream.scoring.onnx.OnnxRuntimeScorer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class EvaluatorTest {

  /** Patients whose diagnoses use the test model's outcome codes "1", "2", "3" and codes 10..40. */
  static Map<String, List<EmrEvent>> cohort(int patients) {
    Random random = new Random(17);
    Map<String, List<EmrEvent>> cohort = new TreeMap<>();
    for (int p = 0; p < patients; p++) {
      String id = "eval-" + p;
      List<EmrEvent> events = new ArrayList<>();
      events.add(demographics(id, 0, p % 2 == 0 ? "female" : "male"));
      for (int day = 7000 + p; day < 9500; day += 20 + random.nextInt(120)) {
        events.add(encounter(id, id + ":e" + day, day, day + 0.2, "ambulatory", "185349003"));
        int code = random.nextInt(8) == 0 ? 1 + random.nextInt(3) : 10 + random.nextInt(30);
        events.add(diagnosis(id, id + ":d" + day, day, Integer.toString(code)));
      }
      cohort.put(id, events);
    }
    return cohort;
  }

  @Test
  void shouldReportMetricsOverTheSamplesAndLabelsOfTheDatasetBuilder() throws Exception {
    ModelBundle bundle = ModelBundle.load("test-tiny");
    Map<String, List<EmrEvent>> cohort = cohort(40);
    SamplingOptions sampling = new SamplingOptions(5, 18, 120);
    try (OnnxRuntimeScorer scorer = new OnnxRuntimeScorer(bundle, OnnxRuntimeScorer.Options.defaults())) {
      EvaluationReport report = new Evaluator(bundle, scorer, sampling, 32, 100).evaluate(cohort, "test-cohort");

      // Independently: every sample scored alone, metrics over the non-masked labels.
      DatasetBuilder builder = new DatasetBuilder(bundle.outcomes(), sampling);
      HistoryEncoder encoder = new HistoryEncoder(bundle.spec());
      List<float[]> labels = new ArrayList<>();
      List<float[]> probabilities = new ArrayList<>();
      cohort.forEach((id, events) -> {
        for (Sample s : builder.samples(id, events)) {
          labels.add(s.labels());
          ModelInput input = encoder.encode(events, s.indexTimeMillis()).input();
          probabilities.add(scorer.score(List.of(input))[0]);
        }
      });
      assertThat(report.samples()).isEqualTo(labels.size()).isGreaterThan(100);
      assertThat(report.patients()).isEqualTo(40);
      assertThat(report.outcomes()).extracting(EvaluationReport.OutcomeResult::name).containsExactly("a", "b", "c");
      for (int o = 0; o < 3; o++) {
        List<Double> s = new ArrayList<>();
        List<Integer> y = new ArrayList<>();
        for (int i = 0; i < labels.size(); i++) {
          if (labels.get(i)[o] >= 0) {
            s.add((double) probabilities.get(i)[o]);
            y.add((int) labels.get(i)[o]);
          }
        }
        double[] scores = s.stream().mapToDouble(Double::doubleValue).toArray();
        int[] ys = y.stream().mapToInt(Integer::intValue).toArray();
        EvaluationReport.OutcomeResult r = report.outcomes().get(o);
        assertThat(r.n()).isEqualTo(ys.length);
        assertThat(r.positives()).isEqualTo(y.stream().mapToInt(Integer::intValue).sum()).isPositive();
        assertThat(r.prevalence()).isEqualTo((double) r.positives() / r.n());
        assertThat(r.auroc().estimate()).isEqualTo(Metrics.auroc(scores, ys));
        assertThat(r.auprc().estimate()).isEqualTo(Metrics.averagePrecision(scores, ys));
        assertThat(r.brier()).isEqualTo(Metrics.brier(scores, ys));
        assertThat(r.auroc().lower()).isLessThanOrEqualTo(r.auroc().estimate());
        assertThat(r.auroc().upper()).isGreaterThanOrEqualTo(r.auroc().estimate());
      }
      JsonNode json = new ObjectMapper().readTree(Evaluator.toJson(report));
      assertThat(json.get("model").asText()).isEqualTo("test-tiny");
      assertThat(json.get("sha256").asText()).isEqualTo(bundle.sha256());
      assertThat(json.get("outcomes").get(0).get("auroc").get("estimate").asDouble())
          .isEqualTo(report.outcomes().get(0).auroc().estimate());
    }
  }

  @Test
  void shouldRefuseAScorerForAnotherModel() {
    ModelBundle bundle = ModelBundle.load("test-tiny");
    Scorer other = new Scorer() {
      @Override
      public ScorerInfo info() {
        return new ScorerInfo("test", "fp32", "other", "1", "0", List.of("x"));
      }

      @Override
      public float[][] score(List<ModelInput> batch) {
        throw new UnsupportedOperationException();
      }

      @Override
      public void close() {
      }
    };
    assertThatThrownBy(() -> new Evaluator(bundle, other, SamplingOptions.defaults(), 8, 0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("outcomes");
  }
}
