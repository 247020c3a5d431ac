package io.riskstream.app.http;

import io.micrometer.core.instrument.MeterRegistry;
import io.riskstream.scoring.model.ModelBundle;
import io.riskstream.topology.ScoringBackend;
import io.riskstream.topology.config.RiskStreamConfig;
import io.riskstream.topology.fhir.OutcomeConcept;
import io.riskstream.topology.fhir.RiskAssessments;
import io.riskstream.topology.serde.AvroSerdes;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.streams.KafkaStreams;

/**
 * The routes where clinicians' systems meet RiskStream, for {@link HttpEndpoints}: FHIR RiskAssessment search, the
 * CDS Hooks service with its feedback, the model card and the alert inbox. Owns the feedback producer and the inbox's
 * alert consumer.
 */
public final class ClinicianRoutes implements AutoCloseable {

  private final List<HttpRoute> routes;
  private final AlertFeedback feedback;
  private final AlertStream alertStream;

  private ClinicianRoutes(List<HttpRoute> routes, AlertFeedback feedback, AlertStream alertStream) {
    this.routes = List.copyOf(routes);
    this.feedback = feedback;
    this.alertStream = alertStream;
  }

  /**
   * The routes of an instance running {@code streams} with {@code model}; feedback is counted in {@code metrics};
   * {@code security} (the endpoints') starts the inbox's sessions; {@code owners} routes requests about a patient to
   * the instance that owns it.
   */
  public static ClinicianRoutes create(RiskStreamConfig config, AvroSerdes serdes, KafkaStreams streams,
      ScoringBackend backend, ModelBundle model, MeterRegistry metrics, HttpSecurity security, OwnerRouting owners) {
    RiskAssessments fhir = new RiskAssessments(OutcomeConcept.of(backend));
    AlertFeedback feedback = AlertFeedback.toKafka(config, serdes, metrics);
    List<HttpRoute> routes = new ArrayList<>();
    routes.add(new FhirEndpoints(ClinicianStores.assessments(streams), fhir, owners).route());
    routes.addAll(new CdsHooksService(HttpEndpoints.alertStateLookup(streams), ClinicianStores.assessments(streams),
        ClinicianStores.alerts(streams), config.alertPolicy(), fhir, feedback, model.name() + " " + model.version(),
        Clock.systemUTC(), owners).routes());
    routes.addAll(ModelCardRoute.routes(model.cardJson()));
    AlertStream alertStream = AlertStream.start(config, serdes, outcome -> fhir.concept(outcome).display());
    routes.addAll(new AlertInbox(security, owners, alertStream, ClinicianStores.assessments(streams), ClinicianStores.alerts(streams), fhir,
        feedback, Clock.systemUTC()).routes());
    return new ClinicianRoutes(routes, feedback, alertStream);
  }

  public List<HttpRoute> routes() {
    return routes;
  }

  @Override
  public void close() throws Exception {
    alertStream.close();
    feedback.close();
  }
}
