package io.riskstream.topology.calibration;

import io.riskstream.schemas.CalibrationDrift;
import io.riskstream.schemas.EmrEvent;
import io.riskstream.schemas.ModelInfo;
import io.riskstream.schemas.RiskScore;
import io.riskstream.topology.JsonSerde;
import io.riskstream.topology.ScoringBackend;
import java.util.Map;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.kstream.Suppressed;
import org.apache.kafka.streams.kstream.TimeWindows;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.WindowStore;

/**
 * The calibration part of the topology:
 * <pre>
 *  emr-events + scores (key patient) → calibration-label [calibration-clock, calibration-pending]
 *    → calibration-labels (repartition, key outcome) → hopping event-time windows over asOf [calibration-windows]
 *    → suppress until the window closes (calibration-window-closed) → calibration-drift [calibration-drift-state]
 *    → calibration-drift-sink (CalibrationDrift, key outcome)
 * </pre>
 * Labels need the patient's later events and the score, both keyed by patient, so the labeller sits in the scoring
 * sub-topology and reads emr-events beside the trigger; the aggregation is per outcome, so the labels are re-keyed by
 * outcome through a named repartition topic (one task per outcome partition; five outcomes make a light stream).
 * Windows are Kafka Streams' hopping {@link TimeWindows} over the scores' asOf (aligned to the epoch) with the grace of
 * {@code calibration.grace.days}, emitted once closed by {@link Suppressed#untilWindowCloses}: a window closes when
 * the newest asOf labelled in its partition passes its end + grace, and a label that comes later (a patient whose next
 * event came long after the horizon, a backfilled patient) is dropped by Kafka Streams and counted in the task's
 * {@code dropped-records-total}.
 */
public final class CalibrationTopology {

  public static final String LABEL = "calibration-label";
  public static final String DRIFT = "calibration-drift";
  public static final String WINDOW_STORE = "calibration-windows";
  public static final String LABELS_TOPIC = "calibration-labels";

  private CalibrationTopology() {
  }

  /** Adds calibration when the backend's outcomes have onset codes; returns whether it did. */
  public static boolean add(StreamsBuilder builder, CalibrationSettings settings, ScoringBackend backend,
      KStream<String, EmrEvent> events, KStream<String, RiskScore> scores, Serde<CalibrationDrift> driftSerde,
      CalibrationStatus status) {
    CalibrationLabeller labeller = new CalibrationLabeller(backend.info().outcomes(), backend.horizonDays(),
        backend.onsetCodes(), settings.maxPendingPerPatient());
    if (!labeller.labelsAny()) {
      return false;
    }
    builder.addStateStore(Stores.keyValueStoreBuilder(
        Stores.persistentKeyValueStore(CalibrationLabelProcessor.CLOCK_STORE), Serdes.String(),
        new JsonSerde<>(PatientClock.class)).withCachingEnabled());
    builder.addStateStore(Stores.keyValueStoreBuilder(
        Stores.persistentKeyValueStore(CalibrationLabelProcessor.PENDING_STORE), Serdes.String(),
        new JsonSerde<>(PatientCalibration.class)).withCachingEnabled());
    builder.addStateStore(Stores.keyValueStoreBuilder(
        Stores.persistentKeyValueStore(CalibrationDriftProcessor.STORE), Serdes.String(),
        new JsonSerde<>(CalibrationDriftProcessor.DriftState.class)).withCachingEnabled());

    Serde<CalibrationLabeller.Label> labelSerde = new JsonSerde<>(CalibrationLabeller.Label.class);
    ModelInfo model = new ModelInfo(backend.info().modelId(), backend.info().modelVersion(),
        backend.info().modelSha256());
    CalibrationDriftProcessor.Outcomes outcomes = new CalibrationDriftProcessor.Outcomes() {
      @Override
      public String displayName(String outcome) {
        return backend.displayName(outcome);
      }

      @Override
      public int horizonDays(String outcome) {
        int k = backend.info().outcomes().indexOf(outcome);
        return k < 0 ? 0 : backend.horizonDays().get(k);
      }
    };
    events.mapValues(v -> (Object) v, Named.as("emr-events-as-calibration-input"))
        .merge(scores.mapValues(v -> (Object) v, Named.as("score-as-calibration-input")), Named.as("calibration-input"))
        .process(() -> new CalibrationLabelProcessor(labeller, status), Named.as(LABEL), CalibrationLabelProcessor.CLOCK_STORE,
            CalibrationLabelProcessor.PENDING_STORE)
        .repartition(Repartitioned.with(Serdes.String(), labelSerde).withName(LABELS_TOPIC))
        .groupByKey(Grouped.with("calibration-by-outcome", Serdes.String(), labelSerde))
        .windowedBy(TimeWindows.ofSizeAndGrace(settings.window(), settings.grace()).advanceBy(settings.step()))
        .aggregate(CalibrationWindow::empty, (outcome, label, window) -> window.add(label),
            Named.as("calibration-aggregate"),
            Materialized.<String, CalibrationWindow, WindowStore<Bytes, byte[]>>as(WINDOW_STORE)
                .withKeySerde(Serdes.String()).withValueSerde(new JsonSerde<>(CalibrationWindow.class))
                // the records carry the scores' asOf, often years before now: time-based deletion of the changelog
                // would drop them at once, so only compaction cleans it (one entry per outcome and window)
                .withLoggingEnabled(Map.of("retention.ms", "-1")))
        .suppress(Suppressed.untilWindowCloses(Suppressed.BufferConfig.unbounded())
            .withName("calibration-window-closed"))
        .toStream(Named.as("calibration-closed-windows"))
        .process(() -> new CalibrationDriftProcessor(settings, outcomes, model, status), Named.as(DRIFT),
            CalibrationDriftProcessor.STORE)
        .to(settings.topic(), Produced.with(Serdes.String(), driftSerde).withName("calibration-drift-sink"));
    return true;
  }
}
