package io.riskstream.scoring.encoder;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.riskstream.schemas.EmrEvent;
import io.riskstream.schemas.EventKind;
import io.riskstream.schemas.EventOp;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Everything the encoder learned or was told, written beside each model and read at serving time: the vocabulary
 * (token to id; 0 = {@code [PAD]}, 1 = {@code [OOV]}, then the special sex and age-band tokens, then learned tokens
 * by descending count), the minimum count a learned token needed, per-LOINC quantile bin edges for numeric
 * observations, the maximum input length, age bands, the age and recency feature definitions, and the outcomes.
 *
 * <p>Features: {@code ages[i] = ageYearsAtEvent / ageScale}; {@code recency[i] = log1p(daysFromEventToIndex) /
 * recencyScale} ({@link #RECENCY_LOG1P_DAYS}). A numeric observation of a code with edges {@code e} falls into bin
 * {@code k} = the number of edges {@code <=} the value, so bins run from 0 to {@code e.size()}.
 *
 * <p>{@code excludedCodes}: events with one of these codes (any code system) are left out of the input, in training
 * and in serving alike (e.g. Synthea's QALY, DALY and QOLS: health-economics measures, not clinical facts). A spec
 * with excluded codes is format 2, so that a build that knows only format 1 refuses it instead of encoding those
 * events; a spec without them is written as format 1, byte for byte as before.
 */
public record EncoderSpec(int formatVersion, Map<String, Integer> vocabulary, int minCount, int binCount,
    Map<String, List<Double>> binEdges, int maxLength, List<Integer> ageBands, double ageScale, String recency,
    double recencyScale, List<OutcomeSpec> outcomes,
    @JsonInclude(JsonInclude.Include.NON_EMPTY) Set<String> excludedCodes) {

  /** The format of a spec without excluded codes. */
  public static final int FORMAT_VERSION = 1;
  /** The format of a spec with excluded codes, and the newest this build reads. */
  public static final int FORMAT_VERSION_EXCLUDED_CODES = 2;
  public static final String RECENCY_LOG1P_DAYS = "log1p(days)/recencyScale";
  /**
   * The most distinct text answers a code may have in the training patients for its answers to become tokens: more is
   * free text or an identifier (the largest coded answer set in the Synthea cohorts has 30 values: cause of death).
   */
  public static final int MAX_TEXT_VALUES_PER_CODE = 100;
  public static final List<Integer> DEFAULT_AGE_BANDS = List.of(0, 18, 30, 40, 50, 60, 70, 80, 90);

  private static final ObjectMapper JSON = new ObjectMapper()
      .enable(SerializationFeature.INDENT_OUTPUT)
      .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  /** A spec without excluded codes (format 1). */
  public EncoderSpec(int formatVersion, Map<String, Integer> vocabulary, int minCount, int binCount,
      Map<String, List<Double>> binEdges, int maxLength, List<Integer> ageBands, double ageScale, String recency,
      double recencyScale, List<OutcomeSpec> outcomes) {
    this(formatVersion, vocabulary, minCount, binCount, binEdges, maxLength, ageBands, ageScale, recency,
        recencyScale, outcomes, Set.of());
  }

  public EncoderSpec {
    if (formatVersion != FORMAT_VERSION && formatVersion != FORMAT_VERSION_EXCLUDED_CODES) {
      throw new IllegalArgumentException("unsupported encoder spec formatVersion " + formatVersion
          + " (this build reads " + FORMAT_VERSION + " and " + FORMAT_VERSION_EXCLUDED_CODES + ")");
    }
    TreeSet<String> excluded = new TreeSet<>();
    if (excludedCodes != null) {
      for (String code : excludedCodes) {
        if (code == null || code.isBlank()) {
          throw new IllegalArgumentException("excludedCodes must not hold a blank code");
        }
        excluded.add(code);
      }
    }
    excludedCodes = Collections.unmodifiableSortedSet(excluded);
    if ((formatVersion == FORMAT_VERSION_EXCLUDED_CODES) != !excluded.isEmpty()) {
      throw new IllegalArgumentException("an encoder spec has excludedCodes exactly when its formatVersion is "
          + FORMAT_VERSION_EXCLUDED_CODES + " (formatVersion " + formatVersion + ", " + excluded.size()
          + " excluded codes)");
    }
    vocabulary = sortedById(vocabulary);
    if (!Integer.valueOf(Tokens.PAD_ID).equals(vocabulary.get(Tokens.PAD))
        || !Integer.valueOf(Tokens.OOV_ID).equals(vocabulary.get(Tokens.OOV))) {
      throw new IllegalArgumentException("vocabulary must map " + Tokens.PAD + " to 0 and " + Tokens.OOV + " to 1");
    }
    int expected = 0;
    for (int id : vocabulary.values()) {
      if (id != expected++) {
        throw new IllegalArgumentException("vocabulary ids must be 0..size-1 without gaps, found " + id);
      }
    }
    TreeMap<String, List<Double>> edges = new TreeMap<>();
    binEdges.forEach((code, e) -> {
      for (int i = 1; i < e.size(); i++) {
        if (!(e.get(i - 1) < e.get(i))) {
          throw new IllegalArgumentException("bin edges of " + code + " must be strictly increasing");
        }
      }
      edges.put(code, List.copyOf(e));
    });
    binEdges = Collections.unmodifiableMap(edges);
    if (maxLength < 4) {
      throw new IllegalArgumentException("maxLength must be at least 4, got " + maxLength);
    }
    ageBands = List.copyOf(ageBands);
    if (ageBands.isEmpty() || ageBands.get(0) != 0) {
      throw new IllegalArgumentException("ageBands must start at 0, got " + ageBands);
    }
    for (int i = 1; i < ageBands.size(); i++) {
      if (ageBands.get(i) <= ageBands.get(i - 1)) {
        throw new IllegalArgumentException("ageBands must be strictly increasing, got " + ageBands);
      }
    }
    if (!(ageScale > 0) || !(recencyScale > 0)) {
      throw new IllegalArgumentException("ageScale and recencyScale must be positive");
    }
    if (!RECENCY_LOG1P_DAYS.equals(recency)) {
      throw new IllegalArgumentException("unsupported recency definition '" + recency + "', expected '"
          + RECENCY_LOG1P_DAYS + "'");
    }
    outcomes = List.copyOf(outcomes);
    if (outcomes.isEmpty()) {
      throw new IllegalArgumentException("at least one outcome is required");
    }
  }

  private static Map<String, Integer> sortedById(Map<String, Integer> vocabulary) {
    List<Map.Entry<String, Integer>> entries = new ArrayList<>(vocabulary.entrySet());
    entries.sort(Map.Entry.comparingByValue());
    LinkedHashMap<String, Integer> sorted = new LinkedHashMap<>();
    entries.forEach(e -> sorted.put(e.getKey(), e.getValue()));
    return Collections.unmodifiableMap(sorted);
  }

  /** Id of {@code token}, or 1 ({@code [OOV]}) when it is not in the vocabulary. */
  public int tokenId(String token) {
    return vocabulary.getOrDefault(token, Tokens.OOV_ID);
  }

  public boolean inVocabulary(String token) {
    return vocabulary.containsKey(token);
  }

  public int vocabularySize() {
    return vocabulary.size();
  }

  public List<String> outcomeNames() {
    return outcomes.stream().map(OutcomeSpec::name).toList();
  }

  /** Whether {@code e}'s code is one the encoder leaves out. */
  public boolean excludes(EmrEvent e) {
    return !excludedCodes.isEmpty() && e.getCode() != null && excludedCodes.contains(e.getCode());
  }

  /** Bin of a numeric value of {@code loinc}, or -1 when the code has no bins. */
  public int bin(String loinc, double value) {
    List<Double> edges = binEdges.get(loinc);
    if (edges == null) {
      return -1;
    }
    int k = 0;
    while (k < edges.size() && edges.get(k) <= value) {
      k++;
    }
    return k;
  }

  public static EncoderSpec read(Path file) {
    try (InputStream in = Files.newInputStream(file)) {
      return read(in);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read encoder spec " + file + ": " + e.getMessage(), e);
    }
  }

  public static EncoderSpec read(InputStream in) {
    try {
      return JSON.readValue(in, EncoderSpec.class);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot parse encoder spec: " + e.getMessage(), e);
    }
  }

  public void write(Path file) {
    try {
      Files.write(file, toJsonBytes());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write encoder spec " + file + ": " + e.getMessage(), e);
    }
  }

  /** The canonical JSON of this spec (what {@link #write(Path)} writes; its sha256 identifies the spec). */
  public byte[] toJsonBytes() {
    try {
      return JSON.writeValueAsBytes(this);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Options of {@link #builder()}'s {@link Builder#fit(Iterable) fit}; defaults in parentheses. */
  public static final class Builder {
    private int minCount = 5;
    private int binCount = 5;
    private int maxLength = 128;
    private List<Integer> ageBands = DEFAULT_AGE_BANDS;
    private double ageScale = 100.0;
    private double recencyScale = 10.0;
    private List<OutcomeSpec> outcomes = OutcomeSpec.defaults();
    private Set<String> excludedCodes = Set.of();

    private Builder() {
    }

    /** Codes whose events the encoder leaves out, in any code system (none). */
    public Builder excludedCodes(Set<String> excludedCodes) {
      this.excludedCodes = Set.copyOf(excludedCodes);
      return this;
    }

    /** A token enters the vocabulary when it occurs at least this often in the training patients (5). */
    public Builder minCount(int minCount) {
      this.minCount = minCount;
      return this;
    }

    /** Quantile bins per numeric LOINC code (5: quintiles). */
    public Builder binCount(int binCount) {
      this.binCount = binCount;
      return this;
    }

    /** Maximum input length L in tokens (128). */
    public Builder maxLength(int maxLength) {
      this.maxLength = maxLength;
      return this;
    }

    /** Lower bounds of the age bands in years, starting at 0 ({@link #DEFAULT_AGE_BANDS}). */
    public Builder ageBands(List<Integer> ageBands) {
      this.ageBands = List.copyOf(ageBands);
      return this;
    }

    /** Divisor of ages in years (100). */
    public Builder ageScale(double ageScale) {
      this.ageScale = ageScale;
      return this;
    }

    /** Divisor of log1p(days) (10). */
    public Builder recencyScale(double recencyScale) {
      this.recencyScale = recencyScale;
      return this;
    }

    public Builder outcomes(List<OutcomeSpec> outcomes) {
      this.outcomes = List.copyOf(outcomes);
      return this;
    }

    /**
     * Learns the bins and the vocabulary from the UPSERT events of the training patients only (pass the training
     * split, never validation or test patients). Bins first: per LOINC code with at least {@code minCount} numeric
     * values, the distinct {@code j/binCount} quantiles ({@code j = 1..binCount-1}, lower order statistic). Then
     * the vocabulary: every token the encoder would emit for these events, kept when seen {@code minCount} times,
     * ordered by descending count and then by name (deterministic). A code whose text answers take more than
     * {@link #MAX_TEXT_VALUES_PER_CODE} distinct values is free text or an identifier, not a coded answer (Synthea's
     * PRAPARE address, 56799-0, and household income written as text, 63586-2): its code token stays, its value
     * tokens do not, so that no street address or similar value of a training patient enters the vocabulary (which
     * ships with the model) and the model cannot learn patients by them. {@code trainingPatients} is iterated twice (it
     * may read them anew each time, e.g. a cohort too large for the heap, part by part).
     */
    public EncoderSpec fit(Iterable<? extends List<EmrEvent>> trainingPatients) {
      if (minCount < 1 || binCount < 1) {
        throw new IllegalArgumentException("minCount and binCount must be positive");
      }
      Map<String, DoubleList> values = new HashMap<>();
      for (List<EmrEvent> events : trainingPatients) {
        for (EmrEvent e : events) {
          if (e.getOp() == EventOp.UPSERT && e.getKind() == EventKind.OBSERVATION && e.getCode() != null
              && Tokens.hasNumericValue(e) && !excludedCodes.contains(e.getCode())) {
            values.computeIfAbsent(e.getCode(), c -> new DoubleList()).add(e.getValue());
          }
        }
      }
      Map<String, List<Double>> edges = new TreeMap<>();
      values.forEach((code, list) -> {
        if (list.size >= minCount) {
          List<Double> e = quantileEdges(list.sorted(), binCount);
          if (!e.isEmpty()) {
            edges.put(code, e);
          }
        }
      });
      LinkedHashMap<String, Integer> specials = new LinkedHashMap<>();
      specials.put(Tokens.PAD, Tokens.PAD_ID);
      specials.put(Tokens.OOV, Tokens.OOV_ID);
      for (String sex : Tokens.SEXES) {
        specials.put(Tokens.sex(sex), specials.size());
      }
      for (int band : ageBands) {
        specials.put(Tokens.ageBand(ageBands, band), specials.size());
      }
      // Bins are known now; tokens are counted with a spec whose vocabulary holds only the specials.
      int format = excludedCodes.isEmpty() ? FORMAT_VERSION : FORMAT_VERSION_EXCLUDED_CODES;
      EncoderSpec binsOnly = new EncoderSpec(format, specials, minCount, binCount, edges, maxLength,
          ageBands, ageScale, RECENCY_LOG1P_DAYS, recencyScale, outcomes, excludedCodes);
      Map<String, Long> counts = new HashMap<>();
      Map<String, Set<String>> textTokensByCode = new HashMap<>();
      for (List<EmrEvent> events : trainingPatients) {
        for (EmrEvent e : events) {
          if (e.getOp() == EventOp.UPSERT) {
            for (String token : HistoryEncoder.candidateTokens(binsOnly, e)) {
              counts.merge(token, 1L, Long::sum);
            }
            if (e.getKind() == EventKind.OBSERVATION && !Tokens.hasNumericValue(e) && Tokens.hasTextValue(e)) {
              textTokensByCode.computeIfAbsent(Tokens.observation(e), c -> new HashSet<>())
                  .add(Tokens.observationText(e));
            }
          }
        }
      }
      Set<String> freeText = new HashSet<>();
      textTokensByCode.values().stream().filter(tokens -> tokens.size() > MAX_TEXT_VALUES_PER_CODE)
          .forEach(freeText::addAll);
      List<Map.Entry<String, Long>> kept = new ArrayList<>();
      counts.entrySet().stream()
          .filter(en -> en.getValue() >= minCount && !specials.containsKey(en.getKey())
              && !freeText.contains(en.getKey()))
          .forEach(kept::add);
      kept.sort(Comparator.<Map.Entry<String, Long>>comparingLong(Map.Entry::getValue).reversed()
          .thenComparing(Map.Entry::getKey));
      LinkedHashMap<String, Integer> vocabulary = new LinkedHashMap<>(specials);
      kept.forEach(en -> vocabulary.put(en.getKey(), vocabulary.size()));
      return new EncoderSpec(format, vocabulary, minCount, binCount, edges, maxLength, ageBands, ageScale,
          RECENCY_LOG1P_DAYS, recencyScale, outcomes, excludedCodes);
    }
  }

  static List<Double> quantileEdges(double[] sorted, int binCount) {
    List<Double> edges = new ArrayList<>();
    for (int j = 1; j < binCount; j++) {
      double q = sorted[(int) Math.min(sorted.length - 1, (long) j * sorted.length / binCount)];
      if (edges.isEmpty() || q > edges.get(edges.size() - 1)) {
        edges.add(q);
      }
    }
    // An edge equal to the minimum would leave bin 0 empty; drop it.
    if (!edges.isEmpty() && edges.get(0) <= sorted[0]) {
      edges.remove(0);
    }
    return edges;
  }

  /** A growable primitive list: values of one code may be millions, boxing them would triple memory. */
  private static final class DoubleList {
    private double[] data = new double[16];
    private int size;

    void add(double v) {
      if (size == data.length) {
        data = Arrays.copyOf(data, size * 2);
      }
      data[size++] = v;
    }

    double[] sorted() {
      double[] copy = Arrays.copyOf(data, size);
      Arrays.sort(copy);
      return copy;
    }
  }
}
