package io.riskstream.scoring.dataset;

import java.util.List;
import java.util.Map;

/**
 * What {@link DatasetBuilder#export} wrote ({@code dataset.json}): counts per split and outcome, the encoder
 * spec's sha256 and the cohort it came from.
 */
public record DatasetSummary(String cohort, int patients, int patientsWithoutDemographics, int samples,
    int maxLength, int vocabularySize, String specSha256, SamplingOptions sampling, List<String> outcomes,
    Map<String, SplitCounts> splits) {

  public DatasetSummary {
    outcomes = List.copyOf(outcomes);
    splits = Map.copyOf(splits);
  }

  /** Patients and samples of one split, and per outcome its positives, negatives and masked labels. */
  public record SplitCounts(int patients, int samples, Map<String, LabelCounts> outcomes) {
    public SplitCounts {
      outcomes = Map.copyOf(outcomes);
    }
  }

  public record LabelCounts(int positives, int negatives, int masked) {
  }
}
