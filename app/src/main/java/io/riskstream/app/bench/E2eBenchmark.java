package io.riskstream.app.bench;

import io.riskstream.app.demo.EmbeddedKafka;
import io.riskstream.app.runtime.RiskStreamApp;
import io.riskstream.app.runtime.ScoringRuntime;
import io.riskstream.schemas.EmrEvent;
import io.riskstream.schemas.RiskScore;
import io.riskstream.topology.TriggerProcessor;
import io.riskstream.topology.config.RiskStreamConfig;
import io.riskstream.topology.config.Topics;
import io.riskstream.topology.serde.AvroSerdes;
import io.riskstream.topology.serde.InMemorySchemaRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Produced;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The end-to-end benchmark on an embedded broker: (a) the throughput of a pass-through topology (the source topics to
 * one sink topic, byte serdes like the full topology's source) and of the full topology with the configured scorer on
 * the same pre-loaded CDC input, (b) EMR event → risk score latency with the input paced at half the full topology's
 * rate, (c) the peak RSS of this JVM and the full topology's state-store bytes per patient. Everything runs in this
 * JVM, the broker included.
 */
public final class E2eBenchmark {

  private static final Logger LOG = LoggerFactory.getLogger(E2eBenchmark.class);

  /** Longest paced latency phase; a larger cohort is cut at a transaction boundary. */
  static final Duration MAX_LATENCY_PHASE = Duration.ofSeconds(60);
  /** A phase ends when its output stops growing for this long (e.g. a transaction that never closes). */
  static final Duration STALL = Duration.ofSeconds(60);

  /**
   * Throughput of one run over pre-loaded input: {@code seconds} from the app's start to its last expected output,
   * {@code steadySeconds} from its first output to its last (startup, rebalance and topic creation excluded);
   * {@code eventsPerSecond} = events / steadySeconds. {@code complete} is false when the phase ended (stalled)
   * before {@code expectedOutputs} arrived: then the rate is not a throughput. {@code triggerCloses}: for the full
   * topology, how many transactions each trigger rule closed (more than the transactions: some were split).
   */
  public record Throughput(long events, long outputs, long expectedOutputs, boolean complete, double seconds,
      double steadySeconds, double eventsPerSecond, Map<String, Double> cpuSeconds, Map<String, Long> triggerCloses,
      Map<String, Object> waits) {
    public Throughput {
      cpuSeconds = Map.copyOf(cpuSeconds);
      triggerCloses = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(triggerCloses));
      waits = java.util.Collections.unmodifiableMap(new java.util.TreeMap<>(waits));
    }

    static Throughput of(long events, long outputs, long expectedOutputs, long startNanos, long firstOutputNanos,
        long endNanos) {
      double steady = (endNanos - (firstOutputNanos == 0 ? startNanos : firstOutputNanos)) / 1e9;
      return new Throughput(events, outputs, expectedOutputs, outputs >= expectedOutputs, (endNanos - startNanos) / 1e9,
          steady, events / steady, Map.of(), Map.of(), Map.of());
    }

    /** This measurement with the CPU seconds each thread group of the JVM used during it ({@link ThreadCpu}). */
    Throughput withCpu(Map<String, Long> before, Map<String, Long> after) {
      return new Throughput(events, outputs, expectedOutputs, complete, seconds, steadySeconds, eventsPerSecond,
          ThreadCpu.secondsByGroup(before, after), triggerCloses, waits);
    }

    /** This measurement with the trigger's close counters of the app at its end, by rule (lower-case names). */
    Throughput withTriggerCloses(Map<TriggerProcessor.CloseRule, Long> closes) {
      Map<String, Long> named = new java.util.LinkedHashMap<>();
      closes.forEach((rule, n) -> named.put(rule.name().toLowerCase(java.util.Locale.ROOT), n));
      return new Throughput(events, outputs, expectedOutputs, complete, seconds, steadySeconds, eventsPerSecond,
          cpuSeconds, named, waits);
    }

    /** This measurement with where the app's stream threads spent the phase and what they wrote ({@link StreamsWaits}). */
    Throughput withWaits(Map<String, Object> streamsWaits) {
      return new Throughput(events, outputs, expectedOutputs, complete, seconds, steadySeconds, eventsPerSecond,
          cpuSeconds, triggerCloses, streamsWaits);
    }
  }

  /** Latency of the paced phase, in milliseconds from the send of a transaction's last record to its score. */
  public record Latency(double rateEventsPerSecond, long events, int transactions, int scored, double p50Ms,
      double p99Ms, double meanMs, double maxMs, List<Double> sortedMs, Map<String, Object> waits) {
    public Latency {
      sortedMs = List.copyOf(sortedMs);
      waits = java.util.Collections.unmodifiableMap(new java.util.TreeMap<>(waits));
    }
  }

  /**
   * One run of the thread-scaling mode: the full topology with {@code threads} stream threads over {@code partitions}.
   *
   * @param eventsPerPartition the input's change events per partition (by patient, as emr-events is keyed): a task
   *     is one partition and runs on one thread, so no thread count can take the run below its largest partition
   * @param eventsPerThread the emr-events records each stream thread consumed, busiest first: how Kafka Streams
   *     actually handed the tasks to the threads (its assignor balances task counts, not events)
   */
  public record Scaling(int threads, int partitions, int patients, Throughput full, List<Long> eventsPerPartition,
      List<Long> eventsPerThread) {
    public Scaling {
      eventsPerPartition = List.copyOf(eventsPerPartition);
      eventsPerThread = eventsPerThread.stream().sorted(java.util.Comparator.reverseOrder()).toList();
    }

    /** The largest partition's share of the events. */
    public double largestPartitionShare() {
      return largestShare(eventsPerPartition);
    }

    /**
     * The most this run could gain over one thread given how the events fall on partitions: min(threads, 1 /
     * largest share), the busiest thread holding at least the largest partition and at least 1/threads of the events.
     */
    public double speedupBound() {
      return bound(largestPartitionShare());
    }

    /** The busiest stream thread's share of the emr-events records (0 when the metrics had none). */
    public double busiestThreadShare() {
      return largestShare(eventsPerThread);
    }

    /**
     * The most this run could gain over one thread as the tasks fell on the threads: min(threads, 1 / the busiest
     * thread's share), the run lasting at least as long as its busiest thread at one thread's speed per event.
     */
    public double assignedSpeedupBound() {
      return bound(busiestThreadShare());
    }

    private double bound(double share) {
      return share == 0 ? threads : Math.min(threads, 1 / share);
    }

    private static double largestShare(List<Long> counts) {
      long total = counts.stream().mapToLong(Long::longValue).sum();
      long largest = counts.stream().mapToLong(Long::longValue).max().orElse(0);
      return total == 0 ? 0 : (double) largest / total;
    }
  }

  /** Everything measured. */
  public record Result(int patients, long events, int transactions, Throughput passThrough, Throughput full,
      long fullAlerts, Latency latency, long peakRssBytes, long stateStoreBytes, double stateStoreBytesPerPatient,
      Map<String, Object> appConfig, Throughput passThroughWarmup, Throughput fullWarmup,
      List<Throughput> passThroughRuns, List<Scaling> scaling) {
    public Result {
      appConfig = Map.copyOf(appConfig);
      passThroughRuns = List.copyOf(passThroughRuns);
      scaling = List.copyOf(scaling);
    }

    public double fullToPassThrough() {
      return full.eventsPerSecond() / passThrough.eventsPerSecond();
    }
  }

  /**
   * Kafka Streams overrides of every phase: read the pre-loaded input from the start. Otherwise the product's
   * defaults (the feed is one topic, so {@code max.task.idle.ms} has nothing to synchronise).
   */
  static final Map<String, Object> STREAMS_OVERRIDES = Map.of(
      StreamsConfig.consumerPrefix("auto.offset.reset"), "earliest");

  /** Measured pass-through runs; {@link Result#passThrough()} is their median. */
  static final int PASS_THROUGH_RUNS = 3;

  private final Map<String, List<EmrEvent>> cohort;
  private final Map<String, Object> appConfig;
  private final Path workDir;
  private final boolean warmup;
  private final List<Integer> scalingThreads;
  private final int scalingCopies;
  private final int scalingPartitions;
  private final boolean transactionMetadata;
  /** {@link #STREAMS_OVERRIDES} and the Kafka Streams settings given on the command line, for every phase. */
  private final Map<String, Object> streamsOverrides;

  /**
   * @param cohort events by patient
   * @param appConfig RiskStream config keys for the full topology (model.name, scorer, num.stream.threads, ...);
   *     bootstrap.servers, application.id, state.dir and the topic names are set per phase
   * @param workDir state directories go here
   */
  public E2eBenchmark(Map<String, List<EmrEvent>> cohort, Map<String, Object> appConfig, Path workDir) {
    this(cohort, appConfig, workDir, true);
  }

  /**
   * @param warmup first run both topologies once over the same input (own application ids and topics), so that the
   *     measured runs see JIT-compiled code: on this 2-core machine the JIT compiler threads took about a quarter of
   *     the CPU of a first run
   */
  public E2eBenchmark(Map<String, List<EmrEvent>> cohort, Map<String, Object> appConfig, Path workDir, boolean warmup) {
    this(cohort, appConfig, workDir, new Settings(warmup, List.of(), Map.of(), false, 1, 0));
  }

  /**
   * How the benchmark runs beyond the cohort and the app's configuration.
   *
   * @param warmup as in {@link #E2eBenchmark(Map, Map, Path, boolean)}
   * @param scalingThreads after the other phases, one run of the full topology per entry with that many stream
   *     threads, over input and emr-events topics of as many partitions as the largest entry (the patients spread over
   *     them by key), each on its own application id and topics; empty: none
   * @param streamsSettings Kafka Streams properties (e.g. poll.ms, or consumer./producer.-prefixed client settings) set
   *     on every phase's topology over the product's, to measure what a setting changes
   * @param transactionMetadata the throughput phases also get Debezium's transaction metadata (every transaction's END
   *     on {@code <prefix>.transaction}, {@code source.transaction.topic} set), as the shipped connector configurations
   *     provide it: each transaction, the last one of a task included, closes on its END instead of after
   *     {@code trigger.idle.flush.ms} of idle input
   * @param scalingCopies the thread-scaling runs read the cohort this many times over under new patient ids
   *     ({@link CohortCopies}; 1: the cohort as it is), so that enough patients spread the events evenly over threads
   * @param scalingPartitions partitions of the thread-scaling runs' input and emr-events topics; 0: as many as the
   *     largest thread count (tasks go to threads round-robin, so a multiple of the thread count gives each thread the
   *     same events as that count does)
   */
  public record Settings(boolean warmup, List<Integer> scalingThreads, Map<String, ?> streamsSettings,
      boolean transactionMetadata, int scalingCopies, int scalingPartitions) {
    public Settings {
      if (scalingCopies < 1) {
        throw new IllegalArgumentException("scalingCopies must be at least 1, got " + scalingCopies);
      }
      int most = scalingThreads.stream().mapToInt(Integer::intValue).max().orElse(0);
      if (scalingPartitions != 0 && scalingPartitions < most) {
        throw new IllegalArgumentException("scalingPartitions must be 0 or at least the largest thread count " + most
            + ", got " + scalingPartitions);
      }
      scalingThreads = List.copyOf(scalingThreads);
      streamsSettings = Map.copyOf(streamsSettings);
    }
  }

  public E2eBenchmark(Map<String, List<EmrEvent>> cohort, Map<String, Object> appConfig, Path workDir,
      Settings settings) {
    this.cohort = Map.copyOf(cohort);
    this.appConfig = Map.copyOf(appConfig);
    this.workDir = workDir;
    this.warmup = settings.warmup();
    this.scalingThreads = settings.scalingThreads();
    this.scalingCopies = settings.scalingCopies();
    this.scalingPartitions = settings.scalingPartitions();
    this.transactionMetadata = settings.transactionMetadata();
    Map<String, Object> overrides = new HashMap<>(STREAMS_OVERRIDES);
    overrides.putAll(settings.streamsSettings());
    this.streamsOverrides = Map.copyOf(overrides);
  }

  /** The Kafka Streams properties every phase sets over the product's. */
  public Map<String, Object> streamsOverrides() {
    return streamsOverrides;
  }

  public Result run() throws Exception {
    // record timestamps 1 ms apart, ending now: a broker's time-based retention must not see the pre-loaded input as
    // old (with timestamps from 1970 it deleted the source log in the middle of the full phase, and the consumer
    // skipped to its end)
    long events = cohort.values().stream().mapToLong(List::size).sum();
    ChangeEventFeed feed = ChangeEventFeed.of(cohort, "ehr", System.currentTimeMillis() - events);
    try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
      kafka.createTopics(1, feed.topics().toArray(String[]::new));
      produceAll(kafka.bootstrapServers(), feed);
      produceTransactionEnds(kafka, feed, "ehr");
      LOG.info("pre-loaded {} change events ({} transactions, {} patients)", feed.records().size(),
          feed.transactions(), cohort.size());

      Throughput passWarm = null;
      Throughput fullWarm = null;
      if (warmup) {
        passWarm = passThrough(kafka, feed, "-warmup");
        fullWarm = full(kafka, feed, new RiskStreamConfig(withTransactions(phaseConfig(feed, kafka.bootstrapServers(),
            "bench-full-warmup", "-warmup"), "ehr")), new long[1]);
        LOG.info("warm-up runs (JIT): pass-through {} events/s, full {} events/s", fmt(passWarm.eventsPerSecond()),
            fmt(fullWarm.eventsPerSecond()));
      }
      // the pass-through phase takes only seconds, so its rate varies from run to run: the median of three
      List<Throughput> passRuns = new ArrayList<>();
      for (int i = 1; i <= PASS_THROUGH_RUNS; i++) {
        passRuns.add(passThrough(kafka, feed, "-run" + i));
      }
      Throughput pass = passRuns.stream().sorted(java.util.Comparator.comparingDouble(Throughput::eventsPerSecond))
          .toList().get(PASS_THROUGH_RUNS / 2);
      LOG.info("pass-through runs: {} events/s; the median is the reference",
          passRuns.stream().map(t -> fmt(t.eventsPerSecond())).toList());
      LOG.info("pass-through: {} events in {} s ({} s from the first output) = {} events/s; CPU s by thread group {}",
          pass.events(), fmt(pass.seconds()), fmt(pass.steadySeconds()), fmt(pass.eventsPerSecond()), pass.cpuSeconds());

      Map<String, Object> fullProps = withTransactions(phaseConfig(feed, kafka.bootstrapServers(), "bench-full", ""),
          "ehr");
      Path fullState = Path.of((String) fullProps.get(RiskStreamConfig.STATE_DIR_CONFIG));
      long[] alerts = new long[1];
      Throughput full = full(kafka, feed, new RiskStreamConfig(fullProps), alerts);
      LOG.info("full: {} events in {} s ({} s from the first score) = {} events/s, {} scores; CPU s by thread group {};"
          + " transactions closed by rule {}", full.events(), fmt(full.seconds()), fmt(full.steadySeconds()),
          fmt(full.eventsPerSecond()), full.outputs(), full.cpuSeconds(), full.triggerCloses());
      long stateBytes = directoryBytes(fullState);

      double rate = Math.max(1.0, full.eventsPerSecond() / 2);
      Latency latency = latency(kafka, rate);
      LOG.info("latency at {} events/s: p50 {} ms, p99 {} ms ({} of {} transactions scored)", fmt(rate),
          fmt(latency.p50Ms()), fmt(latency.p99Ms()), latency.scored(), latency.transactions());
      List<Scaling> scaling = scaling(kafka);
      return new Result(cohort.size(), feed.records().size(), feed.transactions(), pass, full, alerts[0], latency,
          peakRssBytes(), stateBytes, (double) stateBytes / cohort.size(), appConfig, passWarm, fullWarm, passRuns,
          scaling);
    }
  }

  /**
   * The thread-scaling runs: the full topology per thread count, over {@code scalingPartitions} partitions (0: as many
   * as the most threads), on the cohort {@code scalingCopies} times over.
   */
  private List<Scaling> scaling(EmbeddedKafka kafka) throws Exception {
    List<Scaling> runs = new ArrayList<>();
    if (scalingThreads.isEmpty()) {
      return runs;
    }
    Map<String, List<EmrEvent>> patients = CohortCopies.of(cohort, scalingCopies);
    long events = patients.values().stream().mapToLong(List::size).sum();
    int partitions = scalingPartitions > 0 ? scalingPartitions
        : scalingThreads.stream().mapToInt(Integer::intValue).max().orElseThrow();
    for (int threads : scalingThreads) {
      String prefix = "scale" + threads;
      ChangeEventFeed feed = ChangeEventFeed.of(patients, prefix, System.currentTimeMillis() - events, partitions);
      kafka.createTopics(partitions, feed.topics().toArray(String[]::new));
      produceAll(kafka.bootstrapServers(), feed);
      produceTransactionEnds(kafka, feed, prefix);
      Map<String, Object> props = phaseConfig(feed, kafka.bootstrapServers(), "bench-" + prefix, "-" + prefix);
      if (transactionMetadata) {
        props.put(RiskStreamConfig.SOURCE_TRANSACTION_TOPIC_CONFIG, prefix + ".transaction");
      }
      props.put(RiskStreamConfig.NUM_STREAM_THREADS_CONFIG, Integer.toString(threads));
      props.put(RiskStreamConfig.TOPIC_PARTITIONS_CONFIG, Integer.toString(partitions));
      Throughput t = full(kafka, feed, new RiskStreamConfig(props), new long[1]);
      LOG.info("scaling: {} stream threads over {} partitions: {} events/s ({} of {} scores); CPU s by thread group {}",
          threads, partitions, fmt(t.eventsPerSecond()), t.outputs(), t.expectedOutputs(), t.cpuSeconds());
      long[] perPartition = new long[partitions];
      for (ChangeEventFeed.Record r : feed.records()) {
        perPartition[r.partition()]++;  // change events only: the END records are feed.transactionEnds()
      }
      runs.add(new Scaling(threads, partitions, patients.size(), t,
          java.util.Arrays.stream(perPartition).boxed().toList(), eventsByThread(t)));
    }
    return runs;
  }

  /** The emr-events records per stream thread that {@link #full} put in the run's waits. */
  private static List<Long> eventsByThread(Throughput t) {
    return t.waits().get("emrEventsByStreamThread") instanceof Map<?, ?> byThread
        ? byThread.values().stream().map(v -> ((Number) v).longValue()).toList() : List.of();
  }

  /** {@code props} reading the transaction metadata topic {@code <prefix>.transaction} when the settings say so. */
  private Map<String, Object> withTransactions(Map<String, Object> props, String prefix) {
    if (transactionMetadata) {
      props.put(RiskStreamConfig.SOURCE_TRANSACTION_TOPIC_CONFIG, prefix + ".transaction");
    }
    return props;
  }

  /** Pre-loads the END record of every transaction of {@code feed} on {@code <prefix>.transaction}, when asked to. */
  private void produceTransactionEnds(EmbeddedKafka kafka, ChangeEventFeed feed, String prefix) throws Exception {
    if (!transactionMetadata) {
      return;
    }
    kafka.createTopics(1, prefix + ".transaction");
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of("bootstrap.servers",
        kafka.bootstrapServers(), "acks", "all", "linger.ms", "20"), new ByteArraySerializer(),
        new ByteArraySerializer())) {
      for (ChangeEventFeed.Record r : feed.transactionEnds()) {
        producer.send(new ProducerRecord<>(r.topic(), r.partition(), r.timestamp(), r.key(), r.value()));
      }
    }
  }

  private Map<String, Object> phaseConfig(ChangeEventFeed feed, String bootstrap, String applicationId, String topicSuffix) {
    Map<String, Object> p = new HashMap<>(appConfig);
    p.put(RiskStreamConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(RiskStreamConfig.APPLICATION_ID_CONFIG, applicationId);
    p.put(RiskStreamConfig.STATE_DIR_CONFIG, workDir.resolve(applicationId).toString());
    p.put(RiskStreamConfig.SOURCE_TOPICS_CONFIG, String.join(",", feed.topics()));
    Topics topics = Topics.DEFAULTS;
    p.put(RiskStreamConfig.TOPIC_EMR_EVENTS_CONFIG, topics.emrEvents().name() + topicSuffix);
    p.put(RiskStreamConfig.TOPIC_RISK_SCORES_CONFIG, topics.riskScores().name() + topicSuffix);
    p.put(RiskStreamConfig.TOPIC_RISK_ALERTS_CONFIG, topics.riskAlerts().name() + topicSuffix);
    p.put(RiskStreamConfig.TOPIC_DLQ_CONFIG, topics.deadLetters().name() + topicSuffix);
    return p;
  }

  private Throughput passThrough(EmbeddedKafka kafka, ChangeEventFeed feed, String suffix) throws Exception {
    String out = "bench-pass-through" + suffix;
    kafka.createTopics(1, out);
    RiskStreamConfig config = new RiskStreamConfig(phaseConfig(feed, kafka.bootstrapServers(),
        "bench-pass-through" + suffix, "-pass" + suffix));
    StreamsBuilder builder = new StreamsBuilder();
    builder.stream(feed.topics(), Consumed.with(Serdes.ByteArray(), Serdes.ByteArray()).withName("ehr-source"))
        .to(out, Produced.with(Serdes.ByteArray(), Serdes.ByteArray()).withName("pass-through-sink"));
    Properties props = config.streamsProperties();
    props.putAll(streamsOverrides);
    long[] count = new long[1];
    Map<String, Long> cpu = ThreadCpu.snapshot();
    try (KafkaStreams streams = new KafkaStreams(builder.build(), props);
        KafkaConsumer<byte[], byte[]> reader = committedReader(kafka.bootstrapServers(), "bench-pass-reader" + suffix,
            out)) {
      streams.start();
      long start = System.nanoTime();
      long[] first = {0};
      long[] report = {System.nanoTime()};
      long end = until(() -> {
        count[0] += reader.poll(Duration.ofMillis(50)).count();
        if (count[0] > 0 && first[0] == 0) {
          first[0] = System.nanoTime();
        }
        if (System.nanoTime() - report[0] > 5_000_000_000L) {
          LOG.info("pass-through: {} records", count[0]);
          report[0] = System.nanoTime();
        }
        return count[0] >= feed.records().size();
      }, () -> count[0]);
      return Throughput.of(feed.records().size(), count[0], feed.records().size(), start, first[0], end)
          .withCpu(cpu, ThreadCpu.snapshot());
    }
  }

  private Throughput full(EmbeddedKafka kafka, ChangeEventFeed feed, RiskStreamConfig config, long[] alerts) throws Exception {
    AvroSerdes serdes = AvroSerdes.withClient(new InMemorySchemaRegistry());
    long[] scores = new long[1];
    String scoreTopic = config.topics().riskScores().name();
    String alertTopic = config.topics().riskAlerts().name();
    String id = config.getString(RiskStreamConfig.APPLICATION_ID_CONFIG);
    try (ScoringRuntime runtime = ScoringRuntime.start(config)) {
      Map<String, Long> cpu = ThreadCpu.snapshot();
      long start = System.nanoTime();
      try (RiskStreamApp app = RiskStreamApp.start(config, serdes, runtime.encoder(), runtime.backend(),
          streamsOverrides);
          KafkaConsumer<byte[], byte[]> reader = committedReader(kafka.bootstrapServers(), id + "-reader",
              scoreTopic, alertTopic)) {
        long[] report = {System.nanoTime()};
        long[] first = {0};
        String emrTopic = config.topics().emrEvents().name();
        // when the app last read a new emr-events record: what follows is the tail (the last open transactions
        // waiting for the idle flush, scoring and the last commit)
        long[] emrConsumed = {-1, System.nanoTime()};
        long[] metricsChecked = {0};
        long end = until(() -> {
          if (scores[0] > 0 && first[0] == 0) {
            first[0] = System.nanoTime();
          }
          if (System.nanoTime() - metricsChecked[0] > 100_000_000L) {
            metricsChecked[0] = System.nanoTime();
            long consumed = consumedRecords(app.streams(), emrTopic);
            if (consumed != emrConsumed[0]) {
              emrConsumed[0] = consumed;
              emrConsumed[1] = System.nanoTime();
            }
          }
          if (System.nanoTime() - report[0] > 5_000_000_000L) {
            LOG.info("full: {} scores, batcher: {} queued, {} requests in {} batches", scores[0],
                runtime.batcher().queued(), runtime.batcher().requests(), runtime.batcher().batches());
            report[0] = System.nanoTime();
          }
          for (ConsumerRecord<byte[], byte[]> r : reader.poll(Duration.ofMillis(50))) {
            if (r.topic().equals(scoreTopic)) {
              scores[0]++;
            } else {
              alerts[0]++;
            }
          }
          requireAlive(app);
          return scores[0] >= feed.transactions();
        }, () -> scores[0], () -> {
          logStall(kafka.bootstrapServers(), config.getString(RiskStreamConfig.APPLICATION_ID_CONFIG));
          app.streams().metrics().forEach((name, m) -> {
            if (name.name().matches("records-lag|records-consumed-rate|fetch-rate|process-rate|process-total"
                + "|enforced-processing-rate|dropped-records-total|record-lateness-max|poll-records-avg|buffered-records")
                && !(m.metricValue() instanceof Double d && (d == 0.0 || d.isNaN()))) {
              LOG.warn("stalled: metric {} {} = {}", name.name(), name.tags(), m.metricValue());
            }
          });
        });
        Map<String, Object> waits = new java.util.TreeMap<>(StreamsWaits.of(app.streams().metrics(), id));
        waits.put("tailSeconds", (end - emrConsumed[1]) / 1e9);
        waits.put("recordsWrittenPerEvent", StreamsWaits.recordsWrittenPerEvent(waits, feed.records().size()));
        waits.put("batcherMeanBatchSize", runtime.batcher().meanBatchSize());
        waits.put("emrEventsByStreamThread", StreamsWaits.consumedByThread(app.streams().metrics(), emrTopic));
        return Throughput.of(feed.records().size(), scores[0], feed.transactions(), start, first[0], end)
            .withCpu(cpu, ThreadCpu.snapshot()).withTriggerCloses(app.triggerCloses()).withWaits(waits);
      }
    }
  }

  /** Records the stream threads' consumers read from {@code topic} so far. */
  private static long consumedRecords(KafkaStreams streams, String topic) {
    return StreamsWaits.consumedByThread(streams.metrics(), topic).values().stream().mapToLong(Long::longValue).sum();
  }

  private Latency latency(EmbeddedKafka kafka, double rate) throws Exception {
    ChangeEventFeed all = ChangeEventFeed.of(cohort, "lat", 0L);
    long maxEvents = (long) (rate * MAX_LATENCY_PHASE.toSeconds());
    List<ChangeEventFeed.Record> records = new ArrayList<>();
    for (ChangeEventFeed.Record r : all.records()) { // cut at a transaction boundary
      if (records.size() >= maxEvents && r.txId() != records.get(records.size() - 1).txId()) {
        break;
      }
      records.add(r);
    }
    int transactions = (int) records.stream().mapToLong(ChangeEventFeed.Record::txId).distinct().count();
    kafka.createTopics(1, all.topics().toArray(String[]::new));
    RiskStreamConfig config = new RiskStreamConfig(phaseConfig(all, kafka.bootstrapServers(), "bench-latency", "-lat"));
    String scoreTopic = config.topics().riskScores().name();
    AvroSerdes serdes = AvroSerdes.withClient(new InMemorySchemaRegistry());
    Map<String, Long> lastSend = new ConcurrentHashMap<>();
    Map<String, Long> scored = new HashMap<>();
    Map<String, Object> waits;
    try (ScoringRuntime runtime = ScoringRuntime.start(config);
        RiskStreamApp app = RiskStreamApp.start(config, serdes, runtime.encoder(), runtime.backend(),
            streamsOverrides);
        KafkaConsumer<byte[], byte[]> reader = committedReader(kafka.bootstrapServers(), "bench-latency-reader", scoreTopic);
        KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of("bootstrap.servers", kafka.bootstrapServers(),
            "acks", "all", "linger.ms", "0"), new ByteArraySerializer(), new ByteArraySerializer())) {
      until(() -> app.state() == KafkaStreams.State.RUNNING, () -> 0L);
      Thread sender = new Thread(() -> {
        long start = System.nanoTime();
        for (int i = 0; i < records.size(); i++) {
          long due = start + (long) (i * 1e9 / rate);
          long wait = due - System.nanoTime();
          if (wait > 0) {
            LockSupport.parkNanos(wait);
          }
          ChangeEventFeed.Record r = records.get(i);
          producer.send(new ProducerRecord<>(r.topic(), 0, System.currentTimeMillis(), r.key(), r.value()));
          lastSend.put(Long.toString(r.txId()), System.nanoTime());
        }
        producer.flush();
      }, "bench-paced-sender");
      sender.start();
      until(() -> {
        for (ConsumerRecord<byte[], byte[]> r : reader.poll(Duration.ofMillis(20))) {
          RiskScore score = serdes.value(RiskScore.class).deserializer().deserialize(r.topic(), r.value());
          scored.putIfAbsent(score.getProvenance().getTriggerTxId(), System.nanoTime());
        }
        requireAlive(app);
        return scored.size() >= transactions;
      }, () -> (long) scored.size());
      sender.join();
      waits = new java.util.TreeMap<>(StreamsWaits.of(app.streams().metrics(), "bench-latency"));
      waits.put("recordsWrittenPerEvent", StreamsWaits.recordsWrittenPerEvent(waits, records.size()));
      waits.put("batcherMeanBatchSize", runtime.batcher().meanBatchSize());
    }
    List<Double> ms = new ArrayList<>();
    scored.forEach((tx, at) -> {
      Long sent = lastSend.get(tx);
      if (sent != null) {
        ms.add((at - sent) / 1e6);
      }
    });
    ms.sort(Double::compare);
    double mean = ms.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
    return new Latency(rate, records.size(), transactions, scored.size(), percentile(ms, 50), percentile(ms, 99), mean,
        ms.isEmpty() ? Double.NaN : ms.get(ms.size() - 1), ms, waits);
  }

  /** Nearest-rank percentile of sorted values. */
  static double percentile(List<Double> sorted, double p) {
    if (sorted.isEmpty()) {
      return Double.NaN;
    }
    int rank = (int) Math.ceil(p / 100.0 * sorted.size());
    return sorted.get(Math.max(0, rank - 1));
  }

  /** Peak resident set size of this JVM (VmHWM of /proc/self/status), or -1 where that is not available. */
  static long peakRssBytes() {
    try (Stream<String> lines = Files.lines(Path.of("/proc/self/status"))) {
      return lines.filter(l -> l.startsWith("VmHWM:")).findFirst()
          .map(l -> Long.parseLong(l.replaceAll("[^0-9]", "")) * 1024).orElse(-1L);
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  static long directoryBytes(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return 0;
    }
    try (Stream<Path> files = Files.walk(dir)) {
      return files.filter(Files::isRegularFile).mapToLong(f -> f.toFile().length()).sum();
    }
  }

  /** Calls {@code step} until it returns true or {@code progress} stalls for {@link #STALL}; returns System.nanoTime(). */
  private static long until(BooleanSupplier step, java.util.function.LongSupplier progress) {
    return until(step, progress, () -> { });
  }

  /** As {@link #until(BooleanSupplier, java.util.function.LongSupplier)}; runs {@code onStall} once after 10 s without progress. */
  private static long until(BooleanSupplier step, java.util.function.LongSupplier progress, Runnable onStall) {
    long last = progress.getAsLong();
    long lastChange = System.nanoTime();
    boolean reported = false;
    while (!step.getAsBoolean()) {
      long now = progress.getAsLong();
      if (now != last) {
        last = now;
        lastChange = System.nanoTime();
        reported = false;
      } else if (!reported && System.nanoTime() - lastChange > 10_000_000_000L) {
        reported = true;
        onStall.run();
      } else if (System.nanoTime() - lastChange > STALL.toNanos()) {
        LOG.warn("no progress for {} s; ending the phase at {}", STALL.toSeconds(), now);
        break;
      }
    }
    return System.nanoTime();
  }

  /**
   * Logs why a phase may be stuck: per input partition of the application, the committed offset, the last stable
   * offset (what read_committed consumers may read) and the log end; and the broker's ongoing transactions.
   */
  static void logStall(String bootstrap, String applicationId) {
    try (org.apache.kafka.clients.admin.Admin admin = org.apache.kafka.clients.admin.Admin.create(
        Map.of("bootstrap.servers", bootstrap))) {
      Map<org.apache.kafka.common.TopicPartition, org.apache.kafka.clients.consumer.OffsetAndMetadata> committed =
          admin.listConsumerGroupOffsets(applicationId).partitionsToOffsetAndMetadata().get();
      Map<org.apache.kafka.common.TopicPartition, org.apache.kafka.clients.admin.OffsetSpec> latest = new HashMap<>();
      committed.keySet().forEach(tp -> latest.put(tp, org.apache.kafka.clients.admin.OffsetSpec.latest()));
      var stable = admin.listOffsets(latest, new org.apache.kafka.clients.admin.ListOffsetsOptions(
          org.apache.kafka.common.IsolationLevel.READ_COMMITTED)).all().get();
      var end = admin.listOffsets(latest).all().get();
      committed.forEach((tp, o) -> LOG.warn("stalled: {} committed {} stable {} end {}", tp, o == null ? null : o.offset(),
          stable.get(tp).offset(), end.get(tp).offset()));
      var ongoing = admin.listTransactions().all().get().stream()
          .filter(t -> t.state() == org.apache.kafka.clients.admin.TransactionState.ONGOING)
          .map(org.apache.kafka.clients.admin.TransactionListing::transactionalId).toList();
      if (!ongoing.isEmpty()) {
        admin.describeTransactions(ongoing).all().get().forEach((id, d) -> LOG.warn(
            "stalled: transaction {} ONGOING for {} ms on {} partitions", id,
            System.currentTimeMillis() - d.transactionStartTimeMs().orElse(System.currentTimeMillis()),
            d.topicPartitions().size()));
      }
    } catch (Exception e) {
      LOG.warn("stalled: could not describe offsets and transactions: {}", e.toString());
    }
  }

  private static void requireAlive(RiskStreamApp app) {
    if (app.state() == KafkaStreams.State.ERROR || app.state() == KafkaStreams.State.PENDING_ERROR
        || app.state() == KafkaStreams.State.NOT_RUNNING) {
      throw new IllegalStateException("the topology stopped: " + app.state());
    }
  }

  private static KafkaConsumer<byte[], byte[]> committedReader(String bootstrap, String group, String... topics) {
    KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of("bootstrap.servers", bootstrap,
        "group.id", group, "auto.offset.reset", "earliest", "isolation.level", "read_committed"),
        new ByteArrayDeserializer(), new ByteArrayDeserializer());
    consumer.subscribe(List.of(topics));
    return consumer;
  }

  private static void produceAll(String bootstrap, ChangeEventFeed feed) {
    // one request in flight: on the GPU host a batch to a just-created partition of the scaling topics was retried with
    // sequence 0 after later batches had been appended (OutOfOrderSequenceException every second until the run timed
    // out; our reading: the first batch failed before the partition had a leader); pre-loading is not measured
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of("bootstrap.servers", bootstrap,
        "acks", "all", "linger.ms", "20", "batch.size", "262144", "max.in.flight.requests.per.connection", "1"),
        new ByteArraySerializer(), new ByteArraySerializer())) {
      for (ChangeEventFeed.Record r : feed.records()) {
        producer.send(new ProducerRecord<>(r.topic(), r.partition(), r.timestamp(), r.key(), r.value()));
      }
    }
  }

  static String fmt(double v) {
    return String.format(java.util.Locale.ROOT, "%.1f", v);
  }
}
