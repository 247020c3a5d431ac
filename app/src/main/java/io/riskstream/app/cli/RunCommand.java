package io.riskstream.app.cli;

import io.riskstream.app.http.ClinicianRoutes;
import io.riskstream.app.http.HttpEndpoints;
import io.riskstream.app.http.HttpSecurity;
import io.riskstream.app.http.OwnerRouting;
import io.riskstream.app.http.PatientRouting;
import io.riskstream.app.http.PeerClient;
import io.riskstream.app.http.RiskStreamMetrics;
import io.riskstream.app.runtime.RiskStreamApp;
import io.riskstream.app.runtime.ScoringRuntime;
import io.riskstream.app.runtime.StartupProbes;
import io.riskstream.scoring.model.ModelBundle;
import io.riskstream.topology.config.RiskStreamConfig;
import io.riskstream.topology.serde.AvroSerdes;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.state.HostInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code riskstream run --config FILE}: production mode. Config from the file plus {@code RISKSTREAM_*} environment
 * overrides; serdes for the configured registry; the scoring runtime; the topology; the HTTP endpoints. Runs until
 * SIGTERM/SIGINT (a shutdown hook closes the HTTP server, then the streams, then the scoring runtime) or until the
 * streams client fails (exit status 1).
 */
@Command(name = "run", mixinStandardHelpOptions = true,
    description = {"Runs the topology against an external Kafka cluster and schema registry (production mode).",
        "Config: a properties file (keys: riskstream config-docs), overridden by RISKSTREAM_<KEY> environment variables."})
public final class RunCommand implements Callable<Integer> {

  private static final Logger LOG = LoggerFactory.getLogger(RunCommand.class);

  @Option(names = "--config", required = true, description = "Properties file with the RiskStream configuration.")
  private Path config;

  @Override
  public Integer call() throws Exception {
    // a config file it cannot read, bad configuration or a bad model: exit status 2 (RiskstreamCli.withBadInputHandling)
    RiskStreamConfig cfg = RiskstreamCli.loadConfig(config);
    Running running;
    try {
      running = Running.start(cfg, Map.of());
    } catch (IllegalArgumentException e) {
      throw new BadInputException(e.getMessage());
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Thread hook = new Thread(() -> {
      running.close();
      stopped.countDown();
    }, "riskstream-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    // RiskStreamApp owns the state listener (set before start), so the failure of the client is polled here.
    while (!stopped.await(1, TimeUnit.SECONDS)) {
      KafkaStreams.State state = running.app().state();
      if (state == KafkaStreams.State.ERROR || state == KafkaStreams.State.NOT_RUNNING) {
        LOG.error("streams stopped in state {}; exiting", state);
        try {
          Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException alreadyShuttingDown) {
          return 1;
        }
        running.close();
        return 1;
      }
    }
    return 0;
  }

  /**
   * One running instance: scoring runtime, streams app, metrics and HTTP endpoints. {@link #close()} stops them in
   * the order HTTP, streams, metrics, scoring runtime, once.
   */
  public static final class Running implements AutoCloseable {
    private final ScoringRuntime runtime;
    private final RiskStreamApp app;
    private final RiskStreamMetrics metrics;
    private final HttpEndpoints http;
    private final ClinicianRoutes clinician;
    private final AtomicBoolean scorerReady;
    private final AtomicBoolean closed = new AtomicBoolean();

    private Running(ScoringRuntime runtime, RiskStreamApp app, RiskStreamMetrics metrics, HttpEndpoints http,
        ClinicianRoutes clinician, AtomicBoolean scorerReady) {
      this.clinician = clinician;
      this.runtime = runtime;
      this.app = app;
      this.metrics = metrics;
      this.http = http;
      this.scorerReady = scorerReady;
    }

    /** Starts everything for {@code cfg}; {@code overrides} are extra Kafka Streams properties. */
    public static Running start(RiskStreamConfig cfg, Map<String, Object> overrides) throws Exception {
      // a model that cannot load is bad configuration: say so before connecting to anything
      ModelBundle.load(cfg.getString(RiskStreamConfig.MODEL_NAME_CONFIG));
      if (cfg.shadowEnabled()) {
        ModelBundle.load(cfg.getString(RiskStreamConfig.SHADOW_MODEL_CONFIG));
      }
      // an unreachable cluster or registry, rejected credentials: one line and exit status 2, before the scorer starts
      StartupProbes.await(cfg);
      AvroSerdes serdes = AvroSerdes.fromConfig(cfg);
      // unreadable keystores or tokens files stop the start before anything runs
      HttpSecurity security = HttpSecurity.fromConfig(cfg);
      String server = cfg.getString(RiskStreamConfig.APPLICATION_SERVER_CONFIG);
      HostInfo self = server.isEmpty() ? null : HostInfo.buildFromEndpoint(server);
      ScoringRuntime runtime = ScoringRuntime.start(cfg);
      AtomicBoolean scorerReady = new AtomicBoolean(true);
      RiskStreamApp app = null;
      RiskStreamMetrics metrics = null;
      ClinicianRoutes clinician = null;
      try {
        app = RiskStreamApp.start(cfg, serdes, runtime, overrides);
        metrics = RiskStreamMetrics.bind(app.streams(), runtime, app.deadLetters(), app.withheldAlerts(),
            app.calibration());
        RiskStreamApp started = app;
        RiskStreamMetrics bound = metrics;
        PeerClient peers = self == null ? null : new PeerClient(security, self,
            Duration.ofMillis(cfg.getLong(RiskStreamConfig.HTTP_FORWARD_TIMEOUT_MS_CONFIG)));
        clinician = ClinicianRoutes.create(cfg, serdes, started.streams(), runtime.backend(), runtime.model(),
            bound.registry(), security, new OwnerRouting(PatientRouting.copiesOf(started.streams()), self, peers));
        // the clinician routes that serve patient data are behind the same authentication as /patients/{id}/risk
        HttpEndpoints http = HttpEndpoints.start(cfg.getString(RiskStreamConfig.HTTP_BIND_ADDRESS_CONFIG),
            cfg.getInt(RiskStreamConfig.HTTP_PORT_CONFIG), security, started::state, scorerReady::get, bound::scrape,
            new PatientRouting(started.streams(), self, peers), clinician.routes());
        return new Running(runtime, app, metrics, http, clinician, scorerReady);
      } catch (Exception | Error e) {
        if (clinician != null) {
          clinician.close();
        }
        if (metrics != null) {
          metrics.close();
        }
        if (app != null) {
          app.close();
        }
        runtime.close();
        throw e;
      }
    }

    public RiskStreamApp app() {
      return app;
    }

    public int httpPort() {
      return http.port();
    }

    @Override
    public void close() {
      if (!closed.compareAndSet(false, true)) {
        return;
      }
      LOG.info("shutting down: HTTP, streams, scoring runtime");
      http.close();
      try {
        clinician.close();
      } catch (Exception e) {
        LOG.warn("closing the clinician routes failed: {}", e.getClass().getSimpleName());
      }
      scorerReady.set(false);
      app.close();
      metrics.close();
      runtime.close();
      LOG.info("stopped");
    }
  }
}
