package io.riskstream.scoring.dataset;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.riskstream.schemas.EmrEvent;
import io.riskstream.schemas.EventKind;
import io.riskstream.scoring.ModelInput;
import io.riskstream.scoring.encoder.EncodedHistory;
import io.riskstream.scoring.encoder.EncoderSpec;
import io.riskstream.scoring.encoder.HistoryEncoder;
import io.riskstream.scoring.encoder.OutcomeSpec;
import io.riskstream.scoring.encoder.PreparedHistory;
import io.riskstream.scoring.model.ModelBundle;
import io.riskstream.scoring.npy.Npy;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Samples index times, labels them, and exports a dataset that numpy reads.
 *
 * <p>Labels (per outcome, {@link Sample}): onset = the first UPSERT DIAGNOSIS with one of the outcome's codes;
 * 1 when onset is in (index, index + horizon], -1 when onset is at or before the index time, -1 when there was no
 * onset within the horizon and the data end (death, else the newest event or encounter end) is before index +
 * horizon, else 0. The labels look at the whole history; the model input only at events before the index time.
 */
public final class DatasetBuilder {

  private static final Logger LOG = LoggerFactory.getLogger(DatasetBuilder.class);
  static final long MILLIS_PER_DAY = 86_400_000L;
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
      .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS);

  private final List<OutcomeSpec> outcomes;
  private final SamplingOptions options;

  public DatasetBuilder(List<OutcomeSpec> outcomes, SamplingOptions options) {
    this.outcomes = List.copyOf(outcomes);
    this.options = Objects.requireNonNull(options, "options");
  }

  public List<OutcomeSpec> outcomes() {
    return outcomes;
  }

  public SamplingOptions options() {
    return options;
  }

  /** The samples of one patient, oldest first; none when the history has no demographics (no birth date). */
  public List<Sample> samples(String patientId, List<EmrEvent> events) {
    return samples(patientId, PreparedHistory.of(events));
  }

  public List<Sample> samples(String patientId, PreparedHistory history) {
    List<Sample> samples = new ArrayList<>();
    Long[] onsets = onsets(history);
    long end = dataEnd(history);
    for (long index : indexTimes(patientId, history)) {
      samples.add(new Sample(patientId, index, labels(onsets, end, index)));
    }
    return samples;
  }

  /** Index times of one patient as {@link SamplingOptions} defines them, ascending. */
  public long[] indexTimes(String patientId, PreparedHistory history) {
    EmrEvent demographics = history.demographics();
    if (demographics == null) {
      return new long[0];
    }
    long birth = demographics.getEventTime().toEpochMilli();
    long adult = birth + Math.round(options.minAgeYears() * 365.25 * MILLIS_PER_DAY);
    long end = dataEnd(history);
    long[] candidates = history.events().stream()
        .filter(e -> e.getKind() == EventKind.ENCOUNTER)
        .mapToLong(e -> (e.getEndTime() != null ? e.getEndTime() : e.getEventTime()).toEpochMilli())
        .filter(t -> t >= adult && t <= end)
        .sorted().distinct().toArray();
    Random random = new Random(options.seed() * 31 + patientId.hashCode());
    long window = options.minDaysBetween() * MILLIS_PER_DAY;
    List<Long> picked = new ArrayList<>();
    int i = 0;
    while (i < candidates.length) {
      int j = i;
      while (j + 1 < candidates.length && candidates[j + 1] < candidates[i] + window) {
        j++;
      }
      long choice = candidates[i + random.nextInt(j - i + 1)];
      picked.add(choice);
      i = j + 1;
      while (i < candidates.length && candidates[i] < choice + window) {
        i++;
      }
    }
    return picked.stream().mapToLong(Long::longValue).toArray();
  }

  /** Labels of one index time in outcome order (see the class comment). */
  public float[] labels(PreparedHistory history, long indexTimeMillis) {
    return labels(onsets(history), dataEnd(history), indexTimeMillis);
  }

  /** Per outcome, the time of the first diagnosis with one of its codes, or null. */
  public Long[] onsets(PreparedHistory history) {
    Long[] onsets = new Long[outcomes.size()];
    for (EmrEvent e : history.events()) {
      if (e.getKind() == EventKind.DIAGNOSIS) {
        for (int k = 0; k < outcomes.size(); k++) {
          if (onsets[k] == null && outcomes.get(k).matches(e.getCode())) {
            onsets[k] = e.getEventTime().toEpochMilli();
          }
        }
      }
    }
    return onsets;
  }

  float[] labels(Long[] onsets, long dataEnd, long indexTimeMillis) {
    float[] labels = new float[outcomes.size()];
    for (int k = 0; k < outcomes.size(); k++) {
      Long onset = onsets[k];
      long horizonEnd = indexTimeMillis + outcomes.get(k).horizonDays() * MILLIS_PER_DAY;
      if (onset != null && onset <= indexTimeMillis) {
        labels[k] = -1f;
      } else if (onset != null && onset <= horizonEnd) {
        labels[k] = 1f;
      } else if (dataEnd < horizonEnd) {
        labels[k] = -1f;
      } else {
        labels[k] = 0f;
      }
    }
    return labels;
  }

  /** Death when recorded, else the newest event time or encounter end. */
  public static long dataEnd(PreparedHistory history) {
    EmrEvent demographics = history.demographics();
    if (demographics != null && demographics.getEndTime() != null) {
      return demographics.getEndTime().toEpochMilli();
    }
    long end = demographics == null ? Long.MIN_VALUE : demographics.getEventTime().toEpochMilli();
    for (EmrEvent e : history.events()) {
      end = Math.max(end, e.getEventTime().toEpochMilli());
      if (e.getKind() == EventKind.ENCOUNTER && e.getEndTime() != null) {
        end = Math.max(end, e.getEndTime().toEpochMilli());
      }
    }
    return end;
  }

  /**
   * Fits the encoder spec on the training split's patients, samples and labels every patient, and writes to
   * {@code outDir}: {@code tokens.npy} int64 [N,L] (right-padded), {@code ages.npy} and {@code recency.npy} float32
   * [N,L], {@code labels.npy} float32 [N,K], {@code split.npy} int8 [N] (0 train, 1 validation, 2 test),
   * {@code patient.npy} int32 [N] (index of the patient in id order, not the id), {@code index_time.npy} int64 [N]
   * (epoch millis), {@code encoder-spec.json} and {@code dataset.json}. Rows are ordered by patient id, then
   * index time.
   *
   * @param cohort where the events came from, recorded in dataset.json
   */
  public DatasetSummary export(Map<String, List<EmrEvent>> patients, EncoderSpec.Builder specBuilder, Path outDir,
      String cohort) {
    return export(CohortParts.of(cohort, patients), specBuilder, outDir);
  }

  /**
   * As {@link #export(Map, EncoderSpec.Builder, Path, String)}, reading the cohort one part at a time: twice the
   * training patients of each part to fit the spec (values, then tokens), then each part's patients to write their
   * rows, so that only one part's events are held at a time. Rows are ordered by part, then patient id, then index
   * time; {@code patient.npy} counts the patients in that order. A patient id in two parts is refused.
   */
  public DatasetSummary export(CohortParts parts, EncoderSpec.Builder specBuilder, Path outDir) {
    Iterable<List<EmrEvent>> training = () -> new PartIterator(parts, id -> Split.of(id) == Split.TRAIN);
    EncoderSpec spec = specBuilder.outcomes(outcomes).fit(training);
    HistoryEncoder encoder = new HistoryEncoder(spec);
    int length = spec.maxLength();
    int k = outcomes.size();
    Map<Split, int[]> patientsPerSplit = new EnumMap<>(Split.class);
    Map<Split, int[]> samplesPerSplit = new EnumMap<>(Split.class);
    Map<Split, int[][]> labelCounts = new EnumMap<>(Split.class);
    for (Split s : Split.values()) {
      patientsPerSplit.put(s, new int[1]);
      samplesPerSplit.put(s, new int[1]);
      labelCounts.put(s, new int[k][3]);
    }
    int withoutDemographics = 0;
    int n = 0;
    int p = 0;
    Set<String> seen = new HashSet<>();
    try {
      Files.createDirectories(outDir);
      try (Npy.Writer tokensOut = Npy.Writer.openRows(outDir.resolve("tokens.npy"), Npy.DType.INT64, length);
           Npy.Writer agesOut = Npy.Writer.openRows(outDir.resolve("ages.npy"), Npy.DType.FLOAT32, length);
           Npy.Writer recencyOut = Npy.Writer.openRows(outDir.resolve("recency.npy"), Npy.DType.FLOAT32, length);
           Npy.Writer labelsOut = Npy.Writer.openRows(outDir.resolve("labels.npy"), Npy.DType.FLOAT32, k);
           Npy.Writer splitOut = Npy.Writer.openRows(outDir.resolve("split.npy"), Npy.DType.INT8);
           Npy.Writer patientOut = Npy.Writer.openRows(outDir.resolve("patient.npy"), Npy.DType.INT32);
           Npy.Writer timeOut = Npy.Writer.openRows(outDir.resolve("index_time.npy"), Npy.DType.INT64)) {
        long[] tokenRow = new long[length];
        float[] ageRow = new float[length];
        float[] recencyRow = new float[length];
        for (int part = 0; part < parts.names().size(); part++) {
          TreeMap<String, List<EmrEvent>> sorted = new TreeMap<>(parts.read(part, id -> true));
          for (Map.Entry<String, List<EmrEvent>> entry : sorted.entrySet()) {
            if (!seen.add(entry.getKey())) {
              // the id itself is not named: patient identifiers stay out of messages and logs
              throw new IllegalArgumentException("a patient of " + parts.names().get(part)
                  + " is also in an earlier part: the same cohort given twice?");
            }
            Split split = Split.of(entry.getKey());
            patientsPerSplit.get(split)[0]++;
            PreparedHistory history = PreparedHistory.of(entry.getValue());
            if (history.demographics() == null) {
              withoutDemographics++;
            }
            long[] times = indexTimes(entry.getKey(), history);
            if (times.length > 0) {
              Long[] onsets = onsets(history);
              long end = dataEnd(history);
              for (long index : times) {
                EncodedHistory encoded = encoder.encode(history, index);
                ModelInput input = encoded.input();
                Arrays.fill(tokenRow, 0L);
                Arrays.fill(ageRow, 0f);
                Arrays.fill(recencyRow, 0f);
                System.arraycopy(input.tokens(), 0, tokenRow, 0, input.length());
                System.arraycopy(input.ages(), 0, ageRow, 0, input.length());
                System.arraycopy(input.recency(), 0, recencyRow, 0, input.length());
                float[] labels = labels(onsets, end, index);
                tokensOut.write(tokenRow);
                agesOut.write(ageRow);
                recencyOut.write(recencyRow);
                labelsOut.write(labels);
                splitOut.write(new byte[] {split.code()});
                patientOut.write(new int[] {p});
                timeOut.write(new long[] {index});
                samplesPerSplit.get(split)[0]++;
                n++;
                for (int o = 0; o < k; o++) {
                  labelCounts.get(split)[o][labels[o] > 0 ? 0 : labels[o] == 0 ? 1 : 2]++;
                }
              }
            }
            p++;
          }
          LOG.info("dataset export: part {} of {} written ({} patients, {} samples so far)", part + 1,
              parts.names().size(), p, n);
        }
      }
      spec.write(outDir.resolve("encoder-spec.json"));
      Map<String, DatasetSummary.SplitCounts> splits = new LinkedHashMap<>();
      for (Split s : Split.values()) {
        Map<String, DatasetSummary.LabelCounts> perOutcome = new LinkedHashMap<>();
        for (int o = 0; o < k; o++) {
          int[] c = labelCounts.get(s)[o];
          perOutcome.put(outcomes.get(o).name(), new DatasetSummary.LabelCounts(c[0], c[1], c[2]));
        }
        splits.put(s.jsonName(), new DatasetSummary.SplitCounts(patientsPerSplit.get(s)[0],
            samplesPerSplit.get(s)[0], perOutcome));
      }
      List<String> names = parts.names();
      DatasetSummary summary = new DatasetSummary(names.size() == 1 ? names.get(0) : null, names, p,
          withoutDemographics, n, length, spec.vocabularySize(), ModelBundle.sha256(spec.toJsonBytes()), options,
          outcomes.stream().map(OutcomeSpec::name).toList(), splits);
      JSON.writeValue(outDir.resolve("dataset.json").toFile(), summary);
      LOG.info("dataset exported: {} patients, {} samples, length {}, vocabulary {}", p, n, length,
          spec.vocabularySize());
      return summary;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot export the dataset to " + outDir + ": " + e.getMessage(), e);
    }
  }

  /** The event lists of the accepted patients of every part, part after part, each part in patient id order. */
  private static final class PartIterator implements Iterator<List<EmrEvent>> {
    private final CohortParts parts;
    private final Predicate<String> accept;
    private int next;
    private Iterator<List<EmrEvent>> current = Collections.emptyIterator();

    PartIterator(CohortParts parts, Predicate<String> accept) {
      this.parts = parts;
      this.accept = accept;
    }

    @Override
    public boolean hasNext() {
      while (!current.hasNext() && next < parts.names().size()) {
        current = new TreeMap<>(parts.read(next++, accept)).values().iterator();
      }
      return current.hasNext();
    }

    @Override
    public List<EmrEvent> next() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      return current.next();
    }
  }
}
