package io.riskstream.connectors.testing;

import static io.riskstream.connectors.testing.Events.condition;
import static io.riskstream.connectors.testing.Events.encounter;
import static io.riskstream.connectors.testing.Events.medication;
import static io.riskstream.connectors.testing.Events.observation;
import static io.riskstream.connectors.testing.Events.patient;
import static io.riskstream.connectors.testing.Events.procedure;

import io.riskstream.schemas.EmrEvent;
import java.util.List;
import java.util.Map;

/** A small hand-made cohort: two patients, three encounters (two for Alice), ten facts (seven for Alice). */
public final class Cohorts {

  public static final String ALICE = "p-alice";
  public static final String BOB = "p-bob";

  private Cohorts() {
  }

  public static Map<String, List<EmrEvent>> twoPatients() {
    return Map.of(
        ALICE, List.of(
            // deliberately out of event-time order: the loader sorts
            observation(ALICE, "e-a2", "o-a2-glucose", "2021-03-01T09:10:00Z", "2339-0", 131.0, "mg/dL"),
            patient(ALICE, "1960-05-01", "female"),
            encounter(ALICE, "e-a1", "2020-01-10T08:00:00Z", "185349003"),
            condition(ALICE, "e-a1", "c-a1-htn", "2020-01-10T08:00:00Z", "59621000"),
            observation(ALICE, "e-a1", "o-a1-sbp", "2020-01-10T08:05:00Z", "8480-6", 151.0, "mm[Hg]"),
            encounter(ALICE, "e-a2", "2021-03-01T09:00:00Z", "185349003"),
            condition(ALICE, "e-a2", "c-a2-dm", "2021-03-01T09:00:00Z", "44054006"),
            observation(ALICE, "e-a2", "o-a2-a1c", "2021-03-01T09:10:00Z", "4548-4", 7.1, "%"),
            medication(ALICE, "e-a2", "m-a2-metformin", "2021-03-01T09:20:00Z", "860975"),
            procedure(ALICE, "e-a2", "x-a2-review", "2021-03-01T09:15:00Z", "710824005")),
        BOB, List.of(
            patient(BOB, "1975-11-20", "male"),
            encounter(BOB, "e-b1", "2020-06-15T14:00:00Z", "50849002"),
            observation(BOB, "e-b1", "o-b1-hr", "2020-06-15T14:02:00Z", "8867-4", 88.0, "/min"),
            observation(BOB, "e-b1", "o-b1-creat", "2020-06-15T14:30:00Z", "38483-4", 1.4, "mg/dL"),
            condition(BOB, "e-b1", "c-b1-ckd", "2020-06-15T14:00:00Z", "431855005")));
  }
}
