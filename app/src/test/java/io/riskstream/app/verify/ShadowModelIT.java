package io.riskstream.app.verify;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.riskstream.app.bench.ChangeEventFeed;
import io.riskstream.app.bench.ChaosSoak;
import io.riskstream.app.cli.ShadowReportCommand;
import io.riskstream.app.demo.EmbeddedKafka;
import io.riskstream.app.http.RiskStreamMetrics;
import io.riskstream.app.replay.ShadowComparison;
import io.riskstream.app.replay.ShadowReport;
import io.riskstream.app.runtime.RiskStreamApp;
import io.riskstream.app.runtime.ScoringRuntime;
import io.riskstream.connectors.synthea.SyntheaCsvReader;
import io.riskstream.schemas.EmrEvent;
import io.riskstream.schemas.RiskAlert;
import io.riskstream.schemas.RiskScore;
import io.riskstream.topology.ShadowCounts;
import io.riskstream.topology.config.RiskStreamConfig;
import io.riskstream.topology.config.Topics;
import io.riskstream.topology.serde.AvroSerdes;
import io.riskstream.topology.serde.InMemorySchemaRegistry;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The shadow model end to end on a real broker: production (emr-risk-small) and a shadow (emr-risk-base, another
 * encoder length) score the same histories of two committed-cohort patients, exactly-once; the shadow's scores land on
 * risk-scores-shadow with its own model and scoreIds, its alerts on risk-alerts-shadow only; then
 * {@code riskstream shadow-report} reports per outcome the alerts only production raised, only the shadow raised and
 * both, which this test recomputes from the alerts on both topics.
 */
class ShadowModelIT {

  private static final Topics TOPICS = Topics.DEFAULTS;

  @TempDir
  Path dir;

