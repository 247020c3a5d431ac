package io.riskstream.app.demo;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Kafka 4.3.1 cluster in KRaft mode on free loopback ports, for the demo and the integration tests, built on Kafka's
 * own KafkaClusterTestKit: one combined broker + controller (replication factors and ISR 1, so that transactions work
 * on one node), or for fault tests several brokers beside one controller (internal and default replication factor 3,
 * min.insync.replicas 2), whose brokers can be stopped and started again. Records are kept for the cluster's life (no
 * time-based retention). Its log directories are deleted on close.
 * Kafka's formatter's console output goes to the log, not to standard output.
 */
public final class EmbeddedKafka implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafka.class);

  private final KafkaClusterTestKit cluster;

  private EmbeddedKafka(KafkaClusterTestKit cluster) {
    this.cluster = cluster;
  }

  /** Formats and starts the node, and waits until the broker is ready. */
  public static EmbeddedKafka start() throws Exception {
    return start(1);
  }

  /**
   * Formats and starts {@code brokers} brokers (1: one combined node; 3 or more: brokers beside one controller, with
   * replication factor 3 and min.insync.replicas 2) and waits until they are ready.
   */
  public static EmbeddedKafka start(int brokers) throws Exception {
    return start(brokers, Map.of());
  }

  /**
   * As {@link #start(int)}, with {@code brokerConfig} added to every node's configuration (e.g. more listeners, an
   * authorizer: the tests of a secured cluster); the first listener, PLAINTEXT, stays the one of
   * {@link #bootstrapServers()} and {@link #admin()}.
   */
  public static EmbeddedKafka start(int brokers, Map<String, String> brokerConfig) throws Exception {
    if (brokers != 1 && brokers < 3) {
      throw new IllegalArgumentException("1 broker, or 3 or more (replication factor 3), not " + brokers);
    }
    String rf = brokers == 1 ? "1" : "3";
    String isr = brokers == 1 ? "1" : "2";
    TestKitNodes nodes = new TestKitNodes.Builder().setCombined(brokers == 1).setNumBrokerNodes(brokers)
        .setNumControllerNodes(1).build();
    KafkaClusterTestKit.Builder builder = new KafkaClusterTestKit.Builder(nodes)
        .setConfigProp("offsets.topic.replication.factor", rf)
        .setConfigProp("offsets.topic.num.partitions", "4")
        .setConfigProp("transaction.state.log.replication.factor", rf)
        .setConfigProp("transaction.state.log.min.isr", isr)
        .setConfigProp("transaction.state.log.num.partitions", "4")
        .setConfigProp("default.replication.factor", rf)
        .setConfigProp("min.insync.replicas", isr)
        .setConfigProp("group.initial.rebalance.delay.ms", "0")
        .setConfigProp("auto.create.topics.enable", "false")
        // keep every record for the life of this temporary broker: replayed or synthetic input may carry old record
        // timestamps, which time-based retention (7 days by default) would delete while it is being read
        .setConfigProp("log.retention.ms", "-1");
    brokerConfig.forEach(builder::setConfigProp);
    KafkaClusterTestKit cluster = builder.build();
    try {
      format(cluster);
      cluster.startup();
      cluster.waitForReadyBrokers();
    } catch (Exception e) {
      cluster.close();
      throw e;
    }
    return new EmbeddedKafka(cluster);
  }

  /**
   * Formats the node's directories. Kafka's formatter prints its bootstrap metadata and each directory it formats to
   * {@code System.out}; those lines go to the log (debug) instead of the console of the demo and the tests.
   */
  private static void format(KafkaClusterTestKit cluster) throws Exception {
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    PrintStream console = System.out;
    synchronized (EmbeddedKafka.class) {
      System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
      try {
        cluster.format();
      } finally {
        System.setOut(console);
      }
    }
    printed.toString(StandardCharsets.UTF_8).lines().forEach(line -> LOG.debug("format: {}", line));
  }

  public String bootstrapServers() {
    return cluster.bootstrapServers();
  }

  /** The port the first broker listens on for the listener {@code name} (one of those given to {@link #start(int, Map)}). */
  public int port(String listener) {
    return cluster.brokers().values().iterator().next()
        .boundPort(org.apache.kafka.common.network.ListenerName.normalised(listener));
  }

  /** An admin client for this cluster; the caller closes it. */
  public Admin admin() {
    return Admin.create(Map.of("bootstrap.servers", bootstrapServers()));
  }

  /** Creates the topics that do not exist yet, with {@code partitions} partitions each. */
  public void createTopics(int partitions, String... names) throws InterruptedException, ExecutionException {
    try (Admin admin = admin()) {
      List<NewTopic> topics = new ArrayList<>();
      for (String n : names) {
        topics.add(new NewTopic(n, Optional.of(partitions), Optional.empty()));
      }
      for (var f : admin.createTopics(topics).values().values()) {
        try {
          f.get();
        } catch (ExecutionException e) {
          if (!(e.getCause() instanceof TopicExistsException)) {
            throw e;
          }
        }
      }
    }
  }

  /** The ids of the brokers. */
  public java.util.Set<Integer> brokerIds() {
    return cluster.brokers().keySet();
  }

  /** Stops broker {@code id} (a controlled shutdown: it hands over its partitions' leadership first). */
  public void stopBroker(int id) {
    cluster.brokers().get(id).shutdown();
    cluster.brokers().get(id).awaitShutdown();
  }

  /** Starts broker {@code id} again after {@link #stopBroker}. */
  public void startBroker(int id) {
    cluster.brokers().get(id).startup();
  }

  /** The broker that leads {@code topic}'s partition {@code partition} now. */
  public int leaderOf(String topic, int partition) throws InterruptedException, ExecutionException {
    try (Admin admin = admin()) {
      return admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions().get(partition)
          .leader().id();
    }
  }

  @Override
  public void close() throws Exception {
    cluster.close();
  }
}
