package io.riskstream.app.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.riskstream.scoring.Backend;
import io.riskstream.scoring.ModelInput;
import io.riskstream.scoring.ScoringOptions;
import io.riskstream.scoring.encoder.OutcomeSpec;
import io.riskstream.scoring.model.ModelBundle;
import io.riskstream.scoring.tensorrt.ParityFailurePolicy;
import io.riskstream.scoring.tensorrt.Precision;
import io.riskstream.scoring.tensorrt.ProfileSpec;
import io.riskstream.scoring.tensorrt.TensorRtOptions;
import io.riskstream.topology.ScoringBackend;
import io.riskstream.topology.config.RiskStreamConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The scoring options the configuration maps to, and the service adapted to the topology (GPU: TensorRtGpuIT). */
class ScoringRuntimeTest {

  private static final ModelBundle SMALL = ModelBundle.load("emr-risk-small");
  /** scoring's test model, as a model directory (it is not on this module's classpath). */
  private static final String TINY = "../scoring/src/test/resources/models/test-tiny";

  private static RiskStreamConfig config(Map<String, String> overrides) {
    Map<String, String> props = new HashMap<>(Map.of("state.dir", "/var/lib/riskstream"));
    props.putAll(overrides);
    return new RiskStreamConfig(props);
  }

  @Test
  void shouldMapTheDefaultConfiguration() {
    ScoringOptions options = ScoringRuntime.options(config(Map.of()));

    assertThat(options).isEqualTo(new ScoringOptions(Backend.AUTO, "emr-risk-small", 64, Duration.ofMillis(5),
        new ScoringOptions.TensorRtSettings(Precision.FP16, Path.of("/var/lib/riskstream", "tensorrt-engines"), 64,
            1, ParityFailurePolicy.FALLBACK)));
  }

  @Test
  void shouldMapEveryScoringKey() {
    ScoringOptions options = ScoringRuntime.options(config(Map.of("scorer", "tensorrt", "model.name", "emr-risk-base",
        "batcher.max.batch.size", "128", "batcher.max.queue.delay.ms", "20", "tensorrt.contexts", "2",
        "tensorrt.max.batch", "256", "tensorrt.precision", "fp32", "tensorrt.on.parity.failure", "fail",
        "tensorrt.engine.cache.dir", "/cache/engines", "onnxruntime.threads", "4")));

    assertThat(options).isEqualTo(new ScoringOptions(Backend.TENSORRT, "emr-risk-base", 128, Duration.ofMillis(20),
        new ScoringOptions.TensorRtSettings(Precision.FP32, Path.of("/cache/engines"), 256, 2,
            ParityFailurePolicy.FAIL), 4));
    assertThat(options.batcherInstances()).isEqualTo(1);
    assertThat(ScoringRuntime.options(config(Map.of("batcher.instances", "3"))).batcherInstances()).isEqualTo(3);
  }

  @Test
  void shouldServeOneContextPerShapeAtBatchSizesUpToTheMaximumByDefault() {
    TensorRtOptions options = ScoringRuntime.options(config(Map.of())).tensorRt().engineOptions(SMALL);

    ProfileSpec profiles = options.profiles();
    assertThat(profiles.contexts()).isEqualTo(1);
    assertThat(profiles.minBatch()).isEqualTo(1);
    assertThat(profiles.maxBatch()).isEqualTo(64);
    assertThat(profiles.lengthBuckets()).containsExactly(32, 64, SMALL.spec().maxLength());
    assertThat(options.precision()).isEqualTo(Precision.FP16);
    assertThat(options.cacheDirectory()).isEqualTo(Path.of("/var/lib/riskstream", "tensorrt-engines"));
    assertThat(options.onParityFailure()).isEqualTo(ParityFailurePolicy.FALLBACK);
  }

  @Test
  void shouldAdaptTheServiceToTheTopology() throws Exception {
    try (ScoringRuntime runtime = ScoringRuntime.start(config(Map.of("scorer", "onnxruntime", "model.name", TINY)))) {
      assertThat(runtime.model().name()).isEqualTo("test-tiny");
      assertThat(runtime.backend().info().backend()).isEqualTo("onnxruntime");
      assertThat(runtime.backend().info().outcomes()).hasSize(runtime.model().spec().outcomes().size());
      assertThat(runtime.backend().horizonDays()).hasSize(runtime.model().spec().outcomes().size());
      assertThat(runtime.encoder()).isNotNull();

      float[] probabilities = runtime.backend().submitter().submit(new ModelInput(new long[] {1, 2, 3},
          new float[] {40f, 40.5f, 41f}, new float[] {1f, 0.5f, 0f})).get(30, TimeUnit.SECONDS).probabilities();

      assertThat(probabilities).hasSize(runtime.model().spec().outcomes().size());
      assertThat(runtime.batcher().requests()).isEqualTo(1);
    }
  }

  @Test
  void shouldBuildTheShadowModelsBackendLikeProductionsFromItsOwnModel() {
    try (ScoringRuntime runtime = ScoringRuntime.start(config(Map.of("scorer", "onnxruntime", "model.name", TINY,
        "shadow.model", "emr-risk-small")))) {
      ScoringBackend shadow = runtime.shadow().orElseThrow().backend();
      List<OutcomeSpec> outcomes = SMALL.spec().outcomes();

      assertThat(shadow.info().modelSha256()).isNotEqualTo(runtime.backend().info().modelSha256());
      assertThat(shadow.info().outcomes()).containsExactlyElementsOf(outcomes.stream().map(OutcomeSpec::name).toList());
      assertThat(shadow.info().outcomes().stream().map(shadow::displayName).toList())
          .containsExactlyElementsOf(outcomes.stream().map(OutcomeSpec::label).toList());
      assertThat(shadow.onsetCodes())
          .containsExactlyElementsOf(outcomes.stream().map(OutcomeSpec::snomedCodes).toList());
      assertThat(shadow.operatingPoints()).isEqualTo(SMALL.operatingPoints()).isNotEmpty();
      assertThat(shadow.minimumAgeYears()).isEqualTo(SMALL.minimumAgeYears()).isEqualTo(18);
      assertThat(runtime.backend().minimumAgeYears()).isEqualTo(runtime.model().minimumAgeYears());
    }
  }
}
