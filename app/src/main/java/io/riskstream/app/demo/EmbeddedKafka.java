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
 * A single-node Kafka 4.3.1 cluster in KRaft mode (one combined broker + controller) on free loopback ports, for the
 * demo and the integration tests, built on Kafka's own KafkaClusterTestKit. Replication factors and ISR are 1 so that
 * transactions (exactly-once) work on one node. Records are kept for the broker's life (no time-based retention). Its
 * log directories are deleted on close. Kafka's formatter's console output goes to the log, not to standard output.
 */
public final class EmbeddedKafka implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafka.class);

  private final KafkaClusterTestKit cluster;

  private EmbeddedKafka(KafkaClusterTestKit cluster) {
    this.cluster = cluster;
  }

  /** Formats and starts the node, and waits until the broker is ready. */
  public static EmbeddedKafka start() throws Exception {
    TestKitNodes nodes = new TestKitNodes.Builder().setCombined(true).setNumBrokerNodes(1).setNumControllerNodes(1).build();
    KafkaClusterTestKit cluster = new KafkaClusterTestKit.Builder(nodes)
        .setConfigProp("offsets.topic.replication.factor", "1")
        .setConfigProp("offsets.topic.num.partitions", "4")
        .setConfigProp("transaction.state.log.replication.factor", "1")
        .setConfigProp("transaction.state.log.min.isr", "1")
        .setConfigProp("transaction.state.log.num.partitions", "4")
        .setConfigProp("group.initial.rebalance.delay.ms", "0")
        .setConfigProp("auto.create.topics.enable", "false")
        // keep every record for the life of this temporary broker: replayed or synthetic input may carry old record
        // timestamps, which time-based retention (7 days by default) would delete while it is being read
        .setConfigProp("log.retention.ms", "-1")
        .build();
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

  @Override
  public void close() throws Exception {
    cluster.close();
  }
}
