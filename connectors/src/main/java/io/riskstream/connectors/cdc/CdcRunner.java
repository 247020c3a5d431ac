package io.riskstream.connectors.cdc;

import io.debezium.engine.ChangeEvent;
import io.debezium.engine.DebeziumEngine;
import io.debezium.engine.format.Json;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs Debezium's PostgreSQL connector in-process (DebeziumEngine) and writes its change events, JSON without
 * schemas, to Kafka with an idempotent {@code acks=all} producer: for small sites that have no Kafka Connect cluster.
 *
 * <p>At-least-once: a batch is marked processed (and its source offsets become committable) only after every record
 * of the batch is acknowledged by the brokers; a send failure stops the engine, which resumes from the last committed
 * offset on restart. Consumers deduplicate by the Debezium key and LSN (the topology upserts by event id). Only
 * counts and topic names are logged, never record contents.
 */
public final class CdcRunner implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(CdcRunner.class);

  private final CdcConfig config;
  private final Producer<String, String> producer;
  private final Admin admin;
  private final DebeziumEngine<ChangeEvent<String, String>> engine;
  private final ExecutorService executor;
  private final Set<String> knownTopics = ConcurrentHashMap.newKeySet();
  private final Map<String, AtomicLong> perTopic = new ConcurrentHashMap<>();
  private final AtomicLong forwarded = new AtomicLong();
  private final AtomicReference<Throwable> failure = new AtomicReference<>();
  private final CountDownLatch stopped = new CountDownLatch(1);
  private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();

  public CdcRunner(CdcConfig config) {
    this.config = Objects.requireNonNull(config, "config");
    this.producer = new KafkaProducer<>(config.producerProperties());
    this.admin = Admin.create(config.adminProperties());
    this.engine = DebeziumEngine.create(Json.class)
        .using(config.engineProperties())
        .notifying(this::handleBatch)
        .using((success, message, error) -> {
          if (!success) {
            // Debezium's message names the connector and the failing step, not row contents.
            failure.compareAndSet(null, error != null ? error : new IllegalStateException(message));
            LOG.error("CDC engine stopped with an error: {}", message);
          } else {
            LOG.info("CDC engine stopped");
          }
          stopped.countDown();
        })
        .build();
    this.executor = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "riskstream-cdc-engine");
      t.setDaemon(false);
      return t;
    });
  }

  /** Starts the engine on its own thread and returns at once. */
  public void start() {
    LOG.info("starting CDC: connector {} → topics {}.*", config.getString(CdcConfig.NAME_CONFIG),
        config.getString(CdcConfig.TOPIC_PREFIX_CONFIG));
    executor.execute(engine);
  }

  /** Blocks until the engine stops; rethrows the error that stopped it, if any. */
  public void awaitTermination() throws InterruptedException {
    stopped.await();
    Throwable error = failure.get();
    if (error != null) {
      throw new IllegalStateException("CDC engine failed: " + error.getMessage(), error);
    }
  }

  /** Whether the engine has stopped (closed, or failed). */
  public boolean isStopped() {
    return stopped.getCount() == 0;
  }

  /** The error that stopped the engine, if it failed. */
  public java.util.Optional<Throwable> failure() {
    return java.util.Optional.ofNullable(failure.get());
  }

  /** Change events written to Kafka so far (including tombstones and heartbeats). */
  public long forwarded() {
    return forwarded.get();
  }

  /** Change events written so far, per topic. */
  public Map<String, Long> forwardedPerTopic() {
    Map<String, Long> out = new java.util.TreeMap<>();
    perTopic.forEach((topic, count) -> out.put(topic, count.get()));
    return out;
  }

  private void handleBatch(List<ChangeEvent<String, String>> records,
                           DebeziumEngine.RecordCommitter<ChangeEvent<String, String>> committer)
      throws InterruptedException {
    List<Future<RecordMetadata>> sends = new ArrayList<>(records.size());
    for (ChangeEvent<String, String> record : records) {
      ensureTopic(record.destination());
      // the partition a transform chose (e.g. PartitionRouting by patient), else the producer's key hash, as in
      // Kafka Connect
      sends.add(producer.send(new ProducerRecord<>(record.destination(), record.partition(), record.key(),
          record.value())));
    }
    producer.flush();
    for (int i = 0; i < records.size(); i++) {
      try {
        sends.get(i).get();
      } catch (ExecutionException e) {
        // Retriable errors were already retried by the idempotent producer: this one is final. Stop without
        // committing the batch, so a restart re-reads it from the last committed offset.
        throw new IllegalStateException("writing a change event to topic " + records.get(i).destination()
            + " failed: " + e.getCause().getClass().getSimpleName(), e.getCause());
      }
      committer.markProcessed(records.get(i));
      perTopic.computeIfAbsent(records.get(i).destination(), t -> new AtomicLong()).incrementAndGet();
    }
    committer.markBatchFinished();
    forwarded.addAndGet(records.size());
    LOG.debug("forwarded a batch of {} change events", records.size());
  }

  /**
   * Creates a table's topic on first sight with the broker's default partitions and replication (as Kafka Connect's
   * topic.creation.default.* with -1 does), so that the topic exists even where brokers do not auto-create topics.
   */
  private void ensureTopic(String topic) throws InterruptedException {
    if (knownTopics.contains(topic)) {
      return;
    }
    try {
      admin.createTopics(List.of(new NewTopic(topic, java.util.Optional.empty(), java.util.Optional.empty())))
          .all().get(30, TimeUnit.SECONDS);
      LOG.info("created topic {}", topic);
    } catch (ExecutionException e) {
      if (!(e.getCause() instanceof TopicExistsException)) {
        LOG.warn("could not create topic {} ({}); relying on the broker", topic,
            e.getCause().getClass().getSimpleName());
      }
    } catch (java.util.concurrent.TimeoutException e) {
      LOG.warn("timed out creating topic {}; relying on the broker", topic);
    }
    knownTopics.add(topic);
  }

  /** Stops the engine (committing processed offsets), then the producer. */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return; // idempotent: the CLI's shutdown hook and its normal exit may both close
    }
    if (!isStopped()) {
      try {
        engine.close();
      } catch (IOException | IllegalStateException e) {
        // IllegalStateException: the engine shut itself down (failure) between the check and the call
        LOG.warn("closing the CDC engine failed: {}", e.getMessage());
      }
    }
    executor.shutdown();
    try {
      if (!executor.awaitTermination(60, TimeUnit.SECONDS)) {
        LOG.warn("the CDC engine did not stop within 60 s");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    producer.close(Duration.ofSeconds(30));
    admin.close(Duration.ofSeconds(10));
    LOG.info("CDC stopped after forwarding {} change events", forwarded.get());
  }
}
