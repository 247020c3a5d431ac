package io.riskstream.topology;

import io.riskstream.scoring.ModelInput;
import io.riskstream.scoring.Scored;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** Test double of the batcher: keeps submissions pending until the test completes them (with TokenSumTestScorer). */
public final class DeferredTestBackend {

  private final TokenSumTestScorer scorer = new TokenSumTestScorer();
  final List<ModelInput> inputs = new ArrayList<>();
  final List<CompletableFuture<Scored>> futures = new ArrayList<>();

  ScoringBackend backend() {
    return new ScoringBackend(TokenSumTestScorer.INFO, List.of(365, 365), in -> {
      CompletableFuture<Scored> f = new CompletableFuture<>();
      inputs.add(in);
      futures.add(f);
      return f;
    });
  }

  void complete(int i) {
    futures.get(i).complete(TokenSumTestScorer.scored(scorer.score(List.of(inputs.get(i)))[0]));
  }

  /** Completes submission {@code i} with {@code probabilities}, whatever its input. */
  void completeWith(int i, float... probabilities) {
    futures.get(i).complete(TokenSumTestScorer.scored(probabilities));
  }

  void fail(int i) {
    futures.get(i).completeExceptionally(new io.riskstream.scoring.ScoringException("test failure"));
  }

  /** Fails submission {@code i} as the batcher fails an input the scorer rejects as invalid. */
  void reject(int i) {
    futures.get(i).completeExceptionally(new IllegalArgumentException("input 0 holds token id 99999 outside 1..300"));
  }

  void completeAll() {
    for (int i = 0; i < futures.size(); i++) {
      if (!futures.get(i).isDone()) {
        complete(i);
      }
    }
  }
}
