package io.riskstream.app.evaluate;

import io.riskstream.app.demo.DebeziumChangeEvents;
import io.riskstream.schemas.EmrEvent;
import io.riskstream.scoring.ModelInput;
import io.riskstream.scoring.Scorer;
import io.riskstream.scoring.dataset.DatasetBuilder;
import io.riskstream.scoring.dataset.SamplingOptions;
import io.riskstream.scoring.encoder.HistoryEncoder;
import io.riskstream.scoring.encoder.OutcomeSpec;
import io.riskstream.scoring.encoder.PreparedHistory;
import io.riskstream.scoring.model.ModelBundle;
import io.riskstream.topology.HistoryEncoderAdapter;
import io.riskstream.topology.OnsetCodes;
import io.riskstream.topology.PatientHistory;
import io.riskstream.topology.RequestEncoder;
import io.riskstream.topology.ScoringRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Scores one patient's timeline as the stream does. The feed is the demo's ({@link DebeziumChangeEvents}, whole
 * history live): the patient row alone, then one source transaction per encounter (the encounter and every fact
 * carrying its id; a fact without an encounter alone), in event-time order. Each transaction is applied to the
 * bounded history ({@link PatientHistory#applyAll}, the history processor's rules: {@code history.max.events},
 * {@code history.max.age.days}); when it changed the history, the history is encoded as the history processor does
 * ({@link HistoryEncoderAdapter}: index time = newest event time + 1 ms, asOf = that newest time) and scored with the
 * model; the outcomes already diagnosed and the death time are taken from that history and the onset events remembered
 * beyond its bound as the history processor takes them ({@link OnsetCodes#remember}, {@link OnsetCodes#diagnosedBy},
 * {@link ScoringRequest#deathTime}), so the alert policy withholds the same alerts. Thread-safe (the scorer is).
 */
public final class StreamReplay {

  private final Scorer scorer;
  private final RequestEncoder encoder;
  private final DatasetBuilder onsets;
  private final OnsetCodes onsetCodes;
  private final int maxEvents;
  private final Duration maxAge;
  private final int batchSize;

  /**
   * @param maxEvents the stream's {@code history.max.events}
   * @param maxAge the stream's {@code history.max.age.days} (zero: no age bound)
   * @param batchSize inputs per {@link Scorer#score} call
   */
  public StreamReplay(ModelBundle bundle, Scorer scorer, int maxEvents, Duration maxAge, int batchSize) {
    if (!scorer.info().outcomes().equals(bundle.spec().outcomeNames())) {
      throw new IllegalArgumentException("the scorer's outcomes " + scorer.info().outcomes()
          + " differ from the bundle's " + bundle.spec().outcomeNames());
    }
    if (maxEvents < 1 || batchSize < 1) {
      throw new IllegalArgumentException("maxEvents and batchSize must be positive");
    }
    this.scorer = scorer;
    this.encoder = new HistoryEncoderAdapter(new HistoryEncoder(bundle.spec()));
    this.onsets = new DatasetBuilder(bundle.outcomes(), new SamplingOptions(0, 0, 1));
    this.onsetCodes = new OnsetCodes(bundle.outcomes().stream().map(OutcomeSpec::snomedCodes).toList());
    this.maxEvents = maxEvents;
    this.maxAge = maxAge;
    this.batchSize = batchSize;
  }

  /** The patient's scored timeline ({@code events}: the whole record, any order). */
  public PatientTimeline replay(String patientId, List<EmrEvent> events) {
    long[] rejected = new long[1];
    List<DebeziumChangeEvents.Transaction> transactions =
        DebeziumChangeEvents.transactions(Map.of(patientId, events), rejected);
    List<Long> asOf = new ArrayList<>();
    List<Double> ages = new ArrayList<>();
    List<Long> diagnosed = new ArrayList<>();
    Long death = null;
    List<ModelInput> inputs = new ArrayList<>();
    PatientHistory history = PatientHistory.empty();
    List<EmrEvent> remembered = List.of();
    for (DebeziumChangeEvents.Transaction t : transactions) {
      for (EmrEvent e : t.events()) {
        remembered = onsetCodes.remember(remembered, e);
      }
      PatientHistory next = history.applyAll(t.events(), maxEvents, maxAge);
      if (next == history) {
        continue;  // nothing changed: the stream requests no score
      }
      history = next;
      Long newest = history.newestEventTime();
      if (newest == null) {
        continue;
      }
      try {
        inputs.add(encoder.encode(history.events(), newest + 1, 0).input());
      } catch (IllegalArgumentException e) {
        continue;  // the stream dead-letters an unencodable history and scores nothing
      }
      asOf.add(newest);
      Long birth = ScoringRequest.birthTime(history.events());
      ages.add(birth == null ? Double.NaN : HistoryEncoder.ageYears(birth, newest));
      diagnosed.add(onsetCodes.diagnosedBy(history.events(), remembered, newest));
      death = ScoringRequest.deathTime(history.events());  // the demo's feed sends the patient row once, first
    }
    float[][] probabilities = new float[inputs.size()][];
    for (int from = 0; from < inputs.size(); from += batchSize) {
      List<ModelInput> batch = inputs.subList(from, Math.min(inputs.size(), from + batchSize));
      System.arraycopy(scorer.score(batch), 0, probabilities, from, batch.size());
    }
    PreparedHistory whole = PreparedHistory.of(events);
    return new PatientTimeline(patientId, asOf.stream().mapToLong(Long::longValue).toArray(),
        ages.stream().mapToDouble(Double::doubleValue).toArray(), probabilities,
        diagnosed.stream().mapToLong(Long::longValue).toArray(), onsets.onsets(whole), DatasetBuilder.dataEnd(whole),
        death);
  }
}
