package io.riskstream.app.cli;

/**
 * A command (or group) that needs the developer classpath, app/target/lib-dev, which the production artifact leaves
 * out: the embedded broker (demo, bench), Synthea (cohort), Debezium and PostgreSQL's driver (cdc, cohort load),
 * plotting (bench). {@link RiskstreamCli} checks for it before such a command runs.
 */
interface DeveloperCommand {

  /** One class of each library lib-dev brings: all load when lib-dev is on the class path. */
  java.util.List<String> SENTINELS = java.util.List.of("org.apache.kafka.common.test.KafkaClusterTestKit",
      "org.mitre.synthea.engine.Generator", "io.debezium.embedded.async.AsyncEmbeddedEngine",
      "org.postgresql.Driver", "org.jfree.chart.JFreeChart");
}
