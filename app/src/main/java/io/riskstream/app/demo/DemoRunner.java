package io.riskstream.app.demo;

import io.riskstream.app.http.ClinicianRoutes;
import io.riskstream.app.http.HttpEndpoints;
import io.riskstream.app.http.HttpSecurity;
import io.riskstream.app.http.OwnerRouting;
import io.riskstream.app.http.PatientRouting;
import io.riskstream.app.http.RiskStreamMetrics;
import io.riskstream.app.runtime.RiskStreamApp;
import io.riskstream.app.runtime.ScoringRuntime;
import io.riskstream.connectors.ehr.EhrRow;
import io.riskstream.connectors.synthea.SyntheaCohortGenerator;
import io.riskstream.connectors.synthea.SyntheaCsvReader;
import io.riskstream.schemas.RiskAlert;
import io.riskstream.schemas.RiskScore;
import io.riskstream.scoring.model.ModelBundle;
import io.riskstream.topology.AlertDecision;
import io.riskstream.topology.AlertText;
import io.riskstream.app.replay.ShadowReport;
import io.riskstream.topology.RiskTopology;
import io.riskstream.topology.ScoringBackend;
import io.riskstream.topology.ShadowCounts;
import io.riskstream.topology.ShadowModel;
import io.riskstream.topology.TriggerProcessor;
import io.riskstream.topology.config.AlertPolicy;
import io.riskstream.topology.config.RiskStreamConfig;
import io.riskstream.topology.serde.AvroSerdes;
import io.riskstream.topology.serde.InMemorySchemaRegistry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongConsumer;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.utils.Exit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one-command demo: an embedded broker, the in-memory registry, the topology with the scoring runtime, and a
 * Synthea cohort fed as Debezium CDC events while it is still being generated (see {@link DemoCohort}). A monitor
 * consumer (read_committed) counts events, scores, alerts and dead letters, prints each alert and measures the
 * latency from producing a transaction's last change event to receiving the score it triggered. Prints a progress
 * line every few seconds and returns a {@link DemoSummary}. Only this demo prints (shortened, synthetic) patient ids,
 * from its own consumer; the application's logs carry counts only.
 */
public final class DemoRunner {

  private static final Logger LOG = LoggerFactory.getLogger(DemoRunner.class);
  private static final Object END = new Object();
  private static final String APPLICATION_ID = "riskstream-demo";
  /** Longest wait, after production's outputs settled, for the shadow model to finish scoring. */
  private static final Duration SHADOW_WAIT = Duration.ofMinutes(10);
  /** How far apart a production and a shadow alert of a patient and outcome may be and match (shadow-report's default). */
  private static final Duration SHADOW_MATCH_WINDOW = Duration.ofDays(30);
  /** The demo serves its HTTP endpoints on loopback only (without authentication). */
  private static final String DEMO_BIND_ADDRESS = "127.0.0.1";
  /**
   * Options of a run.
   *
   * @param patients cohort size
   * @param seed Synthea seed
   * @param speed simulated seconds per wall-clock second; 0 feeds as fast as possible
   * @param scorer scorer kind (auto, onnxruntime, tensorrt)
   * @param maxEvents stop feeding after the transaction that reaches this many events
   * @param liveYears years before the newest event from which encounters are fed live; earlier history arrives as
   *     one snapshot transaction per patient (0: all live)
   * @param model model name or directory
   * @param cohortDir an existing Synthea CSV export to feed instead of generating one (null: generate)
   * @param cacheRoot where generated cohorts are cached
   * @param workDir where the application's state directory is created while the demo runs (not under the OS's
   *     temporary directory, which may be cleaned while it is in use)
   * @param overrides further RiskStream configuration
   * @param progressInterval interval of the progress line
   * @param httpPort port of the HTTP endpoints (the alert inbox, CDS Hooks, FHIR); a free one when it is taken; 0: free
   * @param keepRunning keep everything running after the feed until Ctrl-C (to use the inbox and CDS Hooks)
   */
  public record Options(int patients, long seed, double speed, String scorer, long maxEvents, double liveYears,
      String model,
      Path cohortDir, Path cacheRoot, Path workDir, Map<String, String> overrides, Duration progressInterval,
      int httpPort, boolean keepRunning) {
    public Options {
      if (patients < 1) {
        throw new IllegalArgumentException("--patients must be at least 1");
      }
      if (!(speed >= 0) || Double.isInfinite(speed)) {
        throw new IllegalArgumentException("--speed must be a finite number >= 0");
      }
      if (!(liveYears >= 0) || Double.isInfinite(liveYears)) {
        throw new IllegalArgumentException("--live-years must be a finite number >= 0");
      }
      if (maxEvents < 1) {
        throw new IllegalArgumentException("--max-events must be at least 1");
      }
      Objects.requireNonNull(scorer, "scorer");
      Objects.requireNonNull(model, "model");
      Objects.requireNonNull(cacheRoot, "cacheRoot");
      Objects.requireNonNull(workDir, "workDir");
      if (cohortDir != null && !Files.isDirectory(cohortDir)) {
        throw new IllegalArgumentException("--cohort " + cohortDir + " is not a directory");
      }
      if (cohortDir != null && !Files.isRegularFile(cohortDir.resolve("patients.csv"))) {
        throw new IllegalArgumentException("--cohort " + cohortDir + " has no patients.csv (is it a Synthea CSV export"
            + " folder?)");
      }
      overrides = Map.copyOf(overrides);
      Objects.requireNonNull(progressInterval, "progressInterval");
      if (httpPort < 0 || httpPort > 65535) {
        throw new IllegalArgumentException("--http-port must be 0...65535");
      }
    }
  }

