package io.riskstream.connectors.ehr;

import static io.riskstream.connectors.testing.Cohorts.ALICE;
import static io.riskstream.connectors.testing.Cohorts.BOB;
import static io.riskstream.connectors.testing.Events.deleted;
import static io.riskstream.connectors.testing.Events.observation;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.riskstream.connectors.testing.Cohorts;
import io.riskstream.connectors.testing.Events;
import io.riskstream.schemas.EmrEvent;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class EhrDatabaseLoaderTest {

  private static PostgresServer server;
  private static final AtomicInteger DATABASES = new AtomicInteger();

  @BeforeAll
  static void startPostgres() throws Exception {
    server = PostgresServer.startOrSkip();
  }

  @AfterAll
  static void stopPostgres() {
    if (server != null) {
      server.close();
    }
  }

  private static Connection freshDatabase() throws SQLException {
    String name = "ehr" + DATABASES.incrementAndGet();
    server.createDatabase(name);
    Connection connection = server.connect(name);
    EhrDatabaseLoader.applySchema(connection);
    return connection;
  }

  private static List<String> strings(Connection c, String sql) throws SQLException {
    List<String> out = new ArrayList<>();
    try (ResultSet rs = c.createStatement().executeQuery(sql)) {
      while (rs.next()) {
        out.add(rs.getString(1));
      }
    }
    return out;
  }

  private static Map<String, Long> transactionOf(Connection c) throws SQLException {
    Map<String, Long> tx = new HashMap<>();
    String sql = "SELECT 'p:' || id, xmin::text::bigint FROM clinical.patients"
        + " UNION ALL SELECT 'e:' || id, xmin::text::bigint FROM clinical.encounters"
        + " UNION ALL SELECT id, xmin::text::bigint FROM clinical.conditions"
        + " UNION ALL SELECT id, xmin::text::bigint FROM clinical.observations"
        + " UNION ALL SELECT id, xmin::text::bigint FROM clinical.medications"
        + " UNION ALL SELECT id, xmin::text::bigint FROM clinical.procedures";
    try (ResultSet rs = c.createStatement().executeQuery(sql)) {
      while (rs.next()) {
        tx.put(rs.getString(1), rs.getLong(2));
      }
    }
    return tx;
  }

  @Test
  void shouldApplyTheSchemaTwiceAndCreateThePublication() throws Exception {
    try (Connection c = freshDatabase()) {
      EhrDatabaseLoader.applySchema(c);
      assertThat(strings(c, "SELECT table_name FROM information_schema.tables WHERE table_schema = 'clinical'"
          + " ORDER BY 1")).containsExactly("conditions", "debezium_signal", "encounters", "medications",
              "observations", "patients", "procedures");
      assertThat(strings(c, "SELECT pubname FROM pg_publication")).containsExactly("riskstream_ehr");
      assertThat(strings(c, "SELECT relname FROM pg_class WHERE relreplident = 'f' AND relnamespace ="
          + " 'clinical'::regnamespace ORDER BY 1")).containsExactly("conditions", "encounters", "medications",
              "observations", "patients", "procedures");
    }
  }

  @Test
  void shouldLoadOneTransactionPerEncounterAfterThePatientRows() throws Exception {
    try (Connection c = freshDatabase()) {
      EhrDatabaseLoader.LoadResult result = new EhrDatabaseLoader(EhrRowMapping.DEFAULT,
          EhrDatabaseLoader.Options.unpaced()).load(c, Cohorts.twoPatients());

      assertThat(result).isEqualTo(new EhrDatabaseLoader.LoadResult(2, 3, 10, 5, 0, 0, 0));
      Map<String, Long> tx = transactionOf(c);
      assertThat(tx).hasSize(15);
      // every fact of an encounter commits with its encounter, and encounters commit separately
      assertThat(List.of(tx.get("c-a2-dm"), tx.get("o-a2-a1c"), tx.get("o-a2-glucose"), tx.get("m-a2-metformin"),
          tx.get("x-a2-review"))).containsOnly(tx.get("e:e-a2"));
      assertThat(List.of(tx.get("c-a1-htn"), tx.get("o-a1-sbp"))).containsOnly(tx.get("e:e-a1"));
      assertThat(List.of(tx.get("o-b1-hr"), tx.get("o-b1-creat"), tx.get("c-b1-ckd"))).containsOnly(tx.get("e:e-b1"));
      assertThat(tx.get("p:" + ALICE)).isNotEqualTo(tx.get("p:" + BOB));
      // patients first, then encounters in event-time order across patients: a1 (2020-01), b1 (2020-06), a2 (2021)
      assertThat(tx.get("p:" + ALICE)).isLessThan(tx.get("e:e-a1"));
      assertThat(tx.get("p:" + BOB)).isLessThan(tx.get("e:e-a1"));
      assertThat(tx.get("e:e-a1")).isLessThan(tx.get("e:e-b1"));
      assertThat(tx.get("e:e-b1")).isLessThan(tx.get("e:e-a2"));
      assertThat(strings(c, "SELECT value_numeric || ' ' || unit || ' ' || effective_time FROM clinical.observations"
          + " WHERE id = 'o-a1-sbp'")).containsExactly("151 mm[Hg] 2020-01-10 08:05:00+00");
      assertThat(strings(c, "SELECT birthdate || ' ' || gender FROM clinical.patients WHERE id = '" + BOB + "'"))
          .containsExactly("1975-11-20 male");
    }
  }

  @Test
  void shouldUpdateARepeatedFactAndDeleteADeletedOne() throws Exception {
    try (Connection c = freshDatabase()) {
      EhrDatabaseLoader loader = new EhrDatabaseLoader(EhrRowMapping.DEFAULT,
          EhrDatabaseLoader.Options.unpaced());
      loader.load(c, Cohorts.twoPatients());
      EmrEvent corrected = observation(BOB, "e-b1", "o-b1-creat", "2020-06-15T14:30:00Z", "38483-4", 1.2, "mg/dL");
      EmrEvent removed = deleted(Events.condition(BOB, "e-b1", "c-b1-ckd", "2020-06-15T14:00:00Z", "431855005"));

      EhrDatabaseLoader.LoadResult result = loader.load(c, Map.of(BOB, List.of(corrected, removed)));

      assertThat(result).isEqualTo(new EhrDatabaseLoader.LoadResult(0, 0, 0, 1, 1, 1, 0));
      assertThat(strings(c, "SELECT value_numeric FROM clinical.observations WHERE id = 'o-b1-creat'"))
          .containsExactly("1.2");
      assertThat(strings(c, "SELECT id FROM clinical.conditions WHERE patient_id = '" + BOB + "'")).isEmpty();
    }
  }

  @Test
  void shouldCorrectObservationsAndDeleteConditionsAtTheGivenRates() throws Exception {
    try (Connection c = freshDatabase()) {
      EhrDatabaseLoader.LoadResult result = new EhrDatabaseLoader(EhrRowMapping.DEFAULT,
          new EhrDatabaseLoader.Options(0, 1.0, 1.0)).load(c, Cohorts.twoPatients());

      // 5 numeric observations corrected and 3 conditions deleted, each in its own transaction after the encounter
      assertThat(result).isEqualTo(new EhrDatabaseLoader.LoadResult(2, 3, 10, 5 + 5 + 3, 5, 3, 0));
      assertThat(strings(c, "SELECT value_numeric FROM clinical.observations WHERE id = 'o-a1-sbp'"))
          .containsExactly(String.valueOf(151.0 * EhrDatabaseLoader.CORRECTION_FACTOR));
      assertThat(strings(c, "SELECT count(*) FROM clinical.conditions")).containsExactly("0");
      Map<String, Long> tx = transactionOf(c);
      assertThat(tx.get("o-a1-sbp")).isGreaterThan(tx.get("e:e-a1"));
    }
  }

  @Test
  void shouldSampleAmendmentsDeterministically() {
    EhrRow row = EhrRowMapping.DEFAULT.toRow(
        observation(BOB, "e-b1", "o-b1-hr", "2020-06-15T14:02:00Z", "8867-4", 88.0, "/min"));
    int selected = 0;
    for (int i = 0; i < 2000; i++) {
      EhrRow other = new EhrRow("observations", Map.of("id", "obs-" + i));
      if (EhrDatabaseLoader.selected(other, "correct", 0.1)) {
        selected++;
      }
    }
    assertThat(selected).isBetween(140, 260);
    assertThat(EhrDatabaseLoader.selected(row, "correct", 0.5))
        .isEqualTo(EhrDatabaseLoader.selected(row, "correct", 0.5));
    assertThat(EhrDatabaseLoader.selected(row, "correct", 0)).isFalse();
    assertThat(EhrDatabaseLoader.selected(row, "correct", 1)).isTrue();
  }

  @Test
  void shouldPaceEncountersBySimulatedSecondsPerWallSecond() throws Exception {
    AtomicLong clock = new AtomicLong();
    List<Long> sleeps = new ArrayList<>();
    EhrDatabaseLoader loader = new EhrDatabaseLoader(EhrRowMapping.DEFAULT,
        new EhrDatabaseLoader.Options(86_400, 0, 0), nanos -> {
          sleeps.add(nanos);
          clock.addAndGet(nanos);
        }, clock::get);
    try (Connection c = freshDatabase()) {
      loader.load(c, Cohorts.twoPatients());
    }
    // one simulated day per second: a1 at 2020-01-10T08:00, b1 157.25 days later, a2 416.04 days after a1
    assertThat(sleeps).hasSize(2);
    assertThat(sleeps.get(0)).isEqualTo(157_250_000_000L);
    assertThat(sleeps.get(0) + sleeps.get(1)).isEqualTo(416_041_666_666L);
  }

  @Test
  void shouldCountEventsTheMappingRejectsAndLoadTheRest() throws Exception {
    EmrEvent bad = EmrEvent.newBuilder(
        observation(BOB, "e-b1", "o-b1-x", "2020-06-15T14:02:00Z", "8867-4", 1.0, "/min"))
        .setEventId("no-table-prefix").build();
    Map<String, List<EmrEvent>> cohort = new HashMap<>(Cohorts.twoPatients());
    List<EmrEvent> bob = new ArrayList<>(cohort.get(BOB));
    bob.add(bad);
    cohort.put(BOB, bob);
    try (Connection c = freshDatabase()) {
      EhrDatabaseLoader.LoadResult result = new EhrDatabaseLoader(EhrRowMapping.DEFAULT,
          EhrDatabaseLoader.Options.unpaced()).load(c, cohort);
      assertThat(result.rejected()).isEqualTo(1);
      assertThat(result.facts()).isEqualTo(10);
    }
  }

  @Test
  void shouldRollBackAnEncounterTheDatabaseRefusesAndKeepEarlierOnes() throws Exception {
    // an encounter of a patient that has no patient row violates the foreign key
    Map<String, List<EmrEvent>> cohort = Map.of("p-ghost", List.of(
        Events.encounter("p-ghost", "e-g1", "2022-01-01T00:00:00Z", "185349003"),
        observation("p-ghost", "e-g1", "o-g1", "2022-01-01T00:01:00Z", "8867-4", 70.0, "/min")));
    try (Connection c = freshDatabase()) {
      EhrDatabaseLoader loader = new EhrDatabaseLoader(EhrRowMapping.DEFAULT,
          EhrDatabaseLoader.Options.unpaced());
      loader.load(c, Cohorts.twoPatients());
      assertThatThrownBy(() -> loader.load(c, cohort)).isInstanceOf(SQLException.class)
          .hasMessageContaining("transaction of 2 rows failed").hasMessageNotContaining("p-ghost");
      assertThat(strings(c, "SELECT count(*) FROM clinical.observations")).containsExactly("5");
    }
  }

  @Test
  void shouldRejectInvalidOptions() {
    assertThatThrownBy(() -> new EhrDatabaseLoader.Options(Double.NaN, 0, 0))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new EhrDatabaseLoader.Options(1, 1.5, 0))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
