package io.riskstream.topology.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.riskstream.scoring.Backend;
import io.riskstream.scoring.tensorrt.ParityFailurePolicy;
import io.riskstream.scoring.tensorrt.Precision;
import java.util.Map;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;

/** The keys that take one of an enum's values: scorer, tensorrt.precision, tensorrt.on.parity.failure. */
class EnumValidatorTest {

  @Test
  void shouldReadTheDefaultsAsEnums() {
    RiskStreamConfig config = new RiskStreamConfig(Map.of());

    assertThat(config.scorer()).isEqualTo(Backend.AUTO);
    assertThat(config.tensorRtPrecision()).isEqualTo(Precision.FP16);
    assertThat(config.tensorRtOnParityFailure()).isEqualTo(ParityFailurePolicy.FALLBACK);
  }

  @Test
  void shouldReadEveryLowerCaseValue() {
    for (Backend backend : Backend.values()) {
      assertThat(new RiskStreamConfig(Map.of("scorer", backend.label())).scorer()).isEqualTo(backend);
    }
    for (Precision precision : Precision.values()) {
      assertThat(new RiskStreamConfig(Map.of("tensorrt.precision", precision.label())).tensorRtPrecision())
          .isEqualTo(precision);
    }
    assertThat(new RiskStreamConfig(Map.of("tensorrt.on.parity.failure", "fail")).tensorRtOnParityFailure())
        .isEqualTo(ParityFailurePolicy.FAIL);
  }

  @Test
  void shouldRejectValuesOutsideTheEnumNamingTheValidOnes() {
    assertThatThrownBy(() -> new RiskStreamConfig(Map.of("scorer", "gpu"))).isInstanceOf(ConfigException.class)
        .hasMessageContaining("scorer").hasMessageContaining("String must be one of: auto, onnxruntime, tensorrt");
    assertThatThrownBy(() -> new RiskStreamConfig(Map.of("scorer", "TENSORRT"))).isInstanceOf(ConfigException.class);
    assertThatThrownBy(() -> new RiskStreamConfig(Map.of("tensorrt.precision", "bf16")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("fp32, fp16, int8");
    assertThatThrownBy(() -> new RiskStreamConfig(Map.of("tensorrt.on.parity.failure", "ignore")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("fallback, fail");
  }

  @Test
  void shouldDocumentTheValidValuesInDeclarationOrder() {
    Map<String, ConfigDef.ConfigKey> keys = RiskStreamConfig.configDef().configKeys();

    assertThat(keys.get("scorer").validator).hasToString("[auto, onnxruntime, tensorrt]");
    assertThat(keys.get("tensorrt.precision").validator).hasToString("[fp32, fp16, int8]");
    assertThat(keys.get("tensorrt.on.parity.failure").validator).hasToString("[fallback, fail]");
  }

  @Test
  void shouldReadTheProcessingGuaranteeAsAnEnum() {
    assertThat(new RiskStreamConfig(java.util.Map.of()).processingGuarantee()).isEqualTo(ProcessingGuarantee.EXACTLY_ONCE_V2);
    RiskStreamConfig atLeastOnce = new RiskStreamConfig(java.util.Map.of(RiskStreamConfig.PROCESSING_GUARANTEE_CONFIG,
        "at_least_once"));
    assertThat(atLeastOnce.processingGuarantee()).isEqualTo(ProcessingGuarantee.AT_LEAST_ONCE);
    assertThat(atLeastOnce.streamsProperties().get("processing.guarantee")).isEqualTo("at_least_once");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> new RiskStreamConfig(java.util.Map.of(
        RiskStreamConfig.PROCESSING_GUARANTEE_CONFIG, "exactly_once"))).hasMessageContaining("processing.guarantee")
        .hasMessageContaining("exactly_once_v2, at_least_once");
  }
}
