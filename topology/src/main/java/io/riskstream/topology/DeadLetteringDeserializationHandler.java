package io.riskstream.topology;

import io.riskstream.schemas.DeadLetterReason;
import io.riskstream.schemas.DeadLetterStage;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.streams.errors.DeserializationExceptionHandler;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A record whose key or value does not deserialize (e.g. bytes on emr-events that are not an EmrEvent in the
 * registry's framing, or whose schema id the registry does not know) becomes a DeadLetter (stage SOURCE,
 * UNDECODABLE_RECORD, the original bytes) and the stream goes on. Installed by {@link ErrorHandling}.
 */
public final class DeadLetteringDeserializationHandler implements DeserializationExceptionHandler {

  private static final Logger LOG = LoggerFactory.getLogger(DeadLetteringDeserializationHandler.class);
  private ErrorHandling.Sink sink;

  @Override
  public void configure(Map<String, ?> configs) {
    sink = ErrorHandling.Sink.of(configs);
  }

  @Override
  public Response handleError(ErrorHandlerContext context, ConsumerRecord<byte[], byte[]> record,
      Exception exception) {
    LOG.warn("a record of {}-{}@{} does not deserialize ({}); dead-lettered", context.topic(), context.partition(),
        context.offset(), exception.getClass().getSimpleName());
    return Response.resume(sink.write(sink.deadLetter(context, DeadLetterStage.SOURCE,
        DeadLetterReason.UNDECODABLE_RECORD, "the record does not deserialize as the topic's type ("
            + exception.getClass().getSimpleName() + ")", record.key(), record.value())));
  }
}
