package io.riskstream.scoring.batch;

import io.riskstream.scoring.ModelInput;
import io.riskstream.scoring.Scorer;
import io.riskstream.scoring.ScoringException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Coalesces scoring requests from many threads into batches, like Triton's dynamic batcher: one worker thread
 * takes the oldest request, then waits at most {@code maxQueueDelay} after it for more, up to
 * {@code maxBatchSize}, scores the batch and completes the futures. A failed batch is retried input by input, so one
 * bad input fails only its own future: with {@link IllegalArgumentException} for bad input, else with
 * {@link ScoringException}. Because scorers are batch-invariant, the retry cannot change a probability.
 *
 * <p>{@link #close()} stops accepting requests, scores what is queued, and stops the worker.
 */
public final class DynamicBatcher implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(DynamicBatcher.class);

  private record Request(ModelInput input, CompletableFuture<float[]> future) {
  }

  private static final Request POISON = new Request(null, null);

  private final Scorer scorer;
  private final int maxBatchSize;
  private final long maxQueueDelayNanos;
  private final LinkedBlockingQueue<Request> queue = new LinkedBlockingQueue<>();
  private final Thread worker;
  private final AtomicLong batches = new AtomicLong();
  private final AtomicLong requests = new AtomicLong();
  private final AtomicLong failedRequests = new AtomicLong();
  private final Object submitLock = new Object();
  private volatile boolean closed;

  public DynamicBatcher(Scorer scorer, int maxBatchSize, Duration maxQueueDelay) {
    this.scorer = Objects.requireNonNull(scorer, "scorer");
    if (maxBatchSize < 1) {
      throw new IllegalArgumentException("maxBatchSize must be positive, got " + maxBatchSize);
    }
    if (maxQueueDelay.isNegative()) {
      throw new IllegalArgumentException("maxQueueDelay must not be negative");
    }
    this.maxBatchSize = maxBatchSize;
    this.maxQueueDelayNanos = maxQueueDelay.toNanos();
    this.worker = new Thread(this::run, "riskstream-batcher-" + scorer.info().backend());
    this.worker.setDaemon(true);
    this.worker.start();
  }

  /**
   * Queues one input. The future completes with its probabilities (outcome order of {@code scorer.info()}), or
   * exceptionally: {@link IllegalArgumentException} for bad input, {@link ScoringException} when the backend fails
   * or the batcher is closed.
   */
  public CompletableFuture<float[]> submit(ModelInput input) {
    Objects.requireNonNull(input, "input");
    CompletableFuture<float[]> future = new CompletableFuture<>();
    synchronized (submitLock) {
      if (closed) {
        future.completeExceptionally(new ScoringException("the batcher is closed"));
        return future;
      }
      queue.add(new Request(input, future));
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
    // Closed: whatever is still queued is scored, never dropped.
    List<Request> rest = new ArrayList<>();
    queue.drainTo(rest);
    rest.remove(POISON);
    for (int from = 0; from < rest.size(); from += maxBatchSize) {
      scoreBatch(rest.subList(from, Math.min(rest.size(), from + maxBatchSize)));
    }
  }

  private void scoreBatch(List<Request> batch) {
    batches.incrementAndGet();
    requests.addAndGet(batch.size());
    List<ModelInput> inputs = batch.stream().map(Request::input).toList();
    try {
      float[][] out = scorer.score(inputs);
      for (int i = 0; i < batch.size(); i++) {
        batch.get(i).future().complete(out[i]);
      }
    } catch (RuntimeException e) {
      if (batch.size() == 1) {
        failedRequests.incrementAndGet();
        batch.get(0).future().completeExceptionally(classify(e));
        return;
      }
      LOG.warn("a batch of {} failed ({}); scoring its inputs one by one", batch.size(), e.getClass().getSimpleName());
      for (Request r : batch) {
        try {
          r.future().complete(scorer.score(List.of(r.input()))[0]);
        } catch (RuntimeException single) {
          failedRequests.incrementAndGet();
          r.future().completeExceptionally(classify(single));
        }
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
      queue.add(POISON);
    }
    try {
      worker.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
