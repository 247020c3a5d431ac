package io.riskstream.topology;

import java.time.Duration;
import org.apache.kafka.common.metrics.Sensor;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * history: keeps each patient's bounded history in store {@value #STORE} (upsert/delete by eventId, sorted by event
 * time, duplicates no-ops, see {@link PatientHistory#apply}) and, on {@link HistoryCommand.Close}, encodes it into a
 * {@link ScoringRequest} when it changed since the last request. Index time = newest event time + 1 ms.
 */
public final class HistoryProcessor implements Processor<String, HistoryCommand, String, ScoringRequest> {

  public static final String STORE = "patient-history";
  private static final Logger LOG = LoggerFactory.getLogger(HistoryProcessor.class);

  private final int maxEvents;
  private final Duration maxAge;
  private final RequestEncoder encoder;
  private final int occlusions;
  private ProcessorContext<String, ScoringRequest> context;
  private KeyValueStore<String, PatientHistory> store;
  private Sensor unencodable;

  public HistoryProcessor(int maxEvents, Duration maxAge, RequestEncoder encoder, int occlusions) {
    this.maxEvents = maxEvents;
    this.maxAge = maxAge;
    this.encoder = encoder;
    this.occlusions = occlusions;
  }

  @Override
  public void init(ProcessorContext<String, ScoringRequest> context) {
    this.context = context;
    this.store = context.getStateStore(STORE);
    this.unencodable = context.metrics().addRateTotalSensor(NormalizeProcessor.METRICS_SCOPE,
        context.taskId().toString(), "history-unencodable", Sensor.RecordingLevel.INFO);
  }

  @Override
  public void process(Record<String, HistoryCommand> record) {
    String patient = record.key();
    PatientHistory h = store.get(patient);
    if (h == null) {
      h = PatientHistory.empty();
    }
    if (record.value() instanceof HistoryCommand.Apply a) {
      PatientHistory next = applyAll(h, a.events());
      if (next != h) {
        store.put(patient, next);
      }
    } else if (record.value() instanceof HistoryCommand.Close c) {
      h = applyAll(h, c.events());
      if (!h.changedSinceRequest()) {
        return; // e.g. only duplicates: the stored history is unchanged
      }
      store.put(patient, h.requested());
      Long newest = h.newestEventTime();
      if (newest == null) {
        return; // every event was deleted: nothing to score
      }
      RequestEncoder.Encoded enc;
      try {
        enc = encoder.encode(h.events(), newest + 1, occlusions);
      } catch (IllegalArgumentException e) {
        unencodable.record();
        LOG.warn("history version {} of a patient in task {} cannot be encoded ({} events): {}", h.version(),
            context.taskId(), h.events().size(), e.getClass().getSimpleName());
        return;
      }
      context.forward(record.withValue(ScoringRequest.of(patient, h.version(), newest, c, enc, h.events(), record.timestamp())));
    }
  }

  private PatientHistory applyAll(PatientHistory h, java.util.List<io.riskstream.schemas.EmrEvent> events) {
    PatientHistory out = h;
    for (io.riskstream.schemas.EmrEvent e : events) {
      out = out.apply(e, maxEvents, maxAge);
    }
    return out;
  }

  @Override
  public void close() {
    if (unencodable != null) {
      context.metrics().removeSensor(unencodable);
    }
  }
}
