package io.riskstream.app.replay;

import io.riskstream.app.runtime.RiskStreamApp;
import io.riskstream.app.runtime.ScoringRuntime;
import io.riskstream.app.runtime.StartupProbes;
import io.riskstream.schemas.RiskAlert;
import io.riskstream.schemas.RiskAlertFeedback;
import io.riskstream.schemas.RiskScore;
import io.riskstream.topology.TriggerProcessor;
import io.riskstream.topology.config.RiskStreamConfig;
import io.riskstream.topology.serde.AvroSerdes;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.streams.KafkaStreams;

/**
 * The audit replay of a period: runs the scoring part of the topology ({@code normalize.enabled=false}) under its
 * own application id, state directory and output topics over the whole of {@code emr-events} (the history before a
 * period is what its scores are computed from), until it has consumed every record that was in emr-events when it
 * started and its outputs have stopped growing; then reads the production and the replay outputs and compares them
 * ({@link ReplayComparison}). Production is not touched: its topics are only read.
 *
 * <p>Records appended to emr-events after the replay started may be scored on one side only; replay periods that
 * end before the live tail. A transaction that production's idle flush split (see {@link TriggerProcessor}) shows
 * as a difference, which is what an audit should see.
 */
public final class AuditReplay {

  /**
   * What was replayed and what the comparison found.
   *
   * @param applicationId the replay's Kafka Streams application id
   * @param scoresTopic the replay's score topic (kept for inspection)
   * @param alertsTopic the replay's alert topic (kept for inspection)
   * @param emrEvents records (offsets) of emr-events the replay had to consume
   * @param seconds wall time of the replay run
   * @param triggerCloses how many transactions each trigger rule closed in the replay
   * @param internalTopicsDeleted the replay's internal topics deleted after it (changelogs, repartition topics)
   * @param comparison the record-by-record comparison
   * @param feedback how clinicians answered production's alerts of the period, per outcome (override rate)
   */
  public record Report(String replayId, String applicationId, String scoresTopic, String alertsTopic, long emrEvents,
      double seconds, Map<String, Long> triggerCloses, int internalTopicsDeleted, ReplayComparison.Result comparison,
      Map<String, FeedbackRates.Outcome> feedback) {
    public Report {
      triggerCloses = Map.copyOf(triggerCloses);
      feedback = java.util.Collections.unmodifiableMap(new java.util.TreeMap<>(feedback));
    }
  }

  /**
   * Options of a replay.
   *
   * @param replayId names the replay's application id, topics and state directory
   * @param from compare records with asOf at or after this (null: from the start)
   * @param to compare records with asOf before this (null: to the end)
   * @param tolerance largest probability difference that still matches (0 on the CPU)
   * @param timeout the longest the replay may run before it is given up
   */
  public record Options(String replayId, Instant from, Instant to, double tolerance, Duration timeout) {
    public Options {
      if (replayId == null || !replayId.matches("[A-Za-z0-9._-]+")) {
        throw new IllegalArgumentException("replay id must be letters, digits, '.', '_' or '-', got: " + replayId);
      }
      if (!(tolerance >= 0)) {
        throw new IllegalArgumentException("tolerance must be >= 0, got " + tolerance);
      }
      if (from != null && to != null && !from.isBefore(to)) {
        throw new IllegalArgumentException("the period is empty: from " + from + " is not before to " + to);
      }
    }
  }

  private static final Duration POLL = Duration.ofMillis(500);
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(AuditReplay.class);

  private AuditReplay() {
  }

  /** The replay's configuration: production's, with its own application id, topics and state, scoring only. */
  public static RiskStreamConfig replayConfig(RiskStreamConfig production, String replayId, Path stateDir) {
    Map<String, Object> p = new HashMap<>(production.originals());
    String suffix = ".replay-" + replayId;
    p.put(RiskStreamConfig.APPLICATION_ID_CONFIG, production.getString(RiskStreamConfig.APPLICATION_ID_CONFIG)
        + "-replay-" + replayId);
    p.put(RiskStreamConfig.NORMALIZE_ENABLED_CONFIG, "false");
    p.put(RiskStreamConfig.FHIR_ENABLED_CONFIG, "false");
    p.put(RiskStreamConfig.STATE_DIR_CONFIG, stateDir.toString());
    p.remove(RiskStreamConfig.SHADOW_MODEL_CONFIG);  // an audit reproduces production only
    // the replay's calibration drift events go to a topic of its own, never to production's
    for (String topic : List.of(RiskStreamConfig.TOPIC_RISK_SCORES_CONFIG, RiskStreamConfig.TOPIC_RISK_ALERTS_CONFIG,
        RiskStreamConfig.TOPIC_DLQ_CONFIG, RiskStreamConfig.TOPIC_CALIBRATION_DRIFT_CONFIG)) {
      p.put(topic, production.getString(topic) + suffix);
    }
    return new RiskStreamConfig(p);
  }

