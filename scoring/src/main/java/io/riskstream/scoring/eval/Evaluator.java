package io.riskstream.scoring.eval;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.riskstream.schemas.EmrEvent;
import io.riskstream.scoring.ModelInput;
import io.riskstream.scoring.Scorer;
import io.riskstream.scoring.dataset.DatasetBuilder;
import io.riskstream.scoring.dataset.Sample;
import io.riskstream.scoring.dataset.SamplingOptions;
import io.riskstream.scoring.encoder.HistoryEncoder;
import io.riskstream.scoring.encoder.PreparedHistory;
import io.riskstream.scoring.model.ModelBundle;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Evaluates a model on any cohort: samples index times and labels them with {@link DatasetBuilder} (same rules as
 * the training data), encodes with the bundle's encoder spec, scores with the given scorer and reports per-outcome
 * AUROC, AUPRC (with seeded bootstrap intervals), prevalence, n and Brier score over the non-masked labels.
 */
public final class Evaluator {

  private static final Logger LOG = LoggerFactory.getLogger(Evaluator.class);
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private final ModelBundle bundle;
  private final Scorer scorer;
  private final SamplingOptions sampling;
  private final int batchSize;
  private final int bootstrapResamples;

  /**
   * @param batchSize inputs per {@link Scorer#score} call
   * @param bootstrapResamples resamples of the 95% intervals (0: no intervals); seeded with the sampling seed
   */
  public Evaluator(ModelBundle bundle, Scorer scorer, SamplingOptions sampling, int batchSize,
      int bootstrapResamples) {
    if (batchSize < 1 || bootstrapResamples < 0) {
      throw new IllegalArgumentException("batchSize must be positive and bootstrapResamples not negative");
    }
    if (!scorer.info().outcomes().equals(bundle.spec().outcomeNames())) {
      throw new IllegalArgumentException("the scorer's outcomes " + scorer.info().outcomes()
          + " differ from the bundle's " + bundle.spec().outcomeNames());
    }
    this.bundle = bundle;
    this.scorer = scorer;
    this.sampling = sampling;
    this.batchSize = batchSize;
    this.bootstrapResamples = bootstrapResamples;
  }

  /**
   * Scored index times: per sample the patient, labels (outcome order; -1 = masked) and probabilities, patients in
   * id order.
   */
  public record ScoredSamples(List<String> patients, List<float[]> labels, List<float[]> probabilities) {

    /**
     * The samples of disjoint sets of patients (each as {@link #score} returns them) in patient id order, each
     * patient's in their order: what one {@link #score} over all of them returns.
     */
    public static ScoredSamples merge(List<ScoredSamples> parts) {
      List<int[]> at = new ArrayList<>();  // (part, first index) of each patient's run of samples
      for (int p = 0; p < parts.size(); p++) {
        List<String> ids = parts.get(p).patients();
        for (int i = 0; i < ids.size(); i++) {
          if (i == 0 || !ids.get(i).equals(ids.get(i - 1))) {
            at.add(new int[] {p, i});
          }
        }
      }
      at.sort(java.util.Comparator.comparing(a -> parts.get(a[0]).patients().get(a[1])));
      List<String> ids = new ArrayList<>();
      List<float[]> labels = new ArrayList<>();
      List<float[]> probabilities = new ArrayList<>();
      for (int[] a : at) {
        ScoredSamples part = parts.get(a[0]);
        String id = part.patients().get(a[1]);
        for (int i = a[1]; i < part.patients().size() && part.patients().get(i).equals(id); i++) {
          ids.add(id);
          labels.add(part.labels().get(i));
          probabilities.add(part.probabilities().get(i));
        }
      }
      return new ScoredSamples(ids, labels, probabilities);
    }
  }

  public EvaluationReport evaluate(Map<String, List<EmrEvent>> patients, String cohort) {
    return report(score(patients), patients.size(), cohort);
  }

