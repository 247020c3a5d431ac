package io.riskstream.topology;

import io.riskstream.connectors.debezium.DebeziumNormalizer;
import io.riskstream.connectors.fhir.FhirNormalizer;
import io.riskstream.schemas.CalibrationDrift;
import io.riskstream.schemas.DeadLetter;
import io.riskstream.schemas.EmrEvent;
import io.riskstream.schemas.RiskAlert;
import io.riskstream.schemas.RiskScore;
import io.riskstream.topology.calibration.CalibrationSettings;
import io.riskstream.topology.calibration.CalibrationStatus;
import io.riskstream.topology.calibration.CalibrationTopology;
import io.riskstream.topology.config.AlertPolicy;
import io.riskstream.topology.config.RiskStreamConfig;
import io.riskstream.topology.fhir.AlertRef;
import io.riskstream.topology.fhir.RecentAssessments;
import io.riskstream.topology.fhir.OutcomeConcept;
import io.riskstream.topology.fhir.RiskAssessmentProcessor;
import io.riskstream.topology.fhir.RiskAssessments;
import io.riskstream.topology.serde.AvroSerdes;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyDescription;
import org.apache.kafka.streams.kstream.Branched;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.processor.UsePartitionTimeOnInvalidTimestamp;
import org.apache.kafka.streams.state.Stores;

/**
 * The RiskStream topology as a pure factory. Two sub-topologies, three with FHIR input, four with transaction tracking:
 * <pre>
 *  ehr-source (Debezium JSON) → normalize ─┬→ emr-events-sink (EmrEvent, key patientId)
 *                                          ├→ dlq-sink (DeadLetter, key = original key)
 *                                          └→ transaction-rejected (with source.transaction.topic)
 *  fhir-source (FHIR R4 JSON; fhir.enabled) → fhir-normalize ─┬→ fhir-emr-events-sink
 *                                                             └→ fhir-dlq-sink
 *  transaction-source (source.transaction.topic) → transaction-metadata → transaction-end
 *  transaction-progress + transaction-rejected + transaction-end → transaction-tracker → transaction-complete
 *  emr-events-source (+ transaction-complete) → trigger [trigger-open, trigger-buffer]
 *       → history [patient-history, patient-history-events] → score [scoring-pending]
 *                       ─┬→ risk-scores-sink (RiskScore)
 *                        └→ alert [alert-state] → risk-alerts-sink (RiskAlert)
 *       scores + alerts → assess [risk-assessments, alert-index] → risk-assessments-sink (FHIR R4 RiskAssessment JSON)
 *       emr-events + scores → calibration-label → calibration-labels (by outcome) → windows → calibration-drift-sink
 *       (with calibration.enabled: {@link CalibrationTopology})
 *  with a shadow model, history also → shadow-score [shadow-scoring-pending] ─┬→ risk-scores-shadow-sink
 *                                                   └→ shadow-alert [shadow-alert-state] → risk-alerts-shadow-sink
 *  (emr-events-source → transaction-progress; each stage's dead letters → <stage>-dlq-sink)
 * </pre>
 * {@code emr-events} is both the public contract topic and the re-keying (by patient) topic between normalize and the
 * scoring part (the FHIR input writes to it too). The transaction topics are named repartition topics. Every
 * processor, source, sink and store is named. With {@code normalize.enabled=false} only the scoring part runs, without
 * transaction tracking: a replay from emr-events.
 */
public final class RiskTopology {

  public static final String SOURCE = "ehr-source";
  public static final String NORMALIZE = "normalize";
  public static final String FHIR_SOURCE = "fhir-source";
  public static final String FHIR_NORMALIZE = "fhir-normalize";
  public static final String EMR_EVENTS_SOURCE = "emr-events-source";
  public static final String TRIGGER = "trigger";
  public static final String HISTORY = "history";
  public static final String SCORE = "score";
  public static final String ALERT = "alert";
  public static final String ASSESS = "assess";
  public static final String SHADOW_SCORE = "shadow-score";
  public static final String SHADOW_ALERT = "shadow-alert";
  public static final String TRANSACTION_SOURCE = "transaction-source";
  public static final String TRANSACTION_METADATA = "transaction-metadata";
  public static final String TRANSACTION_TRACKER = "transaction-tracker";
  /** How long (stream time) the tracker keeps a transaction whose END never came. */
  static final Duration TRACKER_RETENTION = Duration.ofDays(1);

