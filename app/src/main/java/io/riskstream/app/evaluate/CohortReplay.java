package io.riskstream.app.evaluate;

import io.riskstream.schemas.EmrEvent;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Scores the timelines of a cohort's patients ({@link StreamReplay}) on a pool of worker threads, one patient per
 * task, and prints a progress line (patients and scores so far, time left) at most every {@code progressSeconds}.
 */
public final class CohortReplay {

  private final StreamReplay replay;
  private final int workers;
  private final long progressMillis;

  public CohortReplay(StreamReplay replay, int workers, long progressSeconds) {
    if (workers < 1) {
      throw new IllegalArgumentException("workers must be positive");
    }
    this.replay = replay;
    this.workers = workers;
    this.progressMillis = progressSeconds * 1000;
  }

  /**
   * The timelines of {@code patients} in the map's order; {@code done} counts patients over calls (for the progress
   * of a cohort read in parts), {@code total} is the cohort's patient count.
   */
  public List<PatientTimeline> score(Map<String, List<EmrEvent>> patients, PrintWriter progress, Progress done,
      int total) throws InterruptedException {
    ExecutorService pool = Executors.newFixedThreadPool(workers, r -> {
      Thread t = new Thread(r, "evaluate-replay");
      t.setDaemon(true);
      return t;
    });
    try {
      List<Future<PatientTimeline>> futures = new ArrayList<>(patients.size());
      for (Map.Entry<String, List<EmrEvent>> e : patients.entrySet()) {
        futures.add(pool.submit(() -> {
          PatientTimeline t = replay.replay(e.getKey(), e.getValue());
          done.add(t.size());
          return t;
        }));
      }
      List<PatientTimeline> out = new ArrayList<>(futures.size());
      for (Future<PatientTimeline> f : futures) {
        while (true) {
          try {
            out.add(f.get(progressMillis, java.util.concurrent.TimeUnit.MILLISECONDS));
            break;
          } catch (java.util.concurrent.TimeoutException waiting) {
            done.print(progress, total, progressMillis, false);
          }
        }
        done.print(progress, total, progressMillis, false);
      }
      return out;
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof RuntimeException r) {
        throw r;
      }
      if (cause instanceof Error err) {
        throw err;
      }
      throw new IllegalStateException(cause);
    } finally {
      pool.shutdownNow();
    }
  }

  /** Patients and scores done so far, and when progress was last printed. Thread-safe. */
  public static final class Progress {
    private final long started = System.nanoTime();
    private final AtomicInteger patients = new AtomicInteger();
    private final AtomicLong scores = new AtomicLong();
    private final AtomicLong lastPrinted = new AtomicLong(System.nanoTime());

    void add(int scoreCount) {
      patients.incrementAndGet();
      scores.addAndGet(scoreCount);
    }

    public int patients() {
      return patients.get();
    }

    public long scores() {
      return scores.get();
    }

    /** Prints the progress line when {@code everyMillis} passed since the last one, or {@code now}. */
    public void print(PrintWriter out, int total, long everyMillis, boolean now) {
      long t = System.nanoTime();
      long last = lastPrinted.get();
      int p = patients.get();
      if (!now && ((t - last) / 1_000_000 < everyMillis || !lastPrinted.compareAndSet(last, t))) {
        return;
      }
      double seconds = (t - started) / 1e9;
      String left = p == 0 ? "" : String.format(Locale.ROOT, ", about %.0f s left", seconds / p * (total - p));
      out.printf(Locale.ROOT, "scored %d of %d patients (%,d scores) in %.0f s%s%n", p, total, scores.get(), seconds,
          p == total ? "" : left);
      out.flush();
    }
  }
}
