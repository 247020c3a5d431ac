package io.riskstream.connectors.kafka;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.SslAuthenticationException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Asks the Kafka cluster to describe itself, within a bounded time, before a command starts its clients: an
 * unreachable cluster, rejected credentials or a failed TLS handshake end the start with one line naming the setting
 * to check (a {@link ConfigException}), instead of a minute of connection warnings and a stack trace. The probe's
 * own client backs off between connection attempts (1 s, growing to 10 s), so an unreachable broker yields a handful
 * of Kafka's connection warnings, not one per 50 ms. Details (the cause's stack trace) are logged at debug level only.
 */
public final class KafkaClusterProbe {

  private static final Logger LOG = LoggerFactory.getLogger(KafkaClusterProbe.class);

  private KafkaClusterProbe() {
  }

  /**
   * Describes the cluster with the client properties {@code client} (as {@link KafkaClientConfig} builds them),
   * waiting at most {@code timeout}; returns the number of brokers, or throws a one-line {@link ConfigException}.
   */
  public static int await(Map<String, Object> client, Duration timeout) {
    String servers = String.valueOf(client.get(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG));
    int ms = (int) Math.min(Integer.MAX_VALUE, timeout.toMillis());
    Map<String, Object> p = new HashMap<>(client);
    p.put(AdminClientConfig.CLIENT_ID_CONFIG, "riskstream-startup-probe");
    p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, ms);
    p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, ms);
    p.put(AdminClientConfig.RECONNECT_BACKOFF_MS_CONFIG, 1_000);
    p.put(AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 10_000);
    p.put(AdminClientConfig.RETRY_BACKOFF_MS_CONFIG, 1_000);
    p.put(AdminClientConfig.RETRY_BACKOFF_MAX_MS_CONFIG, 10_000);
    String where = CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG + "=" + servers;
    try (Admin admin = Admin.create(p)) {
      int brokers = admin.describeCluster(new DescribeClusterOptions().timeoutMs(ms)).nodes()
          .get(ms + 5_000L, TimeUnit.MILLISECONDS).size();
      LOG.info("Kafka cluster at {} answered: {} brokers", servers, brokers);
      return brokers;
    } catch (ExecutionException e) {
      throw failure(e.getCause(), where, ms);
    } catch (java.util.concurrent.TimeoutException e) {
      throw failure(e, where, ms);
    } catch (KafkaException e) {
      // e.g. no resolvable bootstrap address: Admin.create fails at once
      throw failure(e.getCause() != null ? e.getCause() : e, where, ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ConfigException("interrupted while waiting for the Kafka cluster at " + where);
    }
  }

  /** The one-line error for {@code cause}. */
  static ConfigException failure(Throwable cause, String where, int ms) {
    LOG.debug("Kafka start-up probe failed", cause);
    String detail = cause.getClass().getSimpleName() + (cause.getMessage() == null ? "" : ": " + firstLine(cause));
    if (cause instanceof SaslAuthenticationException) {
      return new ConfigException("the Kafka cluster at " + where + " rejected the SASL credentials (" + detail
          + "); check sasl.jaas.config and sasl.mechanism");
    }
    if (cause instanceof SslAuthenticationException) {
      return new ConfigException("the TLS handshake with the Kafka cluster at " + where + " failed (" + detail
          + "); check ssl.truststore.location, and ssl.keystore.location where the brokers require client"
          + " certificates");
    }
    if (cause instanceof AuthenticationException) {
      return new ConfigException("the Kafka cluster at " + where + " refused to authenticate this client (" + detail
          + "); check security.protocol and the sasl.*/ssl.* settings");
    }
    if (cause instanceof AuthorizationException) {
      return new ConfigException("the Kafka cluster at " + where + " refused this client (" + detail
          + "); grant its principal the ACLs listed in the README, \"Secured Kafka\"");
    }
    if (cause instanceof org.apache.kafka.common.errors.TimeoutException
        || cause instanceof java.util.concurrent.TimeoutException) {
      return new ConfigException("no answer from the Kafka cluster at " + where + " within " + ms + " ms; check"
          + " bootstrap.servers, security.protocol and that the brokers run (startup.timeout.ms sets the wait)");
    }
    return new ConfigException("cannot reach the Kafka cluster at " + where + " (" + detail + "); check"
        + " bootstrap.servers and security.protocol");
  }

  private static String firstLine(Throwable t) {
    String m = t.getMessage();
    int nl = m.indexOf('\n');
    return nl < 0 ? m : m.substring(0, nl);
  }
}