  private RiskTopology() {
  }

  public static Topology build(StreamsBuilder builder, RiskStreamConfig config, AvroSerdes serdes,
      RequestEncoder encoder, ScoringBackend backend) {
    return build(builder, config, serdes, encoder, backend, new DeadLetterCounts());
  }

  /** The topology; its stages count their dead letters in {@code deadLetters}. */
  public static Topology build(StreamsBuilder builder, RiskStreamConfig config, AvroSerdes serdes,
      RequestEncoder encoder, ScoringBackend backend, DeadLetterCounts deadLetters) {
    return build(builder, config, serdes, encoder, backend, deadLetters, new CalibrationStatus(), null,
        new WithheldAlertCounts(), new InputBacklog());
  }

  /**
   * The topology; its stages count their dead letters in {@code deadLetters}, and calibration (with
   * {@code calibration.enabled}) reports each outcome's newest closed window to {@code calibration}.
   */
  public static Topology build(StreamsBuilder builder, RiskStreamConfig config, AvroSerdes serdes,
      RequestEncoder encoder, ScoringBackend backend, DeadLetterCounts deadLetters, CalibrationStatus calibration) {
    return build(builder, config, serdes, encoder, backend, deadLetters, calibration, null, new WithheldAlertCounts(),
        new InputBacklog());
  }

  /**
   * The topology with a shadow model ({@code shadow}, null for none) scored on every history production scores
   * ({@link #addShadow}).
   */
  public static Topology build(StreamsBuilder builder, RiskStreamConfig config, AvroSerdes serdes,
      RequestEncoder encoder, ScoringBackend backend, DeadLetterCounts deadLetters, ShadowModel shadow) {
    return build(builder, config, serdes, encoder, backend, deadLetters, new CalibrationStatus(), shadow,
        new WithheldAlertCounts(), new InputBacklog());
  }

