package io.riskstream.app.verify;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.riskstream.app.bench.ChangeEventFeed;
import io.riskstream.app.cli.ReplayCommand;
import io.riskstream.app.demo.EmbeddedKafka;
import io.riskstream.app.replay.AuditReplay;
import io.riskstream.app.runtime.RiskStreamApp;
import io.riskstream.app.runtime.ScoringRuntime;
import io.riskstream.connectors.synthea.SyntheaCsvReader;
import io.riskstream.schemas.EmrEvent;
import io.riskstream.schemas.OutcomeProbability;
import io.riskstream.schemas.RiskAlert;
import io.riskstream.schemas.RiskScore;
import io.riskstream.topology.config.RiskStreamConfig;
import io.riskstream.topology.serde.AvroSerdes;
import io.riskstream.topology.serde.InMemorySchemaRegistry;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The audit replay end to end, as an auditor runs it: the app (real scorer, exactly-once) scores a patient of the
 * committed cohort on an embedded broker and stops; {@code riskstream replay --config <production's file>} then re-scores
 * emr-events under its own application id and reports every score and alert reproduced (exit 0). After one
 * production score is altered and an alert is added that the input does not produce, a second replay reports exactly
 * those two (exit 1). A replay that cannot run (no such emr-events topic) exits 3.
 */
class AuditReplayIT {

  @TempDir
  Path dir;

  @Test
  void shouldReproduceEveryScoreAndAlertAndReportWhatProductionHasBeyondThem() throws Exception {
    // the committed cohort's smallest patient: the whole path, at a third of the cost
    Map<String, List<EmrEvent>> cohort = new SyntheaCsvReader(CohortRuns.COHORT).readByPatient();
    Map.Entry<String, List<EmrEvent>> smallest = cohort.entrySet().stream()
        .min(java.util.Comparator.comparingInt(e -> e.getValue().size())).orElseThrow();
    ChangeEventFeed feed = ChangeEventFeed.of(Map.of(smallest.getKey(), smallest.getValue()), "ehr",
        System.currentTimeMillis() - smallest.getValue().size());
    try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
      kafka.createTopics(1, CohortRuns.SOURCE_TOPIC, CohortRuns.TRANSACTION_TOPIC);
      CohortRuns.produce(kafka.bootstrapServers(), feed);
      Map<String, Object> props = CohortRuns.props(feed, kafka.bootstrapServers(), "audit-prod", dir.resolve("prod"));
      props.put(RiskStreamConfig.REGISTRY_URL_CONFIG, "mem://");
      // low enough that the test model raises alerts for one patient too
      props.put(RiskStreamConfig.ALERT_WARNING_THRESHOLD_CONFIG, "0.1");
      props.put(RiskStreamConfig.ALERT_CRITICAL_THRESHOLD_CONFIG, "0.2");
      RiskStreamConfig production = new RiskStreamConfig(props);
      AvroSerdes serdes = AvroSerdes.withClient(InMemorySchemaRegistry.withRiskStreamSchemas());

      long started = System.nanoTime();
      List<RiskScore> scores = new ArrayList<>();
      List<RiskAlert> alerts = new ArrayList<>();
      try (ScoringRuntime runtime = ScoringRuntime.start(production);
          RiskStreamApp app = RiskStreamApp.start(production, serdes, runtime.encoder(), runtime.backend(), Map.of());
          KafkaConsumer<byte[], byte[]> reader = CohortRuns.committedReader(kafka.bootstrapServers(), "audit-reader")) {
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (scores.size() < feed.transactions() && System.nanoTime() < deadline) {
          CohortRuns.pollInto(reader, Duration.ofMillis(250), scores, alerts);
        }
        // the alerts of the last scores, if any are still on their way
        while (CohortRuns.pollInto(reader, Duration.ofSeconds(3), scores, alerts) > 0) {
          // keep reading until a quiet poll
        }
      }
      System.out.printf("audit: production %d scores, %d alerts, %.1f s%n", scores.size(), alerts.size(),
          (System.nanoTime() - started) / 1e9);
      assertThat(scores).hasSize(feed.transactions());
      assertThat(alerts).isNotEmpty();

      Path config = dir.resolve("riskstream.properties");
      Files.writeString(config, props.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
          .collect(Collectors.joining("\n")), StandardCharsets.UTF_8);

      // 1. nothing altered: every score and alert is reproduced, nothing else
      Run first = replay(config, "it1");
      assertThat(first.rc).as(first.out).isZero();
      assertThat(first.report.comparison().identical()).isTrue();
      assertThat(first.report.comparison().scores().matched()).isEqualTo(feed.transactions());
      assertThat(first.report.comparison().alerts().matched()).isEqualTo(alerts.size());
      assertThat(first.report.emrEvents()).isGreaterThanOrEqualTo(feed.records().size());
      assertThat(first.out).contains("IDENTICAL");
      JsonNode json = new ObjectMapper().readTree(dir.resolve("report-it1.json").toFile());
      assertThat(json.get("identical").asBoolean()).isTrue();
      assertThat(json.get("scores").get("matched").asInt()).isEqualTo(feed.transactions());
      assertThat(json.get("scoresTopic").asText()).isEqualTo("risk-scores.replay-it1");
      // the replay's internal topics and consumer group are gone; its output topics stay for inspection
      assertThat(first.report.internalTopicsDeleted()).isPositive();
      try (var admin = kafka.admin()) {
        assertThat(admin.listTopics().names().get()).noneMatch(t -> t.startsWith("audit-prod-replay-it1-"))
            .contains("risk-scores.replay-it1", "risk-alerts.replay-it1");
        assertThat(admin.listConsumerGroups().all().get()).noneMatch(g -> g.groupId().equals("audit-prod-replay-it1"));
      }

      // 2. production altered: one score's probability changed, one alert that no input produces
      RiskScore altered = RiskScore.newBuilder(scores.get(scores.size() / 2)).build();
      OutcomeProbability o = altered.getOutcomes().get(0);
      altered.getOutcomes().set(0, OutcomeProbability.newBuilder(o).setProbability(o.getProbability() + 0.01).build());
      RiskAlert invented = RiskAlert.newBuilder(alerts.get(0)).setAlertId("invented-alert").build();
      try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of("bootstrap.servers",
          kafka.bootstrapServers()), new ByteArraySerializer(), new ByteArraySerializer())) {
        producer.send(new ProducerRecord<>(CohortRuns.SCORES, null,
            serdes.value(RiskScore.class).serializer().serialize(CohortRuns.SCORES, altered))).get();
        producer.send(new ProducerRecord<>(CohortRuns.ALERTS, null,
            serdes.value(RiskAlert.class).serializer().serialize(CohortRuns.ALERTS, invented))).get();
      }
      Run second = replay(config, "it2");
      assertThat(second.rc).as(second.out).isEqualTo(1);
      // this one with --report - : the JSON report follows the summary on standard output (a Kubernetes Job's log)
      assertThat(second.out).contains("DIFFERENT", "\"identical\" : false", "\"replayId\" : \"it2\"");
      var c = second.report.comparison();
      assertThat(c.scores().differing()).isEqualTo(1);
      assertThat(c.scores().examples().get("differing")).containsExactly(altered.getScoreId());
      assertThat(c.scores().matched()).isEqualTo(feed.transactions() - 1);
      assertThat(c.scores().maxProbabilityDifference()).isCloseTo(0.01, org.assertj.core.data.Offset.offset(1e-6));
      assertThat(c.alerts().onlyInProduction()).isEqualTo(1);
      assertThat(c.alerts().examples().get("onlyInProduction")).containsExactly("invented-alert");
      assertThat(c.alerts().matched()).isEqualTo(alerts.size());
      assertThat(c.scores().onlyInReplay() + c.scores().onlyInProduction() + c.alerts().onlyInReplay()).isZero();

      // 3. a replay that cannot run (no such emr-events topic) says so and exits 3: nothing was compared
      Path wrong = dir.resolve("wrong.properties");
      Files.writeString(wrong, Files.readString(config) + "\n" + RiskStreamConfig.TOPIC_EMR_EVENTS_CONFIG
          + "=no-such-topic\n", StandardCharsets.UTF_8);
      Run third = replay(wrong, "it3");
      assertThat(third.rc).as(third.out).isEqualTo(3);
      assertThat(third.out).contains("the replay did not finish", "UnknownTopicOrPartition");
      assertThat(third.report).isNull();
    }
  }

  private record Run(int rc, String out, AuditReplay.Report report) {
  }

  private Run replay(Path config, String id) {
    long started = System.nanoTime();
    ReplayCommand command = new ReplayCommand();
    StringWriter out = new StringWriter();
    CommandLine cli = new CommandLine(command);
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(out, true));
    int rc = cli.execute("--config", config.toString(), "--id", id, "--report",
        id.equals("it2") ? "-" : dir.resolve("report-" + id + ".json").toString(), "--timeout-minutes", "3");
    System.out.printf("audit: replay %s exit %d, %.1f s (report: %s)%n", id, rc, (System.nanoTime() - started) / 1e9,
        command.lastReport() == null ? "none" : command.lastReport().seconds() + " s replaying");
    return new Run(rc, out.toString(), command.lastReport());
  }
}
