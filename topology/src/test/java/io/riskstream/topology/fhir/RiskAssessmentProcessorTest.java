package io.riskstream.topology.fhir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.riskstream.schemas.AlertSeverity;
import io.riskstream.scoring.encoder.OutcomeSpec;
import io.riskstream.topology.JsonSerde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class RiskAssessmentProcessorTest {

  private final MockProcessorContext<String, String> context = new MockProcessorContext<>();
  private KeyValueStore<String, RecentAssessments> recent;
  private KeyValueStore<String, AlertRef> index;
  private RiskAssessmentProcessor processor;

  @BeforeEach
  void setUp() {
    recent = store(RiskAssessmentProcessor.STORE, RecentAssessments.class);
    index = store(RiskAssessmentProcessor.ALERT_INDEX, AlertRef.class);
    processor = new RiskAssessmentProcessor(new RiskAssessments(OutcomeConcept.of(RiskAssessmentsTest.backend(
        OutcomeSpec.defaults()))), 2);
    processor.init(context);
  }

  private <V> KeyValueStore<String, V> store(String name, Class<V> type) {
    KeyValueStore<String, V> store = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(name), Serdes.String(),
        new JsonSerde<>(type)).withLoggingDisabled().build();
    store.init(context.getStateStoreContext(), store);
    context.addStateStore(store);
    return store;
  }

  private void alert(String alertId, String patient) {
    processor.process(new Record<>(patient, RiskAssessmentsTest.alert(alertId, patient, AlertSeverity.WARNING), 1L));
  }

  @Test
  void shouldKeepOnlyTheNewestAlertsOfEachPatientInTheIndex() {
    alert("a1", "p-1");
    alert("b1", "p-2");
    alert("a2", "p-1");
    alert("a3", "p-1");
    alert("a3", "p-1"); // the same alert again (re-scored after a crash): still one entry

    assertThat(index.get("a1")).as("the oldest of p-1's three alerts is gone").isNull();
    assertThat(index.get("a2")).isNotNull();
    assertThat(index.get("a3")).isEqualTo(new AlertRef("a3", "p-1", "type2_diabetes", "WARNING",
        RiskAssessmentsTest.alert("a3", "p-1", AlertSeverity.WARNING).getAsOf().toEpochMilli()));
    assertThat(index.get("b1")).as("another patient's alert stays").isNotNull();
    assertThat(recent.get("p-1").indexedAlerts()).containsExactly("a2", "a3");
    assertThat(recent.get("p-1").assessments()).extracting(RecentAssessments.Stored::id)
        .containsExactly("a1", "a2", "a3");
    assertThat(context.forwarded()).hasSize(5);
  }

  @Test
  void shouldReadAStoredValueWrittenBeforeAlertsWereIndexedPerPatient() {
    byte[] old = "{\"assessments\":[{\"id\":\"s1\",\"lastUpdated\":1,\"json\":\"{}\"}]}".getBytes();

    RecentAssessments read = new JsonSerde<>(RecentAssessments.class).deserializer().deserialize("t", old);

    assertThat(read.indexedAlerts()).isEmpty();
    assertThat(read.assessments()).extracting(RecentAssessments.Stored::id).containsExactly("s1");
  }

  @Test
  void shouldRefuseAnIndexWithoutRoom() {
    assertThatThrownBy(() -> new RiskAssessmentProcessor(new RiskAssessments(java.util.Map.of()), 0))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
