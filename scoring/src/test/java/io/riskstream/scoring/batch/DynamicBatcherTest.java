package io.riskstream.scoring.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.riskstream.scoring.ModelInput;
import io.riskstream.scoring.Scored;
import io.riskstream.scoring.Scorer;
import io.riskstream.scoring.ScorerInfo;
import io.riskstream.scoring.ScoringException;
import io.riskstream.scoring.model.ModelBundle;
import io.riskstream.scoring.onnx.OnnxRuntimeScorer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class DynamicBatcherTest {

  private static OnnxRuntimeScorer onnx;

  @BeforeAll
  static void load() {
    onnx = new OnnxRuntimeScorer(ModelBundle.load("test-tiny"), OnnxRuntimeScorer.Options.defaults());
  }

  @AfterAll
  static void close() {
    onnx.close();
  }

  /** Delegates to a real scorer and records batch sizes; fails batches that hold {@code failOn}. */
  static final class RecordingScorer implements Scorer {
    final Scorer delegate;
    final List<Integer> sizes = new CopyOnWriteArrayList<>();
    final ModelInput failOn;

    RecordingScorer(Scorer delegate, ModelInput failOn) {
      this.delegate = delegate;
      this.failOn = failOn;
    }

    @Override
    public ScorerInfo info() {
      return delegate.info();
    }

    @Override
    public float[][] score(List<ModelInput> batch) {
      sizes.add(batch.size());
      if (failOn != null && batch.contains(failOn)) {
        throw new IllegalStateException("simulated backend failure");
      }
      return delegate.score(batch);
    }

    @Override
    public void close() {
    }
  }

  static List<ModelInput> inputs(int count, long seed) {
    Random random = new Random(seed);
    List<ModelInput> inputs = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      int n = 1 + random.nextInt(40);
      long[] t = new long[n];
      float[] a = new float[n];
      float[] r = new float[n];
      for (int j = 0; j < n; j++) {
        t[j] = 1 + random.nextInt(63);
        a[j] = random.nextFloat();
        r[j] = random.nextFloat();
      }
      inputs.add(new ModelInput(t, a, r));
    }
    return inputs;
  }

  @Test
  void shouldBatchRequestsFromManyThreadsAndReturnEachItsOwnProbabilities() throws Exception {
    List<ModelInput> inputs = inputs(400, 1);
    float[][] alone = new float[inputs.size()][];
    for (int i = 0; i < inputs.size(); i++) {
      alone[i] = onnx.score(List.of(inputs.get(i)))[0];
    }
    RecordingScorer scorer = new RecordingScorer(onnx, null);
    int threads = 8;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    CountDownLatch start = new CountDownLatch(1);
    try (DynamicBatcher batcher = new DynamicBatcher(scorer, 32, Duration.ofMillis(20))) {
      List<Future<List<CompletableFuture<Scored>>>> submitted = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int thread = t;
        submitted.add(pool.submit(() -> {
          start.await();
          List<CompletableFuture<Scored>> futures = new ArrayList<>();
          for (int i = thread; i < inputs.size(); i += threads) {
            futures.add(batcher.submit(inputs.get(i)));
          }
          return futures;
        }));
      }
      start.countDown();
      for (int t = 0; t < threads; t++) {
        List<CompletableFuture<Scored>> futures = submitted.get(t).get(30, TimeUnit.SECONDS);
        for (int j = 0; j < futures.size(); j++) {
          float[] p = futures.get(j).get(30, TimeUnit.SECONDS).probabilities();
          assertThat(p).as("input %d", t + j * threads).isEqualTo(alone[t + j * threads]);
        }
      }
      assertThat(batcher.requests()).isEqualTo(inputs.size());
      assertThat(batcher.batches()).isEqualTo(scorer.sizes.size()).isLessThan(inputs.size());
      assertThat(batcher.meanBatchSize()).isGreaterThan(1.0);
      assertThat(scorer.sizes).allMatch(size -> size >= 1 && size <= 32);
      assertThat(batcher.failedRequests()).isZero();
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void shouldFailOnlyTheBadInputOfABatch() throws Exception {
    List<ModelInput> inputs = inputs(10, 2);
    ModelInput bad = new ModelInput(new long[] {10_000}, new float[1], new float[1]);
    RecordingScorer scorer = new RecordingScorer(onnx, null);
    try (DynamicBatcher batcher = new DynamicBatcher(scorer, 64, Duration.ofMillis(200))) {
      List<CompletableFuture<Scored>> good = new ArrayList<>();
      inputs.subList(0, 5).forEach(i -> good.add(batcher.submit(i)));
      CompletableFuture<Scored> failed = batcher.submit(bad);
      inputs.subList(5, 10).forEach(i -> good.add(batcher.submit(i)));

      assertThatThrownBy(() -> failed.get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
          .hasCauseInstanceOf(IllegalArgumentException.class);
      for (int i = 0; i < good.size(); i++) {
        assertThat(good.get(i).get(10, TimeUnit.SECONDS).probabilities()).isEqualTo(onnx.score(List.of(inputs.get(i)))[0]);
      }
      assertThat(batcher.failedRequests()).isEqualTo(1);
    }
  }

  @Test
  void shouldCompleteExceptionallyWithScoringExceptionWhenTheBackendFails() {
    ModelInput poisoned = inputs(1, 3).get(0);
    try (DynamicBatcher batcher = new DynamicBatcher(new RecordingScorer(onnx, poisoned), 8, Duration.ZERO)) {
      CompletableFuture<Scored> future = batcher.submit(poisoned);

      assertThatThrownBy(() -> future.get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
          .hasCauseInstanceOf(ScoringException.class).hasMessageContaining("simulated backend failure");
    }
  }

  @Test
  void shouldScoreWhatIsQueuedOnCloseAndRefuseNewRequests() throws Exception {
    List<ModelInput> inputs = inputs(50, 4);
    DynamicBatcher batcher = new DynamicBatcher(onnx, 4, Duration.ofSeconds(5));
    List<CompletableFuture<Scored>> futures = new ArrayList<>();
    inputs.forEach(i -> futures.add(batcher.submit(i)));

    batcher.close();

    for (CompletableFuture<Scored> f : futures) {
      assertThat(f).isCompleted();
      assertThat(f.get().probabilities()).hasSize(3);
    }
    assertThat(batcher.requests()).isEqualTo(50);
    assertThatThrownBy(() -> batcher.submit(inputs.get(0)).get()).hasCauseInstanceOf(ScoringException.class)
        .hasMessageContaining("closed");
  }

  /** Delegates to a real scorer; its first {@code parties} calls wait for each other (at most {@code patience}). */
  static final class MeetingScorer implements Scorer {
    final Scorer delegate;
    final CyclicBarrier meeting;
    final AtomicInteger calls = new AtomicInteger();
    final Duration patience;

    MeetingScorer(Scorer delegate, int parties, Duration patience) {
      this.delegate = delegate;
      this.meeting = new CyclicBarrier(parties);
      this.patience = patience;
    }

    @Override
    public ScorerInfo info() {
      return delegate.info();
    }

    @Override
    public float[][] score(List<ModelInput> batch) {
      if (calls.incrementAndGet() <= meeting.getParties()) {
        try {
          meeting.await(patience.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
          throw new IllegalStateException("the batches did not run at once: " + e, e);
        }
      }
      return delegate.score(batch);
    }

    @Override
    public void close() {
    }
  }

  @Test
  @Timeout(120)
  void shouldScoreAsManyBatchesAtOnceAsItHasInstancesWithTheSameProbabilities() throws Exception {
    List<ModelInput> inputs = inputs(40, 6);
    // the first 3 batches only complete if they are in the scorer together: one instance would fail them
    MeetingScorer meeting = new MeetingScorer(onnx, 3, Duration.ofMinutes(1));
    try (DynamicBatcher batcher = new DynamicBatcher(meeting, 1, Duration.ZERO, 3)) {
      List<CompletableFuture<Scored>> futures = new ArrayList<>();
      inputs.forEach(i -> futures.add(batcher.submit(i)));
      for (int i = 0; i < inputs.size(); i++) {
        assertThat(futures.get(i).get(2, TimeUnit.MINUTES).probabilities())
            .isEqualTo(onnx.score(List.of(inputs.get(i)))[0]);
      }
      assertThat(batcher.failedRequests()).isZero();
      assertThat(batcher.requests()).isEqualTo(40);
    }
    // one instance: the first batch waits alone (a short patience: this only has to fail)
    MeetingScorer alone = new MeetingScorer(onnx, 2, Duration.ofSeconds(2));
    try (DynamicBatcher one = new DynamicBatcher(alone, 1, Duration.ZERO, 1)) {
      CompletableFuture<Scored> first = one.submit(inputs.get(0));
      assertThatThrownBy(() -> first.get(2, TimeUnit.MINUTES)).hasMessageContaining("did not run at once");
    }
  }

  @Test
  @Timeout(120)
  void shouldScoreWhatIsQueuedOnCloseWithEveryInstanceStopped() throws Exception {
    List<ModelInput> inputs = inputs(60, 7);
    DynamicBatcher batcher = new DynamicBatcher(onnx, 4, Duration.ofSeconds(5), 3);
    List<CompletableFuture<Scored>> futures = new ArrayList<>();
    inputs.forEach(i -> futures.add(batcher.submit(i)));
    batcher.close();  // returns once all three workers have stopped
    for (CompletableFuture<Scored> f : futures) {
      assertThat(f).isCompleted();
    }
    assertThat(batcher.requests()).isEqualTo(60);
    assertThat(Thread.getAllStackTraces().keySet()).noneMatch(
        t -> t.getName().matches("riskstream-batcher-.*-[0-9]+") && t.isAlive());
    assertThatThrownBy(() -> new DynamicBatcher(onnx, 1, Duration.ZERO, 0)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void shouldRejectInvalidSettings() {
    assertThatThrownBy(() -> new DynamicBatcher(onnx, 0, Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new DynamicBatcher(onnx, 1, Duration.ofMillis(-1)))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
