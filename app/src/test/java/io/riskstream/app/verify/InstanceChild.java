package io.riskstream.app.verify;

import io.riskstream.app.cli.RunCommand;
import io.riskstream.topology.config.RiskStreamConfig;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.streams.KafkaStreams;

/**
 * One instance of {@link MultiInstanceIT}, in a child JVM: {@code riskstream run}'s wiring ({@link RunCommand.Running}:
 * scoring runtime, streams, metrics, HTTP endpoints with routing) from a properties file, with the consumer settings
 * of the crash tests ({@link CohortRuns#CHILD_CONSUMER_OVERRIDES}), until the process is killed or terminated.
 * Argument: the properties file.
 */
public final class InstanceChild {

  private InstanceChild() {
  }

  public static void main(String[] args) throws Exception {
    RiskStreamConfig config = RiskStreamConfig.load(Path.of(args[0]), Map.of());
    RunCommand.Running running = RunCommand.Running.start(config, CohortRuns.CHILD_CONSUMER_OVERRIDES);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      running.close();
      stopped.countDown();
    }, "instance-child-shutdown"));
    System.out.println("instance child started");
    while (!stopped.await(200, TimeUnit.MILLISECONDS)) {
      KafkaStreams.State state = running.app().state();
      if (state == KafkaStreams.State.ERROR || state == KafkaStreams.State.NOT_RUNNING) {
        System.out.println("instance child: streams stopped in state " + state);
        System.exit(2); // the test sees a dead child at once
      }
    }
  }
}
