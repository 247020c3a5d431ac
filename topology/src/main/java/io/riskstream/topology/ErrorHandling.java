package io.riskstream.topology;

import io.riskstream.schemas.DeadLetter;
import io.riskstream.schemas.DeadLetterReason;
import io.riskstream.schemas.DeadLetterStage;
import io.riskstream.topology.config.RiskStreamConfig;
import io.riskstream.topology.serde.AvroSerdes;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.ErrorHandlerContext;

/**
 * How RiskStream wires Kafka Streams' own error hooks so that no input stops the stream: a value that does not
 * deserialize ({@link DeadLetteringDeserializationHandler}), an unexpected error while a processor handles a record
 * ({@link DeadLetteringProcessingHandler}, KIP-1033) and an output the producer refuses
 * ({@link DeadLetteringProductionHandler}) each become one DeadLetter on the dead-letter topic (KIP-1034: the handler
 * returns the record to write) and the stream goes on. Infrastructure failures are not input: they still fail.
 */
public final class ErrorHandling {

  /** Streams property: the dead-letter topic's name. */
  static final String DEAD_LETTER_TOPIC = "riskstream.dead.letter.topic";
  /** Streams property: the {@link AvroSerdes} that writes DeadLetters (an object, not a string). */
  static final String SERDES = "riskstream.dead.letter.serdes";
  /** Streams property: the instance's {@link DeadLetterCounts} (an object, not a string). */
  static final String COUNTS = "riskstream.dead.letter.counts";

  private ErrorHandling() {
  }

  /** The Kafka Streams properties that install the handlers for {@code config}'s dead-letter topic. */
  public static Map<String, Object> streamsProperties(RiskStreamConfig config, AvroSerdes serdes,
      DeadLetterCounts counts) {
    Map<String, Object> p = new HashMap<>();
    p.put(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG, DeadLetteringDeserializationHandler.class);
    p.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG, DeadLetteringProcessingHandler.class);
    p.put(StreamsConfig.PRODUCTION_EXCEPTION_HANDLER_CLASS_CONFIG, DeadLetteringProductionHandler.class);
    p.put(DEAD_LETTER_TOPIC, config.topics().deadLetters().name());
    p.put(SERDES, serdes);
    p.put(COUNTS, counts);
    return p;
  }

  /** What every handler needs: where dead letters go, how they are written, where they are counted. */
  record Sink(String topic, Serializer<DeadLetter> serializer, DeadLetterCounts counts) {

    static Sink of(Map<String, ?> configs) {
      Object topic = configs.get(DEAD_LETTER_TOPIC);
      Object serdes = configs.get(SERDES);
      Object counts = configs.get(COUNTS);
      if (!(topic instanceof String t) || !(serdes instanceof AvroSerdes s) || !(counts instanceof DeadLetterCounts c)) {
        throw new IllegalStateException("RiskStream's error handlers need the properties of"
            + " ErrorHandling.streamsProperties (" + DEAD_LETTER_TOPIC + ", " + SERDES + ", " + COUNTS + ")");
      }
      return new Sink(t, s.value(DeadLetter.class).serializer(), c);
    }

    /** Counts {@code d} and returns it as the record to write to the dead-letter topic. */
    List<ProducerRecord<byte[], byte[]>> write(DeadLetter d) {
      counts.add(d.getStage(), d.getReasonCode());
      return List.of(new ProducerRecord<>(topic, null, DeadLetters.key(d), serializer.serialize(topic, d)));
    }

    /** The dead letter of the source record the handler's context names. */
    DeadLetter deadLetter(ErrorHandlerContext context, DeadLetterStage stage, DeadLetterReason reason, String message,
        byte[] key, byte[] value) {
      return DeadLetters.build(stage, reason, message, context.topic() == null ? "" : context.topic(),
          context.partition(), context.offset(), key, value);
    }
  }

  /** The stage of a processor node (by the names RiskTopology gives them). */
  static DeadLetterStage stageOf(String processorNodeId) {
    if (processorNodeId == null) {
      return DeadLetterStage.UNKNOWN;
    }
    if (processorNodeId.startsWith(RiskTopology.NORMALIZE) || processorNodeId.startsWith(RiskTopology.FHIR_NORMALIZE)) {
      return DeadLetterStage.NORMALIZE;
    }
    if (processorNodeId.startsWith(RiskTopology.TRIGGER) || processorNodeId.startsWith(RiskTopology.HISTORY)) {
      return DeadLetterStage.HISTORY;
    }
    if (processorNodeId.startsWith(RiskTopology.SCORE)) {
      return DeadLetterStage.SCORE;
    }
    if (processorNodeId.startsWith(RiskTopology.ALERT)) {
      return DeadLetterStage.ALERT;
    }
    return DeadLetterStage.UNKNOWN;
  }

  /** Where an exception was raised, for a log line without its message (which may quote input). */
  static String origin(Throwable e) {
    StackTraceElement[] trace = e.getStackTrace();
    return e.getClass().getName() + (trace.length == 0 ? "" : " at " + trace[0]);
  }
}
