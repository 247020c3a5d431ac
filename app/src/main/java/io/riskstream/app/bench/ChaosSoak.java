package io.riskstream.app.bench;

import io.riskstream.app.demo.EmbeddedKafka;
import io.riskstream.schemas.EmrEvent;
import io.riskstream.schemas.RiskAlert;
import io.riskstream.schemas.RiskScore;
import io.riskstream.topology.config.RiskStreamConfig;
import io.riskstream.topology.config.Topics;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The chaos soak ({@code riskstream bench chaos}): a Synthea cohort's change events, cut to about
 * {@link Options#events()}, on a 3-broker embedded cluster (replication factor 3, min.insync.replicas 2); the production
 * app ({@code riskstream run --config}, ONNX Runtime, exactly-once, in-memory registry) in a child JVM, SIGKILLed at
 * {@link Options#kills()} seeded random points, while the leader of emr-events' partition 0 is stopped and later
 * started again and another broker is restarted, also at seeded points. The points are counts of committed scores
 * (read_committed), not times, so a slow machine reaches the same ones. Before that, a fault-free reference run of the
 * same command and configuration reads the same feed under another application id into other output topics; the
 * committed scores and alerts of both are compared ({@link ChaosComparison}). (A TopologyTestDriver commits, and so
 * flushes every store, after each record: about 500 change events/s here, too slow for a soak.)
 */
public final class ChaosSoak {

  /** All change events go to this one topic, one partition (the shipped routing into one topic). */
  public static final String SOURCE_TOPIC = "ehr.clinical.changes";
  /** Debezium's transaction metadata topic of the feed: every transaction's END, so that it closes exactly. */
  public static final String TRANSACTION_TOPIC = "ehr.transaction";
  static final String APPLICATION_ID = "riskstream-chaos";
  static final String REFERENCE_SUFFIX = "-reference";
  /** The faults happen between these fractions of the expected scores. */
  static final double FIRST_POINT = 0.05;
  static final double LAST_POINT = 0.95;

  /**
   * What to run.
   *
   * @param events change events wanted (whole patients are taken until there are at least this many)
   * @param kills SIGKILLs of the app
   * @param seed picks the patients, the kill points and the broker fault points
   * @param appConfig RiskStream configuration keys for the app and the reference (model.name, num.stream.threads,
   *     topic.partitions, ...); the soak sets bootstrap.servers, application.id, state.dir, source.topics,
   *     scorer=onnxruntime, registry.url=mem:// and http.port=0
   * @param childJavaOptions JVM options of the app's JVM (e.g. -Xmx1g)
   * @param stall a phase ends when no committed output arrived for this long
   */
  public record Options(int events, int kills, long seed, Map<String, String> appConfig, List<String> childJavaOptions,
      Duration stall) {
    public Options {
      if (events < 1 || kills < 0) {
        throw new IllegalArgumentException("events must be at least 1 and kills at least 0");
      }
      appConfig = Collections.unmodifiableMap(new TreeMap<>(appConfig));
      childJavaOptions = List.copyOf(childJavaOptions);
    }
  }

  /** A fault, planned at {@code atScores} committed scores. */
  public enum FaultType { KILL, STOP_LEADER, START_STOPPED, RESTART_OTHER }

  /**
   * A fault as it happened: planned at {@code atScores}, done at {@code scoresThen} committed scores (for a kill: all
   * that the killed JVM committed),
   * {@code secondsIntoRun} after the first child started; {@code broker} for broker faults (-1 for kills);
   * {@code durationSeconds} of the broker operation (stop, start, stop + start); for kills {@code childUptimeSeconds}
   * and {@code recoverySeconds}: from the kill to the next committed score of the new child (null if none came).
   */
  public record Fault(FaultType type, long atScores, long scoresThen, double secondsIntoRun, int broker,
      double durationSeconds, Double childUptimeSeconds, Double recoverySeconds) {
  }

  /** A child JVM that ended without being killed by the soak: its index, exit status and when. */
  public record UnexpectedExit(int child, int exitStatus, long scoresThen, double secondsIntoRun) {
  }

  /**
   * One run of the app (the reference, or the run with faults): its faults as they happened, the child JVMs that ended
   * without being killed, how many JVMs it took, the last one's exit status (after SIGTERM at the end), whether every
   * expected score came before the run stalled, the dead letters committed, the seconds from its first child's
   * start to its end, and how many transactions the trigger closed by each rule in the last JVM (its
   * {@code trigger-close-<rule>-total} counters from {@code /metrics} at the end; the killed JVMs' are lost).
   */
  public record RunSummary(List<Fault> faults, List<UnexpectedExit> unexpectedExits, int children,
      int lastChildExitStatus, boolean complete, long scoreRecords, long alertRecords, long deadLetters,
      double seconds, Map<String, Long> lastJvmTriggerCloses) {
    public RunSummary {
      faults = List.copyOf(faults);
      unexpectedExits = List.copyOf(unexpectedExits);
      lastJvmTriggerCloses = Collections.unmodifiableMap(new TreeMap<>(lastJvmTriggerCloses));
    }
  }

  /** Everything measured. */
  public record Result(Options options, int patients, int events, int transactions, List<Long> killPoints,
      List<Long> brokerFaultPoints, RunSummary reference, RunSummary chaos, ChaosComparison.Result comparison,
      Map<String, Double> seconds) {
    public Result {
      killPoints = List.copyOf(killPoints);
      brokerFaultPoints = List.copyOf(brokerFaultPoints);
      seconds = Collections.unmodifiableMap(new LinkedHashMap<>(seconds));
    }

    /**
     * Identical to the reference, every planned fault done, no child JVM ended on its own, both runs complete, no dead
     * letter.
     */
    public boolean passed() {
      return comparison.identical() && reference.complete() && chaos.complete()
          && reference.unexpectedExits().isEmpty() && chaos.unexpectedExits().isEmpty()
          && chaos.faults().size() == killPoints.size() + brokerFaultPoints.size()
          && reference.deadLetters() == 0 && chaos.deadLetters() == 0;
    }
  }

  private final Map<String, List<EmrEvent>> cohort;
  private final Options options;
  private final Path workDir;
  private final PrintWriter progress;

  /**
   * @param cohort events by patient (e.g. {@code SyntheaCsvReader.readByPatient()})
   * @param workDir the app's state, the reference's state, the config file and the children's logs go here
   * @param progress a line per phase and fault (counts only)
   */
  public ChaosSoak(Map<String, List<EmrEvent>> cohort, Options options, Path workDir, PrintWriter progress) {
    this.cohort = cohort;
    this.options = options;
    this.workDir = workDir;
    this.progress = progress;
  }

  /** Whole patients, in a seeded order, until they have at least {@code events} events (or all are taken). */
  static Map<String, List<EmrEvent>> cut(Map<String, List<EmrEvent>> cohort, int events, long seed) {
    List<String> ids = new ArrayList<>(new TreeMap<>(cohort).keySet());
    Collections.shuffle(ids, new Random(seed));
    Map<String, List<EmrEvent>> out = new LinkedHashMap<>();
    long n = 0;
    for (String id : ids) {
      if (n >= events) {
        break;
      }
      out.put(id, cohort.get(id));
      n += cohort.get(id).size();
    }
    return out;
  }

  /**
   * {@code count} seeded points in [{@link #FIRST_POINT}, {@link #LAST_POINT}] of {@code total}, ascending (the
   * random draws come from {@code random}, so one seed gives the kill points and then the broker points).
   */
  static List<Long> points(Random random, int count, long total) {
    List<Long> out = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      out.add(Math.max(1, Math.round(total * (FIRST_POINT + (LAST_POINT - FIRST_POINT) * random.nextDouble()))));
    }
    Collections.sort(out);
    return List.copyOf(out);
  }

  public Result run() throws Exception {
    Map<String, Double> seconds = new LinkedHashMap<>();
    long t0 = System.nanoTime();
    Map<String, List<EmrEvent>> patients = cut(cohort, options.events(), options.seed());
    long eventCount = patients.values().stream().mapToLong(List::size).sum();
    // record timestamps 1 ms apart, ending now (the broker keeps them: no time-based retention)
    ChangeEventFeed feed = ChangeEventFeed.of(patients, "ehr", System.currentTimeMillis() - eventCount);
    progress.printf(Locale.ROOT, "feed: %d patients, %d change events, %d transactions%n", patients.size(),
        feed.records().size(), feed.transactions());
    progress.flush();

    // the points count committed scores; each transaction is scored once (when nothing splits it)
    Random random = new Random(options.seed());
    long expected = feed.transactions();
    List<Long> killPoints = points(random, options.kills(), expected);
    List<Long> brokerPoints = points(random, 3, expected);
    List<Planned> plan = new ArrayList<>();
    killPoints.forEach(p -> plan.add(new Planned(FaultType.KILL, p)));
    plan.add(new Planned(FaultType.STOP_LEADER, brokerPoints.get(0)));
    plan.add(new Planned(FaultType.START_STOPPED, brokerPoints.get(1)));
    plan.add(new Planned(FaultType.RESTART_OTHER, brokerPoints.get(2)));
    plan.sort(java.util.Comparator.comparingLong(Planned::atScores)); // stable: a kill before a broker fault at a tie

    long t = System.nanoTime();
    try (EmbeddedKafka kafka = EmbeddedKafka.start(3)) {
      seconds.put("brokersStart", secondsSince(t));
      kafka.createTopics(1, SOURCE_TOPIC, TRANSACTION_TOPIC);
      t = System.nanoTime();
      produce(kafka.bootstrapServers(), feed);
      seconds.put("produce", secondsSince(t));
      progress.printf(Locale.ROOT, "3 brokers up in %.0f s; feed produced in %.0f s%n", seconds.get("brokersStart"),
          seconds.get("produce"));
      progress.flush();

      AppRun reference = new AppRun("reference", kafka, appConfig(kafka.bootstrapServers(), REFERENCE_SUFFIX),
          expected);
      reference.run(List.of());
      seconds.put("referenceRun", reference.seconds);
      progress.printf(Locale.ROOT, "reference run (no faults): %d scores, %d alerts in %.0f s%n",
          reference.scores.size(), reference.alerts.size(), reference.seconds);
      progress.flush();

      AppRun chaos = new AppRun("chaos", kafka, appConfig(kafka.bootstrapServers(), ""), expected);
      chaos.run(plan);
      seconds.put("chaosRun", chaos.seconds);
      seconds.put("total", secondsSince(t0));
      ChaosComparison.Result comparison = ChaosComparison.compare(reference.scores, reference.alerts, chaos.scores,
          chaos.alerts);
      return new Result(options, patients.size(), feed.records().size(), feed.transactions(), killPoints,
          brokerPoints, reference.summary(), chaos.summary(), comparison, seconds);
    }
  }

  private record Planned(FaultType type, long atScores) {
  }

  /**
   * The app's configuration: the options' keys plus what the soak needs; {@code suffix} (empty for the run with
   * faults) is appended to the application id, the state directory and the names of the topics the app writes.
   */
  Map<String, String> appConfig(String bootstrap, String suffix) {
    Map<String, String> p = new TreeMap<>(options.appConfig());
    p.put(RiskStreamConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(RiskStreamConfig.APPLICATION_ID_CONFIG, APPLICATION_ID + suffix);
    p.put(RiskStreamConfig.STATE_DIR_CONFIG, workDir.resolve("state" + suffix).toString());
    Topics topics = Topics.DEFAULTS;
    p.put(RiskStreamConfig.TOPIC_EMR_EVENTS_CONFIG, topics.emrEvents().name() + suffix);
    p.put(RiskStreamConfig.TOPIC_RISK_SCORES_CONFIG, topics.riskScores().name() + suffix);
    p.put(RiskStreamConfig.TOPIC_RISK_ALERTS_CONFIG, topics.riskAlerts().name() + suffix);
    p.put(RiskStreamConfig.TOPIC_DLQ_CONFIG, topics.deadLetters().name() + suffix);
    p.put(RiskStreamConfig.SOURCE_TOPICS_CONFIG, SOURCE_TOPIC);
    p.put(RiskStreamConfig.SCORER_CONFIG, "onnxruntime");
    p.put(RiskStreamConfig.REGISTRY_URL_CONFIG, "mem://");
    p.put(RiskStreamConfig.HTTP_PORT_CONFIG, "0");
    p.put(RiskStreamConfig.SOURCE_TRANSACTION_TOPIC_CONFIG, TRANSACTION_TOPIC);
    return p;
  }

  private Path writeConfig(String name, Map<String, String> config) throws IOException {
    Properties props = new Properties();
    props.putAll(config);
    Path file = workDir.resolve("riskstream-" + name + ".properties");
    Files.createDirectories(workDir);
    try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      props.store(w, "riskstream bench chaos: the app's configuration");
    }
    return file;
  }

  private static void produce(String bootstrap, ChangeEventFeed feed) {
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of("bootstrap.servers", bootstrap,
        "acks", "all", "enable.idempotence", "true", "linger.ms", "20", "batch.size", "262144"),
        new ByteArraySerializer(), new ByteArraySerializer())) {
      for (ChangeEventFeed.Record r : feed.records()) {
        producer.send(new ProducerRecord<>(SOURCE_TOPIC, 0, r.timestamp(), r.key(), r.value()));
      }
      for (ChangeEventFeed.Record r : feed.transactionEnds()) {
        producer.send(new ProducerRecord<>(TRANSACTION_TOPIC, 0, r.timestamp(), r.key(), r.value()));
      }
    }
  }

  /** One run of the app: its child JVMs, the reader of its committed outputs and its fault schedule. */
  private final class AppRun {
    private final String name;
    private final EmbeddedKafka kafka;
    private final Path config;
    private final long expectedScores;
    private final KafkaConsumer<byte[], byte[]> reader;
    private final String emrTopic;
    private final String scoreTopic;
    private final String alertTopic;
    private final String dlqTopic;
    double seconds;
    Map<String, Long> closes = Map.of();
    final List<RiskScore> scores = new ArrayList<>();
    final List<RiskAlert> alerts = new ArrayList<>();
    final List<Fault> faults = new ArrayList<>();
    final List<UnexpectedExit> unexpectedExits = new ArrayList<>();
    long deadLetters;
    int children;
    int lastExitStatus = -1;
    boolean complete;
    private Process child;
    private long childStart;
    private long scoresAtChildStart;
    private long start;
    private long lastOutput;
    private int stoppedBroker = -1;

    AppRun(String name, EmbeddedKafka kafka, Map<String, String> appConfig, long expectedScores) throws IOException {
      this.name = name;
      this.kafka = kafka;
      this.config = writeConfig(name, appConfig);
      this.expectedScores = expectedScores;
      this.emrTopic = appConfig.get(RiskStreamConfig.TOPIC_EMR_EVENTS_CONFIG);
      this.scoreTopic = appConfig.get(RiskStreamConfig.TOPIC_RISK_SCORES_CONFIG);
      this.alertTopic = appConfig.get(RiskStreamConfig.TOPIC_RISK_ALERTS_CONFIG);
      this.dlqTopic = appConfig.get(RiskStreamConfig.TOPIC_DLQ_CONFIG);
      this.reader = new KafkaConsumer<>(Map.of("bootstrap.servers", kafka.bootstrapServers(), "group.id",
          "chaos-reader-" + name, "auto.offset.reset", "earliest", "isolation.level", "read_committed"),
          new ByteArrayDeserializer(), new ByteArrayDeserializer());
      reader.subscribe(List.of(scoreTopic, alertTopic, dlqTopic));
    }

    RunSummary summary() {
      return new RunSummary(faults, unexpectedExits, children, lastExitStatus, complete, scores.size(), alerts.size(),
          deadLetters, seconds, closes);
    }

    /** The trigger's close counters of the running JVM, by rule, from its /metrics (empty when unavailable). */
    private Map<String, Long> scrapeCloses() {
      try {
        java.util.regex.Matcher port = null;
        for (String line : Files.readAllLines(log(children), StandardCharsets.UTF_8)) {
          java.util.regex.Matcher m = java.util.regex.Pattern.compile("HTTP endpoints listening on port (\\d+)")
              .matcher(line);
          if (m.find()) {
            port = m;
          }
        }
        if (port == null) {
          return Map.of();
        }
        java.net.http.HttpResponse<String> response = java.net.http.HttpClient.newHttpClient().send(
            java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://localhost:" + port.group(1) + "/metrics"))
                .timeout(Duration.ofSeconds(30)).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
        return triggerCloses(response.body());
      } catch (IOException | RuntimeException e) {
        return Map.of();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return Map.of();
      }
    }

    void run(List<Planned> plan) throws Exception {
      start = System.nanoTime();
      lastOutput = start;
      try {
        startChild();
        for (Planned p : plan) {
          // a point already passed waits for one new score of the current child, so every child commits something
          long want = Math.max(p.atScores(), p.type() == FaultType.KILL ? scoresAtChildStart + 1 : 0);
          if (!awaitScores(want)) {
            progress.printf(Locale.ROOT, "stalled at %d committed scores waiting for %d; the remaining faults are"
                + " left out%n", scores.size(), want);
            progress.flush();
            return;
          }
          fault(p);
        }
        // the end: every expected score, then a quiet while in which nothing more may come
        complete = awaitScores(expectedScores);
        long quietUntil = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (System.nanoTime() < quietUntil) {
          if (poll() > 0) {
            quietUntil = Math.max(quietUntil, System.nanoTime() + Duration.ofSeconds(5).toNanos());
          }
          checkChild();
        }
        progress.printf(Locale.ROOT, "%s run end: %d committed scores (%d transactions), %d alerts, %d dead letters%n",
            name, scores.size(), expectedScores, alerts.size(), deadLetters);
        progress.flush();
      } finally {
        seconds = (System.nanoTime() - start) / 1e9;
        if (child != null && child.isAlive()) {
          closes = scrapeCloses();
        }
        stopChild();
        if (stoppedBroker >= 0) {
          kafka.startBroker(stoppedBroker);
        }
        reader.close();
      }
    }

    private void fault(Planned p) throws Exception {
      long before = System.nanoTime();
      switch (p.type()) {
        case KILL -> {
          double uptime = (System.nanoTime() - childStart) / 1e9;
          child.destroyForcibly(); // SIGKILL: no shutdown hook, no commit, no state flush
          if (!child.waitFor(60, TimeUnit.SECONDS)) {
            throw new IllegalStateException("the killed child did not end within 60 s");
          }
          lastExitStatus = child.exitValue();
          long killedAt = System.nanoTime();
          startChild();
          // what the killed JVM committed may still be on its way to this reader; the new JVM cannot have committed
          // anything within a second of its start (loading the JVM and the model alone takes longer)
          while (System.nanoTime() - killedAt < 1_000_000_000L) {
            poll();
          }
          long scoresThen = scores.size();
          awaitScores(scoresThen + 1);
          Double recovery = scores.size() > scoresThen ? (lastOutput - killedAt) / 1e9 : null;
          faults.add(new Fault(FaultType.KILL, p.atScores(), scoresThen, (before - start) / 1e9, -1, 0, uptime,
              recovery));
          progress.printf(Locale.ROOT, "kill %d of %d at %d committed scores (child up %.0f s); next committed score"
              + " %s%n", faults.stream().filter(f -> f.type() == FaultType.KILL).count(), options.kills(), scoresThen,
              uptime, recovery == null ? "none (stalled)" : String.format(Locale.ROOT, "%.1f s after the kill",
                  recovery));
        }
        case STOP_LEADER -> {
          int leader = kafka.leaderOf(emrTopic, 0);
          kafka.stopBroker(leader);
          stoppedBroker = leader;
          brokerFault(p, leader, before, "stopped broker " + leader + " (leader of emr-events-0)");
        }
        case START_STOPPED -> {
          int broker = stoppedBroker;
          kafka.startBroker(broker);
          stoppedBroker = -1;
          brokerFault(p, broker, before, "started broker " + broker + " again");
        }
        case RESTART_OTHER -> {
          int leader = kafka.leaderOf(emrTopic, 0);
          int other = kafka.brokerIds().stream().filter(id -> id != leader).sorted().findFirst().orElseThrow();
          kafka.stopBroker(other);
          kafka.startBroker(other);
          brokerFault(p, other, before, "restarted broker " + other + " (not the leader of emr-events-0)");
        }
        default -> throw new IllegalStateException("unknown fault " + p.type());
      }
      progress.flush();
    }

    private void brokerFault(Planned p, int broker, long before, String what) {
      double took = (System.nanoTime() - before) / 1e9;
      faults.add(new Fault(p.type(), p.atScores(), scores.size(), (before - start) / 1e9, broker, took, null, null));
      progress.printf(Locale.ROOT, "%s at %d committed scores (%.1f s)%n", what, scores.size(), took);
    }

    /** Reads until {@code want} scores; false when no output came for the stall time. Restarts a dead child. */
    private boolean awaitScores(long want) throws IOException {
      while (scores.size() < want) {
        poll();
        checkChild();
        if (System.nanoTime() - lastOutput > options.stall().toNanos()) {
          return false;
        }
      }
      return true;
    }

    private int poll() {
      int n = 0;
      for (ConsumerRecord<byte[], byte[]> r : reader.poll(Duration.ofMillis(100))) {
        if (r.topic().equals(scoreTopic)) {
          scores.add(decode(RiskScore.class, r.value()));
        } else if (r.topic().equals(alertTopic)) {
          alerts.add(decode(RiskAlert.class, r.value()));
        } else {
          deadLetters++;
        }
        n++;
      }
      if (n > 0) {
        lastOutput = System.nanoTime();
      }
      return n;
    }

    private void checkChild() throws IOException {
      if (!child.isAlive()) {
        unexpectedExits.add(new UnexpectedExit(children, child.exitValue(), scores.size(), (System.nanoTime() - start)
            / 1e9));
        progress.printf(Locale.ROOT, "%s run: the app (JVM %d) ended on its own with status %d at %d committed"
            + " scores; starting it again (log: %s)%n", name, children, child.exitValue(), scores.size(),
            log(children));
        progress.flush();
        startChild();
      }
    }

    private void startChild() throws IOException {
      children++;
      List<String> command = new ArrayList<>();
      command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
      command.addAll(options.childJavaOptions());
      command.addAll(List.of("-cp", System.getProperty("java.class.path"), "io.riskstream.app.cli.RiskstreamCli",
          "run", "--config", config.toString()));
      child = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log(children).toFile()).start();
      childStart = System.nanoTime();
      scoresAtChildStart = scores.size();
    }

    private Path log(int index) {
      return workDir.resolve(name + "-" + index + ".log");
    }

    private void stopChild() throws InterruptedException {
      if (child != null && child.isAlive()) {
        child.destroy(); // SIGTERM: the app's shutdown hook closes it cleanly
        if (!child.waitFor(60, TimeUnit.SECONDS)) {
          child.destroyForcibly();
          child.waitFor(30, TimeUnit.SECONDS);
        }
      }
      if (child != null && !child.isAlive()) {
        lastExitStatus = child.exitValue();
      }
    }
  }

  /**
   * The trigger's close counters in a Prometheus exposition, summed over tasks, by rule (e.g. {@code idle_flush}):
   * the series named {@code ..._trigger_close_<rule>_total}.
   */
  static Map<String, Long> triggerCloses(String exposition) {
    java.util.regex.Pattern series = java.util.regex.Pattern.compile(
        "^[a-z_]*trigger_close_([a-z_]+?)(?:_total)+(?:\\{[^}]*})? ([0-9.eE+-]+)$");
    Map<String, Long> out = new TreeMap<>();
    for (String line : exposition.split("\n")) {
      java.util.regex.Matcher m = series.matcher(line.trim());
      if (m.matches()) {
        out.merge(m.group(1), (long) Double.parseDouble(m.group(2)), Long::sum);
      }
    }
    return out;
  }

  private static double secondsSince(long nanos) {
    return (System.nanoTime() - nanos) / 1e9;
  }

  /**
   * Decodes a value the app wrote without its registry (the app runs in another JVM with an in-memory registry):
   * Confluent framing = magic byte 0 + 4-byte schema id, then Avro binary of the schema these classes come from.
   */
  public static <T> T decode(Class<T> type, byte[] framed) {
    if (framed == null || framed.length < 5 || framed[0] != 0) {
      throw new IllegalArgumentException("not a Confluent-framed Avro value");
    }
    try {
      return new SpecificDatumReader<>(type).read(null,
          DecoderFactory.get().binaryDecoder(framed, 5, framed.length - 5, null));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
