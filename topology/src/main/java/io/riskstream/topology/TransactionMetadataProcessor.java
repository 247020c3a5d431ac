package io.riskstream.topology;

import io.riskstream.connectors.RejectedInputException;
import io.riskstream.connectors.debezium.TransactionMetadata;
import io.riskstream.schemas.DeadLetterStage;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;

/**
 * transaction-metadata: the records of Debezium's transaction topic → the END of each transaction as a
 * {@link TransactionSignal.Ended} keyed by its transaction metadata id (BEGIN records carry nothing the tracker needs);
 * a record that is not transaction metadata becomes a DeadLetter (stage NORMALIZE).
 */
public final class TransactionMetadataProcessor implements Processor<byte[], byte[], String, Object> {

  private final DeadLetterCounts deadLetterCounts;
  private ProcessorContext<String, Object> context;
  private DeadLetters deadLetters;

  public TransactionMetadataProcessor(DeadLetterCounts deadLetterCounts) {
    this.deadLetterCounts = deadLetterCounts;
  }

  @Override
  public void init(ProcessorContext<String, Object> context) {
    this.context = context;
    this.deadLetters = new DeadLetters(context, DeadLetterStage.NORMALIZE, deadLetterCounts);
  }

  @Override
  public void process(Record<byte[], byte[]> record) {
    try {
      TransactionMetadata m = TransactionMetadata.parse(record.value());
      if (m.status() == TransactionMetadata.Status.END) {
        context.forward(new Record<>(m.id(), (Object) new TransactionSignal.Ended(m.eventCount()),
            record.timestamp()));
      }
    } catch (RejectedInputException e) {
      RecordMetadata md = context.recordMetadata().orElseThrow();
      context.forward(new Record<>((String) null, (Object) deadLetters.deadLetter(e.reason(), e.getMessage(), md,
          record.key(), record.value()), record.timestamp()));
    }
  }

  @Override
  public void close() {
    if (deadLetters != null) {
      deadLetters.close();
    }
  }
}
