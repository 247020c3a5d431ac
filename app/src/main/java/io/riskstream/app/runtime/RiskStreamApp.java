package io.riskstream.app.runtime;

import io.riskstream.topology.DeadLetterCounts;
import io.riskstream.topology.WithheldAlertCounts;
import io.riskstream.topology.calibration.CalibrationStatus;
import io.riskstream.topology.ErrorHandling;
import io.riskstream.topology.RequestEncoder;
import io.riskstream.topology.InputBacklog;
import io.riskstream.topology.RiskTopology;
import io.riskstream.topology.ScoringBackend;
import io.riskstream.topology.ShadowModel;
import io.riskstream.topology.TriggerProcessor;
import io.riskstream.topology.config.RiskStreamConfig;
import io.riskstream.topology.serde.AvroSerdes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyConfig;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the RiskStream topology on a Kafka cluster: creates the output and re-keying topics when missing, starts
 * Kafka Streams and stops it cleanly. An uncaught error (e.g. a scorer that kept failing) shuts the client down;
 * pending scoring requests stay in their changelogged store and are re-scored at the next start.
 */
public final class RiskStreamApp implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(RiskStreamApp.class);

  private final KafkaStreams streams;
  /** The consumer group's backlog over all instances, for the trigger's idle flush. */
  private final GroupBacklog groupBacklog;
  private final String applicationId;
  private final org.apache.kafka.streams.TopologyDescription description;

  private final DeadLetterCounts deadLetters;
  private final CalibrationStatus calibration;
  private final WithheldAlertCounts withheldAlerts;

  private RiskStreamApp(KafkaStreams streams, GroupBacklog groupBacklog, String applicationId,
      org.apache.kafka.streams.TopologyDescription description, DeadLetterCounts deadLetters,
      CalibrationStatus calibration, WithheldAlertCounts withheldAlerts) {
    this.streams = streams;
    this.groupBacklog = groupBacklog;
    this.applicationId = applicationId;
    this.description = description;
    this.deadLetters = deadLetters;
    this.calibration = calibration;
    this.withheldAlerts = withheldAlerts;
  }

  /**
   * Builds the topology and starts it. {@code overrides} are extra Kafka Streams properties (e.g. consumer tuning)
   * applied after the config's.
   */
  public static RiskStreamApp start(RiskStreamConfig config, AvroSerdes serdes, RequestEncoder encoder,
      ScoringBackend backend, Map<String, Object> overrides) throws InterruptedException, ExecutionException {
    return start(config, serdes, encoder, backend, overrides, (now, before) -> { });
  }

  /**
   * As {@link #start(RiskStreamConfig, AvroSerdes, RequestEncoder, ScoringBackend, Map)}, and {@code listener} hears
   * every state transition of the Kafka Streams client from its start on (after this class's own listener, which
   * logs it; Kafka Streams takes a listener only before the start).
   */
  public static RiskStreamApp start(RiskStreamConfig config, AvroSerdes serdes, RequestEncoder encoder,
      ScoringBackend backend, Map<String, Object> overrides, KafkaStreams.StateListener listener)
      throws InterruptedException, ExecutionException {
    return start(config, serdes, encoder, backend, null, overrides, listener);
  }

  /** Starts the topology with what {@code scoring} serves: its model, and its shadow model when it has one. */
  public static RiskStreamApp start(RiskStreamConfig config, AvroSerdes serdes, ScoringRuntime scoring,
      Map<String, Object> overrides) throws InterruptedException, ExecutionException {
    return start(config, serdes, scoring.encoder(), scoring.backend(), scoring.shadow().orElse(null), overrides,
        (now, before) -> { });
  }

  /**
   * As {@link #start(RiskStreamConfig, AvroSerdes, RequestEncoder, ScoringBackend, Map, KafkaStreams.StateListener)},
   * with a shadow model ({@code shadow}; null for none) scored on the same histories.
   */
  public static RiskStreamApp start(RiskStreamConfig config, AvroSerdes serdes, RequestEncoder encoder,
      ScoringBackend backend, ShadowModel shadow, Map<String, Object> overrides, KafkaStreams.StateListener listener)
      throws InterruptedException, ExecutionException {
    Properties props = config.streamsProperties();
    DeadLetterCounts deadLetters = new DeadLetterCounts();
    CalibrationStatus calibration = new CalibrationStatus();
    WithheldAlertCounts withheldAlerts = new WithheldAlertCounts();
    InputBacklog backlog = new InputBacklog();
    props.putAll(ErrorHandling.streamsProperties(config, serdes, deadLetters));
    props.putAll(overrides);
    ensureTopics(config);
    // the error handlers are task configuration, which tasks take from the topology's configuration
    Topology topology = RiskTopology.build(new StreamsBuilder(new TopologyConfig(new StreamsConfig(props))), config,
        serdes, encoder, backend, deadLetters, calibration, shadow, withheldAlerts, backlog);
    KafkaStreams streams = new KafkaStreams(topology, props);
    backlog.readFrom(streams::metrics);
    String applicationId = config.getString(RiskStreamConfig.APPLICATION_ID_CONFIG);
    org.apache.kafka.streams.TopologyDescription description = topology.describe();
    GroupBacklog groupBacklog = GroupBacklog.start(config.adminProperties(), applicationId, description,
        config.topics().emrEvents().name());
    backlog.alsoFrom(groupBacklog);
    streams.setUncaughtExceptionHandler(e -> {
      LOG.error("stream thread failed ({}); shutting down, pending requests are re-scored at the next start",
          e.getClass().getSimpleName());
      return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
    });
    streams.setStateListener((now, before) -> {
      LOG.info("streams state {} -> {}", before, now);
      listener.onChange(now, before);
    });
    try {
      streams.start();
    } catch (RuntimeException e) {
      groupBacklog.close();
      throw e;
    }
    return new RiskStreamApp(streams, groupBacklog, applicationId, description, deadLetters, calibration,
        withheldAlerts);
  }

  /**
   * Creates the missing topics and checks that the principal may describe the application's consumer group; a
   * missing ACL ends the start with one line (a {@link ConfigException}) naming what was refused, before Kafka
   * Streams starts (where it would fail a stream thread).
   */
  static void ensureTopics(RiskStreamConfig config) throws InterruptedException, ExecutionException {
    try {
      createMissingTopics(config);
      try (Admin admin = Admin.create(config.adminProperties())) {
        admin.describeConsumerGroups(List.of(config.getString(RiskStreamConfig.APPLICATION_ID_CONFIG))).all().get();
      } catch (ExecutionException e) {
        if (e.getCause() instanceof AuthorizationException) {
          throw e;
        }
        // any other answer (e.g. no such group yet) is not this check's business
      }
    } catch (ExecutionException e) {
      if (e.getCause() instanceof AuthorizationException denied) {
        throw new ConfigException("the Kafka principal of this configuration lacks an ACL ("
            + denied.getClass().getSimpleName() + ": " + denied.getMessage() + "); grant the ACLs listed in the"
            + " README, \"Secured Kafka\" (or create the topics beforehand)");
      }
      throw e;
    }
  }

  private static void createMissingTopics(RiskStreamConfig config) throws InterruptedException, ExecutionException {
    int partitions = config.getInt(RiskStreamConfig.TOPIC_PARTITIONS_CONFIG);
    try (Admin admin = Admin.create(config.adminProperties())) {
      // a retriable answer (seen once from a just-started KRaft broker: UnknownTopicOrPartitionException for a topic
      // being created) is asked again, up to 10 times, 500 ms apart
      for (int attempt = 1; !tryCreateMissingTopics(config, admin); attempt++) {
        if (attempt == 10) {
          throw new ExecutionException("topic creation still answered with a retriable error after 10 attempts", null);
        }
        Thread.sleep(500);
      }
      if (config.tracksTransactions()) {
        String emrEvents = config.topics().emrEvents().name();
        int actual = describedPartitions(admin, emrEvents);
        if (actual != partitions) {
          // the tracker's verdicts reach the trigger through a topic with topic.partitions partitions, by patient
          throw new ConfigException(RiskStreamConfig.TOPIC_PARTITIONS_CONFIG, partitions, emrEvents + " has " + actual
              + " partitions; with " + RiskStreamConfig.SOURCE_TRANSACTION_TOPIC_CONFIG + " set, "
              + RiskStreamConfig.TOPIC_PARTITIONS_CONFIG + " must equal them: set it to " + actual);
        }
      }
    }
  }

  /**
   * The partition count of {@code topic}; asked again (up to 10 times, 500 ms apart) while the broker answers that it
   * does not host the topic yet (seen from a just-started KRaft broker right after the topic was created).
   */
  private static int describedPartitions(Admin admin, String topic) throws InterruptedException, ExecutionException {
    for (int attempt = 1; ; attempt++) {
      try {
        return admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions().size();
      } catch (ExecutionException e) {
        if (!(e.getCause() instanceof org.apache.kafka.common.errors.UnknownTopicOrPartitionException) || attempt == 10) {
          throw e;
        }
        Thread.sleep(500);
      }
    }
  }

  /** Creates the topics that do not exist yet; false when the broker answered with a retriable error. */
  private static boolean tryCreateMissingTopics(RiskStreamConfig config, Admin admin)
      throws InterruptedException, ExecutionException {
    int partitions = config.getInt(RiskStreamConfig.TOPIC_PARTITIONS_CONFIG);
    short rf = config.getShort(RiskStreamConfig.TOPIC_REPLICATION_FACTOR_CONFIG);
    Set<String> existing = admin.listTopics().names().get();
    List<NewTopic> missing = new ArrayList<>();
    List<String> names = new ArrayList<>(config.topics().names());
    if (config.shadowEnabled()) {
      names.addAll(config.topics().shadowNames());
    }
    for (String n : names) {
      if (!existing.contains(n)) {
        missing.add(new NewTopic(n, Optional.of(partitions), rf < 0 ? Optional.empty() : Optional.of(rf)));
      }
    }
    String drift = config.getString(RiskStreamConfig.TOPIC_CALIBRATION_DRIFT_CONFIG);
    if (config.getBoolean(RiskStreamConfig.CALIBRATION_ENABLED_CONFIG) && !existing.contains(drift)) {
      missing.add(new NewTopic(drift, Optional.of(partitions), rf < 0 ? Optional.empty() : Optional.of(rf)));
    }
    String transactions = config.getString(RiskStreamConfig.SOURCE_TRANSACTION_TOPIC_CONFIG);
    if (config.tracksTransactions() && !existing.contains(transactions)) {
      // Debezium creates it when it first writes; until then the topology needs it to exist
      missing.add(new NewTopic(transactions, Optional.of(1), rf < 0 ? Optional.empty() : Optional.of(rf)));
    }
    boolean retriable = false;
    for (var f : admin.createTopics(missing).values().values()) {
      try {
        f.get();
      } catch (ExecutionException e) {
        if (e.getCause() instanceof org.apache.kafka.common.errors.RetriableException) {
          retriable = true;
        } else if (!(e.getCause() instanceof TopicExistsException)) {
          throw e;
        }
      }
    }
    if (!missing.isEmpty() && !retriable) {
      LOG.info("created {} topics", missing.size());
    }
    return !retriable;
  }

  /** The newest closed calibration window of each outcome this instance aggregates. */
  public CalibrationStatus calibration() {
    return calibration;
  }

  /** This instance's dead letters by stage and reason. */
  public DeadLetterCounts deadLetters() {
    return deadLetters;
  }

  /** The alerts this instance withheld (an outcome already diagnosed, a patient deceased), by reason. */
  public WithheldAlertCounts withheldAlerts() {
    return withheldAlerts;
  }

  public KafkaStreams.State state() {
    return streams.state();
  }

  public KafkaStreams streams() {
    return streams;
  }

  /** The trigger's close counters summed over this instance's tasks, by rule, in rule order. */
  public java.util.Map<TriggerProcessor.CloseRule, Long> triggerCloses() {
    java.util.Map<TriggerProcessor.CloseRule, Long> out = new java.util.EnumMap<>(TriggerProcessor.CloseRule.class);
    for (TriggerProcessor.CloseRule r : TriggerProcessor.CloseRule.values()) {
      String name = r.metricOperation() + "-total";
      out.put(r, streams.metrics().entrySet().stream().filter(e -> e.getKey().name().equals(name))
          .mapToLong(e -> ((Number) e.getValue().metricValue()).longValue()).sum());
    }
    return out;
  }

  /**
   * The names of this application's internal topics: the changelog of every store and every repartition topic of
   * the topology ({@code <application.id>-<store>-changelog}, {@code <application.id>-<name>-repartition}).
   */
  public Set<String> internalTopics() {
    return RiskTopology.internalTopics(applicationId, description);
  }

  /** Closes and leaves the consumer group at once (for a run whose group is deleted afterwards, e.g. a replay). */
  public void closeAndLeaveGroup() {
    streams.close(org.apache.kafka.streams.CloseOptions.timeout(Duration.ofSeconds(30))
        .withGroupMembershipOperation(org.apache.kafka.streams.CloseOptions.GroupMembershipOperation.LEAVE_GROUP));
    groupBacklog.close();
  }

  @Override
  public void close() {
    streams.close(Duration.ofSeconds(30));
    groupBacklog.close();
  }
}
