package io.riskstream.topology;

import io.riskstream.schemas.DeadLetter;
import io.riskstream.schemas.DeadLetterReason;
import io.riskstream.schemas.DeadLetterStage;
import io.riskstream.schemas.EngineInfo;
import io.riskstream.schemas.ModelInfo;
import io.riskstream.schemas.OutcomeProbability;
import io.riskstream.schemas.RiskScore;
import io.riskstream.schemas.ScoreProvenance;
import io.riskstream.schemas.SourceOffset;
import io.riskstream.scoring.ModelInput;
import io.riskstream.scoring.Scored;
import io.riskstream.scoring.ScorerInfo;
import io.riskstream.topology.config.AlertPolicy;
import java.nio.charset.StandardCharsets;
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
import java.util.concurrent.atomic.AtomicLong;
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
 * score: puts each request into the changelogged store {@value #STORE}, submits its base input to the per-JVM
 * {@link ScoringBackend} and returns at once; completed requests are forwarded (and deleted from the store) on every
 * process call and in a wall-clock punctuator. The inputs that explain an alert (the history without each of its
 * newest events) are scored only for a request whose base probabilities make the alert processor raise an alert
 * ({@link AlertProcessor#raisesAlert}, read from its store {@value AlertProcessor#STORE} in this task): a score that
 * raises none, e.g. one whose alerts are all withheld (an outcome already diagnosed, a patient who has died), needs no
 * reasons, so most scores cost one input instead of 1 + alert.reasons.candidates, even with low thresholds
 * that most scores reach (hysteresis and cooldown keep such outcomes from alerting again). The answer is the alert
 * processor's own: a request is decided only once all earlier requests of its patient have been forwarded, and the
 * forward runs the alert processor synchronously, so the store holds the state this request's score will meet. Which
 * requests get reasons depends only on the probabilities, the policy and that state, never on timing. A patient's requests are
 * forwarded in history-version order (a completed request waits for its patient's earlier ones), so what the alert
 * policy sees does not depend on scoring timing. On init (start, restart, rebalance) every request in the store is
 * submitted again: nothing is held only in memory across a commit. Failures are told apart as the scorer reports them:
 * an input the scorer rejects as invalid ({@link IllegalArgumentException}, e.g. a token outside the model's
 * vocabulary) is bad input: the request becomes a DeadLetter (stage SCORE, INVALID_MODEL_INPUT; key = patient id,
 * coordinates = the request's first source offset), leaves the store and does not hold back the patient's later
 * requests. So does a result that is no probability (NaN, or outside 0..1, in the base or an occluded input's
 * output): no score or alert is made of it, and the same input would give it again. Any other failure is the
 * backend's: the failed stage is re-submitted after a backoff up to
 * {@code maxRetries} times, then the stream thread fails (the request stays in the store and is re-scored on restart).
 *
 * <p>Output: {@link ScoredRequest}s and {@link io.riskstream.schemas.DeadLetter}s.
 *
 * <p>A shadow model's score processor ({@link #shadow}) works the same on its own store and never holds back or stops
 * production: no reasons, sensors named {@code shadow-scoring-*}, and a request it cannot score (invalid input, or the
 * scorer failing after {@code maxRetries} re-submissions) is counted in {@link ShadowCounts} and skipped, never
 * dead-lettered and never failing the stream thread.
 */
public final class ScoreProcessor implements Processor<String, ScoringRequest, String, Object> {

  public static final String STORE = "scoring-pending";
  /** The shadow model's pending requests. */
  public static final String SHADOW_STORE = "shadow-scoring-pending";
  private static final Logger LOG = LoggerFactory.getLogger(ScoreProcessor.class);

  private static final class InFlight {
    final ScoringRequest request;
    CompletableFuture<Scored> base;
    /** null until the base probabilities call for reasons; then one per reason event. */
    List<CompletableFuture<Scored>> occluded;
    int attempts = 1;
    /** Wall-clock time (ms) at which a failed stage is re-submitted; 0 when no re-submission is due. */
    long retryAt;

    InFlight(ScoringRequest request, CompletableFuture<Scored> base) {
      this.request = request;
      this.base = base;
    }
  }

  private final ScoringBackend backend;
  private final Duration drainInterval;
  private final int maxRetries;
  private final AlertPolicy policy;
  private final DeadLetterCounts deadLetterCounts;
  private final String storeName;
  /** Most requests in flight in this task; a shadow's request beyond it is skipped. */
  private final int maxPending;
  /** A shadow model's counts, or null for production. */
  private final ShadowCounts shadow;
  private final TreeMap<String, InFlight> inFlight = new TreeMap<>();
  /** Futures completed (on the batcher's threads) since the last drain: drain only walks in-flight when > 0. */
  private final AtomicInteger completions = new AtomicInteger();
  /** System.nanoTime() of the first completion since the last drain, 0 when none: how long results wait for a drain. */
  private final AtomicLong firstCompletionNanos = new AtomicLong();
  /** Requests waiting out a retry backoff: drain walks in-flight while any do. */
  private int backingOff;
  /** First wait before re-submitting after a backend failure; doubled per attempt, at most {@link #MAX_BACKOFF_MS}. */
  static final long FIRST_BACKOFF_MS = 100;
  static final long MAX_BACKOFF_MS = 5_000;
  private ProcessorContext<String, Object> context;
  private KeyValueStore<String, ScoringRequest> store;
  private KeyValueStore<String, AlertState> alertStates;
  private DeadLetters deadLetters;
  private Sensor resubmitted;
  private Sensor explained;
  private Sensor drainWait;

  /** @param policy the alert processor's policy: which scores raise an alert, and so need reasons */
  public ScoreProcessor(ScoringBackend backend, Duration drainInterval, int maxRetries, AlertPolicy policy) {
    this(backend, drainInterval, maxRetries, policy, new DeadLetterCounts());
  }

  public ScoreProcessor(ScoringBackend backend, Duration drainInterval, int maxRetries, AlertPolicy policy,
      DeadLetterCounts deadLetterCounts) {
    this(backend, drainInterval, maxRetries, java.util.Objects.requireNonNull(policy, "policy"), deadLetterCounts,
        STORE, null, Integer.MAX_VALUE);
  }

  /**
   * The score processor of a shadow model: store {@code store}, no reasons (so no alert policy and no alert store),
   * failures counted in {@code counts}; a request that finds {@code maxPending} requests of this task still pending is
   * skipped (counted as a backlog), so a shadow slower than the input never grows without bound.
   */
  public static ScoreProcessor shadow(ScoringBackend backend, Duration drainInterval, int maxRetries, String store,
      ShadowCounts counts, int maxPending) {
    return new ScoreProcessor(backend, drainInterval, maxRetries, null, new DeadLetterCounts(), store, counts,
        maxPending);
  }

  /** @param policy null for a shadow: it never scores reasons and reads no alert store */
  private ScoreProcessor(ScoringBackend backend, Duration drainInterval, int maxRetries, AlertPolicy policy,
      DeadLetterCounts deadLetterCounts, String storeName, ShadowCounts shadow, int maxPending) {
    this.maxPending = maxPending;
    this.storeName = storeName;
    this.shadow = shadow;
    this.deadLetterCounts = deadLetterCounts;
    this.backend = backend;
    this.drainInterval = drainInterval;
    this.maxRetries = maxRetries;
    this.policy = policy;
  }

  @Override
  public void init(ProcessorContext<String, Object> context) {
    this.context = context;
    this.store = context.getStateStore(storeName);
    // production reads the alert processor's state to decide reasons; a shadow's processor is not connected to it
    this.alertStates = policy == null ? null : context.getStateStore(AlertProcessor.STORE);
    this.deadLetters = shadow == null ? new DeadLetters(context, DeadLetterStage.SCORE, deadLetterCounts) : null;
    String sensors = shadow == null ? "scoring-" : "shadow-scoring-";
    this.resubmitted = context.metrics().addRateTotalSensor(DeadLetters.METRICS_SCOPE,
        context.taskId().toString(), sensors + "resubmitted", Sensor.RecordingLevel.INFO);
    this.explained = context.metrics().addRateTotalSensor(DeadLetters.METRICS_SCOPE,
        context.taskId().toString(), sensors + "reasons", Sensor.RecordingLevel.INFO);
    // how long completed results wait for the drain that forwards them, in ms: scoring-drain-wait-latency-avg/-max,
    // and -total = drains that found any completed
    this.drainWait = context.metrics().addLatencyRateTotalSensor(DeadLetters.METRICS_SCOPE,
        context.taskId().toString(), sensors + "drain-wait", Sensor.RecordingLevel.INFO);
    int restored = 0;
    try (KeyValueIterator<String, ScoringRequest> it = store.all()) {
      while (it.hasNext()) {
        var kv = it.next();
        inFlight.put(kv.key, new InFlight(kv.value, submit(kv.value.base())));
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
    if (shadow != null && inFlight.size() >= maxPending && store.get(key) == null) {
      shadow.failed(ShadowCounts.Failure.BACKLOG);
      drain();
      return;
    }
    if (store.get(key) == null) {
      store.put(key, r);
      inFlight.put(key, new InFlight(r, submit(r.base())));
    }
    drain();
  }

  private CompletableFuture<Scored> submit(ModelInput in) {
    CompletableFuture<Scored> f;
    try {
      f = backend.submitter().submit(in);
    } catch (RuntimeException e) {
      f = CompletableFuture.failedFuture(e);
    }
    f.whenComplete((v, e) -> {
      firstCompletionNanos.compareAndSet(0, System.nanoTime());
      completions.incrementAndGet();
    });
    return f;
  }

  private List<CompletableFuture<Scored>> submitOccluded(ScoringRequest r) {
    List<CompletableFuture<Scored>> fs = new ArrayList<>(r.reasonEvents().size());
    for (int i = 0; i < r.reasonEvents().size(); i++) {
      fs.add(submit(r.occluded(i)));
    }
    return fs;
  }

  /**
   * Whether the score of {@code r} with base probabilities {@code p} raises an alert, and so needs reasons; always
   * false for a shadow.
   */
  private boolean needsReasons(ScoringRequest r, float[] p) {
    if (policy == null) {
      return false;  // a shadow never needs reasons
    }
    return AlertProcessor.raisesAlert(policy, alertStates.get(r.patientId()), backend.info().outcomes(), p, r);
  }

  /** Forwards every completed request whose patient has no earlier request still in flight. */
  void drain() {
    long first = firstCompletionNanos.getAndSet(0);
    if (first != 0) {
      drainWait.record((System.nanoTime() - first) / 1e6);
    }
    if (completions.getAndSet(0) == 0 && backingOff == 0) {
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
      List<CompletableFuture<Scored>> stage = f.occluded == null ? List.of(f.base) : f.occluded;
      if (!stage.stream().allMatch(CompletableFuture::isDone)) {
        blocked.add(patient);
        continue;
      }
      Throwable failure = stage.stream().filter(CompletableFuture::isCompletedExceptionally).findFirst()
          .map(ScoreProcessor::cause).orElse(null);
      if (failure instanceof IllegalArgumentException invalid) {
        deadLetter(f.request, invalid.getClass().getSimpleName(), "the scorer rejected the model input of history"
            + " version " + f.request.historyVersion() + " (" + f.request.eventCount() + " events) as invalid");
        it.remove();
        continue;
      }
      if (failure != null) {
        if (retry(f, context.currentSystemTimeMs())) {
          it.remove();  // a shadow's request given up
          continue;
        }
        blocked.add(patient);
        continue;
      }
      Scored base = f.base.join();
      if (f.occluded == null && !f.request.reasonEvents().isEmpty() && needsReasons(f.request, base.probabilities())) {
        f.occluded = submitOccluded(f.request);
        explained.record();
        if (!f.occluded.stream().allMatch(f2 -> f2.isDone() && !f2.isCompletedExceptionally())) {
          blocked.add(patient);  // a later drain forwards it (or retries) once they complete
          continue;
        }
      }
      List<float[]> probs = new ArrayList<>(1 + (f.occluded == null ? 0 : f.occluded.size()));
      probs.add(base.probabilities());
      if (f.occluded != null) {
        for (CompletableFuture<Scored> x : f.occluded) {
          probs.add(x.join().probabilities());
        }
      }
      if (!probs.stream().allMatch(ScoreProcessor::probabilities)) {
        // a broken engine (or an input that drives the model to overflow): never a score nor an alert of it
        deadLetter(f.request, "not a probability", "the scorer returned a value that is not a probability (NaN or"
            + " outside 0..1) for the model input of history version " + f.request.historyVersion() + " ("
            + f.request.eventCount() + " events)");
        it.remove();
        continue;
      }
      ScoringRequest r = f.request;
      context.forward(new Record<>(patient, (Object) new ScoredRequest(toScore(r, base), r, probs), r.timestamp()));
      backend.latencyListener().scored(context.currentSystemTimeMs() - r.timestamp());
      store.delete(r.pendingKey());
      it.remove();
    }
  }

  private static Throwable cause(CompletableFuture<Scored> failed) {
    Throwable e = failed.handle((v, x) -> x).join();
    return e instanceof java.util.concurrent.CompletionException && e.getCause() != null ? e.getCause() : e;
  }

  /** Whether every value of {@code p} is a probability: a number from 0 to 1. */
  private static boolean probabilities(float[] p) {
    for (float v : p) {
      if (!(v >= 0f && v <= 1f)) {  // false for NaN too
        return false;
      }
    }
    return true;
  }

  /**
   * Dead-letters a request the scorer rejected as invalid input, or whose output is no probability; {@code what}
   * (logged) and {@code message} name no value.
   */
  private void deadLetter(ScoringRequest r, String what, String message) {
    if (shadow != null) {
      shadow.failed(ShadowCounts.Failure.INVALID_INPUT);
      LOG.warn("task {}: the shadow scorer failed a request ({}); skipped for the shadow only", context.taskId(), what);
      store.delete(r.pendingKey());
      return;
    }
    HistoryCommand.SourceOffset at = r.sourceOffsets().isEmpty() ? new HistoryCommand.SourceOffset("", -1, -1L)
        : r.sourceOffsets().get(0);
    LOG.warn("task {}: the scorer failed a request ({}); dead-lettered", context.taskId(), what);
    DeadLetter d = deadLetters.deadLetter(DeadLetterReason.INVALID_MODEL_INPUT, message, at.topic(), at.partition(),
        at.offset(), r.patientId().getBytes(StandardCharsets.UTF_8), null);
    context.forward(new Record<>(r.patientId(), (Object) d, r.timestamp()));
    store.delete(r.pendingKey());
  }

  /**
   * Re-submits the failed stage of {@code f} after a backoff (100 ms, doubling per attempt, at most 5 s), or fails the
   * thread after {@code maxRetries} re-submissions; a shadow's request is then deleted instead and true returned.
   */
  private boolean retry(InFlight f, long now) {
    List<CompletableFuture<Scored>> stage = f.occluded == null ? List.of(f.base) : f.occluded;
    if (f.attempts > maxRetries && shadow != null) {
      shadow.failed(ShadowCounts.Failure.SCORER_FAILED);
      LOG.warn("task {}: shadow scoring failed {} times for a request; skipped for the shadow only", context.taskId(),
          f.attempts);
      store.delete(f.request.pendingKey());
      return true;
    }
    if (f.attempts > maxRetries) {
      throw new StreamsException("scoring failed " + f.attempts + " times for a request in task "
          + context.taskId() + "; it stays in " + storeName + " and is re-scored on restart",
          stage.stream().filter(CompletableFuture::isCompletedExceptionally).findFirst()
              .map(x -> x.handle((v, e) -> e).join()).orElse(null));
    }
    if (f.retryAt == 0) {
      long backoff = Math.min(MAX_BACKOFF_MS, FIRST_BACKOFF_MS << Math.min(20, f.attempts - 1));
      f.retryAt = now + backoff;
      backingOff++;
      LOG.warn("task {}: {}scoring attempt {} failed; re-submitting in {} ms", context.taskId(),
          shadow == null ? "" : "shadow ", f.attempts, backoff);
      return false;
    }
    if (now < f.retryAt) {
      return false;
    }
    f.retryAt = 0;
    backingOff--;
    f.attempts++;
    if (f.occluded == null) {
      f.base = submit(f.request.base());
    } else {
      f.occluded = submitOccluded(f.request);
    }
    resubmitted.record();
    return false;
  }

  /** The score of {@code r}; its engine is the one that computed {@code scored} (after a failover, the fallback). */
  private RiskScore toScore(ScoringRequest r, Scored scored) {
    ScorerInfo info = backend.info();
    float[] p = scored.probabilities();
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
        .setEngine(new EngineInfo(scored.backend(), scored.precision()))
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
      if (deadLetters != null) {
        deadLetters.close();
      }
      context.metrics().removeSensor(resubmitted);
      context.metrics().removeSensor(explained);
      context.metrics().removeSensor(drainWait);
    }
  }
}
