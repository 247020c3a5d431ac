package io.riskstream.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.riskstream.schemas.EmrEvent;
import io.riskstream.schemas.EventKind;
import io.riskstream.schemas.EventOp;
import io.riskstream.schemas.SourceCoordinates;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class PatientHistoryTest {

  private static final long DAY = 86_400_000L;

  private static EmrEvent event(String id, EventKind kind, long day, String code, EventOp op, long offset) {
    return EmrEvent.newBuilder().setPatientId("p").setEventId(id).setOp(op).setKind(kind)
        .setEventTime(Instant.ofEpochMilli(day * DAY)).setCodeSystem("SNOMED-CT").setCode(code)
        .setSource(SourceCoordinates.newBuilder().setSystem("s").setTable("t").setTxId("tx" + offset)
            .setTopic("ehr.clinical.changes").setPartition(0).setOffset(offset).build())
        .build();
  }

  /**
   * The specification of {@link PatientHistory#apply}, written the plain way: remove the id, insert, sort, evict by
   * age then by count (never DEMOGRAPHICS), and count a change unless the list is what it was.
   */
  private static PatientHistory reference(PatientHistory h, EmrEvent e, int maxEvents, Duration maxAge) {
    List<EmrEvent> next = new ArrayList<>();
    EmrEvent existing = null;
    for (EmrEvent x : h.events()) {
      if (x.getEventId().equals(e.getEventId())) {
        existing = x;
      } else {
        next.add(x);
      }
    }
    if (e.getOp() == EventOp.DELETE) {
      return existing == null ? h : new PatientHistory(h.version() + 1, h.requestedVersion(), next);
    }
    if (existing != null && PatientHistory.sameFact(existing, e)) {
      return h;
    }
    next.add(PatientHistory.slim(e));
    next.sort(PatientHistory.ORDER);
    if (!maxAge.isZero()) {
      long cutoff = next.get(next.size() - 1).getEventTime().toEpochMilli() - maxAge.toMillis();
      next.removeIf(x -> x.getKind() != EventKind.DEMOGRAPHICS && x.getEventTime().toEpochMilli() < cutoff);
    }
    for (int i = 0; next.size() > maxEvents && i < next.size(); ) {
      if (next.get(i).getKind() == EventKind.DEMOGRAPHICS) {
        i++;
      } else {
        next.remove(i);
      }
    }
    return next.equals(h.events()) ? h : new PatientHistory(h.version() + 1, h.requestedVersion(), next);
  }

  @Test
  void shouldApplyABatchExactlyAsEventByEventWouldOnRandomHistories() {
    Random random = new Random(7);
    for (int round = 0; round < 300; round++) {
      int maxEvents = 1 + random.nextInt(12);
      Duration maxAge = random.nextBoolean() ? Duration.ZERO : Duration.ofDays(20 + random.nextInt(200));
      PatientHistory fast = PatientHistory.empty();
      PatientHistory slow = PatientHistory.empty();
      for (int batch = 0; batch < 6; batch++) {
        List<EmrEvent> events = new ArrayList<>();
        for (int i = random.nextInt(8); i >= 0; i--) {
          int id = random.nextInt(15);
          EventKind kind = id == 0 ? EventKind.DEMOGRAPHICS : EventKind.DIAGNOSIS;
          EventOp op = random.nextInt(6) == 0 ? EventOp.DELETE : EventOp.UPSERT;
          // the same fact redelivered (other source coordinates), changed, or moved in time
          events.add(event("e" + id, kind, random.nextInt(400), "c" + random.nextInt(3), op, random.nextInt(1000)));
        }
        for (EmrEvent e : events) {
          slow = reference(slow, e, maxEvents, maxAge);
        }
        fast = fast.applyAll(events, maxEvents, maxAge);
        assertThat(fast.events()).as("round %d batch %d", round, batch).isEqualTo(slow.events());
        assertThat(fast.version()).as("round %d batch %d", round, batch).isEqualTo(slow.version());
      }
    }
  }

  @Test
  void shouldReportEveryStoredAndRemovedEventAndReadTheSameEventsInPlace() {
    Random random = new Random(13);
    for (int round = 0; round < 200; round++) {
      int maxEvents = 1 + random.nextInt(12);
      Duration maxAge = random.nextBoolean() ? Duration.ZERO : Duration.ofDays(20 + random.nextInt(200));
      LiveHistory live = LiveHistory.of(PatientHistory.empty());
      PatientHistory slow = PatientHistory.empty();
      java.util.Map<String, EmrEvent> written = new java.util.HashMap<>();  // what write-through leaves in a store
      LiveHistory.Changes store = new LiveHistory.Changes() {
        @Override
        public void stored(EmrEvent event) {
          written.put(event.getEventId(), event);
        }

        @Override
        public void removed(EmrEvent event) {
          written.remove(event.getEventId());
        }
      };
      for (int i = 0; i < 60; i++) {
        int id = random.nextInt(15);
        EventKind kind = id == 0 ? EventKind.DEMOGRAPHICS : EventKind.DIAGNOSIS;
        EventOp op = random.nextInt(6) == 0 ? EventOp.DELETE : EventOp.UPSERT;
        EmrEvent e = event("e" + id, kind, random.nextInt(400), "c" + random.nextInt(3), op, random.nextInt(1000));
        live.apply(e, maxEvents, maxAge, store);
        slow = reference(slow, e, maxEvents, maxAge);
        assertThat(live.eventsView()).as("round %d event %d", round, i).isEqualTo(slow.events())
            .isEqualTo(live.events());
        assertThat(live.version()).isEqualTo(slow.version());
        assertThat(written.values()).as("round %d event %d: the store", round, i)
            .containsExactlyInAnyOrderElementsOf(slow.events());
      }
    }
  }

  @Test
  void shouldTreatARedeliveryWithOtherCoordinatesAsNoChange() {
    PatientHistory h = PatientHistory.empty().apply(event("a", EventKind.DIAGNOSIS, 10, "x", EventOp.UPSERT, 1), 10,
        Duration.ZERO);

    PatientHistory again = h.apply(event("a", EventKind.DIAGNOSIS, 10, "x", EventOp.UPSERT, 99), 10, Duration.ZERO);

    assertThat(again).isSameAs(h);
    assertThat(h.version()).isEqualTo(1);
    assertThat(h.events().get(0).getSource().getOffset()).isNull();  // stored slim
  }

  @Test
  void shouldNotCountAnEventThatIsEvictedAtOnce() {
    PatientHistory h = PatientHistory.empty().applyAll(List.of(event("a", EventKind.DIAGNOSIS, 100, "x", EventOp.UPSERT, 1),
        event("b", EventKind.DIAGNOSIS, 200, "x", EventOp.UPSERT, 2)), 2, Duration.ZERO);

    PatientHistory older = h.apply(event("c", EventKind.DIAGNOSIS, 50, "x", EventOp.UPSERT, 3), 2, Duration.ZERO);

    assertThat(older).isSameAs(h);
    assertThat(h.newestEventTime()).isEqualTo(200 * DAY);
  }

  @Test
  void shouldRoundTripRememberedOnsetsAndReadEntriesWrittenBeforeThemWithNone() {
    EmrEvent onset = OnsetCodes.fact(event("conditions:a", EventKind.DIAGNOSIS, 3, "59621000", EventOp.UPSERT, 1));
    PatientHistory h = new PatientHistory(4, 3, List.of(event("x", EventKind.OBSERVATION, 9, "1", EventOp.UPSERT, 2)),
        List.of(onset));
    PatientHistorySerde serde = new PatientHistorySerde();

    assertThat(serde.deserializer().deserialize("t", serde.serializer().serialize("t", h))).isEqualTo(h);
    // the layout before remembered onsets ended after the events: here, without the one-byte empty array of onsets
    PatientHistory without = new PatientHistory(4, 3, h.events());
    byte[] written = serde.serializer().serialize("t", without);
    byte[] before = java.util.Arrays.copyOf(written, written.length - 1);
    assertThat(serde.deserializer().deserialize("t", before)).isEqualTo(without);
    assertThat(serde.deserializer().deserialize("t", before).onsets()).isEmpty();
  }
}