  /**
   * The topology; its stages count their dead letters in {@code deadLetters}, calibration (with
   * {@code calibration.enabled}) reports each outcome's newest closed window to {@code calibration}, a shadow
   * model ({@code shadow}, null for none) is scored on every history production scores ({@link #addShadow}), and the
   * alert processor counts the alerts it withholds in {@code withheld}.
   * The trigger's idle flush asks {@code backlog} whether the task's emr-events partition or another input topic
   * still has records to fetch (the application reads it from its Kafka Streams client's metrics and its consumer
   * group's offsets; a fresh {@link InputBacklog} never reports one).
   */
  public static Topology build(StreamsBuilder builder, RiskStreamConfig config, AvroSerdes serdes,
      RequestEncoder encoder, ScoringBackend backend, DeadLetterCounts deadLetters, CalibrationStatus calibration,
      ShadowModel shadow, WithheldAlertCounts withheld, InputBacklog backlog) {
    Serde<EmrEvent> emrSerde = serdes.value(EmrEvent.class);
    Serde<DeadLetter> dlqSerde = serdes.value(DeadLetter.class);
    Serde<RiskScore> scoreSerde = serdes.value(RiskScore.class);
    Serde<RiskAlert> alertSerde = serdes.value(RiskAlert.class);
    String emrTopic = config.topics().emrEvents().name();

    KStream<String, TransactionSignal> rejectedCounts = null;
    if (config.getBoolean(RiskStreamConfig.NORMALIZE_ENABLED_CONFIG)) {
      rejectedCounts = addNormalize(builder, config, emrTopic, emrSerde, dlqSerde, deadLetters);
      if (config.getBoolean(RiskStreamConfig.FHIR_ENABLED_CONFIG)) {
        addFhirNormalize(builder, config, emrTopic, emrSerde, dlqSerde, deadLetters);
      }
    }

    // Record caches (statestore.cache.max.bytes) merge a commit interval's writes of one key into one changelog
    // record: an open transaction rewritten per event, a patient's history versions, a request put and deleted before
    // the commit. trigger-buffer only holds events written by versions that buffered them (read, never written).
    builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(TriggerProcessor.STORE),
        Serdes.String(), new OpenTransactionSerde()).withCachingEnabled());
    builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(TriggerProcessor.BUFFER),
        Serdes.String(), new EmrEventSerde()).withCachingEnabled());
    builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(HistoryProcessor.STORE),
        Serdes.String(), new PatientHistorySerde()).withCachingEnabled());
    builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(HistoryProcessor.EVENTS_STORE),
        Serdes.String(), new EmrEventSerde()).withCachingEnabled());
    builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(ScoreProcessor.STORE),
        Serdes.String(), new ScoringRequestSerde()).withCachingEnabled());
    builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(AlertProcessor.STORE),
        Serdes.String(), new AlertStateSerde()).withCachingEnabled());

    Duration linger = config.triggerLinger();
    Duration idle = Duration.ofMillis(config.getLong(RiskStreamConfig.TRIGGER_IDLE_FLUSH_MS_CONFIG));
    int maxOffsets = config.getInt(RiskStreamConfig.TRIGGER_MAX_OFFSETS_CONFIG);
    int maxEvents = config.getInt(RiskStreamConfig.HISTORY_MAX_EVENTS_CONFIG);
    Duration maxAge = Duration.ofDays(config.getInt(RiskStreamConfig.HISTORY_MAX_AGE_DAYS_CONFIG));
    AlertPolicy policy = alertPolicy(config, backend);
    // fails at build, not in a stream thread, for models with more outcomes than a bit mask of outcomes holds
    OnsetCodes onsets = OnsetCodes.of(backend);
    if (shadow != null) {
      OnsetCodes.both(onsets, OnsetCodes.of(shadow.backend()));
    }
    ReasonGroups reasons = new ReasonGroups(policy.reasonRules().occluded(), policy.reasonRules().excludedCodes());
    Duration drain = config.scoreDrainInterval();
    int retries = config.getInt(RiskStreamConfig.SCORE_MAX_RETRIES_CONFIG);

    String dlqTopic = config.topics().deadLetters().name();
    boolean tracks = rejectedCounts != null && config.tracksTransactions();
    Duration endTimeout = Duration.ofMillis(config.getLong(RiskStreamConfig.TRIGGER_TRANSACTION_END_TIMEOUT_MS_CONFIG));
    KStream<String, EmrEvent> emrEvents = builder.stream(emrTopic,
        Consumed.with(Serdes.String(), emrSerde).withName(EMR_EVENTS_SOURCE));
    KStream<String, Object> triggerInput = emrEvents.mapValues(v -> (Object) v, Named.as("emr-events-as-input"));
    if (tracks) {
      triggerInput = triggerInput.merge(addTransactionTracking(builder, config, emrEvents, rejectedCounts, dlqSerde,
          deadLetters).mapValues(v -> (Object) v, Named.as("transaction-complete-as-input")), Named.as("trigger-input"));
    }
    KStream<String, Object> history = triggerInput
        .process(() -> new TriggerProcessor(linger, idle, maxOffsets,
                config.getBoolean(RiskStreamConfig.TRIGGER_CLOSE_ON_SOURCE_PROGRESS_CONFIG), tracks, endTimeout,
                deadLetters, backlog, emrTopic), Named.as(TRIGGER),
            TriggerProcessor.STORE, TriggerProcessor.BUFFER)
        .process(() -> new HistoryProcessor(maxEvents, maxAge, encoder, reasons, onsets, deadLetters,
                shadow), Named.as(HISTORY),
            HistoryProcessor.STORE, HistoryProcessor.EVENTS_STORE);
    if (shadow != null) {
      Map<String, KStream<String, Object>> split = history.split(Named.as("history-"))
          .branch((k, v) -> v instanceof ShadowRequest, Branched.as("shadow-requests"))
          .defaultBranch(Branched.as("production"));
      addShadow(builder, config, backend, shadow, split.get("history-shadow-requests"), scoreSerde, alertSerde);
      history = split.get("history-production");
    }
    KStream<String, ScoringRequest> requests = deadLettersApart(history, ScoringRequest.class, HISTORY, dlqTopic,
        dlqSerde);
    KStream<String, ScoredRequest> scored = deadLettersApart(requests
        .process(() -> new ScoreProcessor(backend, drain, retries, policy, deadLetters), Named.as(SCORE),
            ScoreProcessor.STORE, AlertProcessor.STORE), ScoredRequest.class, SCORE, dlqTopic, dlqSerde);
    KStream<String, RiskScore> scores = scored.mapValues(ScoredRequest::score, Named.as("as-risk-score"));
    scores.to(config.topics().riskScores().name(),
        Produced.with(Serdes.String(), scoreSerde).withName("risk-scores-sink"));
    KStream<String, RiskAlert> alerts = scored.process(() -> new AlertProcessor(policy, backend, AlertProcessor.STORE,
        withheld), Named.as(ALERT), AlertProcessor.STORE);
    alerts.to(config.topics().riskAlerts().name(),
        Produced.with(Serdes.String(), alertSerde).withName("risk-alerts-sink"));
    addAssessments(builder, config, backend, scores, alerts);
    if (config.getBoolean(RiskStreamConfig.CALIBRATION_ENABLED_CONFIG)) {
      CalibrationTopology.add(builder, CalibrationSettings.of(config), backend, emrEvents, scores,
          serdes.value(CalibrationDrift.class), calibration);
    }
    return builder.build();
  }

  /**
   * assess: the FHIR R4 RiskAssessment of every score and alert ({@link RiskAssessmentProcessor}, stores
   * {@value RiskAssessmentProcessor#STORE}, {@value RiskAssessmentProcessor#ALERT_INDEX}) → risk-assessments-sink (FHIR JSON, key patientId).
   */
  private static void addAssessments(StreamsBuilder builder, RiskStreamConfig config, ScoringBackend backend,
      KStream<String, RiskScore> scores, KStream<String, RiskAlert> alerts) {
    RiskAssessments assessments = new RiskAssessments(OutcomeConcept.of(backend));
    builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(RiskAssessmentProcessor.STORE),
        Serdes.String(), new RecentAssessmentsSerde()).withCachingEnabled());
    builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(RiskAssessmentProcessor.ALERT_INDEX),
        Serdes.String(), new JsonSerde<>(AlertRef.class)).withCachingEnabled());
    scores.mapValues(v -> (Object) v, Named.as("score-as-assessment-input"))
        .merge(alerts.mapValues(v -> (Object) v, Named.as("alert-as-assessment-input")), Named.as("assessment-input"))
        .process(() -> new RiskAssessmentProcessor(assessments,
            config.getInt(RiskStreamConfig.ALERT_INDEX_PER_PATIENT_CONFIG)), Named.as(ASSESS), RiskAssessmentProcessor.STORE,
            RiskAssessmentProcessor.ALERT_INDEX)
        .to(config.topics().riskAssessments(),
            Produced.with(Serdes.String(), Serdes.String()).withName("risk-assessments-sink"));
  }

  /**
   * The shadow model's path: its requests → shadow-score ({@link ScoreProcessor#shadow}, store
   * {@value ScoreProcessor#SHADOW_STORE}) → risk-scores-shadow-sink, and → shadow-alert ({@link AlertProcessor} with
   * {@link #shadowAlertPolicy}, store {@value AlertProcessor#SHADOW_STORE}) → risk-alerts-shadow-sink. Nothing of it
   * reaches risk-scores, risk-alerts, the DLQ or the RiskAssessments; a request the shadow cannot score is counted in
   * {@link ShadowModel#counts()} and skipped.
   */
  private static void addShadow(StreamsBuilder builder, RiskStreamConfig config, ScoringBackend production,
      ShadowModel shadow, KStream<String, Object> requests, Serde<RiskScore> scoreSerde, Serde<RiskAlert> alertSerde) {
    builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(ScoreProcessor.SHADOW_STORE),
        Serdes.String(), new ScoringRequestSerde()).withCachingEnabled());
    builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(AlertProcessor.SHADOW_STORE),
        Serdes.String(), new AlertStateSerde()).withCachingEnabled());
    Duration drain = config.scoreDrainInterval();
    int retries = config.getInt(RiskStreamConfig.SCORE_MAX_RETRIES_CONFIG);
    ShadowCounts counts = shadow.counts();
    int maxPending = config.getInt(RiskStreamConfig.SHADOW_MAX_PENDING_CONFIG);
    KStream<String, ScoredRequest> scored = requests
        .mapValues(v -> ((ShadowRequest) v).request(), Named.as("shadow-request"))
        .process(() -> ScoreProcessor.shadow(shadow.backend(), drain, retries, ScoreProcessor.SHADOW_STORE, counts,
                maxPending),
            Named.as(SHADOW_SCORE), ScoreProcessor.SHADOW_STORE)
        .mapValues(v -> (ScoredRequest) v, Named.as("shadow-score-output"));
    scored.mapValues(ScoredRequest::score, Named.as("shadow-as-risk-score"))
        .peek((k, v) -> counts.scored(), Named.as("shadow-count-score"))
        .to(config.topics().riskScoresShadow().name(),
            Produced.with(Serdes.String(), scoreSerde).withName("risk-scores-shadow-sink"));
    AlertPolicy policy = shadowAlertPolicy(config, production, shadow.backend());
    scored.process(() -> new AlertProcessor(policy, shadow.backend(), AlertProcessor.SHADOW_STORE, null),
            Named.as(SHADOW_ALERT), AlertProcessor.SHADOW_STORE)
        .peek((k, v) -> counts.alerted(), Named.as("shadow-count-alert"))
        .to(config.topics().riskAlertsShadow().name(),
            Produced.with(Serdes.String(), alertSerde).withName("risk-alerts-shadow-sink"));
  }

  /**
   * The shadow model's alert policy: production's ({@code shadow.thresholds=production}: production's thresholds and
   * minimum age), or the configuration's with the shadow model's operating points, else production's model's, where
   * the configuration sets no thresholds, and the shadow model's minimum age (its card's).
   */
  public static AlertPolicy shadowAlertPolicy(RiskStreamConfig config, ScoringBackend production, ScoringBackend shadow) {
    if ("production".equals(config.getString(RiskStreamConfig.SHADOW_THRESHOLDS_CONFIG))) {
      return alertPolicy(config, production);
    }
    Map<String, io.riskstream.scoring.model.OperatingPoint> points = new java.util.HashMap<>(production.operatingPoints());
    points.putAll(shadow.operatingPoints());
    return config.alertPolicy().withOperatingPoints(points).withMinimumAge(shadow.minimumAgeYears());
  }

  /**
   * Transaction tracking (with {@code source.transaction.topic}): the events the trigger reads that carry a transaction
   * metadata id, the records normalize rejected of such transactions, and the END records of the transaction topic,
   * each keyed by the transaction metadata id through a named repartition topic ({@code transaction-progress},
   * {@code transaction-rejected}, {@code transaction-end}), meet in {@link TransactionTracker}; its verdicts reach the
   * trigger keyed by patient through {@code transaction-complete}, with as many partitions as emr-events (RiskStream
   * creates emr-events with {@code topic.partitions} and checks the count of an existing one), so that a patient's
   * verdict reaches the task that holds the patient.
   */
  private static KStream<String, TransactionSignal> addTransactionTracking(StreamsBuilder builder,
      RiskStreamConfig config, KStream<String, EmrEvent> emrEvents, KStream<String, TransactionSignal> rejectedCounts,
      Serde<DeadLetter> dlqSerde, DeadLetterCounts deadLetters) {
    int partitions = config.getInt(RiskStreamConfig.TOPIC_PARTITIONS_CONFIG);
    Serde<TransactionSignal> signals = new TransactionSignalSerde();
    KStream<String, TransactionSignal> progress = emrEvents
        .filter((k, v) -> v != null && v.getSource().getTransactionId() != null, Named.as("with-transaction-metadata"))
        .map((k, v) -> KeyValue.pair(v.getSource().getTransactionId(),
            (TransactionSignal) new TransactionSignal.Counted(v.getSource().getTxId(), k)), Named.as("count-transaction-event"))
        .repartition(Repartitioned.with(Serdes.String(), signals).withName("transaction-progress")
            .withNumberOfPartitions(partitions));
    KStream<String, TransactionSignal> rejected = rejectedCounts.repartition(Repartitioned.with(Serdes.String(), signals)
        .withName("transaction-rejected").withNumberOfPartitions(partitions));
    Consumed<byte[], byte[]> raw = Consumed.with(Serdes.ByteArray(), Serdes.ByteArray())
        .withTimestampExtractor(new UsePartitionTimeOnInvalidTimestamp()).withName(TRANSACTION_SOURCE);
    KStream<String, TransactionSignal> ends = deadLettersApart(builder
        .stream(config.getString(RiskStreamConfig.SOURCE_TRANSACTION_TOPIC_CONFIG), raw)
        .process(() -> new TransactionMetadataProcessor(deadLetters), Named.as(TRANSACTION_METADATA)),
            TransactionSignal.class, TRANSACTION_METADATA, config.topics().deadLetters().name(), dlqSerde)
        .repartition(Repartitioned.with(Serdes.String(), signals).withName("transaction-end")
            .withNumberOfPartitions(partitions));
    builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(TransactionTracker.STORE),
        Serdes.String(), new TrackedTransactionSerde()).withCachingEnabled());
    builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(TransactionTracker.PATIENTS),
        Serdes.String(), Serdes.String()).withCachingEnabled());
    return progress.merge(rejected, Named.as("transaction-counts")).merge(ends, Named.as("transaction-signals"))
        .process(() -> new TransactionTracker(TRACKER_RETENTION), Named.as(TRANSACTION_TRACKER), TransactionTracker.STORE,
            TransactionTracker.PATIENTS)
        .repartition(Repartitioned.with(Serdes.String(), signals).withName("transaction-complete")
            .withNumberOfPartitions(partitions));
  }

  /**
   * A stage's output apart from its dead letters, which go to the dead-letter topic keyed by the original key (nodes
   * {@code <stage>-output-dead-letters}, {@code <stage>-dlq-sink}).
   */
  private static <T> KStream<String, T> deadLettersApart(KStream<String, Object> output, Class<T> type, String stage,
      String dlqTopic, Serde<DeadLetter> dlqSerde) {
    Map<String, KStream<String, Object>> split = output.split(Named.as(stage + "-output-"))
        .branch((k, v) -> v instanceof DeadLetter, Branched.as("dead-letters"))
        .defaultBranch(Branched.as("records"));
    split.get(stage + "-output-dead-letters")
        .map((k, v) -> KeyValue.pair(DeadLetters.key((DeadLetter) v), (DeadLetter) v), Named.as(stage + "-dlq-by-key"))
        .to(dlqTopic, Produced.with(Serdes.ByteArray(), dlqSerde).withName(stage + "-dlq-sink"));
    return split.get(stage + "-output-records").mapValues(type::cast, Named.as(stage + "-output-as-" + type.getSimpleName()));
  }

  /**
   * The alert policy the topology applies: the configuration's, with the model card's operating points as the
   * thresholds of the outcomes whose thresholds it does not set, and no alert below the model's minimum age.
   */
  public static AlertPolicy alertPolicy(RiskStreamConfig config, ScoringBackend backend) {
    return config.alertPolicy().withOperatingPoints(backend.operatingPoints())
        .withMinimumAge(backend.minimumAgeYears());
  }

  /** ehr-source → normalize → emr-events and the DLQ; returns the counts of rejected records of tracked transactions. */
  private static KStream<String, TransactionSignal> addNormalize(StreamsBuilder builder, RiskStreamConfig config,
      String emrTopic, Serde<EmrEvent> emrSerde, Serde<DeadLetter> dlqSerde, DeadLetterCounts deadLetters) {
    // a record with an invalid (negative) timestamp takes its partition's time instead of stopping the stream
    Consumed<byte[], byte[]> raw = Consumed.with(Serdes.ByteArray(), Serdes.ByteArray())
        .withTimestampExtractor(new UsePartitionTimeOnInvalidTimestamp()).withName(SOURCE);
    KStream<byte[], byte[]> source = config.sourceTopics().isEmpty()
        ? builder.stream(config.sourceTopicPattern(), raw)
        : builder.stream(config.sourceTopics(), raw);

    DebeziumNormalizer normalizer = new DebeziumNormalizer(config.sourceMapping(),
        config.getString(RiskStreamConfig.SOURCE_SYSTEM_CONFIG), config.getInt(RiskStreamConfig.SOURCE_MAX_RECORD_BYTES_CONFIG));
    return toEventsAndDeadLetters(source.process(() -> new NormalizeProcessor(normalizer, "", deadLetters),
        Named.as(NORMALIZE)), "", config, emrTopic, emrSerde, dlqSerde);
  }

  /** fhir-source (FHIR R4 JSON, any key) → fhir-normalize → emr-events (re-keyed by patient) and the DLQ. */
  private static void addFhirNormalize(StreamsBuilder builder, RiskStreamConfig config, String emrTopic,
      Serde<EmrEvent> emrSerde, Serde<DeadLetter> dlqSerde, DeadLetterCounts deadLetters) {
    Consumed<byte[], byte[]> raw = Consumed.with(Serdes.ByteArray(), Serdes.ByteArray())
        .withTimestampExtractor(new UsePartitionTimeOnInvalidTimestamp()).withName(FHIR_SOURCE);
    FhirNormalizer normalizer = new FhirNormalizer(config.getInt(RiskStreamConfig.FHIR_MAX_RECORD_BYTES_CONFIG));
    toEventsAndDeadLetters(builder.stream(config.getString(RiskStreamConfig.FHIR_TOPIC_CONFIG), raw)
        .process(() -> new NormalizeProcessor(normalizer, "fhir-", deadLetters), Named.as(FHIR_NORMALIZE)), "fhir-", config,
        emrTopic, emrSerde, dlqSerde);
  }

  /**
   * Normalize's output: events to emr-events, dead letters to the DLQ; returns the transaction counts of rejected
   * records (keyed by transaction metadata id).
   */
  private static KStream<String, TransactionSignal> toEventsAndDeadLetters(KStream<String, Object> normalizedStream,
      String prefix, RiskStreamConfig config, String emrTopic, Serde<EmrEvent> emrSerde, Serde<DeadLetter> dlqSerde) {
    Map<String, KStream<String, Object>> normalized = normalizedStream
        .split(Named.as(prefix + "normalized-"))
        .branch((k, v) -> v instanceof EmrEvent, Branched.as("events"))
        .branch((k, v) -> v instanceof TransactionSignal, Branched.as("transaction-counts"))
        .defaultBranch(Branched.as("dead-letters"));
    normalized.get(prefix + "normalized-events")
        .mapValues(v -> (EmrEvent) v, Named.as(prefix + "as-emr-event"))
        .to(emrTopic, Produced.with(Serdes.String(), emrSerde).withName(prefix + "emr-events-sink"));
    normalized.get(prefix + "normalized-dead-letters")
        .map((k, v) -> KeyValue.pair(DeadLetters.key((DeadLetter) v), (DeadLetter) v), Named.as(prefix + "dlq-by-original-key"))
        .to(config.topics().deadLetters().name(),
            Produced.with(Serdes.ByteArray(), dlqSerde).withName(prefix + "dlq-sink"));
    return normalized.get(prefix + "normalized-transaction-counts")
        .mapValues(v -> (TransactionSignal) v, Named.as(prefix + "as-transaction-count"));
  }

  /**
   * The names of an application's internal topics: the changelog of every store and every repartition topic of the
   * topology ({@code <application.id>-<store>-changelog}, {@code <application.id>-<name>-repartition}).
   */
  public static Set<String> internalTopics(String applicationId, TopologyDescription description) {
    Set<String> out = new TreeSet<>();
    for (TopologyDescription.Subtopology sub : description.subtopologies()) {
      for (TopologyDescription.Node node : sub.nodes()) {
        if (node instanceof TopologyDescription.Processor p) {
          p.stores().forEach(store -> out.add(applicationId + "-" + store + "-changelog"));
        } else if (node instanceof TopologyDescription.Source src && src.topicSet() != null) {
          src.topicSet().stream().filter(t -> t.endsWith("-repartition")).forEach(t -> out.add(applicationId + "-" + t));
        } else if (node instanceof TopologyDescription.Sink sink && sink.topic() != null
            && sink.topic().endsWith("-repartition")) {
          out.add(applicationId + "-" + sink.topic());
        }
      }
    }
    return out;
  }

}
