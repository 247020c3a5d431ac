package io.riskstream.app.http;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.riskstream.schemas.AlertReason;
import io.riskstream.schemas.RiskAlert;
import io.riskstream.topology.config.RiskStreamConfig;
import io.riskstream.topology.serde.AvroSerdes;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The alerts of {@code risk-alerts} as Server-Sent Events for the alert inbox: one consumer per JVM (the application's
 * Kafka client properties, all partitions assigned, no consumer group, from the beginning) keeps the newest
 * {@value #RECENT} alerts in memory and sends each new one to every connected page; a page that connects gets the
 * recent ones first. A view only: the topic is the record. Undecodable records are skipped and counted.
 */
public final class AlertStream implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(AlertStream.class);
  /** Alerts kept for pages that connect later. */
  public static final int RECENT = 1000;
  /** Most pages connected at once. */
  public static final int MAX_CLIENTS = 32;
  private static final Duration KEEPALIVE = Duration.ofSeconds(15);

  private final KafkaConsumer<String, byte[]> consumer;
  private final org.apache.kafka.common.serialization.Deserializer<RiskAlert> alerts;
  private final String topic;
  private final Function<String, String> outcomeDisplay;
  private final Deque<String> recent = new ArrayDeque<>();
  private final List<OutputStream> clients = new CopyOnWriteArrayList<>();
  private final Thread thread;
  private volatile boolean running = true;
  private volatile long skipped;

  private AlertStream(KafkaConsumer<String, byte[]> consumer, org.apache.kafka.common.serialization.Deserializer<RiskAlert> alerts,
      String topic, Function<String, String> outcomeDisplay) {
    this.outcomeDisplay = outcomeDisplay;
    this.consumer = consumer;
    this.alerts = alerts;
    this.topic = topic;
    this.thread = new Thread(this::run, "riskstream-alert-stream");
    this.thread.setDaemon(true);
  }

  /**
   * Starts the consumer of {@code config}'s alert topic; {@code outcomeDisplay} names the outcome of an alert that
   * carries no display name (written before alerts had one): the served model's name of it.
   */
  public static AlertStream start(RiskStreamConfig config, AvroSerdes serdes, Function<String, String> outcomeDisplay) {
    Map<String, Object> props = config.consumerProperties();
    props.put(ConsumerConfig.CLIENT_ID_CONFIG, config.getString(RiskStreamConfig.APPLICATION_ID_CONFIG) + "-inbox");
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    AlertStream stream = new AlertStream(new KafkaConsumer<>(props, new StringDeserializer(),
        new org.apache.kafka.common.serialization.ByteArrayDeserializer()),
        serdes.value(RiskAlert.class).deserializer(), config.topics().riskAlerts().name(), outcomeDisplay);
    stream.thread.start();
    return stream;
  }

  /** Alerts of the topic that could not be decoded (skipped). */
  public long skipped() {
    return skipped;
  }

  /**
   * Adds a page's event stream (headers already sent): the recent alerts at once, then every new one. Returns false
   * when {@value #MAX_CLIENTS} pages are connected.
   */
  boolean subscribe(OutputStream out) throws IOException {
    if (clients.size() >= MAX_CLIENTS) {
      return false;
    }
    List<String> replay;
    synchronized (recent) {
      replay = new ArrayList<>(recent);
      clients.add(out);
    }
    StringBuilder events = new StringBuilder(": riskstream alert stream\n\n");
    replay.forEach(events::append);
    write(out, events.toString());
    return true;
  }

  private void run() {
    try {
      List<TopicPartition> partitions = new ArrayList<>();
      while (running && partitions.isEmpty()) {
        consumer.partitionsFor(topic, Duration.ofSeconds(10))
            .forEach(p -> partitions.add(new TopicPartition(p.topic(), p.partition())));
        if (partitions.isEmpty()) {
          Thread.sleep(1000);  // the topic does not exist yet
        }
      }
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      long lastPing = System.nanoTime();
      while (running) {
        for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofSeconds(1))) {
          String event;
          try {
            event = event(alerts.deserialize(r.topic(), r.value()), outcomeDisplay);
          } catch (RuntimeException e) {
            skipped++;
            continue;
          }
          synchronized (recent) {
            recent.addLast(event);
            if (recent.size() > RECENT) {
              recent.removeFirst();
            }
          }
          broadcast(event);
        }
        if (System.nanoTime() - lastPing > KEEPALIVE.toNanos()) {
          broadcast(": keepalive\n\n");
          lastPing = System.nanoTime();
        }
      }
    } catch (WakeupException e) {
      // closing
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      LOG.error("alert stream stopped: {}", e.getClass().getSimpleName());
    } finally {
      consumer.close(Duration.ofSeconds(5));
      clients.forEach(AlertStream::closeQuietly);
    }
  }

  private void broadcast(String event) {
    for (OutputStream out : clients) {
      try {
        write(out, event);
      } catch (IOException gone) {
        clients.remove(out);
        closeQuietly(out);
      }
    }
  }

  private static void write(OutputStream out, String text) throws IOException {
    synchronized (out) {
      out.write(text.getBytes(StandardCharsets.UTF_8));
      out.flush();
    }
  }

  private static void closeQuietly(OutputStream out) {
    try {
      out.close();
    } catch (IOException ignored) {
      // the page went away
    }
  }

  /** An alert as one SSE event ({@code event: alert}, JSON data). */
  static String event(RiskAlert a, Function<String, String> outcomeDisplay) {
    ObjectNode o = HttpExchanges.JSON.createObjectNode();
    o.put("alertId", a.getAlertId());
    o.put("patientId", a.getPatientId());
    o.put("outcome", a.getOutcome());
    // the model's display name, which the alert carries (RiskAlert.outcomeDisplayName); older alerts without it: the
    // served model's
    o.put("outcomeDisplay", a.getOutcomeDisplayName() != null ? a.getOutcomeDisplayName().toString()
        : outcomeDisplay.apply(a.getOutcome()));
    o.put("probability", a.getProbability());
    o.put("severity", a.getSeverity().name());
    o.put("threshold", a.getThreshold());
    if (a.getPreviousProbability() != null) {
      o.put("previousProbability", a.getPreviousProbability());
    }
    o.put("asOf", a.getAsOf().toString());
    o.put("model", a.getModel().getId() + " " + a.getModel().getVersion());
    o.put("scoreId", a.getScoreId());
    ArrayNode reasons = o.putArray("reasons");
    for (AlertReason r : a.getReasons()) {
      ObjectNode n = reasons.addObject();
      n.put("kind", r.getKind().name());
      n.put("description", r.getDescription());
      n.put("codeSystem", r.getCodeSystem());
      n.put("code", r.getCode());
      n.put("eventTime", r.getEventTime().toString());
      n.put("contribution", r.getContribution());
      n.put("count", r.getCount());
    }
    return "id: " + a.getAlertId() + "\nevent: alert\ndata: " + o + "\n\n";
  }

  @Override
  public void close() throws InterruptedException {
    running = false;
    consumer.wakeup();
    thread.join(10_000);
  }
}
