package io.riskstream.app.runtime;

import io.riskstream.connectors.kafka.KafkaClusterProbe;
import io.riskstream.topology.config.RiskStreamConfig;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.apache.kafka.common.config.ConfigException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What {@code riskstream run} and {@code replay} check before they start anything: that the Kafka cluster answers
 * with this configuration's client settings ({@link KafkaClusterProbe}) and that an http(s) schema registry answers a
 * GET, each within {@code startup.timeout.ms}; otherwise one line naming the setting ({@link ConfigException}).
 */
public final class StartupProbes {

  private static final Logger LOG = LoggerFactory.getLogger(StartupProbes.class);

  private StartupProbes() {
  }

  /** Probes the Kafka cluster, then the schema registry (when it is not the in-memory one). */
  public static void await(RiskStreamConfig config) {
    KafkaClusterProbe.await(config.adminProperties(), config.startupTimeout());
    registry(config);
  }

  /**
   * A bounded GET of {@code registry.url}: any HTTP answer shows that the registry is there (authentication is the
   * registry client's business); no answer within the start-up timeout is a {@link ConfigException}.
   */
  static void registry(RiskStreamConfig config) {
    String url = config.getString(RiskStreamConfig.REGISTRY_URL_CONFIG);
    if (!url.startsWith("http://") && !url.startsWith("https://")) {
      return;
    }
    Duration timeout = config.startupTimeout();
    HttpClient client = HttpClient.newBuilder().connectTimeout(timeout).build();
    try {
      HttpResponse<Void> r = client.send(HttpRequest.newBuilder(URI.create(url)).timeout(timeout).GET().build(),
          HttpResponse.BodyHandlers.discarding());
      LOG.info("schema registry at {} answered (HTTP {})", url, r.statusCode());
    } catch (IOException | IllegalArgumentException e) {
      LOG.debug("schema registry probe failed", e);
      throw new ConfigException("no answer from the schema registry at " + RiskStreamConfig.REGISTRY_URL_CONFIG + "="
          + url + " within " + timeout.toMillis() + " ms (" + e.getClass().getSimpleName() + "); check "
          + RiskStreamConfig.REGISTRY_URL_CONFIG + " and that the registry runs");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ConfigException("interrupted while waiting for the schema registry at " + url);
    }
  }
}