  @Test
  void shouldScoreTheSameHistoriesWithTheShadowAndReportWhereItsAlertsDiffer() throws Exception {
    Map<String, List<EmrEvent>> cohort = new SyntheaCsvReader(CohortRuns.COHORT).readByPatient();
    Map<String, List<EmrEvent>> two = cohort.entrySet().stream()
        .sorted(java.util.Comparator.comparingInt(e -> e.getValue().size())).limit(2)
        .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
    ChangeEventFeed feed = ChangeEventFeed.of(two, "ehr",
        System.currentTimeMillis() - two.values().stream().mapToLong(List::size).sum());
    try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
      kafka.createTopics(1, CohortRuns.SOURCE_TOPIC, CohortRuns.TRANSACTION_TOPIC);
      CohortRuns.produce(kafka.bootstrapServers(), feed);
      Map<String, Object> props = CohortRuns.props(feed, kafka.bootstrapServers(), "shadow-it", dir.resolve("state"));
      props.put(RiskStreamConfig.REGISTRY_URL_CONFIG, "mem://");
      props.put(RiskStreamConfig.MODEL_NAME_CONFIG, "emr-risk-small");
      props.put(RiskStreamConfig.SHADOW_MODEL_CONFIG, "emr-risk-base");
      // low enough that both models alert on these two patients; the same thresholds for both
      props.put(RiskStreamConfig.ALERT_WARNING_THRESHOLD_CONFIG, "0.01");
      props.put(RiskStreamConfig.ALERT_CRITICAL_THRESHOLD_CONFIG, "0.03");
      props.put(RiskStreamConfig.ALERT_COOLDOWN_HOURS_CONFIG, "0");
      props.put(RiskStreamConfig.ALERT_HYSTERESIS_MARGIN_CONFIG, "0.001");
      RiskStreamConfig config = new RiskStreamConfig(props);
      AvroSerdes serdes = AvroSerdes.withClient(InMemorySchemaRegistry.withRiskStreamSchemas());

      Outputs out = new Outputs();
      String productionSha;
      String shadowSha;
      try (ScoringRuntime runtime = ScoringRuntime.start(config);
          RiskStreamApp app = RiskStreamApp.start(config, serdes, runtime, Map.of());
          KafkaConsumer<byte[], byte[]> reader = reader(kafka.bootstrapServers())) {
        productionSha = runtime.backend().info().modelSha256();
        shadowSha = runtime.shadow().orElseThrow().backend().info().modelSha256();
        long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
        while ((out.scores.size() < feed.transactions() || out.shadowScores.size() < feed.transactions())
            && System.nanoTime() < deadline) {
          out.poll(reader, Duration.ofMillis(250));
        }
        while (out.poll(reader, Duration.ofSeconds(3)) > 0) {
          // the alerts of the last scores, if any are still on their way
        }
        ShadowCounts counts = runtime.shadow().orElseThrow().counts();
        assertThat(counts.scores()).isEqualTo(feed.transactions());
        assertThat(counts.failures()).isZero();
        assertThat(counts.alerts()).isEqualTo(out.shadowAlerts.size());
        try (RiskStreamMetrics metrics = RiskStreamMetrics.bind(app.streams(), runtime, app.deadLetters(),
            app.withheldAlerts(), app.calibration())) {
          assertThat(metrics.scrape()).contains("riskstream_shadow_scores_total " + feed.transactions() + ".0",
              "riskstream_shadow_alerts_total " + out.shadowAlerts.size() + ".0",
              "riskstream_shadow_failures_total{reason=\"scorer_failed\"} 0.0", "riskstream_shadow_batcher_queued");
        }
      }
      System.out.printf("shadow: %d transactions; production %d scores, %d alerts; shadow %d scores, %d alerts%n",
          feed.transactions(), out.scores.size(), out.alerts.size(), out.shadowScores.size(), out.shadowAlerts.size());

      // the same histories, each model's provenance and scoreIds
      assertThat(productionSha).isNotEqualTo(shadowSha);
      assertThat(out.scores).hasSize(feed.transactions());
      assertThat(out.shadowScores).extracting(s -> s.getPatientId() + "/" + s.getHistoryVersion())
          .containsExactlyInAnyOrderElementsOf(out.scores.stream().map(s -> s.getPatientId() + "/" + s.getHistoryVersion())
              .toList());
      assertThat(out.scores).allSatisfy(s -> assertThat(s.getModel().getId()).isEqualTo("emr-risk-small"));
      assertThat(out.shadowScores).allSatisfy(s -> {
        assertThat(s.getModel().getId()).isEqualTo("emr-risk-base");
        assertThat(s.getModel().getSha256()).isEqualTo(shadowSha);
      });
      Set<String> scoreIds = out.scores.stream().map(RiskScore::getScoreId).collect(Collectors.toSet());
      assertThat(out.shadowScores).noneMatch(s -> scoreIds.contains(s.getScoreId()));
      // the shadow's alerts are computed, and never published
      assertThat(out.alerts).isNotEmpty();
      assertThat(out.shadowAlerts).isNotEmpty();
      assertThat(out.alerts).allSatisfy(a -> assertThat(a.getModel().getSha256()).isEqualTo(productionSha));
      assertThat(out.shadowAlerts).allSatisfy(a -> {
        assertThat(a.getModel().getSha256()).isEqualTo(shadowSha);
        assertThat(a.getReasons()).isEmpty();
      });

      // the report, as an operator runs it against production's configuration file
      Path file = dir.resolve("riskstream.properties");
      Files.writeString(file, props.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
          .collect(Collectors.joining("\n")), StandardCharsets.UTF_8);
      // 1. alerts match only at the same history point: the counts are those of the two topics' point sets
      Path json = dir.resolve("shadow-report.json");
      Run exact = report(file, "--window-days", "0", "--report", json.toString());
      assertThat(exact.rc).as(exact.text).isZero();
      ShadowReport.Report report = exact.report;
      assertThat(report.productionAlertsRead()).isEqualTo(out.alerts.size());
      assertThat(report.shadowAlertsRead()).isEqualTo(out.shadowAlerts.size());
      ShadowComparison.Result c = report.comparison();
      assertThat(c.notScoredByShadow() + c.notScoredByProduction()).isZero();
      Set<String> outcomes = new TreeSet<>();
      out.alerts.forEach(a -> outcomes.add(a.getOutcome()));
      out.shadowAlerts.forEach(a -> outcomes.add(a.getOutcome()));
      assertThat(c.outcomes().keySet()).isEqualTo(outcomes);
      for (String outcome : outcomes) {
        Set<String> prod = points(out.alerts, outcome);
        Set<String> shadow = points(out.shadowAlerts, outcome);
        Set<String> both = new HashSet<>(prod);
        both.retainAll(shadow);
        ShadowComparison.Outcome o = c.outcomes().get(outcome);
        assertThat(o.production()).as(outcome).isEqualTo(prod.size());
        assertThat(o.shadow()).as(outcome).isEqualTo(shadow.size());
        assertThat(o.both()).as(outcome).isEqualTo(both.size());
        assertThat(o.onlyProduction()).as(outcome).isEqualTo(prod.size() - both.size());
        assertThat(o.onlyShadow()).as(outcome).isEqualTo(shadow.size() - both.size());
      }
      assertThat(c.total().production()).isEqualTo(out.alerts.size());
      assertThat(c.total().shadow()).isEqualTo(out.shadowAlerts.size());
      JsonNode doc = new ObjectMapper().readTree(json.toFile());
      assertThat(doc.at("/total/both").asInt()).isEqualTo(c.total().both());
      assertThat(doc.at("/shadowModels/0/sha256").asText()).isEqualTo(shadowSha);
      assertThat(exact.text).contains("shadow report: production emr-risk-small", "agreement");
      // alertIds as examples, never patient ids
      for (String patient : two.keySet()) {
        assertThat(exact.text).doesNotContain(patient);
        assertThat(Files.readString(json)).doesNotContain(patient);
      }

      // 2. the default: alerts of a patient and outcome match within 30 days, one to one
      Run windowed = report(file, "--report", "-");
      assertThat(windowed.rc).as(windowed.text).isZero();
      ShadowComparison.Result w = windowed.report.comparison();
      assertThat(w.window()).isEqualTo(Duration.ofDays(30));
      assertThat(windowed.text).contains("\"windowDays\" : 30");
      assertThat(w.total().production()).isEqualTo(out.alerts.size());
      assertThat(w.total().shadow()).isEqualTo(out.shadowAlerts.size());
      assertThat(w.total().both()).isBetween(c.total().both(), Math.min(out.alerts.size(), out.shadowAlerts.size()));
      assertThat(w.total().onlyProduction()).isEqualTo(out.alerts.size() - w.total().both());
      assertThat(w.total().onlyShadow()).isEqualTo(out.shadowAlerts.size() - w.total().both());
    }
  }

  private record Run(int rc, String text, ShadowReport.Report report) {
  }

  private static Run report(Path config, String... options) {
    ShadowReportCommand command = new ShadowReportCommand();
    StringWriter text = new StringWriter();
    CommandLine cli = new CommandLine(command);
    cli.setOut(new PrintWriter(text, true));
    cli.setErr(new PrintWriter(text, true));
    List<String> args = new ArrayList<>(List.of("--config", config.toString()));
    args.addAll(List.of(options));
    int rc = cli.execute(args.toArray(String[]::new));
    System.out.println(text);
    return new Run(rc, text.toString(), command.lastReport());
  }

  /** Each alert's point: patient, asOf and outcome (an alert redelivered counts once). */
  private static Set<String> points(List<RiskAlert> alerts, String outcome) {
    return alerts.stream().filter(a -> a.getOutcome().equals(outcome))
        .map(a -> a.getPatientId() + "/" + a.getAsOf().toEpochMilli()).collect(Collectors.toSet());
  }

  private static KafkaConsumer<byte[], byte[]> reader(String bootstrap) {
    KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of("bootstrap.servers", bootstrap,
        "group.id", "shadow-it-reader", "auto.offset.reset", "earliest", "isolation.level", "read_committed"),
        new ByteArrayDeserializer(), new ByteArrayDeserializer());
    consumer.subscribe(List.of(TOPICS.riskScores().name(), TOPICS.riskAlerts().name(),
        TOPICS.riskScoresShadow().name(), TOPICS.riskAlertsShadow().name()));
    return consumer;
  }

  /** What the four output topics held. */
  private static final class Outputs {
    final List<RiskScore> scores = new ArrayList<>();
    final List<RiskAlert> alerts = new ArrayList<>();
    final List<RiskScore> shadowScores = new ArrayList<>();
    final List<RiskAlert> shadowAlerts = new ArrayList<>();

    int poll(KafkaConsumer<byte[], byte[]> consumer, Duration timeout) {
      int n = 0;
      for (ConsumerRecord<byte[], byte[]> r : consumer.poll(timeout)) {
        String t = r.topic();
        if (t.equals(TOPICS.riskScores().name())) {
          scores.add(ChaosSoak.decode(RiskScore.class, r.value()));
        } else if (t.equals(TOPICS.riskAlerts().name())) {
          alerts.add(ChaosSoak.decode(RiskAlert.class, r.value()));
        } else if (t.equals(TOPICS.riskScoresShadow().name())) {
          shadowScores.add(ChaosSoak.decode(RiskScore.class, r.value()));
        } else {
          shadowAlerts.add(ChaosSoak.decode(RiskAlert.class, r.value()));
        }
        n++;
      }
      return n;
    }
  }
}
