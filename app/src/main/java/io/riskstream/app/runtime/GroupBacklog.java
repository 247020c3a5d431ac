package io.riskstream.app.runtime;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.TopologyDescription;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether the application's consumer group, over all its instances, has records of its upstream topics it has not
 * committed yet: for each partition of those topics, the last stable offset (read_committed) beyond the group's
 * committed offset, or beyond the partition's earliest offset where the group has committed none. Read by one admin
 * client every {@link #REFRESH}; the trigger's idle flush asks it through
 * {@link io.riskstream.topology.InputBacklog#alsoFrom}, so that a transaction whose rest still waits in a source
 * partition another instance normalizes is not closed as idle (the instance's own consumers' lag only covers the
 * partitions it reads).
 *
 * <p>The upstream topics are the topology's source topics and patterns except the trigger's own input (emr-events:
 * its other partitions feed other tasks). Under exactly-once the group commits every {@code commit.interval.ms}, so
 * after the input stops the backlog reads empty within that interval plus one refresh. A reading that fails or is
 * older than {@link #STALE} counts as no backlog, and so does a partition whose backlog has not moved (the same
 * committed and last stable offsets) for {@link #STUCK}: a group that makes no progress there (an instance gone and
 * its partitions not yet reassigned, an offset no member will commit, e.g. a partition of aborted records only)
 * must not hold the idle flush back for ever. The idle flush then works as it does without this class (a failure is
 * logged once per streak, without the cause's message).
 *
 * <p>Written by hand: Kafka offers the group's lag only as the admin calls used here.
 */
public final class GroupBacklog implements BooleanSupplier, AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(GroupBacklog.class);
  /** How often the group's offsets are read. */
  public static final Duration REFRESH = Duration.ofSeconds(1);
  /** A reading older than this is not used. */
  public static final Duration STALE = Duration.ofSeconds(10);
  /** A partition's backlog that has not moved for this long no longer counts. */
  public static final Duration STUCK = Duration.ofSeconds(30);
  private static final Duration CALL_TIMEOUT = Duration.ofSeconds(5);

  private final Admin admin;
  private final String groupId;
  private final Set<String> topics;
  private final List<Pattern> patterns;
  private final LongSupplier clock;
  private final ScheduledExecutorService timer;
  private volatile boolean behind;
  private volatile long readAtMs = Long.MIN_VALUE;
  private boolean failing;
  /** Per partition with a backlog at the last reading: its (from, end) and since when it has been so. */
  private Map<TopicPartition, long[]> unmoved = new HashMap<>();

  GroupBacklog(Admin admin, String groupId, Set<String> topics, List<Pattern> patterns, LongSupplier clock,
      boolean scheduled) {
    this.admin = admin;
    this.groupId = groupId;
    this.topics = Set.copyOf(topics);
    this.patterns = List.copyOf(patterns);
    this.clock = clock;
    this.timer = scheduled ? Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "riskstream-group-backlog");
      t.setDaemon(true);
      return t;
    }) : null;
    if (timer != null) {
      timer.scheduleWithFixedDelay(this::refresh, 0, REFRESH.toMillis(), TimeUnit.MILLISECONDS);
    }
  }

  /**
   * Starts reading the backlog of group {@code groupId} in the source topics of {@code topology} other than
   * {@code ownInput}, with an admin client of {@code adminProperties} (closed with this).
   */
  public static GroupBacklog start(Map<String, Object> adminProperties, String groupId, TopologyDescription topology,
      String ownInput) {
    Set<String> topics = new java.util.HashSet<>();
    List<Pattern> patterns = new ArrayList<>();
    for (TopologyDescription.Subtopology s : topology.subtopologies()) {
      for (TopologyDescription.Node n : s.nodes()) {
        if (n instanceof TopologyDescription.Source source) {
          if (source.topicSet() != null) {
            topics.addAll(source.topicSet());
          }
          if (source.topicPattern() != null) {
            patterns.add(source.topicPattern());
          }
        }
      }
    }
    topics.remove(ownInput);
    return new GroupBacklog(Admin.create(adminProperties), groupId, topics, patterns, System::currentTimeMillis,
        true);
  }

  /** Whether the last reading, if recent, found records the group has not committed. */
  @Override
  public boolean getAsBoolean() {
    long at = readAtMs;
    return behind && at != Long.MIN_VALUE && clock.getAsLong() - at <= STALE.toMillis();
  }

  /** Reads the group's offsets and the topics' last stable offsets once. */
  void refresh() {
    try {
      List<TopicPartition> partitions = partitions();
      Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(groupId)
          .partitionsToOffsetAndMetadata().get(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      Map<TopicPartition, Long> ends = offsets(partitions, OffsetSpec.latest());
      List<TopicPartition> uncommitted = partitions.stream()
          .filter(p -> committed.get(p) == null && ends.getOrDefault(p, 0L) > 0).toList();
      Map<TopicPartition, Long> starts = uncommitted.isEmpty() ? Map.of() : offsets(uncommitted, OffsetSpec.earliest());
      long now = clock.getAsLong();
      boolean found = false;
      Map<TopicPartition, long[]> stillBehind = new HashMap<>();
      for (TopicPartition p : partitions) {
        long end = ends.getOrDefault(p, 0L);
        OffsetAndMetadata c = committed.get(p);
        long from = c != null ? c.offset() : starts.getOrDefault(p, end);
        if (end > from) {
          long[] before = unmoved.get(p);
          long since = before != null && before[0] == from && before[1] == end ? before[2] : now;
          stillBehind.put(p, new long[] {from, end, since});
          found |= now - since < STUCK.toMillis();
        }
      }
      unmoved = stillBehind;
      behind = found;
      readAtMs = now;
      if (failing) {
        LOG.info("the consumer group's backlog is read again");
        failing = false;
      }
    } catch (ExecutionException | TimeoutException | RuntimeException e) {
      if (!failing) {
        LOG.warn("cannot read the consumer group's backlog ({}); the idle flush sees this instance's input only until"
            + " it can", (e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e)
            .getClass().getSimpleName());
        failing = true;
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** The partitions of the named topics and of the existing topics the patterns match. */
  private List<TopicPartition> partitions() throws ExecutionException, InterruptedException, TimeoutException {
    Set<String> names = new java.util.HashSet<>(topics);
    if (!patterns.isEmpty()) {
      for (String t : admin.listTopics().names().get(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
        if (patterns.stream().anyMatch(p -> p.matcher(t).matches())) {
          names.add(t);
        }
      }
    }
    if (names.isEmpty()) {
      return List.of();
    }
    Map<String, TopicDescription> described = new HashMap<>();
    admin.describeTopics(names).topicNameValues().forEach((name, future) -> {
      try {
        described.put(name, future.get(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS));
      } catch (ExecutionException | TimeoutException e) {
        // a source topic that does not exist (yet) has no backlog
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    List<TopicPartition> out = new ArrayList<>();
    described.values().forEach(d -> d.partitions().forEach(p -> out.add(new TopicPartition(d.name(), p.partition()))));
    return out;
  }

  private Map<TopicPartition, Long> offsets(Collection<TopicPartition> partitions, OffsetSpec spec)
      throws ExecutionException, InterruptedException, TimeoutException {
    Map<TopicPartition, OffsetSpec> request = new HashMap<>();
    partitions.forEach(p -> request.put(p, spec));
    Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> result = admin.listOffsets(request,
        new ListOffsetsOptions(IsolationLevel.READ_COMMITTED)).all()
        .get(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    Map<TopicPartition, Long> out = new HashMap<>();
    result.forEach((p, info) -> out.put(p, info.offset()));
    return out;
  }

  @Override
  public void close() {
    if (timer != null) {
      timer.shutdownNow();
      try {
        timer.awaitTermination(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    admin.close(CALL_TIMEOUT);
  }
}
