package io.riskstream.scoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.riskstream.scoring.batch.DynamicBatcher;
import io.riskstream.scoring.model.ModelBundle;
import io.riskstream.scoring.model.ModelBundleException;
import io.riskstream.scoring.tensorrt.ParityFailurePolicy;
import io.riskstream.scoring.tensorrt.Precision;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** The scoring facade on a host without TensorRT (the GPU path: TensorRtGpuIT). */
class ScoringTest {

  private static final List<ModelInput> INPUTS = TinyModel.inputs(5, 20, 7);

  @TempDir
  Path dir;

  private ScoringOptions options(Backend backend) {
    return new ScoringOptions(backend, "test-tiny", 8, Duration.ofMillis(1), new ScoringOptions.TensorRtSettings(
        Precision.FP16, dir.resolve("engines"), 64, 1, ParityFailurePolicy.FALLBACK));
  }

  /** Skips the test where TensorRT runs (the reason's text may differ between probes: a JNI load fails once). */
  private static void assumeNoTensorRt() {
    Assumptions.assumeTrue(Scoring.tensorRtUnavailableReason().isPresent(),
        "this host runs TensorRT: see TensorRtGpuIT");
  }

  @Test
  void shouldScoreTheSameWithSeveralOnnxRuntimeThreads() throws Exception {
    ScoringOptions one = options(Backend.ONNXRUNTIME);
    ScoringOptions four = new ScoringOptions(one.backend(), one.model(), one.batcherMaxBatchSize(),
        one.batcherMaxQueueDelay(), one.tensorRt(), 4);
    try (ScoringService single = Scoring.start(one); ScoringService multi = Scoring.start(four)) {
      for (ModelInput input : INPUTS) {
        assertThat(multi.submit(input).get(30, TimeUnit.SECONDS).probabilities())
            .containsExactly(single.submit(input).get(30, TimeUnit.SECONDS).probabilities());
      }
    }
  }

  @Test
  void shouldScoreWithOnnxRuntimeBehindTheBatcher() throws Exception {
    try (ScoringService service = Scoring.start(options(Backend.ONNXRUNTIME))) {
      assertThat(service.model().name()).isEqualTo("test-tiny");
      assertThat(service.info().backend()).isEqualTo("onnxruntime");
      assertThat(service.info().precision()).isEqualTo("fp32");
      assertThat(service.info().modelSha256()).isEqualTo(service.model().sha256());

      float[] probabilities = service.submit(INPUTS.get(0)).get(30, TimeUnit.SECONDS).probabilities();

      assertThat(probabilities).hasSize(service.info().outcomes().size());
      assertThat(service.batcher().requests()).isEqualTo(1);
    }
  }

  @Test
  void shouldServeWithOnnxRuntimeAndSaySoWhenAutoFindsNoTensorRt() {
    assumeNoTensorRt();
    Logger logger = (Logger) LoggerFactory.getLogger(Scoring.class);
    ListAppender<ILoggingEvent> log = new ListAppender<>();
    log.start();
    logger.addAppender(log);
    try (ScoringService service = Scoring.start(options(Backend.AUTO))) {
      assertThat(service.info().backend()).isEqualTo("onnxruntime");
      assertThat(log.list).extracting(ILoggingEvent::getFormattedMessage)
          .anySatisfy(line -> assertThat(line).startsWith("scorer=auto: TensorRT unavailable (")
              .endsWith("), scoring with ONNX Runtime on the CPU"))
          .anySatisfy(line -> assertThat(line).startsWith("scoring with model test-tiny ")
              .endsWith(" on onnxruntime fp32"));
    } finally {
      logger.detachAppender(log);
    }
  }

  @Test
  void shouldRefuseToStartTensorRtWhereItCannotRun() {
    assumeNoTensorRt();

    assertThatThrownBy(() -> Scoring.start(options(Backend.TENSORRT)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageStartingWith("scorer=tensorrt, but TensorRT cannot run here: ")
        .hasMessageEndingWith(". Use scorer=auto or onnxruntime, or run on a host with an NVIDIA GPU and TensorRT"
            + " 10.6.");
  }

  @Test
  void shouldFailFastOnAModelThatDoesNotExist() {
    ScoringOptions missing = new ScoringOptions(Backend.ONNXRUNTIME, dir.resolve("no-such-model").toString(), 8,
        Duration.ZERO, options(Backend.ONNXRUNTIME).tensorRt());

    assertThatThrownBy(() -> Scoring.start(missing)).isInstanceOf(ModelBundleException.class);
  }

  @Test
  void shouldDrainTheBatcherThenCloseTheScorerWhenTheServiceCloses() throws Exception {
    RecordingScorer scorer = new RecordingScorer();
    DynamicBatcher batcher = new DynamicBatcher(scorer, 4, Duration.ofSeconds(10));
    ScoringService service = new ScoringService(ModelBundle.load("test-tiny"), scorer, batcher);
    CompletableFuture<Scored> queued = service.submit(INPUTS.get(0));

    service.close();

    assertThat(queued).isCompletedWithValueMatching(p -> p.probabilities().length == 1);
    assertThat(scorer.events).containsExactly("score 1", "close");
    assertThatThrownBy(() -> service.submit(INPUTS.get(1)).get())
        .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(ScoringException.class)
        .hasMessageContaining("the batcher is closed");
  }

  /** A scorer that records its calls; every probability is 0.5. */
  private static final class RecordingScorer implements Scorer {
    private final List<String> events = new CopyOnWriteArrayList<>();

    @Override
    public ScorerInfo info() {
      return new ScorerInfo("recording", "fp32", "m", "1", "0".repeat(64), List.of("x"));
    }

    @Override
    public float[][] score(List<ModelInput> batch) {
      events.add("score " + batch.size());
      float[][] out = new float[batch.size()][];
      for (int i = 0; i < out.length; i++) {
        out[i] = new float[] {0.5f};
      }
      return out;
    }

    @Override
    public void close() {
      events.add("close");
    }
  }
}