  private final Options options;
  private final ConsoleStatus console;
  private final AtomicBoolean stop = new AtomicBoolean();
  private final long startNanos = System.nanoTime();

  // Written by the feeding thread, read by the progress line.
  private final AtomicLong eventsProduced = new AtomicLong();
  private final AtomicLong patientsFed = new AtomicLong();
  private final AtomicReference<String> cohortStatus = new AtomicReference<>("cohort starting");
  private final AtomicReference<String> stage = new AtomicReference<>("starting");
  /** Trigger txId → nanoTime its last change event was handed to the producer; removed at its first score. */
  private final Map<String, Long> sentAt = new ConcurrentHashMap<>();
  private final AtomicLong lag = new AtomicLong(-1);

  public DemoRunner(Options options, ConsoleStatus console) {
    this.options = Objects.requireNonNull(options, "options");
    this.console = Objects.requireNonNull(console, "console");
  }

  /**
   * Checks the configuration ({@code --set}, {@code --scorer}) and loads the model before anything starts.
   *
   * @throws org.apache.kafka.common.config.ConfigException for a bad setting
   * @throws io.riskstream.scoring.model.ModelBundleException for a model that cannot load
   */
  public void validate() {
    config("localhost:9092", options.workDir());
    ModelBundle.load(options.model());
  }

  /** Asks a running demo to stop feeding, print its summary and shut down (e.g. from a shutdown hook). */
  public void requestStop() {
    stop.set(true);
  }

  /** Runs the demo to the end of the feed and the drain of the outputs, or until {@link #requestStop()}. */
  public DemoSummary run() throws Exception {
    return runInternal();
  }

