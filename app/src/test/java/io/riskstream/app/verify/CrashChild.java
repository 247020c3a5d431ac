package io.riskstream.app.verify;

import io.riskstream.app.runtime.RiskStreamApp;
import io.riskstream.app.runtime.ScoringRuntime;
import io.riskstream.topology.config.RiskStreamConfig;
import io.riskstream.topology.serde.AvroSerdes;
import io.riskstream.topology.serde.InMemorySchemaRegistry;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.streams.KafkaStreams;

/**
 * The app of {@link CrashRecoveryIT}, run in a child JVM: the cohort ITs' config with the real scorer against the
 * given broker, until the process is killed or terminated. Arguments: bootstrap servers, state dir, application id.
 */
public final class CrashChild {

  private CrashChild() {
  }

  public static void main(String[] args) throws Exception {
    RiskStreamConfig config = new RiskStreamConfig(CohortRuns.props(CohortRuns.feed(), args[0], args[2], Path.of(args[1])));
    ScoringRuntime runtime = ScoringRuntime.start(config);
    RiskStreamApp app = RiskStreamApp.start(config, AvroSerdes.withClient(InMemorySchemaRegistry.withRiskStreamSchemas()),
        runtime.encoder(), runtime.backend(), CohortRuns.CHILD_CONSUMER_OVERRIDES);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      app.close();
      runtime.close();
      stopped.countDown();
    }, "crash-child-shutdown"));
    System.out.println("crash child started");
    while (!stopped.await(200, TimeUnit.MILLISECONDS)) {
      if (app.state() == KafkaStreams.State.ERROR || app.state() == KafkaStreams.State.NOT_RUNNING) {
        System.out.println("crash child: streams stopped in state " + app.state());
        System.exit(2); // the test sees a dead child at once
      }
    }
  }
}
