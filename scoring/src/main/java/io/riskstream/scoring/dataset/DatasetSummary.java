package io.riskstream.scoring.dataset;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What {@link DatasetBuilder#export} wrote ({@code dataset.json}): counts per split and outcome, the encoder
 * spec's sha256 and the cohort it came from ({@code cohort}: the one cohort directory, null when it was read from
 * several, which {@code cohorts} lists in reading order). Maps keep their insertion order (splits train, validation,
 * test; outcomes in spec order).
 */
public record DatasetSummary(String cohort, List<String> cohorts, int patients, int patientsWithoutDemographics,
    int samples, int maxLength, int vocabularySize, String specSha256, SamplingOptions sampling, List<String> outcomes,
    Map<String, SplitCounts> splits) {

  public DatasetSummary {
    cohorts = List.copyOf(cohorts);
    outcomes = List.copyOf(outcomes);
    splits = Collections.unmodifiableMap(new LinkedHashMap<>(splits));
  }

  /** Patients and samples of one split, and per outcome its positives, negatives and masked labels. */
  public record SplitCounts(int patients, int samples, Map<String, LabelCounts> outcomes) {
    public SplitCounts {
      outcomes = Collections.unmodifiableMap(new LinkedHashMap<>(outcomes));
    }
  }

  public record LabelCounts(int positives, int negatives, int masked) {
  }
}
