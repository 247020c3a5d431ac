package io.riskstream.scoring.batch;

import io.riskstream.scoring.ModelInput;
import io.riskstream.scoring.Scored;
import io.riskstream.scoring.ScoredBatch;
import io.riskstream.scoring.Scorer;
import io.riskstream.scoring.ScorerInfo;
import io.riskstream.scoring.ScoringException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Coalesces scoring requests from many threads into batches, like Triton's dynamic batcher: a worker thread
 * takes the oldest request, then waits at most {@code maxQueueDelay} after it for more, up to
 * {@code maxBatchSize}, scores the batch and completes the futures. With {@code instances} workers (Triton's instance
 * count) that many batches are scored at once, each assembled by the worker that scores it; scorers are thread-safe
 * and batch-invariant, so a probability does not depend on which worker scored it. A failed batch is retried input by
 * input, so one bad input fails only its own future: with {@link IllegalArgumentException} for bad input, else with
 * {@link ScoringException}. Because scorers are batch-invariant, the retry cannot change a probability. Each result
 * names the engine that computed it ({@link Scored}), so a score computed after a failover says so; every batch is
 * reported to the {@link BatchListener}s (queue wait per input, compute time, engine, failover).
 *
 * <p>{@link #close()} stops accepting requests, scores what is queued, and stops the worker.
 */
public final class DynamicBatcher implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(DynamicBatcher.class);

  private record Request(ModelInput input, CompletableFuture<Scored> future, long submittedNanos) {
  }

  private static final Request POISON = new Request(null, null, 0);

  private final Scorer scorer;
  private final int maxBatchSize;
  private final long maxQueueDelayNanos;
  private final LinkedBlockingQueue<Request> queue = new LinkedBlockingQueue<>();
  private final List<Thread> workers;
  private final AtomicLong batches = new AtomicLong();
  private final AtomicLong requests = new AtomicLong();
  private final AtomicLong failedRequests = new AtomicLong();
  private final AtomicLong failovers = new AtomicLong();
  /** The engine of the last batch (the scorer's own before the first). */
  private volatile ScorerInfo engine;
  private final Set<ScorerInfo> engines = ConcurrentHashMap.newKeySet();
  private final List<BatchListener> listeners = new CopyOnWriteArrayList<>();
  private final Object submitLock = new Object();
  private volatile boolean closed;

  /** One batch at a time. */
  public DynamicBatcher(Scorer scorer, int maxBatchSize, Duration maxQueueDelay) {
    this(scorer, maxBatchSize, maxQueueDelay, 1);
  }

  /** @param instances batches scored at once (worker threads), 1 or more */
  public DynamicBatcher(Scorer scorer, int maxBatchSize, Duration maxQueueDelay, int instances) {
    this.scorer = Objects.requireNonNull(scorer, "scorer");
    if (instances < 1) {
      throw new IllegalArgumentException("instances must be positive, got " + instances);
    }
    if (maxBatchSize < 1) {
      throw new IllegalArgumentException("maxBatchSize must be positive, got " + maxBatchSize);
    }
    if (maxQueueDelay.isNegative()) {
      throw new IllegalArgumentException("maxQueueDelay must not be negative");
    }
    this.maxBatchSize = maxBatchSize;
    this.maxQueueDelayNanos = maxQueueDelay.toNanos();
    this.engine = scorer.info();
    this.engines.add(engine);
    List<Thread> threads = new ArrayList<>(instances);
    for (int i = 0; i < instances; i++) {
      String name = "riskstream-batcher-" + scorer.info().backend() + (instances == 1 ? "" : "-" + i);
      Thread t = new Thread(this::run, name);
      t.setDaemon(true);
      threads.add(t);
    }
    this.workers = List.copyOf(threads);
    this.workers.forEach(Thread::start);
  }

  /**
   * Queues one input. The future completes with its probabilities (outcome order of {@code scorer.info()}) and the
   * engine that computed them, or exceptionally: {@link IllegalArgumentException} for bad input, {@link ScoringException} when the backend fails
   * or the batcher is closed.
   */
  public CompletableFuture<Scored> submit(ModelInput input) {
    Objects.requireNonNull(input, "input");
    CompletableFuture<Scored> future = new CompletableFuture<>();
    synchronized (submitLock) {
      if (closed) {
        future.completeExceptionally(new ScoringException("the batcher is closed"));
        return future;
      }
      queue.add(new Request(input, future, System.nanoTime()));
    }
    return future;
  }

  private void run() {
    List<Request> batch = new ArrayList<>(maxBatchSize);
    boolean stop = false;
    while (!stop) {
      try {
        Request first = queue.take();
        if (first == POISON) {
          break;
        }
        batch.add(first);
        long deadline = System.nanoTime() + maxQueueDelayNanos;
        while (batch.size() < maxBatchSize) {
          long wait = deadline - System.nanoTime();
          Request next = wait > 0 ? queue.poll(wait, TimeUnit.NANOSECONDS) : queue.poll();
          if (next == null) {
            break;
          }
          if (next == POISON) {
            stop = true;
            break;
          }
          batch.add(next);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        stop = true;
      }
      if (!batch.isEmpty()) {
        scoreBatch(batch);
        batch.clear();
      }
    }
    // Closed: whatever is still queued is scored, never dropped; the other workers' stop signals go back.
    List<Request> rest = new ArrayList<>();
    queue.drainTo(rest);
    long signals = rest.stream().filter(r -> r == POISON).count();
    rest.removeIf(r -> r == POISON);
    for (long i = 0; i < signals; i++) {
      queue.add(POISON);
    }
    for (int from = 0; from < rest.size(); from += maxBatchSize) {
      scoreBatch(rest.subList(from, Math.min(rest.size(), from + maxBatchSize)));
    }
  }

  private void scoreBatch(List<Request> batch) {
    long start = System.nanoTime();
    long[] queueWait = new long[batch.size()];
    for (int i = 0; i < batch.size(); i++) {
      queueWait[i] = start - batch.get(i).submittedNanos();
    }
    List<ModelInput> inputs = batch.stream().map(Request::input).toList();
    // each input's result or failure; the futures complete only after the counters and listeners saw the batch, so a
    // caller that got its result also sees it counted
    Scored[] results = new Scored[batch.size()];
    RuntimeException[] failures = new RuntimeException[batch.size()];
    ScorerInfo servedBy = engine;
    boolean failedOver = false;
    try {
      ScoredBatch out = scorer.scoreBatch(inputs);
      servedBy = out.engine();
      failedOver = out.failedOver();
      for (int i = 0; i < batch.size(); i++) {
        results[i] = new Scored(out.probabilities()[i], servedBy.backend(), servedBy.precision());
      }
    } catch (RuntimeException e) {
      if (batch.size() == 1) {
        failures[0] = classify(e);
      } else {
        LOG.warn("a batch of {} failed ({}); scoring its inputs one by one", batch.size(), e.getClass().getSimpleName());
        for (int i = 0; i < batch.size(); i++) {
          try {
            ScoredBatch one = scorer.scoreBatch(List.of(inputs.get(i)));
            servedBy = one.engine();
            failedOver |= one.failedOver();
            results[i] = new Scored(one.probabilities()[0], servedBy.backend(), servedBy.precision());
          } catch (RuntimeException single) {
            failures[i] = classify(single);
          }
        }
      }
    }
    long compute = System.nanoTime() - start;
    batches.incrementAndGet();
    requests.addAndGet(batch.size());
    for (RuntimeException f : failures) {
      if (f != null) {
        failedRequests.incrementAndGet();
      }
    }
    if (failedOver) {
      failovers.incrementAndGet();
    }
    engine = servedBy;
    engines.add(servedBy);
    for (BatchListener l : listeners) {
      try {
        l.batchScored(queueWait, compute, servedBy, failedOver);
      } catch (RuntimeException e) {
        LOG.warn("a batch listener failed ({}); ignored", e.getClass().getSimpleName());
      }
    }
    for (int i = 0; i < batch.size(); i++) {
      if (failures[i] != null) {
        batch.get(i).future().completeExceptionally(failures[i]);
      } else {
        batch.get(i).future().complete(results[i]);
      }
    }
  }

  private static RuntimeException classify(RuntimeException e) {
    if (e instanceof ScoringException || e instanceof IllegalArgumentException) {
      return e;
    }
    return new ScoringException("scoring failed: " + e.getMessage(), e);
  }

  /** Batches scored so far. */
  public long batches() {
    return batches.get();
  }

  /** Requests scored so far (successfully or not). */
  public long requests() {
    return requests.get();
  }

  /** Requests whose future completed exceptionally. */
  public long failedRequests() {
    return failedRequests.get();
  }

  /** Mean requests per batch, 0 before the first batch. */
  public double meanBatchSize() {
    long b = batches.get();
    return b == 0 ? 0.0 : (double) requests.get() / b;
  }

  /** Batches the primary scorer failed on and its fallback scored (0 for a scorer without fallback). */
  public long failovers() {
    return failovers.get();
  }

  /** The engine that scored the last batch; the scorer's own before the first batch. */
  public ScorerInfo engine() {
    return engine;
  }

  /** Every engine that scored a batch so far, and the scorer's own. */
  public Set<ScorerInfo> engines() {
    return Set.copyOf(engines);
  }

  /** Tells {@code listener} about every batch scored from now on. */
  public void addListener(BatchListener listener) {
    listeners.add(Objects.requireNonNull(listener, "listener"));
  }

  /** Requests waiting to be batched. */
  public int queued() {
    return queue.size();
  }

  @Override
  public void close() {
    synchronized (submitLock) {
      if (closed) {
        return;
      }
      closed = true;
      workers.forEach(w -> queue.add(POISON));  // one stop signal per worker
    }
    try {
      for (Thread w : workers) {
        w.join();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
