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
 *
 * <p>The histories it read or wrote last are kept deserialized (least recently used first out, at most
 * {@link #CACHED_EVENTS} events in all), so a patient's next transaction does not decode the whole history again.
 * The store stays the truth: every change is written through, and the cache starts empty whenever the task is
 * (re)initialized, e.g. after its store was restored from the changelog.
 */
public final class HistoryProcessor implements Processor<String, HistoryCommand, String, ScoringRequest> {

  public static final String STORE = "patient-history";
  /** Events held deserialized per task (about 0.3 KB each on the heap). */
  static final int CACHED_EVENTS = 100_000;
  private static final Logger LOG = LoggerFactory.getLogger(HistoryProcessor.class);

  private final java.util.LinkedHashMap<String, PatientHistory> cache = new java.util.LinkedHashMap<>(256, 0.75f, true);
  private long cachedEvents;

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
    cache.clear();
    cachedEvents = 0;
    this.unencodable = context.metrics().addRateTotalSensor(NormalizeProcessor.METRICS_SCOPE,
        context.taskId().toString(), "history-unencodable", Sensor.RecordingLevel.INFO);
  }

  @Override
  public void process(Record<String, HistoryCommand> record) {
    String patient = record.key();
    PatientHistory h = read(patient);
    if (record.value() instanceof HistoryCommand.Apply a) {
      PatientHistory next = applyAll(h, a.events());
      if (next != h) {
        write(patient, next);
      }
    } else if (record.value() instanceof HistoryCommand.Close c) {
      h = applyAll(h, c.events());
      if (!h.changedSinceRequest()) {
        return; // e.g. only duplicates: the stored history is unchanged
      }
      h = h.requested();
      write(patient, h);
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

  private PatientHistory read(String patient) {
    PatientHistory h = cache.get(patient);
    if (h == null) {
      h = store.get(patient);
      if (h == null) {
        h = PatientHistory.empty();
      }
      remember(patient, h);
    }
    return h;
  }

  private void write(String patient, PatientHistory h) {
    store.put(patient, h);
    remember(patient, h);
  }

  private void remember(String patient, PatientHistory h) {
    PatientHistory old = cache.put(patient, h);
    cachedEvents += h.events().size() - (old == null ? 0 : old.events().size());
    for (var it = cache.entrySet().iterator(); cachedEvents > CACHED_EVENTS && it.hasNext(); ) {
      var eldest = it.next();
      if (!eldest.getKey().equals(patient)) {
        cachedEvents -= eldest.getValue().events().size();
        it.remove();
      }
    }
  }

  private PatientHistory applyAll(PatientHistory h, java.util.List<io.riskstream.schemas.EmrEvent> events) {
    return h.applyAll(events, maxEvents, maxAge);
  }

  @Override
  public void close() {
    cache.clear();
    cachedEvents = 0;
    if (unencodable != null) {
      context.metrics().removeSensor(unencodable);
    }
  }
}
