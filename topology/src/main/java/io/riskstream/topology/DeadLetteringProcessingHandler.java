package io.riskstream.topology;

import io.riskstream.schemas.DeadLetterReason;
import io.riskstream.schemas.DeadLetterStage;
import java.util.Map;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProcessingExceptionHandler;
import org.apache.kafka.streams.errors.StreamsException;
import org.apache.kafka.streams.processor.api.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An unexpected error while a processor handles one record (KIP-1033): the record's source bytes become a DeadLetter
 * (PROCESSING_ERROR, stage from the processor's name) and the stream goes on, so that one record no stage foresaw
 * cannot stop scoring for every patient; the error is logged with its class and origin (not its message, which may
 * quote input). A {@link StreamsException} is an infrastructure failure (e.g. the scorer's backend kept failing):
 * it fails the thread as before. Installed by {@link ErrorHandling}.
 */
public final class DeadLetteringProcessingHandler implements ProcessingExceptionHandler {

  private static final Logger LOG = LoggerFactory.getLogger(DeadLetteringProcessingHandler.class);
  private ErrorHandling.Sink sink;

  @Override
  public void configure(Map<String, ?> configs) {
    sink = ErrorHandling.Sink.of(configs);
  }

  @Override
  public Response handleError(ErrorHandlerContext context, Record<?, ?> record, Exception exception) {
    if (exception instanceof StreamsException) {
      return Response.fail();
    }
    DeadLetterStage stage = ErrorHandling.stageOf(context.processorNodeId());
    LOG.error("processor {} failed on the record of {}-{}@{} ({}); dead-lettered", context.processorNodeId(),
        context.topic(), context.partition(), context.offset(), ErrorHandling.origin(exception));
    return Response.resume(sink.write(sink.deadLetter(context, stage, DeadLetterReason.PROCESSING_ERROR,
        "processor " + context.processorNodeId() + " failed: " + exception.getClass().getSimpleName(),
        context.sourceRawKey(), context.sourceRawValue())));
  }
}
