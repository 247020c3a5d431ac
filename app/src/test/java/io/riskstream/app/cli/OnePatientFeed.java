package io.riskstream.app.cli;

import io.riskstream.app.demo.DebeziumChangeEvents;
import io.riskstream.connectors.ehr.EhrRow;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Debezium change events of one patient (p-1) and one condition, for the tests of {@code riskstream run}. The
 * condition (SNOMED-CT 4) is no outcome's onset in test-tiny's spec (a: 1, b: 2, c: 3): each of a, b and c alerts
 * exactly once whichever of the two transactions the stream scores first. (With an onset code, outcome a alerted only
 * when the patient's transaction was scored before the condition arrived, and was withheld as diagnosed otherwise:
 * the order of two input topics decided it.)
 */
final class OnePatientFeed {

  private OnePatientFeed() {
  }

  /** Produces p-1 and its condition (and, with {@code withBadRecord}, one record that is not JSON). */
  static void produce(String bootstrap, boolean withBadRecord) {
    produce(Map.of("bootstrap.servers", bootstrap), withBadRecord);
  }

  /** As {@link #produce(String, boolean)}, with a producer of the properties {@code producer} (e.g. secured). */
  static void produce(Map<String, Object> producer, boolean withBadRecord) {
    EhrRow patient = patient("p-1");
    EhrRow condition = condition("c-1", "p-1");
    try (KafkaProducer<byte[], byte[]> out = new KafkaProducer<>(producer, new ByteArraySerializer(),
        new ByteArraySerializer())) {
      out.send(new ProducerRecord<>("ehr.clinical.patients", DebeziumChangeEvents.key(patient), DebeziumChangeEvents.create(patient, 1, 1, 1)));
      out.send(new ProducerRecord<>("ehr.clinical.conditions", DebeziumChangeEvents.key(condition),
          DebeziumChangeEvents.create(condition, 2, 2, 2)));
      if (withBadRecord) {
        out.send(new ProducerRecord<>("ehr.clinical.conditions", "k".getBytes(StandardCharsets.UTF_8),
            "{not json".getBytes(StandardCharsets.UTF_8)));
      }
    }
  }

  /** The patients row of {@code id}: born 1960-01-01, female, alive. */
  static EhrRow patient(String id) {
    Map<String, Object> p = new LinkedHashMap<>();
    p.put("id", id);
    p.put("birthdate", LocalDate.parse("1960-01-01"));
    p.put("deathdate", null);
    p.put("gender", "female");
    p.put("race", null);
    p.put("ethnicity", null);
    return new EhrRow("patients", p);
  }

  /** A conditions row {@code id} of {@code patientId}: SNOMED-CT 4 (no outcome's onset in test-tiny) since 2020. */
  static EhrRow condition(String id, String patientId) {
    Map<String, Object> c = new LinkedHashMap<>();
    c.put("id", id);
    c.put("patient_id", patientId);
    c.put("encounter_id", null);
    c.put("start_time", Instant.parse("2020-01-01T00:00:00Z"));
    c.put("stop_time", null);
    c.put("code_system", "SNOMED-CT");
    c.put("code", "4");
    c.put("description", "test");
    return new EhrRow("conditions", c);
  }
}
