package io.riskstream.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.riskstream.schemas.DeadLetter;
import io.riskstream.schemas.DeadLetterReason;
import io.riskstream.schemas.DeadLetterStage;
import io.riskstream.schemas.EmrEvent;
import io.riskstream.schemas.EventKind;
import io.riskstream.schemas.EventOp;
import io.riskstream.schemas.SourceCoordinates;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.Test;

class HistoryProcessorTest {

  private final MockProcessorContext<String, Object> context = new MockProcessorContext<>();
  private final KeyValueStore<String, PatientHistory> headers = store(HistoryProcessor.STORE, new PatientHistorySerde());
  private final KeyValueStore<String, EmrEvent> events = store(HistoryProcessor.EVENTS_STORE, new EmrEventSerde());

  private <V> KeyValueStore<String, V> store(String name, org.apache.kafka.common.serialization.Serde<V> serde) {
    KeyValueStore<String, V> s = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(name), Serdes.String(), serde)
        .withLoggingDisabled().build();
    s.init(context.getStateStoreContext(), s);
    context.addStateStore(s);
    return s;
  }

  private static EmrEvent event(String id, long day, String code, EventOp op) {
    return event("p", id, day, code, op);
  }

  private static EmrEvent event(String patient, String id, long day, String code, EventOp op) {
    return EmrEvent.newBuilder().setPatientId(patient).setEventId(id).setOp(op).setKind(EventKind.DIAGNOSIS)
        .setEventTime(Instant.ofEpochMilli(day * 86_400_000L)).setCodeSystem("SNOMED-CT").setCode(code)
        .setSource(SourceCoordinates.newBuilder().setSystem("s").setTable("conditions").build()).build();
  }

  private HistoryProcessor processor() {
    HistoryProcessor p = new HistoryProcessor(100, Duration.ZERO, new CodeTokenTestEncoder(), 0);
    p.init(context);
    return p;
  }

  private static HistoryCommand.Close close(String tx, EmrEvent... es) {
    return new HistoryCommand.Close(tx, List.of(), List.of(es));
  }

  private List<String> eventKeys() {
    List<String> keys = new ArrayList<>();
    try (KeyValueIterator<String, EmrEvent> it = events.all()) {
      it.forEachRemaining(kv -> {
        // <length>:<patient><eventId>, shown as patient|eventId
        int colon = kv.key.indexOf(':');
        int end = colon + 1 + Integer.parseInt(kv.key.substring(0, colon));
        keys.add(kv.key.substring(colon + 1, end) + "|" + kv.key.substring(end));
      });
    }
    return keys;
  }

  @Test
  void shouldStoreOneEntryPerEventAndTheVersionsApart() {
    HistoryProcessor p = processor();
    p.process(new Record<>("p", close("1", event("a", 10, "1", EventOp.UPSERT), event("b", 20, "2", EventOp.UPSERT)), 1L));
    p.process(new Record<>("p", close("2", event("a", 10, "1", EventOp.DELETE), event("c", 30, "3", EventOp.UPSERT)), 2L));

    assertThat(eventKeys()).containsExactlyInAnyOrder("p|b", "p|c");
    assertThat(headers.get("p").events()).isEmpty();
    assertThat(headers.get("p").version()).isEqualTo(4);
    PatientHistory h = HistoryProcessor.history(headers, events, "p");
    assertThat(h.events()).extracting(EmrEvent::getEventId).containsExactly("b", "c");
    assertThat(h.requestedVersion()).isEqualTo(4);
    assertThat(context.forwarded()).hasSize(2);

    // a fresh processor (restart) reads the same history from the stores
    HistoryProcessor restarted = processor();
    restarted.process(new Record<>("p", close("3", event("d", 40, "4", EventOp.UPSERT)), 3L));
    assertThat(HistoryProcessor.history(headers, events, "p").events()).extracting(EmrEvent::getEventId)
        .containsExactly("b", "c", "d");
  }

  @Test
  void shouldCarryTheOutcomesDiagnosedAndTheDeathFromTheHistoryOnEachRequest() {
    // outcome 0's onset code is 7, outcome 1's 8 or 9
    HistoryProcessor p = new HistoryProcessor(100, Duration.ZERO, new CodeTokenTestEncoder(), ReasonGroups.of(0),
        new OnsetCodes(List.of(List.of("7"), List.of("8", "9"))), new DeadLetterCounts(), null);
    p.init(context);
    EmrEvent alive = EmrEvent.newBuilder().setPatientId("p").setEventId("patients:p").setOp(EventOp.UPSERT)
        .setKind(EventKind.DEMOGRAPHICS).setEventTime(Instant.ofEpochMilli(0)).setCode("female")
        .setSource(SourceCoordinates.newBuilder().setSystem("s").setTable("patients").build()).build();
    EmrEvent died = EmrEvent.newBuilder(alive).setEndTime(Instant.ofEpochMilli(35 * 86_400_000L)).build();
    p.process(new Record<>("p", close("1", alive, event("a", 10, "1", EventOp.UPSERT)), 1L));
    p.process(new Record<>("p", close("2", event("b", 20, "9", EventOp.UPSERT)), 2L));
    p.process(new Record<>("p", close("3", event("c", 30, "7", EventOp.UPSERT), died), 3L));
    p.process(new Record<>("p", close("4", event("b", 20, "9", EventOp.DELETE)), 4L));
    p.process(new Record<>("p", close("5", event("d", 40, "1", EventOp.UPSERT)), 5L));

    List<ScoringRequest> requests = context.forwarded().stream().map(f -> (ScoringRequest) f.record().value()).toList();
    // the deleted diagnosis b no longer counts
    assertThat(requests).extracting(ScoringRequest::diagnosed).containsExactly(0L, 0b10L, 0b11L, 0b01L, 0b01L);
    assertThat(requests).extracting(ScoringRequest::deathTime)
        .containsExactly(null, null, 35 * 86_400_000L, 35 * 86_400_000L, 35 * 86_400_000L);
    // died on day 35: after the newest event (day 30) of requests 3 and 4, before the one of day 40
    assertThat(requests).extracting(ScoringRequest::deceased).containsExactly(false, false, false, false, true);
  }

  @Test
  void shouldRememberAnOnsetTheBoundedHistoryEvictedAcrossARestartUntilItIsDeleted() {
    OnsetCodes codes = new OnsetCodes(List.of(List.of("7")));
    java.util.function.Supplier<HistoryProcessor> started = () -> {
      HistoryProcessor p = new HistoryProcessor(2, Duration.ZERO, new CodeTokenTestEncoder(), ReasonGroups.of(0),
          codes, new DeadLetterCounts(), null);
      p.init(context);
      return p;
    };
    HistoryProcessor p = started.get();
    p.process(new Record<>("p", close("1", event("a", 10, "7", EventOp.UPSERT)), 1L));  // the onset
    p.process(new Record<>("p", close("2", event("b", 20, "1", EventOp.UPSERT), event("c", 30, "2", EventOp.UPSERT)),
        2L));  // the bound of 2 evicts it
    assertThat(HistoryProcessor.history(headers, events, "p").events()).extracting(EmrEvent::getEventId)
        .containsExactly("b", "c");
    assertThat(headers.get("p").onsets()).extracting(EmrEvent::getEventId).containsExactly("a");
    // an onset older than every event of the history is evicted at once: the history does not change, it is remembered
    p.process(new Record<>("p", close("3", event("z", 1, "7", EventOp.UPSERT)), 3L));

    HistoryProcessor restarted = started.get();  // reads the remembered onsets from the store
    restarted.process(new Record<>("p", close("4", event("d", 40, "3", EventOp.UPSERT)), 4L));
    restarted.process(new Record<>("p", close("5", event("a", 10, "7", EventOp.DELETE),
        event("z", 1, "7", EventOp.DELETE), event("e", 50, "4", EventOp.UPSERT)), 5L));

    List<ScoringRequest> requests = context.forwarded().stream().map(f -> (ScoringRequest) f.record().value()).toList();
    assertThat(requests).extracting(ScoringRequest::diagnosed).containsExactly(1L, 1L, 1L, 0L);
    assertThat(headers.get("p").onsets()).isEmpty();
  }

  @Test
  void shouldReadAVersionOneEntryAndMoveItsEventsAtTheNextChange() {
    // version 1 kept the whole history in the patient-history entry
    PatientHistory old = PatientHistory.empty().applyAll(List.of(event("a", 10, "1", EventOp.UPSERT),
        event("b", 20, "2", EventOp.UPSERT)), 100, Duration.ZERO).requested();
    headers.put("p", old);
    assertThat(HistoryProcessor.history(headers, events, "p")).isEqualTo(old);

    processor().process(new Record<>("p", close("9", event("c", 30, "3", EventOp.UPSERT)), 1L));

    assertThat(headers.get("p").events()).isEmpty();
    assertThat(headers.get("p").version()).isEqualTo(3);
    assertThat(eventKeys()).containsExactlyInAnyOrder("p|a", "p|b", "p|c");
    assertThat(context.forwarded()).singleElement()
        .satisfies(f -> assertThat(((ScoringRequest) f.record().value()).eventCount()).isEqualTo(3));
  }

  @Test
  void shouldKeepPatientsApartUnderTheKeyPrefix() {
    HistoryProcessor p = processor();
    p.process(new Record<>("p", close("1", event("a", 10, "1", EventOp.UPSERT)), 1L));
    p.process(new Record<>("p2", close("2", event("p2", "a", 11, "1", EventOp.UPSERT)), 2L));

    assertThat(HistoryProcessor.history(headers, events, "p").events()).hasSize(1);
    assertThat(HistoryProcessor.history(headers, events, "p2").events()).hasSize(1);
    assertThat(HistoryProcessor.history(headers, events, "unknown")).isEqualTo(PatientHistory.empty());
  }

  @Test
  void shouldKeepPatientsApartWhateverTheirIdsContain() {
    // ids that made 0.1's keys (patient NUL eventId) collide: a prefix of another patient's key, the same key
    HistoryProcessor p = processor();
    p.process(new Record<>("a", close("1", event("a", "x\u0000e", 10, "1", EventOp.UPSERT)), 1L));
    p.process(new Record<>("a\u0000x", close("2", event("a\u0000x", "e", 11, "2", EventOp.UPSERT)), 2L));
    p.process(new Record<>("1:a", close("3", event("1:a", "b", 12, "3", EventOp.UPSERT)), 3L));
    p.process(new Record<>("a\u0000", close("4", event("a\u0000", "c", 13, "4", EventOp.UPSERT)), 4L));

    assertThat(HistoryProcessor.history(headers, events, "a").events()).extracting(EmrEvent::getEventId)
        .containsExactly("x\u0000e");
    assertThat(HistoryProcessor.history(headers, events, "a\u0000x").events()).extracting(EmrEvent::getEventId)
        .containsExactly("e");
    assertThat(HistoryProcessor.history(headers, events, "1:a").events()).extracting(EmrEvent::getEventId)
        .containsExactly("b");
    // and a restarted processor (empty cache) reads each patient's own events only
    processor().process(new Record<>("a", close("5", event("a", "d", 14, "5", EventOp.UPSERT)), 5L));
    assertThat(HistoryProcessor.history(headers, events, "a").events()).extracting(EmrEvent::getEventId)
        .containsExactly("x\u0000e", "d");
  }

  @Test
  void shouldMoveTheLegacyKeysOfThePatientAndNoOneElses() {
    headers.put("p", new PatientHistory(2, 2, List.of()));
    events.put(HistoryProcessor.legacyEventKey("p", "a"), event("a", 10, "1", EventOp.UPSERT));
    // a crafted event of patient "p NUL x" that 0.1's prefix scan for "p" took for p's
    EmrEvent crafted = event("p\u0000x", "b", 11, "9", EventOp.UPSERT);
    events.put(HistoryProcessor.legacyEventKey("p\u0000x", "b"), crafted);
    assertThat(HistoryProcessor.history(headers, events, "p").events()).extracting(EmrEvent::getEventId)
        .containsExactly("a");

    processor().process(new Record<>("p", close("9", event("c", 30, "3", EventOp.UPSERT)), 1L));

    assertThat(HistoryProcessor.history(headers, events, "p").events()).extracting(EmrEvent::getEventId)
        .containsExactly("a", "c");
    assertThat(events.get(HistoryProcessor.legacyEventKey("p", "a"))).isNull();
    assertThat(events.get(HistoryProcessor.eventKey("p", "a"))).isNotNull();
    assertThat(events.get(HistoryProcessor.legacyEventKey("p\u0000x", "b"))).isEqualTo(crafted);
    assertThat(context.forwarded()).singleElement()
        .satisfies(f -> assertThat(((ScoringRequest) f.record().value()).eventCount()).isEqualTo(2));
  }

  @Test
  void shouldDeadLetterAHistoryTheEncoderRejectsAndKeepTheHistory() {
    RequestEncoder rejecting = (history, indexTime, occlusions) -> {
      throw new IllegalArgumentException("history too long for the model");
    };
    HistoryProcessor p = new HistoryProcessor(100, Duration.ZERO, rejecting, 0);
    p.init(context);
    HistoryCommand.Close close = new HistoryCommand.Close("7", List.of(new HistoryCommand.SourceOffset(
        "ehr.clinical.changes", 2, 41L)), List.of(event("a", 10, "1", EventOp.UPSERT)));
    p.process(new Record<>("p", close, 1L));

    assertThat(context.forwarded()).singleElement().satisfies(f -> assertThat(f.record().value())
        .isInstanceOfSatisfying(DeadLetter.class, d -> {
          assertThat(d.getReasonCode()).isEqualTo(DeadLetterReason.UNENCODABLE_HISTORY);
          assertThat(d.getStage()).isEqualTo(DeadLetterStage.ENCODE);
          assertThat(d.getSourceTopic()).isEqualTo("ehr.clinical.changes");
          assertThat(d.getSourcePartition()).isEqualTo(2);
          assertThat(d.getSourceOffset()).isEqualTo(41L);
          assertThat(d.getMessage()).contains("history version 1").doesNotContain("SNOMED");
        }));
    assertThat(HistoryProcessor.history(headers, events, "p").events()).hasSize(1);
  }

  @Test
  void shouldKeepTheStoresEqualToTheHistoryThroughRandomChangesAndEvictions() {
    java.util.Random random = new java.util.Random(11);
    for (int round = 0; round < 60; round++) {
      MockProcessorContext<String, Object> ctx = new MockProcessorContext<>();
      KeyValueStore<String, PatientHistory> h = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(
          HistoryProcessor.STORE), Serdes.String(), new PatientHistorySerde()).withLoggingDisabled().build();
      KeyValueStore<String, EmrEvent> ev = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(
          HistoryProcessor.EVENTS_STORE), Serdes.String(), new EmrEventSerde()).withLoggingDisabled().build();
      h.init(ctx.getStateStoreContext(), h);
      ev.init(ctx.getStateStoreContext(), ev);
      ctx.addStateStore(h);
      ctx.addStateStore(ev);
      int maxEvents = 1 + random.nextInt(8);
      Duration maxAge = random.nextBoolean() ? Duration.ZERO : Duration.ofDays(10 + random.nextInt(100));
      HistoryProcessor p = new HistoryProcessor(maxEvents, maxAge, new CodeTokenTestEncoder(), 0);
      p.init(ctx);
      PatientHistory expected = PatientHistory.empty();
      for (int step = 0; step < 40; step++) {
        List<EmrEvent> batch = new ArrayList<>();
        for (int i = random.nextInt(4); i >= 0; i--) {
          EventOp op = random.nextInt(5) == 0 ? EventOp.DELETE : EventOp.UPSERT;
          batch.add(event("e" + random.nextInt(12), random.nextInt(300), "c" + random.nextInt(3), op));
        }
        boolean close = random.nextBoolean();
        HistoryCommand command = close ? close("t" + step, batch.toArray(EmrEvent[]::new))
            : new HistoryCommand.Apply(batch);
        if (random.nextInt(10) == 0) {
          p = new HistoryProcessor(maxEvents, maxAge, new CodeTokenTestEncoder(), 0);  // a restart: read from the stores
          p.init(ctx);
        }
        p.process(new Record<>("p", command, step));
        expected = expected.applyAll(batch, maxEvents, maxAge);
        if (close && expected.changedSinceRequest()) {
          expected = expected.requested();
        }
        PatientHistory stored = HistoryProcessor.history(h, ev, "p");
        assertThat(stored.events()).as("round %d step %d", round, step).isEqualTo(expected.events());
        assertThat(stored.version()).as("round %d step %d", round, step).isEqualTo(expected.version());
        assertThat(stored.requestedVersion()).as("round %d step %d", round, step).isEqualTo(expected.requestedVersion());
      }
    }
  }
}
