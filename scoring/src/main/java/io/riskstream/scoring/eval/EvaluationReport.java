package io.riskstream.scoring.eval;

import java.util.List;

/**
 * The result of {@link Evaluator#evaluate}: the model, the cohort, and per outcome the number of labelled samples,
 * positives, prevalence, AUROC and AUPRC with 95% bootstrap intervals, and the Brier score. JSON-able with Jackson.
 * A metric is NaN (JSON "NaN", Jackson's default) when the outcome has no positives or no negatives.
 */
public record EvaluationReport(String model, String version, String sha256, String backend, String cohort,
    int patients, int samples, double meanAuroc, List<OutcomeResult> outcomes) {

  public EvaluationReport {
    outcomes = List.copyOf(outcomes);
  }

  public record OutcomeResult(String name, int n, int positives, double prevalence, Metrics.Interval auroc,
      Metrics.Interval auprc, double brier) {
  }
}