  private DemoSummary runInternal() throws Exception {
    console.status(String.format(Locale.ROOT, "[%6.1fs] starting the embedded Kafka broker, the scorer and the"
        + " streams application", seconds(System.nanoTime())));
    BlockingQueue<Object> parts = new LinkedBlockingQueue<>();
    Thread generator = startCohort(parts);
    Files.createDirectories(options.workDir());
    Path stateDir = Files.createTempDirectory(options.workDir(), "state-");
    Monitor monitor = null;
    Thread monitorThread = null;
    Thread progress = null;
    long feedNanos = 0;
    // Kafka's test kit deletes the broker's temporary directories in JVM shutdown hooks of its own (Exit.addShutdownHook).
    // On Ctrl-C those run concurrently with the demo's orderly shutdown, and a broker whose log directories vanish
    // halts the JVM before the summary is printed. Collect them instead and run them after the broker is closed.
    List<Runnable> tempDirCleanups = new java.util.concurrent.CopyOnWriteArrayList<>();
    EmbeddedKafka started;
    Exit.setShutdownHookAdder((name, hook) -> tempDirCleanups.add(hook));
    try {
      started = EmbeddedKafka.start();
    } catch (Exception | Error e) {
      generator.interrupt();
      tempDirCleanups.forEach(Runnable::run);
      deleteQuietly(stateDir);
      throw e;
    } finally {
      Exit.resetShutdownHookAdder();
    }
    try (EmbeddedKafka kafka = started) {
      kafka.createTopics(1, DebeziumChangeEvents.topics().toArray(String[]::new));
      kafka.createTopics(1, DebeziumChangeEvents.TRANSACTION_TOPIC);
      RiskStreamConfig config = config(kafka.bootstrapServers(), stateDir);
      AvroSerdes serdes = AvroSerdes.withClient(new InMemorySchemaRegistry());
      try (ScoringRuntime runtime = ScoringRuntime.start(config);
           RiskStreamApp app = RiskStreamApp.start(config, serdes, runtime, Map.of());
           Admin admin = kafka.admin();
           KafkaProducer<byte[], byte[]> producer = producer(config);
           RiskStreamMetrics metrics = RiskStreamMetrics.bind(app.streams(), runtime, app.deadLetters(),
               app.withheldAlerts(), app.calibration());
           ClinicianRoutes clinician = ClinicianRoutes.create(config, serdes, app.streams(), runtime.backend(),
               runtime.model(), metrics.registry(), HttpSecurity.open(), OwnerRouting.local());
           HttpEndpoints http = http(app, metrics, clinician)) {
        console.message(String.format(Locale.ROOT, "RiskStream demo: embedded Kafka at %s, model %s %s on %s; %s",
            kafka.bootstrapServers(), runtime.model().name(), runtime.model().version(),
            runtime.backend().info().backend(),
            options.speed() > 0 ? "speed " + options.speed() + " simulated s per s" : "feeding as fast as possible"));
        console.message("alert thresholds (warning/critical): " + thresholds(config, runtime));
        runtime.shadow().ifPresent(shadow -> console.message("shadow model " + shadow.backend().info().modelId() + " "
            + shadow.backend().info().modelVersion() + ": scored on the same histories into "
            + config.topics().riskScoresShadow().name() + "; its would-be alerts go to "
            + config.topics().riskAlertsShadow().name() + " only (not shown, not in the inbox); its thresholds: "
            + shadowThresholds(config, runtime, shadow)));
        console.message("Alert inbox: http://localhost:" + http.port() + "/inbox · CDS Hooks discovery: http://localhost:"
            + http.port() + "/cds-services · FHIR: http://localhost:" + http.port() + "/fhir/RiskAssessment?patient=<id>");
        console.message("HTTP: http.auth=none, on loopback (" + DEMO_BIND_ADDRESS + ") only: the demo's synthetic patients"
            + " are served without authentication; riskstream run serves these routes behind its configured http.auth");
        monitor = new Monitor(serdes, config);
        monitorThread = new Thread(monitor, "demo-monitor");
        monitorThread.start();
        progress = startProgress(monitor, admin, config);
        stage.set("waiting for cohort");
        long feedStart = System.nanoTime();
        feed(parts, producer, app, config.getInt(RiskStreamConfig.HISTORY_MAX_EVENTS_CONFIG));
        producer.flush();
        feedNanos = System.nanoTime() - feedStart;
        drain(monitor, admin, config);
        List<String> shadowReport = runtime.shadow().isPresent()
            ? shadowReport(monitor, runtime.shadow().get(), config, serdes) : List.of();
        long consumed = sourceConsumed(admin);
        progress.interrupt();
        progress.join();
        progressLine(monitor);
        if (options.keepRunning() && !stop.get()) {
          console.message("Feed done; still running for the alert inbox at http://localhost:" + http.port()
              + "/inbox (Ctrl-C stops and prints the summary)");
          while (!stop.get()) {
            Thread.sleep(200);
          }
        }
        monitor.close();
        monitorThread.join();
        return summary(monitor, consumed, feedNanos, app.triggerCloses(), app.calibration().all(), labels(app),
            app.calibration().allTotals(), shadowReport, app.withheldAlerts().all());
      }
    } finally {
      if (progress != null) {
        progress.interrupt();
      }
      if (monitor != null) {
        monitor.close();
      }
      generator.interrupt();
      generator.join(10_000);
      deleteQuietly(stateDir);
      tempDirCleanups.forEach(Runnable::run);
    }
  }

  /**
   * The HTTP endpoints on the option's port, or on a free one when that is taken: loopback only and without
   * authentication ({@code http.auth=none}), as the demo's data is synthetic and stays on this host.
   */
  private HttpEndpoints http(RiskStreamApp app, RiskStreamMetrics metrics, ClinicianRoutes clinician)
      throws java.io.IOException {
    PatientRouting patients = new PatientRouting(app.streams(), null, null);
    try {
      return HttpEndpoints.start(DEMO_BIND_ADDRESS, options.httpPort(), HttpSecurity.open(), app::state, () -> true,
          metrics::scrape, patients, clinician.routes());
    } catch (java.net.BindException taken) {
      return HttpEndpoints.start(DEMO_BIND_ADDRESS, 0, HttpSecurity.open(), app::state, () -> true, metrics::scrape,
          patients, clinician.routes());
    }
  }

