package io.riskstream.app.http;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
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
  /** The header of a relayed request that carries the Host its caller used. */
  public static final String FORWARDED_HOST = "X-Forwarded-Host";
  /** The headers a relayed request keeps: credentials and content negotiation. */
  private static final List<String> RELAYED_HEADERS = List.of("Authorization", "Cookie", InboxSessions.CSRF_HEADER,
      "Content-Type", "Accept");

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
    HttpRequest.Builder request = request(peer, "/patients/" + URLEncoder.encode(patientId, StandardCharsets.UTF_8)
        + "/risk").GET();
    if (caller.authorization() != null) {
      request.header("Authorization", caller.authorization());
    }
    return send(peer, request, HttpResponse.BodyHandlers.ofString(), "patient query")
        .filter(r -> r.statusCode() == 200 || r.statusCode() == 404 || warn(peer, r.statusCode()))
        .map(r -> new PatientQueries.Relayed(r.statusCode(), r.body()));
  }

  /**
   * Relays {@code exchange} (a clinician request about a patient another instance owns, see {@link OwnerRouting}) to
   * {@code peer}: its method, path and query, {@code body}, and the headers that carry the caller's credentials
   * (Authorization, the inbox's session cookie and header) and the content types; the Host the caller used goes as
   * {@value #FORWARDED_HOST}, so links in the answer point where the caller called. The answer whatever its status;
   * empty when the peer could not be reached or timed out.
   */
  Optional<HttpExchanges.Response> relay(HostInfo peer, HttpExchange exchange, byte[] body) {
    URI called = exchange.getRequestURI();
    HttpRequest.Builder request = request(peer, called.getRawPath()
        + (called.getRawQuery() == null ? "" : "?" + called.getRawQuery()))
        .method(exchange.getRequestMethod(), body.length == 0 ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofByteArray(body));
    for (String name : RELAYED_HEADERS) {
      String value = exchange.getRequestHeaders().getFirst(name);
      if (value != null) {
        request.header(name, value);
      }
    }
    String host = exchange.getRequestHeaders().getFirst("Host");
    if (host != null) {
      request.header(FORWARDED_HOST, host);
    }
    return send(peer, request, HttpResponse.BodyHandlers.ofByteArray(), "clinician request")
        .map(r -> new HttpExchanges.Response(r.statusCode(),
            r.headers().firstValue("Content-Type").orElse("application/octet-stream"), r.body()));
  }

  private HttpRequest.Builder request(HostInfo peer, String pathAndQuery) {
    return HttpRequest.newBuilder(URI.create(scheme + "://" + peer.host() + ":" + peer.port() + pathAndQuery))
        .timeout(timeout).header(FORWARDED_BY, self);
  }

  /** Sends; logs the peer and the failure, never the patient or the request. */
  private <T> Optional<HttpResponse<T>> send(HostInfo peer, HttpRequest.Builder request,
      HttpResponse.BodyHandler<T> body, String what) {
    try {
      return Optional.of(client.send(request.build(), body));
    } catch (IOException e) {
      LOG.warn("forwarded {}: {}:{} not reached ({})", what, peer.host(), peer.port(), e.getClass().getSimpleName());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return Optional.empty();
  }

  private static boolean warn(HostInfo peer, int status) {
    LOG.warn("forwarded patient query: {}:{} answered {}", peer.host(), peer.port(), status);
    return false;
  }
}
