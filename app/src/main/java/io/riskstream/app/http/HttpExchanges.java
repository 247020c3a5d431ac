package io.riskstream.app.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the clinician routes share on the JDK's HTTP server: bounded request bodies, query parameters, JSON and text
 * responses, and one place that turns a failure into a response without logging request contents.
 */
final class HttpExchanges {

  private static final Logger LOG = LoggerFactory.getLogger(HttpExchanges.class);
  static final ObjectMapper JSON = new ObjectMapper();
  /** Largest request body read (a CDS Hooks request with a Patient prefetch is a few kB). */
  static final int MAX_BODY_BYTES = 1 << 20;

  private HttpExchanges() {
  }

  /** A response: status, content type and body. */
  record Response(int status, String contentType, byte[] body) {
    static Response json(int status, Object body) {
      try {
        return new Response(status, "application/json", JSON.writeValueAsBytes(body));
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
    }

    static Response text(int status, String contentType, String body) {
      return new Response(status, contentType, body.getBytes(StandardCharsets.UTF_8));
    }

    static Response error(int status, String message) {
      return json(status, Map.of("error", message));
    }
  }

  /** A refusal of the request: becomes a response with this status and message. */
  static final class BadRequest extends Exception {
    private final int status;

    BadRequest(int status, String message) {
      super(message, null, false, false);
      this.status = status;
    }

    BadRequest(String message) {
      this(400, message);
    }

    int status() {
      return status;
    }
  }

  @FunctionalInterface
  interface Handler {
    Response respond(HttpExchange exchange) throws IOException, BadRequest;
  }

  /** Runs {@code handler} and sends its response; a refusal's message is sent, other failures are logged by type. */
  static void serve(HttpExchange ex, Handler handler) throws IOException {
    try (ex) {
      Response r;
      try {
        r = handler.respond(ex);
      } catch (BadRequest e) {
        r = Response.error(e.status(), e.getMessage());
      } catch (RuntimeException e) {
        // the message may quote request contents: log the type only
        LOG.warn("HTTP {} failed: {}", ex.getHttpContext().getPath(), e.getClass().getSimpleName());
        r = Response.error(500, "internal error");
      }
      send(ex, r);
    }
  }

  static void send(HttpExchange ex, Response r) throws IOException {
    ex.getResponseHeaders().set("Content-Type", r.contentType());
    boolean head = "HEAD".equals(ex.getRequestMethod());
    ex.sendResponseHeaders(r.status(), head ? -1 : r.body().length == 0 ? -1 : r.body().length);
    if (!head && r.body().length > 0) {
      try (OutputStream out = ex.getResponseBody()) {
        out.write(r.body());
      }
    }
  }

  /** Refuses a method other than {@code allowed} with 405. */
  static void requireMethod(HttpExchange ex, String... allowed) throws BadRequest {
    for (String m : allowed) {
      if (m.equals(ex.getRequestMethod())) {
        return;
      }
    }
    throw new BadRequest(405, "method not allowed; use " + String.join(" or ", allowed));
  }

  /** The request body, at most {@link #MAX_BODY_BYTES}. */
  static byte[] body(HttpExchange ex) throws IOException, BadRequest {
    try (InputStream in = ex.getRequestBody()) {
      byte[] bytes = in.readNBytes(MAX_BODY_BYTES + 1);
      if (bytes.length > MAX_BODY_BYTES) {
        throw new BadRequest(413, "request body larger than " + MAX_BODY_BYTES + " bytes");
      }
      return bytes;
    }
  }

  /**
   * The query parameters, decoded, each name with its values in order (written here: the JDK's server has no query
   * parser).
   */
  static Map<String, List<String>> query(HttpExchange ex) {
    Map<String, List<String>> out = new LinkedHashMap<>();
    String raw = ex.getRequestURI().getRawQuery();
    if (raw == null || raw.isEmpty()) {
      return out;
    }
    for (String pair : raw.split("&")) {
      if (pair.isEmpty()) {
        continue;
      }
      int eq = pair.indexOf('=');
      String name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
      String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
      out.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
    }
    return out;
  }

  /**
   * The base URL the client used to reach this server, e.g. {@code http://host:8080} (from the Host header, or for a
   * request another instance relayed, its {@value PeerClient#FORWARDED_HOST}).
   */
  static String baseUrl(HttpExchange ex) {
    // a request relayed by another instance (PeerClient) carries the Host its caller used
    String relayedFor = ex.getRequestHeaders().containsKey(PeerClient.FORWARDED_BY)
        ? ex.getRequestHeaders().getFirst(PeerClient.FORWARDED_HOST) : null;
    String host = relayedFor != null ? relayedFor : ex.getRequestHeaders().getFirst("Host");
    if (host == null || host.isBlank()) {
      host = "localhost:" + ex.getLocalAddress().getPort();
    }
    return (ex instanceof com.sun.net.httpserver.HttpsExchange ? "https://" : "http://") + host;
  }
}
