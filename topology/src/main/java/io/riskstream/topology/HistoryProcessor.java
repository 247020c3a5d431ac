package io.riskstream.topology;

import io.riskstream.schemas.EmrEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.metrics.Sensor;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * history: keeps each patient's bounded history (upsert/delete by eventId, sorted by event time, duplicates no-ops,
 * see {@link PatientHistory#apply}) and, on {@link HistoryCommand.Close}, encodes it into a {@link ScoringRequest}
 * when it changed since the last request. Index time = newest event time + 1 ms.
 *
 * <p>Storage is incremental, so a transaction writes what it changed, not the whole history: store {@value #STORE}
 * holds per patient the versions (a {@link PatientHistory} without events), store {@value #EVENTS_STORE} one entry per
 * event, keyed {@code patientId NUL eventId}. A {@value #STORE} entry that still holds its events (written by version
 * 1, which kept the whole history in one entry) is read as it is and moved to the incremental layout when the
 * patient's history next changes.
 *
 * <p>The histories it read or wrote last are kept deserialized (least recently used first out, at most
 * {@link #CACHED_EVENTS} events in all), so a patient's next transaction does not decode the whole history again.
 * The store stays the truth: every change is written through, and the cache starts empty whenever the task is
 * (re)initialized, e.g. after its store was restored from the changelog.
 */
public final class HistoryProcessor implements Processor<String, HistoryCommand, String, ScoringRequest> {

  public static final String STORE = "patient-history";
  public static final String EVENTS_STORE = "patient-history-events";
  /** Events held deserialized per task (about 0.3 KB each on the heap). */
  static final int CACHED_EVENTS = 100_000;
  private static final Logger LOG = LoggerFactory.getLogger(HistoryProcessor.class);

  private final java.util.LinkedHashMap<String, PatientHistory> cache = new java.util.LinkedHashMap<>(256, 0.75f, true);
  private long cachedEvents;
  /** Patients whose history was read from a version 1 entry (all events in the {@value #STORE} entry). */
  private final java.util.Set<String> legacy = new java.util.HashSet<>();

  private final int maxEvents;
  private final Duration maxAge;
  private final RequestEncoder encoder;
  private final int occlusions;
  private ProcessorContext<String, ScoringRequest> context;
  private KeyValueStore<String, PatientHistory> store;
  private KeyValueStore<String, EmrEvent> eventStore;
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
    this.eventStore = context.getStateStore(EVENTS_STORE);
    cache.clear();
    cachedEvents = 0;
    legacy.clear();
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
        write(patient, h, next);
      }
    } else if (record.value() instanceof HistoryCommand.Close c) {
      PatientHistory before = h;
      h = applyAll(h, c.events());
      if (!h.changedSinceRequest()) {
        return; // e.g. only duplicates: the stored history is unchanged
      }
      h = h.requested();
      write(patient, before, h);
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
      PatientHistory header = store.get(patient);
      if (header != null && !header.events().isEmpty()) {
        legacy.add(patient);  // a version 1 entry: its events move to the events store at the next write
      }
      h = history(header, eventStore, patient);
      remember(patient, h);
    }
    return h;
  }

  /**
   * A patient's history as the two stores hold it (for this processor, interactive queries and tests): the versions
   * of {@code headers} and the events of {@code events} under the patient's key prefix, sorted; an empty history
   * when the patient is unknown.
   */
  public static PatientHistory history(ReadOnlyKeyValueStore<String, PatientHistory> headers,
      ReadOnlyKeyValueStore<String, EmrEvent> events, String patient) {
    return history(headers.get(patient), events, patient);
  }

  private static PatientHistory history(PatientHistory header, ReadOnlyKeyValueStore<String, EmrEvent> events,
      String patient) {
    if (header == null) {
      return PatientHistory.empty();
    }
    if (!header.events().isEmpty()) {
      return header;  // version 1 layout: the whole history in one entry
    }
    List<EmrEvent> list = new ArrayList<>();
    try (KeyValueIterator<String, EmrEvent> it = events.prefixScan(patient + '\u0000', new StringSerializer())) {
      it.forEachRemaining(kv -> list.add(kv.value));
    }
    list.sort(PatientHistory.ORDER);
    return new PatientHistory(header.version(), header.requestedVersion(), list);
  }

  static String eventKey(String patient, String eventId) {
    return patient + '\u0000' + eventId;
  }

  /** Writes what changed from {@code before} to {@code after}: new or changed events, removed ones, the versions. */
  private void write(String patient, PatientHistory before, PatientHistory after) {
    Map<String, EmrEvent> old = new HashMap<>(before.events().size() * 2);
    before.events().forEach(e -> old.put(e.getEventId(), e));
    boolean move = legacy.remove(patient);
    for (EmrEvent e : after.events()) {
      EmrEvent was = old.remove(e.getEventId());
      if (was != e || move) {
        eventStore.put(eventKey(patient, e.getEventId()), e);
      }
    }
    old.keySet().forEach(id -> eventStore.delete(eventKey(patient, id)));
    store.put(patient, new PatientHistory(after.version(), after.requestedVersion(), List.of()));
    remember(patient, after);
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

  private PatientHistory applyAll(PatientHistory h, List<EmrEvent> events) {
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