  /** Samples, labels and scores every patient's index times. */
  public ScoredSamples score(Map<String, List<EmrEvent>> patients) {
    DatasetBuilder builder = new DatasetBuilder(bundle.outcomes(), sampling);
    HistoryEncoder encoder = new HistoryEncoder(bundle.spec());
    List<String> ids = new ArrayList<>();
    List<float[]> labels = new ArrayList<>();
    List<float[]> probabilities = new ArrayList<>();
    List<ModelInput> pending = new ArrayList<>(batchSize);
    for (Map.Entry<String, List<EmrEvent>> entry : new TreeMap<>(patients).entrySet()) {
      PreparedHistory history = PreparedHistory.of(entry.getValue());
      for (Sample sample : builder.samples(entry.getKey(), history)) {
        ids.add(entry.getKey());
        labels.add(sample.labels());
        pending.add(encoder.encode(history, sample.indexTimeMillis()).input());
        if (pending.size() == batchSize) {
          probabilities.addAll(List.of(scorer.score(pending)));
          pending.clear();
        }
      }
    }
    if (!pending.isEmpty()) {
      probabilities.addAll(List.of(scorer.score(pending)));
    }
    return new ScoredSamples(ids, labels, probabilities);
  }

  /** The report of scored samples of {@code patientCount} patients. */
  public EvaluationReport report(ScoredSamples scored, int patientCount, String cohort) {
    int k = bundle.outcomes().size();
    List<float[]> labels = scored.labels();
    List<float[]> probabilities = scored.probabilities();
    List<EvaluationReport.OutcomeResult> results = new ArrayList<>();
    double aurocSum = 0;
    int aurocCount = 0;
    for (int o = 0; o < k; o++) {
      int n = 0;
      for (float[] l : labels) {
        if (l[o] >= 0) {
          n++;
        }
      }
      double[] scores = new double[n];
      int[] y = new int[n];
      int j = 0;
      int positives = 0;
      for (int i = 0; i < labels.size(); i++) {
        float l = labels.get(i)[o];
        if (l >= 0) {
          scores[j] = probabilities.get(i)[o];
          y[j] = l > 0 ? 1 : 0;
          positives += y[j];
          j++;
        }
      }
      long seed = sampling.seed() + o;
      Metrics.Interval auroc = interval(scores, y, Metrics::auroc, seed);
      Metrics.Interval auprc = interval(scores, y, Metrics::averagePrecision, seed);
      if (!Double.isNaN(auroc.estimate())) {
        aurocSum += auroc.estimate();
        aurocCount++;
      }
      results.add(new EvaluationReport.OutcomeResult(bundle.outcomes().get(o).name(), n, positives,
          n == 0 ? Double.NaN : (double) positives / n, auroc, auprc, n == 0 ? Double.NaN : Metrics.brier(scores, y)));
    }
    LOG.info("evaluated model {} on {} patients, {} samples", bundle.name(), patientCount, labels.size());
    return new EvaluationReport(bundle.name(), bundle.version(), bundle.sha256(), scorer.info().backend(), cohort,
        patientCount, labels.size(), aurocCount == 0 ? Double.NaN : aurocSum / aurocCount, results);
  }

  /**
   * Operating points per outcome ({@link OperatingPoints}), chosen on the patients that {@code selection} picks and
   * checked on the others; masked index times are left out.
   */
  public List<OperatingPoints.Outcome> operatingPoints(ScoredSamples scored,
      java.util.function.Predicate<String> selection, OperatingPoints.Target target) {
    List<OperatingPoints.Outcome> out = new ArrayList<>();
    for (int o = 0; o < bundle.outcomes().size(); o++) {
      int n = 0;
      for (float[] l : scored.labels()) {
        n += l[o] >= 0 ? 1 : 0;
      }
      double[] scores = new double[n];
      int[] y = new int[n];
      boolean[] selected = new boolean[n];
      int j = 0;
      for (int i = 0; i < scored.labels().size(); i++) {
        float l = scored.labels().get(i)[o];
        if (l >= 0) {
          scores[j] = scored.probabilities().get(i)[o];
          y[j] = l > 0 ? 1 : 0;
          selected[j] = selection.test(scored.patients().get(i));
          j++;
        }
      }
      out.add(OperatingPoints.choose(bundle.outcomes().get(o).name(), scores, y, selected, target));
    }
    return out;
  }

  private Metrics.Interval interval(double[] scores, int[] y, java.util.function.BiFunction<double[], int[], Double> f,
      long seed) {
    if (bootstrapResamples == 0 || scores.length == 0) {
      double estimate = scores.length == 0 ? Double.NaN : f.apply(scores, y);
      return new Metrics.Interval(estimate, Double.NaN, Double.NaN);
    }
    return Metrics.bootstrap(scores, y, f, bootstrapResamples, seed);
  }

  /** The report as indented JSON (NaN written as the string "NaN"). */
  public static String toJson(EvaluationReport report) {
    try {
      return JSON.writeValueAsString(report);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