  /** Runs the replay of {@code production}'s emr-events and compares; {@code progress} gets one line now and then. */
  public static Report run(RiskStreamConfig production, AvroSerdes serdes, Options options, Path stateDir,
      Consumer<String> progress) throws Exception {
    RiskStreamConfig config = replayConfig(production, options.replayId(), stateDir);
    StartupProbes.await(production);
    String emrTopic = production.topics().emrEvents().name();
    String appId = config.getString(RiskStreamConfig.APPLICATION_ID_CONFIG);
    long start = System.nanoTime();
    long deadline = start + options.timeout().toNanos();
    Map<TopicPartition, Long> ends;
    try (Admin admin = Admin.create(production.adminProperties())) {
      ends = endOffsets(admin, emrTopic);
    }
    long emrEvents = ends.values().stream().mapToLong(Long::longValue).sum();
    progress.accept(String.format(java.util.Locale.ROOT, "replay %s: %,d offsets of %s in %d partitions to replay",
        options.replayId(), emrEvents, emrTopic, ends.size()));
    Map<String, Long> closes = new java.util.LinkedHashMap<>();
    String modelSha;
    java.util.Set<String> internal = new java.util.TreeSet<>();
    int deleted;
    try (ScoringRuntime runtime = ScoringRuntime.start(config)) {
      modelSha = runtime.backend().info().modelSha256();
      try (RiskStreamApp app = RiskStreamApp.start(config, serdes, runtime.encoder(), runtime.backend(), Map.of());
          Admin admin = Admin.create(production.adminProperties())) {
        internal.addAll(app.internalTopics());
        awaitConsumed(admin, app, appId, ends, deadline, progress);
        // every input is read: the last transactions close on the idle flush, then the batcher drains
        long quietMs = config.getLong(RiskStreamConfig.TRIGGER_IDLE_FLUSH_MS_CONFIG) * 3 / 2 + 5_000;
        awaitQuiet(admin, app, List.of(config.topics().riskScores().name(), config.topics().riskAlerts().name()),
            quietMs, deadline);
        app.triggerCloses().forEach((rule, n) -> closes.put(rule.name().toLowerCase(java.util.Locale.ROOT), n));
        app.closeAndLeaveGroup();
      }
    } finally {
      // also after a failed replay: it is not resumed (its state directory goes too)
      deleted = deleteInternals(production, appId, internal);
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    // only the period's records are kept in memory
    java.util.function.Predicate<Instant> inPeriod = t -> (options.from() == null || !t.isBefore(options.from()))
        && (options.to() == null || t.isBefore(options.to()));
    List<RiskScore> productionScores = readAll(production, production.topics().riskScores().name(),
        serdes.value(RiskScore.class).deserializer(), s -> inPeriod.test(s.getAsOf()));
    List<RiskAlert> productionAlerts = readAll(production, production.topics().riskAlerts().name(),
        serdes.value(RiskAlert.class).deserializer(), a -> inPeriod.test(a.getAsOf()));
    List<RiskScore> replayScores = readAll(production, config.topics().riskScores().name(),
        serdes.value(RiskScore.class).deserializer(), s -> inPeriod.test(s.getAsOf()));
    List<RiskAlert> replayAlerts = readAll(production, config.topics().riskAlerts().name(),
        serdes.value(RiskAlert.class).deserializer(), a -> inPeriod.test(a.getAsOf()));
    ReplayComparison.Result result = ReplayComparison.compare(productionScores, productionAlerts, replayScores,
        replayAlerts, modelSha, options.from(), options.to(), options.tolerance());
    Map<String, FeedbackRates.Outcome> feedback = FeedbackRates.of(productionAlerts, readAll(production,
        production.topics().alertFeedback().name(), serdes.value(RiskAlertFeedback.class).deserializer(), f -> true));
    return new Report(options.replayId(), appId, config.topics().riskScores().name(),
        config.topics().riskAlerts().name(), emrEvents, seconds, closes, deleted, result, feedback);
  }

  /** The read_committed end offsets (last stable offsets) of {@code topic}'s partitions now; empty when it is missing. */
  static Map<TopicPartition, Long> committedEnds(RiskStreamConfig config, String topic) {
    try (KafkaConsumer<byte[], byte[]> consumer = committedReader(config)) {
      List<org.apache.kafka.common.PartitionInfo> info = consumer.partitionsFor(topic);
      if (info == null || info.isEmpty()) {
        return Map.of();
      }
      return consumer.endOffsets(info.stream().map(i -> new TopicPartition(topic, i.partition())).toList());
    }
  }

  private static KafkaConsumer<byte[], byte[]> committedReader(RiskStreamConfig config) {
    Map<String, Object> p = config.consumerProperties();
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    return new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
  }

  /**
   * Deletes the replay's internal topics (the changelogs and repartition topics of its topology, by name: nothing
   * else with its prefix) and its consumer group: as large as production's state, and of no use once the replay is
   * done. Returns how many topics were deleted; a failure is logged and left (they can be deleted by hand).
   */
  private static int deleteInternals(RiskStreamConfig production, String appId, java.util.Set<String> internal) {
    int deleted = 0;
    try (Admin admin = Admin.create(production.adminProperties())) {
      List<String> existing = admin.listTopics().names().get().stream().filter(internal::contains).sorted().toList();
      admin.deleteTopics(existing).all().get();
      deleted = existing.size();
      admin.deleteConsumerGroups(List.of(appId)).all().get();
    } catch (Exception e) {
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      LOG.warn("could not delete all of the replay's internal topics and its consumer group {} ({})", appId,
          e.getClass().getSimpleName());
    }
    return deleted;
  }

  /** The read_committed end offsets (last stable offsets) of every partition of {@code topic}. */
  private static Map<TopicPartition, Long> endOffsets(Admin admin, String topic) throws Exception {
    int partitions = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions().size();
    Map<TopicPartition, OffsetSpec> request = new HashMap<>();
    for (int i = 0; i < partitions; i++) {
      request.put(new TopicPartition(topic, i), OffsetSpec.latest());
    }
    Map<TopicPartition, Long> out = new HashMap<>();
    admin.listOffsets(request, new ListOffsetsOptions(IsolationLevel.READ_COMMITTED)).all().get()
        .forEach((tp, info) -> out.put(tp, info.offset()));
    return out;
  }

  private static void awaitConsumed(Admin admin, RiskStreamApp app, String appId, Map<TopicPartition, Long> ends,
      long deadline, Consumer<String> progress) throws Exception {
    long report = System.nanoTime();
    while (true) {
      requireRunning(app);
      Map<TopicPartition, OffsetAndMetadata> committed =
          admin.listConsumerGroupOffsets(appId).partitionsToOffsetAndMetadata().get();
      long behind = 0;
      for (Map.Entry<TopicPartition, Long> e : ends.entrySet()) {
        OffsetAndMetadata c = committed.get(e.getKey());
        behind += Math.max(0, e.getValue() - (c == null ? 0 : c.offset()));
      }
      if (behind == 0) {
        return;
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("the replay did not consume emr-events within the timeout (" + behind
            + " offsets behind)");
      }
      if (System.nanoTime() - report > 10_000_000_000L) {
        progress.accept(String.format(java.util.Locale.ROOT, "replay: %,d offsets of emr-events to go", behind));
        report = System.nanoTime();
      }
      Thread.sleep(POLL.toMillis());
    }
  }

  /** Waits until the end offsets of {@code topics} have not moved for {@code quietMs}. */
  private static void awaitQuiet(Admin admin, RiskStreamApp app, List<String> topics, long quietMs, long deadline)
      throws Exception {
    Map<TopicPartition, Long> last = null;
    long since = System.nanoTime();
    while (true) {
      requireRunning(app);
      Map<TopicPartition, Long> now = new HashMap<>();
      for (String t : topics) {
        now.putAll(endOffsets(admin, t));
      }
      if (!now.equals(last)) {
        last = now;
        since = System.nanoTime();
      } else if (System.nanoTime() - since >= quietMs * 1_000_000L) {
        return;
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("the replay's outputs did not settle within the timeout");
      }
      Thread.sleep(POLL.toMillis());
    }
  }

  private static void requireRunning(RiskStreamApp app) {
    KafkaStreams.State s = app.state();
    if (s == KafkaStreams.State.ERROR || s == KafkaStreams.State.PENDING_ERROR || s == KafkaStreams.State.NOT_RUNNING) {
      throw new IllegalStateException("the replay's streams client stopped in state " + s);
    }
  }

  /** The committed records of {@code topic} from its start to its end now that {@code keep} accepts, decoded. */
  static <T extends SpecificRecord> List<T> readAll(RiskStreamConfig config, String topic, Deserializer<T> values,
      java.util.function.Predicate<T> keep) {
    return readAll(config, topic, values, keep, null);
  }

  /**
   * The committed records of {@code topic} from its start to {@code until} (its partitions' end offsets, from
   * {@link #committedEnds}; null: its end now) that {@code keep} accepts, decoded.
   */
  static <T extends SpecificRecord> List<T> readAll(RiskStreamConfig config, String topic, Deserializer<T> values,
      java.util.function.Predicate<T> keep, Map<TopicPartition, Long> until) {
    List<T> out = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> consumer = committedReader(config)) {
      List<org.apache.kafka.common.PartitionInfo> info = consumer.partitionsFor(topic);
      if (info == null || info.isEmpty()) {
        return out;  // no such topic: nothing was emitted there
      }
      List<TopicPartition> partitions = info.stream().map(i -> new TopicPartition(topic, i.partition())).toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = new HashMap<>(consumer.endOffsets(partitions));
      if (until != null) {
        end.replaceAll((tp, now) -> Math.min(now, until.getOrDefault(tp, 0L)));
      }
      while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(POLL)) {
          if (r.value() != null) {
            T v = values.deserialize(r.topic(), r.value());
            if (keep.test(v)) {
              out.add(v);
            }
          }
        }
      }
    }
    return out;
  }
}