  /** Waits (up to a minute) until the streams client runs, so that latencies measure the pipeline, not start-up. */
  private void awaitRunning(RiskStreamApp app) throws InterruptedException {
    if (app.state() == org.apache.kafka.streams.KafkaStreams.State.RUNNING) {
      return;
    }
    stage.set("starting streams");
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (!stop.get() && app.state() != org.apache.kafka.streams.KafkaStreams.State.RUNNING
        && System.nanoTime() < deadline) {
      Thread.sleep(100);
    }
  }

  /** Each outcome's thresholds and where they come from (the model card's operating point or the configuration). */
  static String thresholds(RiskStreamConfig config, ScoringRuntime runtime) {
    AlertPolicy policy = RiskTopology.alertPolicy(config, runtime.backend());
    return thresholds(policy, runtime.backend(), o -> policy.usesOperatingPoint(o) ? "model card" : "config");
  }

  /** The shadow model's thresholds per outcome, and where each comes from. */
  static String shadowThresholds(RiskStreamConfig config, ScoringRuntime runtime, ShadowModel shadow) {
    AlertPolicy policy = RiskTopology.shadowAlertPolicy(config, runtime.backend(), shadow.backend());
    boolean own = !"production".equals(config.getString(RiskStreamConfig.SHADOW_THRESHOLDS_CONFIG));
    return thresholds(policy, shadow.backend(), o -> !policy.usesOperatingPoint(o) ? "config"
        : own && shadow.backend().operatingPoints().containsKey(o) ? "its card" : "production's card");
  }

  private static String thresholds(AlertPolicy policy, ScoringBackend backend,
      java.util.function.Function<String, String> source) {
    List<String> out = new ArrayList<>();
    for (String outcome : backend.info().outcomes()) {
      AlertPolicy.Outcome o = policy.forOutcome(outcome);
      out.add(String.format(Locale.ROOT, "%s %.4f/%.4f (%s)", backend.displayName(outcome), o.warningThreshold(),
          o.criticalThreshold(), source.apply(outcome)));
    }
    return String.join("; ", out);
  }

