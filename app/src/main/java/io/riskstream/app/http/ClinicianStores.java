package io.riskstream.app.http;

import io.riskstream.topology.fhir.AlertRef;
import io.riskstream.topology.fhir.RecentAssessments;
import io.riskstream.topology.fhir.RiskAssessmentProcessor;
import java.util.Optional;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * Interactive queries of the stores the clinician routes read, on this instance's partitions (as
 * {@link HttpEndpoints#alertStateLookup}): a patient's recent RiskAssessments and an alert by id.
 */
public final class ClinicianStores {

  /** A patient's recent assessments; throws {@link InvalidStateStoreException} when the store is not queryable. */
  @FunctionalInterface
  public interface AssessmentLookup {
    Optional<RecentAssessments> find(String patientId);
  }

  /** An alert by id; throws {@link InvalidStateStoreException} when the store is not queryable. */
  @FunctionalInterface
  public interface AlertLookup {
    Optional<AlertRef> find(String alertId);
  }

  private ClinicianStores() {
  }

  /** Store {@value RiskAssessmentProcessor#STORE} of {@code streams}. */
  public static AssessmentLookup assessments(KafkaStreams streams) {
    return id -> Optional.ofNullable(ClinicianStores.<RecentAssessments>store(streams, RiskAssessmentProcessor.STORE)
        .get(id));
  }

  /** Store {@value RiskAssessmentProcessor#ALERT_INDEX} of {@code streams}. */
  public static AlertLookup alerts(KafkaStreams streams) {
    return id -> Optional.ofNullable(ClinicianStores.<AlertRef>store(streams, RiskAssessmentProcessor.ALERT_INDEX)
        .get(id));
  }

  private static <V> ReadOnlyKeyValueStore<String, V> store(KafkaStreams streams, String name) {
    return streams.store(StoreQueryParameters.fromNameAndType(name, QueryableStoreTypes.<String, V>keyValueStore()));
  }
}
