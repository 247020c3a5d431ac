package io.riskstream.app.http;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.riskstream.schemas.FeedbackAction;
import io.riskstream.schemas.FeedbackSource;
import io.riskstream.schemas.RiskAlertFeedback;
import io.riskstream.topology.Ids;
import io.riskstream.topology.config.RiskStreamConfig;
import io.riskstream.topology.fhir.AlertRef;
import io.riskstream.topology.serde.AvroSerdes;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Clinicians' answers to alerts (CDS Hooks feedback, the alert inbox) as {@link RiskAlertFeedback} records on the
 * feedback topic, keyed by patient id, written with the application's Kafka client properties (bootstrap servers and
 * security) and acknowledged by all in-sync replicas before the request is answered; counted per outcome, action and
 * source in {@value #METRIC}.
 */
public final class AlertFeedback implements AutoCloseable {

  /** Writes one feedback record; returns once the broker acknowledged it. */
  @FunctionalInterface
  public interface Publisher {
    void publish(RiskAlertFeedback feedback) throws InterruptedException, ExecutionException, TimeoutException;
  }

  /** Name of the counter of written feedback ({@code riskstream_alert_feedback_total}), by outcome, action, source. */
  public static final String METRIC = "riskstream.alert.feedback";

  private final Publisher publisher;
  private final AutoCloseable resource;
  private final MeterRegistry metrics;

  AlertFeedback(Publisher publisher, AutoCloseable resource, MeterRegistry metrics) {
    this.publisher = publisher;
    this.resource = resource;
    this.metrics = metrics;
  }

  /**
   * Feedback written to {@code config}'s feedback topic by a producer made from its client properties, counted in
   * {@code metrics}.
   */
  public static AlertFeedback toKafka(RiskStreamConfig config, AvroSerdes serdes, MeterRegistry metrics) {
    Map<String, Object> props = config.producerProperties();
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    props.put(ProducerConfig.CLIENT_ID_CONFIG, config.getString(RiskStreamConfig.APPLICATION_ID_CONFIG) + "-feedback");
    String topic = config.topics().alertFeedback().name();
    KafkaProducer<String, RiskAlertFeedback> producer = new KafkaProducer<>(props, new StringSerializer(),
        serdes.value(RiskAlertFeedback.class).serializer());
    return new AlertFeedback(f -> producer.send(new ProducerRecord<>(topic, f.getPatientId(), f))
        .get(30, TimeUnit.SECONDS), () -> producer.close(Duration.ofSeconds(10)), metrics);
  }

  /** The CDS Hooks card uuid of an alert: its id (128 bits in hex) written as a UUID, so it maps back. */
  public static String cardUuid(String alertId) {
    if (alertId.length() != 32 || !alertId.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
      throw new IllegalArgumentException("an alert id is 32 hex digits");
    }
    return alertId.substring(0, 8) + "-" + alertId.substring(8, 12) + "-" + alertId.substring(12, 16) + "-"
        + alertId.substring(16, 20) + "-" + alertId.substring(20);
  }

  /** The alert id of a card uuid made by {@link #cardUuid}, if it is one. */
  public static Optional<String> alertId(String cardUuid) {
    try {
      UUID uuid = UUID.fromString(cardUuid);
      String hex = HexFormat.of().toHexDigits(uuid.getMostSignificantBits())
          + HexFormat.of().toHexDigits(uuid.getLeastSignificantBits());
      return cardUuid(hex).equalsIgnoreCase(cardUuid) ? Optional.of(hex) : Optional.empty();
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  /**
   * Writes the answer to {@code alert}.
   *
   * @param reasonCode override reason code, null when accepted
   * @param reasonDisplay override reason text, or the clinician's comment
   * @param userId who answered, or null when unknown
   * @param at when the clinician answered
   */
  public RiskAlertFeedback record(AlertRef alert, FeedbackAction action, String reasonCode, String reasonDisplay,
      String userId, FeedbackSource source, Instant at) throws InterruptedException, ExecutionException,
      TimeoutException {
    RiskAlertFeedback f = RiskAlertFeedback.newBuilder()
        .setFeedbackId(Ids.of("feedback", alert.alertId(), action.name(), userId == null ? "" : userId,
            Long.toString(at.toEpochMilli())))
        .setAlertId(alert.alertId())
        .setCardUuid(cardUuid(alert.alertId()))
        .setPatientId(alert.patientId())
        .setOutcome(alert.outcome())
        .setAction(action)
        .setReasonCode(reasonCode)
        .setReasonDisplay(reasonDisplay)
        .setUserId(userId)
        .setSource(source)
        .setOutcomeTimestamp(at)
        .build();
    publisher.publish(f);
    Counter.builder(METRIC).description("Clinicians' answers to alerts written to the feedback topic")
        .tag("outcome", alert.outcome()).tag("action", action.name().toLowerCase(java.util.Locale.ROOT))
        .tag("source", source.name().toLowerCase(java.util.Locale.ROOT)).register(metrics).increment();
    return f;
  }

  @Override
  public void close() throws Exception {
    resource.close();
  }
}
