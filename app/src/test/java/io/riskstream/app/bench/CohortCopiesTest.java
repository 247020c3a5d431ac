package io.riskstream.app.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.riskstream.connectors.synthea.SyntheaCsvReader;
import io.riskstream.schemas.EmrEvent;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CohortCopiesTest {

  private static final Map<String, List<EmrEvent>> COHORT =
      new SyntheaCsvReader(Path.of("src/test/resources/synthea/valid")).readByPatient();

  @Test
  void shouldRepeatEveryPatientUnderNewIdsThatShareNoRowWithAnother() {
    Map<String, List<EmrEvent>> copies = CohortCopies.of(COHORT, 3);

    assertThat(copies).hasSize(3 * COHORT.size());
    Map<String, String> patientOfEvent = new HashMap<>();
    for (Map.Entry<String, List<EmrEvent>> patient : copies.entrySet()) {
      for (EmrEvent e : patient.getValue()) {
        assertThat(e.getPatientId()).isEqualTo(patient.getKey());
        assertThat(patientOfEvent.putIfAbsent(e.getEventId(), patient.getKey())).as("patient of event %s",
            e.getEventId()).isIn(null, patient.getKey());
      }
    }
    String original = COHORT.keySet().iterator().next();
    List<EmrEvent> second = copies.get(original + "@copy2");
    assertThat(second).hasSameSizeAs(COHORT.get(original));
    for (int i = 0; i < second.size(); i++) {  // the same clinical content
      EmrEvent a = COHORT.get(original).get(i);
      EmrEvent b = second.get(i);
      assertThat(b.getCode()).isEqualTo(a.getCode());
      assertThat(b.getEventTime()).isEqualTo(a.getEventTime());
      assertThat(b.getValue()).isEqualTo(a.getValue());
      assertThat(b.getEncounterId()).isEqualTo(a.getEncounterId() == null ? null : a.getEncounterId() + "@copy2");
    }
    // every copy is a valid change event feed (a DEMOGRAPHICS event's id names its patient)
    ChangeEventFeed feed = ChangeEventFeed.of(copies, "ehr", 0L, 8);
    assertThat(feed.transactions()).isEqualTo(3 * ChangeEventFeed.of(COHORT, "ehr", 0L).transactions());
  }

  @Test
  void shouldKeepTheCohortForOneCopyAndRefuseFewer() {
    assertThat(CohortCopies.of(COHORT, 1)).isEqualTo(COHORT);
    assertThatThrownBy(() -> CohortCopies.of(COHORT, 0)).isInstanceOf(IllegalArgumentException.class);
  }
}
