package io.riskstream.app.cli;

import java.util.List;
import java.util.Map;

/**
 * A command (or group) that needs libraries of the developer classpath, app/target/lib-dev, which the production
 * artifact leaves out: the embedded broker (demo, bench), Synthea (generating a cohort), Debezium and PostgreSQL's
 * driver (cdc, cohort load), plotting (bench). {@link RiskstreamCli} checks, before such a command runs, that the
 * classes it needs as parsed ({@link #requiredClasses}) load, so the GPU host's package (scripts/gpu-package: broker and
 * plotting, no Synthea or Debezium) runs {@code demo --cohort} and {@code bench e2e --cohort}.
 */
interface DeveloperCommand {

  String EMBEDDED_BROKER = "org.apache.kafka.common.test.KafkaClusterTestKit";
  String SYNTHEA = "org.mitre.synthea.engine.Generator";
  String DEBEZIUM = "io.debezium.embedded.async.AsyncEmbeddedEngine";
  String POSTGRESQL_DRIVER = "org.postgresql.Driver";
  String PLOTTING = "org.jfree.chart.JFreeChart";

  /** One class of each library lib-dev brings: all load when lib-dev is on the class path. */
  List<String> SENTINELS = List.of(EMBEDDED_BROKER, SYNTHEA, DEBEZIUM, POSTGRESQL_DRIVER, PLOTTING);

  /** What each sentinel stands for, as the refusal names it. */
  Map<String, String> LIBRARIES = Map.of(EMBEDDED_BROKER, "the embedded Kafka broker", SYNTHEA,
      "Synthea (to generate a cohort; give an existing export with --cohort instead)", DEBEZIUM, "Debezium",
      POSTGRESQL_DRIVER, "the PostgreSQL driver", PLOTTING, "the plotting library");

  /** The classes this command needs with the options it was given; by default one of every lib-dev library. */
  default List<String> requiredClasses() {
    return SENTINELS;
  }
}
