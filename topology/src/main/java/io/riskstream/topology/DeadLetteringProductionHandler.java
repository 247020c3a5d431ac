package io.riskstream.topology;

import io.riskstream.schemas.DeadLetterReason;
import io.riskstream.schemas.DeadLetterStage;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProductionExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An output the producer refuses: one larger than the producer's limit (the stages bound their records, so this is a
 * last guard) or one that does not serialize becomes a DeadLetter (stage PRODUCE; OUTPUT_TOO_LARGE or
 * PROCESSING_ERROR; key and the first bytes of the output) and the stream goes on. Retriable errors are retried and
 * anything else fails, as Kafka Streams' default handler does. Installed by {@link ErrorHandling}.
 */
public final class DeadLetteringProductionHandler implements ProductionExceptionHandler {

  private static final Logger LOG = LoggerFactory.getLogger(DeadLetteringProductionHandler.class);
  private ErrorHandling.Sink sink;

  @Override
  public void configure(Map<String, ?> configs) {
    sink = ErrorHandling.Sink.of(configs);
  }

  @Override
  public Response handleError(ErrorHandlerContext context, ProducerRecord<byte[], byte[]> record,
      Exception exception) {
    if (exception instanceof RecordTooLargeException) {
      LOG.error("an output to {} of {} bytes is over the producer's limit; dead-lettered", record.topic(),
          record.value() == null ? 0 : record.value().length);
      return Response.resume(sink.write(sink.deadLetter(context, DeadLetterStage.PRODUCE,
          DeadLetterReason.OUTPUT_TOO_LARGE, "an output to " + record.topic() + " is over the producer's limit",
          record.key(), record.value())));
    }
    return exception instanceof RetriableException ? Response.retry() : Response.fail();
  }

  @Override
  public Response handleSerializationError(ErrorHandlerContext context, ProducerRecord record, Exception exception,
      SerializationExceptionOrigin origin) {
    LOG.error("an output to {} does not serialize ({}); dead-lettered", record.topic(), ErrorHandling.origin(exception));
    return Response.resume(sink.write(sink.deadLetter(context, DeadLetterStage.PRODUCE,
        DeadLetterReason.PROCESSING_ERROR, "an output to " + record.topic() + " does not serialize ("
            + origin + ", " + exception.getClass().getSimpleName() + ")", null, null)));
  }
}
