package io.riskstream.app.http;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import org.apache.kafka.streams.state.HostInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Forwards a patient query to another instance over the same scheme as this one's endpoints, with the caller's
 * Authorization header (or, over mTLS, this instance's certificate) and {@value #FORWARDED_BY} naming this instance,
 * so the other instance answers from its own copies and never forwards again. Connecting and answering are bounded by
 * {@code http.forward.timeout.ms}.
 */
public final class PeerClient {

  /** The header that marks a forwarded query; its value is the forwarding instance's host:port. */
  public static final String FORWARDED_BY = "X-RiskStream-Forwarded-By";

  private static final Logger LOG = LoggerFactory.getLogger(PeerClient.class);

  private final HttpClient client;
  private final String scheme;
  private final String self;
  private final Duration timeout;

  public PeerClient(HttpSecurity security, HostInfo self, Duration timeout) {
    HttpClient.Builder builder = HttpClient.newBuilder().connectTimeout(timeout).version(HttpClient.Version.HTTP_1_1)
        .followRedirects(HttpClient.Redirect.NEVER);
    if (security.clientTls() != null) {
      builder.sslContext(security.clientTls());
    }
    this.client = builder.build();
    this.scheme = security.scheme();
    this.self = self.host() + ":" + self.port();
    this.timeout = timeout;
  }

  /**
   * The answer of {@code peer} to the query, when it answered 200 or 404 in time; empty when it could not be reached,
   * timed out or answered anything else (then another copy is tried). Logs the peer and the failure, never the patient.
   */
  public Optional<PatientQueries.Relayed> query(HostInfo peer, String patientId, PatientQueries.Caller caller) {
    URI uri = URI.create(scheme + "://" + peer.host() + ":" + peer.port() + "/patients/"
        + URLEncoder.encode(patientId, StandardCharsets.UTF_8) + "/risk");
    HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(timeout).GET().header(FORWARDED_BY, self);
    if (caller.authorization() != null) {
      request.header("Authorization", caller.authorization());
    }
    try {
      HttpResponse<String> response = client.send(request.build(), HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() == 200 || response.statusCode() == 404) {
        return Optional.of(new PatientQueries.Relayed(response.statusCode(), response.body()));
      }
      LOG.warn("forwarded patient query: {}:{} answered {}", peer.host(), peer.port(), response.statusCode());
    } catch (IOException e) {
      LOG.warn("forwarded patient query: {}:{} not reached ({})", peer.host(), peer.port(), e.getClass().getSimpleName());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return Optional.empty();
  }
}
