package io.riskstream.app.http;

import com.sun.net.httpserver.HttpHandler;
import java.util.Objects;

/**
 * A route added to {@link HttpEndpoints} beside its own: a path (a prefix, as the JDK server matches contexts), whether
 * it serves patient data, and its handler (which answers every method it is called with itself).
 *
 * @param path the context path, e.g. {@code /cds-services}
 * @param access {@link Access#PATIENT_DATA} for routes that read or write patient data (wrapped by authentication
 *     where configured), {@link Access#OPEN} for routes that serve none
 * @param handler the handler
 */
public record HttpRoute(String path, Access access, HttpHandler handler) {

  /** Whether a route serves patient data. */
  public enum Access {
    /** Patient data: the credentials {@code http.auth} accepts. */
    PATIENT_DATA,
    /**
     * Patient data of the alert inbox page: as {@link #PATIENT_DATA}, or the inbox's session cookie; a request other
     * than GET or HEAD with only the cookie also needs the {@value InboxSessions#CSRF_HEADER} header.
     */
    INBOX,
    /** No patient data: served to anyone. */
    OPEN
  }

  public HttpRoute {
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(access, "access");
    Objects.requireNonNull(handler, "handler");
    if (!path.startsWith("/")) {
      throw new IllegalArgumentException("a route's path starts with /: " + path);
    }
  }
}
