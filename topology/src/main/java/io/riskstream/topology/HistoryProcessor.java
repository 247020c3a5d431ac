package io.riskstream.topology;

import io.riskstream.schemas.DeadLetterReason;
import io.riskstream.schemas.DeadLetterStage;
import io.riskstream.schemas.EmrEvent;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
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
 * see {@link LiveHistory#apply}) and, on {@link HistoryCommand.Close}, encodes it into a {@link ScoringRequest}
 * when it changed since the last request. Index time = newest event time + 1 ms. The request also carries, from the
 * same history, the outcomes already diagnosed at its asOf (their onset events, {@link OnsetCodes}, in the history or
 * remembered in the {@value #STORE} entry since they arrived, {@link OnsetCodes#remember}: the bounded history
 * evicts old diagnoses) and the patient's death time, for the alert policy; the shadow's request the same by the
 * shadow model's onset codes. A history the encoder rejects
 * ({@link IllegalArgumentException}) becomes a DeadLetter (stage ENCODE, UNENCODABLE_HISTORY; key = patient id,
 * coordinates = the closing transaction's first source offset) instead of a request; the history itself is kept.
 * Output: {@link ScoringRequest}s and {@link io.riskstream.schemas.DeadLetter}s; with a shadow model, after each
 * ScoringRequest the same history version encoded by the shadow model's encoder, without reason events, as a
 * {@link ShadowRequest}. A history the shadow encoder rejects is counted ({@link ShadowCounts.Failure#UNENCODABLE})
 * and skipped for the shadow only.
 *
 * <p>Storage is incremental and written through event by event: store {@value #STORE} holds per patient the versions
 * (a {@link PatientHistory} without events), store {@value #EVENTS_STORE} one entry per event, keyed
 * {@code <length of patientId>:<patientId><eventId>} ({@link #eventKey}): the length fixes where the patient id ends,
 * so no id, whatever it contains, makes one patient's key a prefix of another's, and a patient's events are read back
 * by prefix scan. Entries whose value names another patient are never read as the patient's.
 *
 * <p>Older layouts are read and moved when the patient is next seen: a {@value #STORE} entry that still holds its
 * events (version 1 kept the whole history in one entry), and event keys {@code patientId NUL eventId} (up to 0.1,
 * {@link #legacyEventKey}), which an id holding NUL could make collide; of those only entries whose value carries the
 * patient's id are taken.
 *
 * <p>The histories it read or wrote last are kept live ({@link LiveHistory}; least recently used first out, at most
 * {@link #CACHED_EVENTS} events in all), so an event costs O(log n) and a transaction's scoring does not decode the
 * whole history again. The stores stay the truth: every change is written through at once, and the cache starts
 * empty whenever the task is (re)initialized, e.g. after its stores were restored from the changelog.
 */
public final class HistoryProcessor implements Processor<String, HistoryCommand, String, Object> {

  public static final String STORE = "patient-history";
  public static final String EVENTS_STORE = "patient-history-events";
  /** Events held live per task (about 0.3 KB each on the heap). */
  static final int CACHED_EVENTS = 100_000;
  private static final Logger LOG = LoggerFactory.getLogger(HistoryProcessor.class);

  private final LinkedHashMap<String, LiveHistory> cache = new LinkedHashMap<>(256, 0.75f, true);
  private long cachedEvents;

  private final int maxEvents;
  private final Duration maxAge;
  private final RequestEncoder encoder;
  private final ReasonGroups reasons;
  private final OnsetCodes onsets;
  /** What the history remembers beyond its bound: the onset events of production's and the shadow's outcomes. */
  private final OnsetCodes remembering;
  private final DeadLetterCounts deadLetterCounts;
  /** The shadow model's, or null without one. */
  private final ShadowModel shadow;
  /** The shadow model's onset codes, or null without one. */
  private final OnsetCodes shadowOnsets;
  private ProcessorContext<String, Object> context;
  private DeadLetters deadLetters;
  private KeyValueStore<String, PatientHistory> store;
  private KeyValueStore<String, EmrEvent> eventStore;
  private Sensor unencodable;

  /** A processor whose model has no onset codes. */
  public HistoryProcessor(int maxEvents, Duration maxAge, RequestEncoder encoder, int occlusions) {
    this(maxEvents, maxAge, encoder, ReasonGroups.of(occlusions), new OnsetCodes(List.of()), new DeadLetterCounts(),
        null);
  }

  /**
   * @param onsets the production model's onset codes
   * @param shadow the shadow model whose requests follow production's, or null
   */
  public HistoryProcessor(int maxEvents, Duration maxAge, RequestEncoder encoder, ReasonGroups reasons,
      OnsetCodes onsets, DeadLetterCounts deadLetterCounts, ShadowModel shadow) {
    this.onsets = onsets;
    this.shadow = shadow;
    this.shadowOnsets = shadow == null ? null : OnsetCodes.of(shadow.backend());
    this.remembering = shadow == null ? onsets : OnsetCodes.both(onsets, shadowOnsets);
    this.deadLetterCounts = deadLetterCounts;
    this.maxEvents = maxEvents;
    this.maxAge = maxAge;
    this.encoder = encoder;
    this.reasons = reasons;
  }

  @Override
  public void init(ProcessorContext<String, Object> context) {
    this.context = context;
    this.deadLetters = new DeadLetters(context, DeadLetterStage.ENCODE, deadLetterCounts);
    this.store = context.getStateStore(STORE);
    this.eventStore = context.getStateStore(EVENTS_STORE);
    cache.clear();
    cachedEvents = 0;
    this.unencodable = context.metrics().addRateTotalSensor(DeadLetters.METRICS_SCOPE,
        context.taskId().toString(), "history-unencodable", Sensor.RecordingLevel.INFO);
  }

  @Override
  public void process(Record<String, HistoryCommand> record) {
    if (record.value() instanceof HistoryCommand.Reject r) {
      context.forward(record.withValue((Object) r.deadLetter()));
      return;
    }
    String patient = record.key();
    LiveHistory h = live(patient);
    int sizeBefore = h.size();
    LiveHistory.Changes writeThrough = writeThrough(patient);
    List<EmrEvent> events = record.value() instanceof HistoryCommand.Apply a ? a.events()
        : ((HistoryCommand.Close) record.value()).events();
    boolean changed = false;
    List<EmrEvent> onsetsBefore = h.onsets();
    List<EmrEvent> remembered = onsetsBefore;
    for (EmrEvent e : events) {
      changed |= h.apply(e, maxEvents, maxAge, writeThrough);
      remembered = remembering.remember(remembered, e);
    }
    if (remembered != onsetsBefore) {
      h.onsets(remembered);
      changed = true;  // the header holds them
    }
    cachedEvents += h.size() - sizeBefore;
    if (record.value() instanceof HistoryCommand.Close c && h.changedSinceRequest()) {
      h.markRequested();
      store.put(patient, h.header());
      request(record, patient, h, c);
    } else if (changed) {
      store.put(patient, h.header());
    }
    evictCache(patient);
  }

  private void request(Record<String, HistoryCommand> record, String patient, LiveHistory h, HistoryCommand.Close c) {
    Long newest = h.newestEventTime();
    if (newest == null) {
      return; // every event was deleted: nothing to score
    }
    List<EmrEvent> events = h.eventsView();  // read in place: the requests below are built before the next change
    RequestEncoder.Encoded enc;
    try {
      enc = encoder.encode(events, newest + 1, reasons.candidates());
    } catch (IllegalArgumentException e) {
      unencodable.record();
      LOG.warn("history version {} of a patient in task {} cannot be encoded ({} events): {}; dead-lettered",
          h.version(), context.taskId(), events.size(), e.getClass().getSimpleName());
      HistoryCommand.SourceOffset at = c.offsets().isEmpty() ? new HistoryCommand.SourceOffset("", -1, -1L)
          : c.offsets().get(0);
      context.forward(record.withValue((Object) deadLetters.deadLetter(DeadLetterReason.UNENCODABLE_HISTORY,
          "history version " + h.version() + " (" + events.size() + " events) cannot be encoded: "
              + e.getClass().getSimpleName(), at.topic(), at.partition(), at.offset(),
          patient.getBytes(StandardCharsets.UTF_8), null)));
      return;
    }
    context.forward(record.withValue((Object) ScoringRequest.of(patient, h.version(), newest, c, enc, events,
        h.onsets(), record.timestamp(), reasons, onsets)));
    if (shadow != null) {
      shadowRequest(record, h.version(), newest, c, events, h.onsets());
    }
  }

  /** Forwards the shadow model's request of the history version; a history it cannot encode is counted and skipped. */
  private void shadowRequest(Record<String, HistoryCommand> record, long version, long newest, HistoryCommand.Close c,
      List<EmrEvent> events, List<EmrEvent> remembered) {
    RequestEncoder.Encoded enc;
    try {
      enc = shadow.encoder().encode(events, newest + 1, 0);
    } catch (RuntimeException e) {
      shadow.counts().failed(ShadowCounts.Failure.UNENCODABLE);
      LOG.warn("the shadow model cannot encode history version {} of a patient in task {} ({} events): {}; skipped"
          + " for the shadow only", version, context.taskId(), events.size(), e.getClass().getSimpleName());
      return;
    }
    shadow.counts().requested();
    context.forward(record.withValue((Object) new ShadowRequest(ScoringRequest.of(record.key(), version, newest, c,
        enc, events, remembered, record.timestamp(), ReasonGroups.of(0), shadowOnsets))));
  }

  private LiveHistory.Changes writeThrough(String patient) {
    return new LiveHistory.Changes() {
      @Override
      public void stored(EmrEvent event) {
        eventStore.put(eventKey(patient, event.getEventId()), event);
      }

      @Override
      public void removed(EmrEvent event) {
        eventStore.delete(eventKey(patient, event.getEventId()));
      }
    };
  }

  /** Moves the patient's events stored under 0.1's keys to the current ones (values of other patients stay). */
  private void moveLegacyEvents(String patient) {
    List<String> legacy = new ArrayList<>();
    try (KeyValueIterator<String, EmrEvent> it = eventStore.prefixScan(legacyPrefix(patient), new StringSerializer())) {
      it.forEachRemaining(kv -> {
        if (patient.equals(kv.value.getPatientId())) {
          legacy.add(kv.key);
          eventStore.put(eventKey(patient, kv.value.getEventId()), kv.value);
        }
      });
    }
    legacy.forEach(eventStore::delete);
  }

  /** The patient's live history: cached, else read from the stores (a version 1 entry is moved on the way). */
  private LiveHistory live(String patient) {
    LiveHistory h = cache.get(patient);
    if (h == null) {
      PatientHistory header = store.get(patient);
      if (header != null && !header.events().isEmpty()) {
        // a version 1 entry: the whole history in the patient-history entry; move its events to the events store
        header.events().forEach(e -> eventStore.put(eventKey(patient, e.getEventId()), e));
        store.put(patient, new PatientHistory(header.version(), header.requestedVersion(), List.of(), header.onsets()));
      } else if (header != null) {
        moveLegacyEvents(patient);
      }
      h = LiveHistory.of(history(header, eventStore, patient));
      cache.put(patient, h);
      cachedEvents += h.size();
    }
    return h;
  }

  private void evictCache(String current) {
    for (var it = cache.entrySet().iterator(); cachedEvents > CACHED_EVENTS && it.hasNext(); ) {
      var eldest = it.next();
      if (!eldest.getKey().equals(current)) {
        cachedEvents -= eldest.getValue().size();
        it.remove();
      }
    }
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
    Map<String, EmrEvent> byId = new HashMap<>();
    for (String prefix : List.of(legacyPrefix(patient), prefix(patient))) { // current keys win over legacy ones
      try (KeyValueIterator<String, EmrEvent> it = events.prefixScan(prefix, new StringSerializer())) {
        it.forEachRemaining(kv -> {
          if (patient.equals(kv.value.getPatientId())) {
            byId.put(kv.value.getEventId(), kv.value);
          }
        });
      }
    }
    List<EmrEvent> list = new ArrayList<>(byId.values());
    list.sort(PatientHistory.ORDER);
    return new PatientHistory(header.version(), header.requestedVersion(), list, header.onsets());
  }

  /** The key of a patient's event in {@value #EVENTS_STORE}. */
  static String eventKey(String patient, String eventId) {
    return prefix(patient) + eventId;
  }

  private static String prefix(String patient) {
    return patient.length() + ":" + patient;
  }

  /** The key 0.1 stored a patient's event under (read and moved, never written). */
  static String legacyEventKey(String patient, String eventId) {
    return legacyPrefix(patient) + eventId;
  }

  private static String legacyPrefix(String patient) {
    return patient + '\u0000';
  }

  @Override
  public void close() {
    cache.clear();
    cachedEvents = 0;
    if (unencodable != null) {
      deadLetters.close();
      context.metrics().removeSensor(unencodable);
    }
  }
}
