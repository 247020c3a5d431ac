package io.riskstream.topology;

import io.riskstream.schemas.EngineInfo;
import io.riskstream.schemas.ModelInfo;
import io.riskstream.schemas.OutcomeProbability;
import io.riskstream.schemas.RiskScore;
import io.riskstream.schemas.ScoreProvenance;
import io.riskstream.schemas.SourceOffset;
import io.riskstream.scoring.ModelInput;
import io.riskstream.scoring.ScorerInfo;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.common.metrics.Sensor;
import org.apache.kafka.streams.errors.StreamsException;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * score: puts each request into the changelogged store {@value #STORE}, submits its inputs to the per-JVM
 * {@link ScoringBackend} and returns at once; completed requests are forwarded (and deleted from the store) on every
 * process call and in a wall-clock punctuator. A patient's requests are forwarded in history-version order (a
 * completed request waits for its patient's earlier ones), so what the alert policy sees does not depend on
 * scoring timing. On init (start, restart, rebalance) every request in the store is submitted again: nothing is
 * held only in memory across a commit. A scorer failure re-submits the request up to {@code maxRetries} times,
 * then fails the stream thread (the request stays in the store and is re-scored on restart).
 */
public final class ScoreProcessor implements Processor<String, ScoringRequest, String, ScoredRequest> {

  public static final String STORE = "scoring-pending";
  private static final Logger LOG = LoggerFactory.getLogger(ScoreProcessor.class);

  private static final class InFlight {
    final ScoringRequest request;
    List<CompletableFuture<float[]>> futures;
    int attempts;

    InFlight(ScoringRequest request, List<CompletableFuture<float[]>> futures) {
      this.request = request;
      this.futures = futures;
      this.attempts = 1;
    }
  }

  private final ScoringBackend backend;
  private final Duration drainInterval;
  private final int maxRetries;
  private final TreeMap<String, InFlight> inFlight = new TreeMap<>();
  /** Futures completed (on the batcher's threads) since the last drain: drain only walks in-flight when > 0. */
  private final AtomicInteger completions = new AtomicInteger();
  private ProcessorContext<String, ScoredRequest> context;
  private KeyValueStore<String, ScoringRequest> store;
  private Sensor resubmitted;

  public ScoreProcessor(ScoringBackend backend, Duration drainInterval, int maxRetries) {
    this.backend = backend;
    this.drainInterval = drainInterval;
    this.maxRetries = maxRetries;
  }

  @Override
  public void init(ProcessorContext<String, ScoredRequest> context) {
    this.context = context;
    this.store = context.getStateStore(STORE);
    this.resubmitted = context.metrics().addRateTotalSensor(NormalizeProcessor.METRICS_SCOPE,
        context.taskId().toString(), "scoring-resubmitted", Sensor.RecordingLevel.INFO);
    int restored = 0;
    try (KeyValueIterator<String, ScoringRequest> it = store.all()) {
      while (it.hasNext()) {
        var kv = it.next();
        inFlight.put(kv.key, new InFlight(kv.value, submit(kv.value)));
        restored++;
      }
    }
    if (restored > 0) {
      resubmitted.record(restored);
      LOG.info("task {}: re-submitted {} pending scoring requests", context.taskId(), restored);
    }
    context.schedule(drainInterval, PunctuationType.WALL_CLOCK_TIME, t -> drain());
  }

  @Override
  public void process(Record<String, ScoringRequest> record) {
    ScoringRequest r = record.value();
    String key = r.pendingKey();
    if (store.get(key) == null) {
      store.put(key, r);
      inFlight.put(key, new InFlight(r, submit(r)));
    }
    drain();
  }

  private List<CompletableFuture<float[]>> submit(ScoringRequest r) {
    List<CompletableFuture<float[]>> fs = new ArrayList<>(r.inputs().size());
    for (ModelInput in : r.inputs()) {
      CompletableFuture<float[]> f;
      try {
        f = backend.submitter().submit(in);
      } catch (RuntimeException e) {
        f = CompletableFuture.failedFuture(e);
      }
      f.whenComplete((v, e) -> completions.incrementAndGet());
      fs.add(f);
    }
    return fs;
  }

  /** Forwards every completed request whose patient has no earlier request still in flight. */
  void drain() {
    if (completions.getAndSet(0) == 0) {
      return;
    }
    Set<String> blocked = new HashSet<>();
    Iterator<Map.Entry<String, InFlight>> it = inFlight.entrySet().iterator();
    while (it.hasNext()) {
      InFlight f = it.next().getValue();
      String patient = f.request.patientId();
      if (blocked.contains(patient)) {
        continue;
      }
      if (!f.futures.stream().allMatch(CompletableFuture::isDone)) {
        blocked.add(patient);
        continue;
      }
      if (f.futures.stream().anyMatch(CompletableFuture::isCompletedExceptionally)) {
        if (f.attempts > maxRetries) {
          throw new StreamsException("scoring failed " + f.attempts + " times for a request in task "
              + context.taskId() + "; it stays in " + STORE + " and is re-scored on restart",
              f.futures.stream().filter(CompletableFuture::isCompletedExceptionally).findFirst()
                  .map(x -> x.handle((v, e) -> e).join()).orElse(null));
        }
        LOG.warn("task {}: scoring attempt {} failed; re-submitting", context.taskId(), f.attempts);
        f.attempts++;
        f.futures = submit(f.request);
        resubmitted.record();
        blocked.add(patient);
        continue;
      }
      List<float[]> probs = new ArrayList<>(f.futures.size());
      for (CompletableFuture<float[]> x : f.futures) {
        probs.add(x.join());
      }
      ScoringRequest r = f.request;
      context.forward(new Record<>(patient, new ScoredRequest(toScore(r, probs.get(0)), r, probs), r.timestamp()));
      store.delete(r.pendingKey());
      it.remove();
    }
  }

  private RiskScore toScore(ScoringRequest r, float[] p) {
    ScorerInfo info = backend.info();
    if (p.length != info.outcomes().size()) {
      throw new StreamsException("scorer returned " + p.length + " probabilities for " + info.outcomes().size() + " outcomes");
    }
    List<OutcomeProbability> outcomes = new ArrayList<>(p.length);
    for (int k = 0; k < p.length; k++) {
      outcomes.add(new OutcomeProbability(info.outcomes().get(k), backend.horizonDays().get(k), (double) p[k]));
    }
    List<SourceOffset> offsets = r.sourceOffsets().stream()
        .map(o -> new SourceOffset(o.topic(), o.partition(), o.offset())).toList();
    return RiskScore.newBuilder()
        .setScoreId(Ids.scoreId(r.patientId(), r.historyVersion(), info.modelSha256()))
        .setPatientId(r.patientId())
        .setHistoryVersion(r.historyVersion())
        .setAsOf(Instant.ofEpochMilli(r.asOf()))
        .setOutcomes(outcomes)
        .setModel(modelInfo(info))
        .setEngine(new EngineInfo(info.backend(), info.precision()))
        .setProvenance(new ScoreProvenance(r.eventCount(), r.newestEventIds(), r.txId(), offsets))
        .build();
  }

  static ModelInfo modelInfo(ScorerInfo info) {
    return new ModelInfo(info.modelId(), info.modelVersion(), info.modelSha256());
  }

  /** Requests submitted and not yet forwarded by this task (for tests and metrics). */
  int inFlightCount() {
    return inFlight.size();
  }

  @Override
  public void close() {
    inFlight.clear();
    if (resubmitted != null) {
      context.metrics().removeSensor(resubmitted);
    }
  }
}