  private RiskStreamConfig config(String bootstrap, Path stateDir) {
    Map<String, Object> props = new HashMap<>();
    props.put(RiskStreamConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(RiskStreamConfig.APPLICATION_ID_CONFIG, APPLICATION_ID);
    props.put(RiskStreamConfig.STATE_DIR_CONFIG, stateDir.toString());
    props.put(RiskStreamConfig.REGISTRY_URL_CONFIG, "mem://");
    props.put(RiskStreamConfig.SOURCE_TRANSACTION_TOPIC_CONFIG, DebeziumChangeEvents.TRANSACTION_TOPIC);
    props.put(RiskStreamConfig.MODEL_NAME_CONFIG, options.model());
    props.put(RiskStreamConfig.SCORER_CONFIG, options.scorer());
    // the demo shows calibration drift (off by default in run: see README, Calibration drift); exactly-once here
    props.put(RiskStreamConfig.CALIBRATION_ENABLED_CONFIG, "true");
    props.putAll(options.overrides());
    return new RiskStreamConfig(props);
  }

  /** The feed's producer: the configuration's client settings (bootstrap servers, security, kafka.*). */
  private static KafkaProducer<byte[], byte[]> producer(RiskStreamConfig config) {
    Map<String, Object> p = config.producerProperties();
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
    p.put(ProducerConfig.CLIENT_ID_CONFIG, "riskstream-demo-feed");
    return new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
  }

  /** Generates (or finds in the cache) the cohort's parts in a background thread, queueing each part's directory. */
  private Thread startCohort(BlockingQueue<Object> parts) {
    Thread t = new Thread(() -> {
      try {
        if (options.cohortDir() != null) {
          parts.add(options.cohortDir());
        } else {
          SyntheaCohortGenerator generator = new SyntheaCohortGenerator();
          long before = 0;
          for (DemoCohort.Part part : DemoCohort.plan(options.patients(), options.seed(), options.cacheRoot())) {
            boolean cached = part.cached();
            long t0 = System.nanoTime();
            if (cached) {
              cohortStatus.set(String.format(Locale.ROOT, "cohort %,d/%,d cached", before + part.patients(),
                  options.patients()));
            } else {
              cohortStatus.set(DemoProgress.generating(before, options.patients(), OptionalDouble.empty()));
            }
            DemoCohort.ensure(part, generator, cohortProgress(before));
            if (!cached) {
              console.message(String.format(Locale.ROOT, "Synthea: part %d (%d patients, seed %d) generated in %.1f s,"
                  + " cached in %s", part.index() + 1, part.patients(), part.seed(), (System.nanoTime() - t0) / 1e9,
                  part.dir()));
            }
            before += part.patients();
            parts.add(part.dir());
          }
        }
        cohortStatus.set("cohort ready");
        parts.add(END);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        parts.add(END);
      } catch (Exception e) {
        parts.add(e);
      }
    }, "demo-cohort");
    t.setDaemon(true);
    t.start();
    return t;
  }

  /**
   * Turns Synthea's count of generated patients of a part into the cohort's part of the progress line, with the time
   * left at the rate since the first count of that part (Synthea's start-up is not part of the rate).
   */
  private LongConsumer cohortProgress(long before) {
    long[] first = {-1, 0};
    return generated -> {
      long now = System.nanoTime();
      long done = before + generated;
      if (first[0] < 0 && generated > 0) {
        first[0] = done;
        first[1] = now;
      }
      cohortStatus.set(DemoProgress.generating(done, options.patients(), first[0] < 0 ? OptionalDouble.empty()
          : DemoProgress.secondsLeft(done, options.patients(), first[0], (now - first[1]) / 1e9)));
    };
  }

  /** The start of the live period: {@code liveYears} before the part's newest event; none live before it. */
  private java.time.Instant liveFrom(Map<String, List<io.riskstream.schemas.EmrEvent>> byPatient) {
    if (options.liveYears() == 0) {
      return java.time.Instant.MIN;
    }
    java.time.Instant newest = byPatient.values().stream().flatMap(List::stream)
        .map(io.riskstream.schemas.EmrEvent::getEventTime).max(java.util.Comparator.naturalOrder())
        .orElse(java.time.Instant.EPOCH);
    return newest.minusMillis((long) (options.liveYears() * 365.25 * 86_400_000L));
  }

  /** Feeds every part as it arrives, in event-time order within each part. */
  private void feed(BlockingQueue<Object> parts, KafkaProducer<byte[], byte[]> producer, RiskStreamApp app,
      int historyBound)
      throws Exception {
    long txId = 1000;
    long lsn = 1;
    while (!stop.get() && eventsProduced.get() < options.maxEvents()) {
      Object next = parts.poll(200, TimeUnit.MILLISECONDS);
      if (next == null) {
        continue;
      }
      if (next == END) {
        break;
      }
      if (next instanceof Exception e) {
        throw new IOException("cohort generation failed: " + e.getMessage(), e);
      }
      Path dir = (Path) next;
      stage.set("reading " + dir.getFileName());
      Map<String, List<io.riskstream.schemas.EmrEvent>> byPatient = new SyntheaCsvReader(dir).readByPatient();
      long[] rejected = {0};
      List<DebeziumChangeEvents.Transaction> txs = DebeziumChangeEvents.transactions(byPatient, rejected, liveFrom(byPatient),
          historyBound);
      this.rejected.addAndGet(rejected[0]);
      int partPatients = byPatient.size();
      // the first part is read while the streams client starts; its records are produced once it runs
      awaitRunning(app);
      stage.set("feeding " + dir.getFileName());
      java.time.Instant firstTime = txs.stream().skip(Math.min(txs.size(), partPatients)).findFirst()
          .map(DebeziumChangeEvents.Transaction::time).orElse(null);
      long partStart = System.nanoTime();
      Set<String> fedPatients = new HashSet<>();
      for (DebeziumChangeEvents.Transaction tx : txs) {
        if (stop.get() || eventsProduced.get() >= options.maxEvents()) {
          break;
        }
        if (options.speed() > 0 && firstTime != null && tx.time().isAfter(firstTime)) {
          double simulated = (tx.time().toEpochMilli() - firstTime.toEpochMilli()) / 1000.0;
          long due = partStart + (long) (simulated / options.speed() * 1e9);
          long wait = due - System.nanoTime();
          while (wait > 0 && !stop.get()) {
            TimeUnit.NANOSECONDS.sleep(Math.min(wait, 200_000_000L));
            wait = due - System.nanoTime();
          }
        }
        long id = txId++;
        List<EhrRow> rows = tx.rows();
        // as Debezium with provide.transaction.metadata=true: each change carries the transaction's id, and the
        // transaction topic gets its END with the event count, so the topology closes it exactly
        String transactionId = DebeziumChangeEvents.transactionId(id, lsn);
        for (int i = 0; i < rows.size(); i++) {
          EhrRow row = rows.get(i);
          long now = System.currentTimeMillis();
          if (i == rows.size() - 1) {
            sentAt.put(Long.toString(id), System.nanoTime());
          }
          producer.send(new ProducerRecord<>(DebeziumChangeEvents.topic(row.table()), DebeziumChangeEvents.key(row),
              DebeziumChangeEvents.create(row, id, lsn++, now, transactionId, i + 1)));
          eventsProduced.incrementAndGet();
        }
        producer.send(new ProducerRecord<>(DebeziumChangeEvents.TRANSACTION_TOPIC,
            DebeziumChangeEvents.transactionKey(transactionId),
            DebeziumChangeEvents.transactionEnd(transactionId, rows, System.currentTimeMillis())));
        transactions.incrementAndGet();
        if (fedPatients.add(tx.patientId())) {
          patientsFed.incrementAndGet();
        }
      }
      stage.set("waiting for cohort");
    }
    stage.set(stop.get() ? "stopping" : "feed done, draining");
  }

  private final AtomicLong rejected = new AtomicLong();
  private final AtomicLong transactions = new AtomicLong();

  /**
   * Waits until the application has consumed every change event and no output has arrived for the trigger's idle
   * flush time plus three seconds (its last open transactions are closed by then), or until stopped.
   */
  private void drain(Monitor monitor, Admin admin, RiskStreamConfig config) throws Exception {
    long quietNanos = TimeUnit.MILLISECONDS.toNanos(config.getLong(RiskStreamConfig.TRIGGER_IDLE_FLUSH_MS_CONFIG)
        + config.triggerLinger().toMillis() + 3000);
    long lastChange = System.nanoTime();
    long lastCount = -1;
    while (!stop.get()) {
      long count = monitor.scores.get() + monitor.alerts.get() + monitor.deadLetters.get() + monitor.emrEvents.get();
      if (count != lastCount) {
        lastCount = count;
        lastChange = System.nanoTime();
      }
      boolean consumedAll = sourceConsumed(admin) >= eventsProduced.get();
      if (consumedAll && System.nanoTime() - lastChange >= quietNanos) {
        return;
      }
      Thread.sleep(250);
    }
  }

  /** Change events the application has consumed: the sum of its committed offsets on the source topics. */
  private long sourceConsumed(Admin admin) {
    try {
      Map<TopicPartition, OffsetAndMetadata> committed =
          admin.listConsumerGroupOffsets(APPLICATION_ID).partitionsToOffsetAndMetadata().get(5, TimeUnit.SECONDS);
      return committed.entrySet().stream().filter(e -> e.getKey().topic().startsWith(DebeziumChangeEvents.TOPIC_PREFIX))
          .filter(e -> e.getValue() != null).mapToLong(e -> e.getValue().offset()).sum();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    } catch (Exception e) {
      return -1;
    }
  }

  /** The application's consumer lag over its input topics (sources and emr-events), -1 when unknown. */
  private long computeLag(Admin admin, String emrTopic) {
    try {
      Map<TopicPartition, OffsetAndMetadata> committed =
          admin.listConsumerGroupOffsets(APPLICATION_ID).partitionsToOffsetAndMetadata().get(5, TimeUnit.SECONDS);
      Set<String> inputs = new HashSet<>(DebeziumChangeEvents.topics());
      inputs.add(emrTopic);
      Map<TopicPartition, OffsetSpec> request = admin.describeTopics(inputs).allTopicNames().get(5, TimeUnit.SECONDS)
          .values().stream().flatMap(d -> d.partitions().stream().map(p -> new TopicPartition(d.name(), p.partition())))
          .collect(Collectors.toMap(tp -> tp, tp -> OffsetSpec.latest()));
      Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> ends =
          admin.listOffsets(request).all().get(5, TimeUnit.SECONDS);
      long total = 0;
      for (var e : ends.entrySet()) {
        OffsetAndMetadata c = committed.get(e.getKey());
        total += Math.max(0, e.getValue().offset() - (c == null ? 0 : c.offset()));
      }
      return total;
    } catch (InterruptedException e) {
      // keep the interrupt: it is how the progress thread is stopped
      Thread.currentThread().interrupt();
      return -1;
    } catch (Exception e) {
      return -1;
    }
  }

  private Thread startProgress(Monitor monitor, Admin admin, RiskStreamConfig config) {
    String emrTopic = config.topics().emrEvents().name();
    Thread t = new Thread(() -> {
      try {
        while (!Thread.currentThread().isInterrupted()) {
          Thread.sleep(options.progressInterval().toMillis());
          lag.set(computeLag(admin, emrTopic));
          progressLine(monitor);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "demo-progress");
    t.setDaemon(true);
    t.start();
    return t;
  }

  private void progressLine(Monitor monitor) {
    console.status(DemoProgress.line(seconds(System.nanoTime()), stage.get(), cohortStatus.get(), patientsFed.get(),
        eventsProduced.get(), monitor.scores.get(), monitor.alerts.get(), monitor.deadLetters.get(), lag.get()));
  }

  private double seconds(long nanos) {
    return (nanos - startNanos) / 1e9;
  }

  /**
   * Waits until the shadow model has scored (or skipped) every history it was given and its scores are committed
   * (the monitor read them), at most {@link #SHADOW_WAIT}, then compares its would-be alerts with production's
   * ({@link ShadowReport}); returns the report's summary lines.
   */
  private List<String> shadowReport(Monitor monitor, ShadowModel shadow, RiskStreamConfig config, AvroSerdes serdes)
      throws InterruptedException {
    ShadowCounts c = shadow.counts();
    stage.set("waiting for the shadow model");
    long deadline = System.nanoTime() + SHADOW_WAIT.toNanos();
    while (!stop.get() && System.nanoTime() < deadline && (c.scores() + c.failures(ShadowCounts.Failure.INVALID_INPUT)
        + c.failures(ShadowCounts.Failure.SCORER_FAILED) < c.requests() || monitor.shadowScores.get() < c.scores())) {
      Thread.sleep(250);
    }
    List<String> lines = new ArrayList<>();
    lines.add(String.format(Locale.ROOT, "shadow model %s %s: %,d histories, %,d scores, %,d would-be alerts, %,d"
            + " skipped", shadow.backend().info().modelId(), shadow.backend().info().modelVersion(), c.requests(),
        c.scores(), c.alerts(), c.failures()));
    lines.addAll(ShadowReport.summary(ShadowReport.run(config, serdes, null, null, SHADOW_MATCH_WINDOW)));
    return lines;
  }

  private DemoSummary summary(Monitor m, long consumed, long feedNanos, Map<TriggerProcessor.CloseRule, Long> closes,
      Map<String, io.riskstream.topology.calibration.CalibrationStatus.Latest> calibration, DemoSummary.Labels labels,
      Map<String, io.riskstream.topology.calibration.CalibrationStatus.Totals> totals, List<String> shadowReport,
      Map<AlertDecision.Withheld, Long> withheld) {
    long[] lat = m.latencies();
    Arrays.sort(lat);
    Map<String, Map<String, Long>> byOutcome = new TreeMap<>();
    m.alertCounts.forEach((k, v) -> byOutcome.computeIfAbsent(k.split("\\|")[0], x -> new TreeMap<>())
        .put(k.split("\\|")[1], v.get()));
    long firstAlert = m.firstAlertNanos.get();
    return new DemoSummary(patientsFed.get(), eventsProduced.get(), transactions.get(), rejected.get(), consumed,
        m.emrEvents.get(), m.scores.get(), m.scoreIds.size(), m.alerts.get(), byOutcome, m.deadLetters.get(),
        new TreeMap<>(m.maxProbability), lat.length, percentile(lat, 0.50) / 1e6, percentile(lat, 0.99) / 1e6,
        firstAlert == 0 ? -1 : seconds(firstAlert), feedNanos / 1e9, seconds(System.nanoTime()), peakRssKb(),
        stop.get(), closes, calibration, labels, totals, shadowReport, withheld);
  }

  /** The calibration label counters of every task of {@code app}, summed. */
  private static DemoSummary.Labels labels(RiskStreamApp app) {
    return new DemoSummary.Labels(metricTotal(app, "calibration-labelled-positive-total"),
        metricTotal(app, "calibration-labelled-negative-total"), metricTotal(app, "calibration-excluded-total"),
        metricTotal(app, "dropped-records-total"));
  }

  private static long metricTotal(RiskStreamApp app, String name) {
    return app.streams().metrics().entrySet().stream().filter(e -> e.getKey().name().equals(name))
        .mapToLong(e -> ((Number) e.getValue().metricValue()).longValue()).sum();
  }

  /** Nearest-rank percentile of sorted values (a histogram library is not worth it for one number per run). */
  static double percentile(long[] sorted, double q) {
    if (sorted.length == 0) {
      return Double.NaN;
    }
    int rank = (int) Math.ceil(q * sorted.length);
    return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
  }

  /** This JVM's peak resident set size (Linux VmHWM) in KiB, or -1. */
  static long peakRssKb() {
    try (Stream<String> lines = Files.lines(Path.of("/proc/self/status"), StandardCharsets.US_ASCII)) {
      return lines.filter(l -> l.startsWith("VmHWM:")).findFirst()
          .map(l -> Long.parseLong(l.replaceAll("[^0-9]", ""))).orElse(-1L);
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  private static void deleteQuietly(Path dir) {
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      LOG.warn("could not delete the demo's state directory {}", dir);
    }
  }

  /** The demo's own consumer of the outputs (and of emr-events, counted only). */
  private final class Monitor implements Runnable {
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Deserializer<RiskScore> scoreDe;
    private final Deserializer<RiskAlert> alertDe;
    private final String scoresTopic;
    private final String alertsTopic;
    private final String dlqTopic;
    private final String emrTopic;
    private final AtomicLong scores = new AtomicLong();
    private final AtomicLong alerts = new AtomicLong();
    private final AtomicLong deadLetters = new AtomicLong();
    private final AtomicLong emrEvents = new AtomicLong();
    /** Shadow scores read (committed): the shadow report waits for them. */
    private final AtomicLong shadowScores = new AtomicLong();
    private final String shadowScoresTopic;
    private final AtomicLong firstAlertNanos = new AtomicLong();
    private final Map<String, AtomicLong> alertCounts = new ConcurrentHashMap<>();
    private final Set<String> scoreIds = ConcurrentHashMap.newKeySet();
    private final Map<String, Double> maxProbability = new ConcurrentHashMap<>();
    private final AtomicBoolean closed = new AtomicBoolean();
    private long[] latencies = new long[1024];
    private int latencyCount;

    Monitor(AvroSerdes serdes, RiskStreamConfig config) {
      Map<String, Object> p = config.consumerProperties();
      p.put(ConsumerConfig.GROUP_ID_CONFIG, "riskstream-demo-monitor");
      p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
      p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
      p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
      this.consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
      this.scoreDe = serdes.value(RiskScore.class).deserializer();
      this.alertDe = serdes.value(RiskAlert.class).deserializer();
      this.scoresTopic = config.topics().riskScores().name();
      this.alertsTopic = config.topics().riskAlerts().name();
      this.dlqTopic = config.topics().deadLetters().name();
      this.emrTopic = config.topics().emrEvents().name();
      this.shadowScoresTopic = config.shadowEnabled() ? config.topics().riskScoresShadow().name() : null;
    }

    @Override
    public void run() {
      try {
        List<String> topics = new ArrayList<>(List.of(scoresTopic, alertsTopic, dlqTopic, emrTopic));
        if (shadowScoresTopic != null) {
          topics.add(shadowScoresTopic);
        }
        consumer.subscribe(topics);
        while (!closed.get()) {
          for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
            long now = System.nanoTime();
            String topic = r.topic();
            if (topic.equals(scoresTopic)) {
              onScore(scoreDe.deserialize(topic, r.headers(), r.value()), now);
            } else if (topic.equals(alertsTopic)) {
              onAlert(alertDe.deserialize(topic, r.headers(), r.value()), now);
            } else if (topic.equals(dlqTopic)) {
              deadLetters.incrementAndGet();
            } else if (topic.equals(shadowScoresTopic)) {
              shadowScores.incrementAndGet();
            } else {
              emrEvents.incrementAndGet();
            }
          }
        }
      } catch (WakeupException e) {
        // closing
      } finally {
        consumer.close(Duration.ofSeconds(5));
      }
    }

    private void onScore(RiskScore s, long now) {
      scores.incrementAndGet();
      scoreIds.add(s.getScoreId());
      s.getOutcomes().forEach(o -> maxProbability.merge(o.getOutcome(), o.getProbability(), Math::max));
      String tx = s.getProvenance().getTriggerTxId();
      Long sent = tx == null ? null : sentAt.remove(tx);
      if (sent != null) {
        synchronized (this) {
          if (latencyCount == latencies.length) {
            latencies = Arrays.copyOf(latencies, latencies.length * 2);
          }
          latencies[latencyCount++] = now - sent;
        }
      }
    }

    private void onAlert(RiskAlert a, long now) {
      alerts.incrementAndGet();
      firstAlertNanos.compareAndSet(0, now);
      alertCounts.computeIfAbsent(AlertText.outcome(a) + "|" + a.getSeverity(), k -> new AtomicLong()).incrementAndGet();
      String id = a.getPatientId();
      console.message(String.format(Locale.ROOT, "[%6.1fs] ALERT %-8s patient %s… %s: p=%.3f (threshold %.3f) as of"
              + " %s; reasons: %s", seconds(now), a.getSeverity(), id.substring(0, Math.min(8, id.length())),
          AlertText.outcome(a), a.getProbability(), a.getThreshold(), a.getAsOf().toString().substring(0, 10),
          AlertText.reasons(a, 3)));
    }

    synchronized long[] latencies() {
      return Arrays.copyOf(latencies, latencyCount);
    }

    void close() {
      if (closed.compareAndSet(false, true)) {
        consumer.wakeup();
      }
    }
  }
}
