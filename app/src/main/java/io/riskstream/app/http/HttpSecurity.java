package io.riskstream.app.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsExchange;
import io.riskstream.topology.config.HttpAuth;
import io.riskstream.topology.config.RiskStreamConfig;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.time.Clock;
import java.time.Duration;
import java.util.Locale;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.TrustManagerFactory;
import org.apache.kafka.common.config.types.Password;

/**
 * How the HTTP endpoints are protected: TLS (a PKCS12 keystore; HTTPS only), and how callers of the endpoints that
 * return patient data authenticate ({@link HttpAuth}: bearer tokens from a file, client certificates checked against a
 * PKCS12 truststore, either, or none). The same keystore and truststore make the client that forwards patient queries
 * to other instances: it trusts their server certificates and presents this instance's certificate.
 */
public final class HttpSecurity {

  /** The result of checking a request's credentials. */
  public enum Verdict {
    /** A known bearer token. */
    TOKEN,
    /** A client certificate the truststore trusts (checked by the TLS handshake). */
    CLIENT_CERTIFICATE,
    /** No authentication is configured ({@code http.auth=none}). */
    OPEN,
    /** A valid alert inbox session cookie ({@link InboxSessions}); accepted only on the inbox's own routes. */
    SESSION,
    /** No credential was presented. */
    MISSING,
    /** A bearer token was presented that is not accepted. */
    INVALID,
    /** An inbox session cookie (and no other credential) was presented that is expired, forged or of other tokens. */
    INVALID_SESSION;

    public boolean allowed() {
      return this == TOKEN || this == CLIENT_CERTIFICATE || this == OPEN || this == SESSION;
    }
  }

  private static final String BEARER = "bearer ";

  private final HttpAuth auth;
  private final BearerTokens tokens;
  private final SSLContext serverTls;
  private final SSLContext clientTls;
  private final InboxSessions sessions;

  HttpSecurity(HttpAuth auth, BearerTokens tokens, SSLContext serverTls, SSLContext clientTls, Duration sessionTtl) {
    this.auth = auth;
    this.tokens = tokens;
    this.serverTls = serverTls;
    this.clientTls = clientTls;
    this.sessions = tokens == null ? null : new InboxSessions(tokens::sessionKey, sessionTtl, Clock.systemUTC());
  }

  /** Plain HTTP without authentication (tests and tools on a loopback port only). */
  public static HttpSecurity open() {
    return new HttpSecurity(HttpAuth.NONE, null, null, null, null);
  }

  /**
   * The security that {@code config}'s {@code http.*} keys describe. Throws {@link IllegalArgumentException}, with
   * what to fix, for a keystore, truststore or tokens file that cannot be read and for {@code http.auth} values that
   * need what is not configured (client certificates without TLS or without a truststore).
   */
  public static HttpSecurity fromConfig(RiskStreamConfig config) {
    HttpAuth auth = config.httpAuth();
    String tokensFile = config.getString(RiskStreamConfig.HTTP_AUTH_TOKENS_FILE_CONFIG);
    BearerTokens tokens = auth.acceptsToken() && !tokensFile.isEmpty() ? BearerTokens.fromFile(Path.of(tokensFile)) : null;
    Duration sessionTtl = Duration.ofMillis(config.getLong(RiskStreamConfig.HTTP_SESSION_TTL_MS_CONFIG));
    String keystore = config.getString(RiskStreamConfig.HTTP_TLS_KEYSTORE_PATH_CONFIG);
    String truststore = config.getString(RiskStreamConfig.HTTP_TLS_TRUSTSTORE_PATH_CONFIG);
    if (auth.acceptsClientCertificate() && (keystore.isEmpty() || truststore.isEmpty())) {
      throw new IllegalArgumentException(RiskStreamConfig.HTTP_AUTH_CONFIG + "=" + auth.name().toLowerCase(Locale.ROOT)
          + " checks client certificates: set " + RiskStreamConfig.HTTP_TLS_KEYSTORE_PATH_CONFIG + " (TLS) and "
          + RiskStreamConfig.HTTP_TLS_TRUSTSTORE_PATH_CONFIG + " (the CAs of the accepted client certificates)");
    }
    if (keystore.isEmpty()) {
      return new HttpSecurity(auth, tokens, null, null, sessionTtl);
    }
    KeyManagerFactory keys = keyManagers(Path.of(keystore),
        config.getPassword(RiskStreamConfig.HTTP_TLS_KEYSTORE_PASSWORD_CONFIG));
    TrustManagerFactory trust = truststore.isEmpty() ? null : trustManagers(Path.of(truststore),
        config.getPassword(RiskStreamConfig.HTTP_TLS_TRUSTSTORE_PASSWORD_CONFIG));
    try {
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(keys.getKeyManagers(), trust == null ? null : trust.getTrustManagers(), null);
      // one context serves both sides: the server's key and trusted client CAs, the client's key and trusted peers
      return new HttpSecurity(auth, tokens, context, context, sessionTtl);
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("cannot set up TLS: " + e.getClass().getSimpleName());
    }
  }

  private static KeyManagerFactory keyManagers(Path file, Password password) {
    try {
      KeyStore store = load(file, password, RiskStreamConfig.HTTP_TLS_KEYSTORE_PATH_CONFIG);
      KeyManagerFactory f = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      f.init(store, chars(password));
      return f;
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("cannot use the key in " + RiskStreamConfig.HTTP_TLS_KEYSTORE_PATH_CONFIG + " "
          + file + " (" + e.getClass().getSimpleName() + "): check " + RiskStreamConfig.HTTP_TLS_KEYSTORE_PASSWORD_CONFIG);
    }
  }

  private static TrustManagerFactory trustManagers(Path file, Password password) {
    try {
      TrustManagerFactory f = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      f.init(load(file, password, RiskStreamConfig.HTTP_TLS_TRUSTSTORE_PATH_CONFIG));
      return f;
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("cannot use the truststore " + file + ": " + e.getClass().getSimpleName());
    }
  }

  private static KeyStore load(Path file, Password password, String key) {
    try (InputStream in = Files.newInputStream(file)) {
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(in, chars(password));
      return store;
    } catch (IOException | GeneralSecurityException e) {
      // a wrong password surfaces as an IOException of the PKCS12 MAC check; its message holds no secret
      throw new IllegalArgumentException("cannot read the PKCS12 store " + file + " (" + key + "): "
          + e.getClass().getSimpleName() + "; check the file and its password");
    }
  }

  private static char[] chars(Password password) {
    return password == null ? new char[0] : password.value().toCharArray();
  }

  /** The TLS context of the server, or null for plain HTTP. */
  SSLContext serverTls() {
    return serverTls;
  }

  /** The TLS context of the client that forwards queries to other instances, or null for plain HTTP. */
  SSLContext clientTls() {
    return clientTls;
  }

  /** Whether the server asks for client certificates. */
  boolean wantsClientCertificates() {
    return serverTls != null && auth.acceptsClientCertificate();
  }

  /** Whether a bearer token is accepted, so a refusal carries a Bearer challenge. */
  boolean acceptsTokens() {
    return auth.acceptsToken();
  }

  /** {@code https} or {@code http}. */
  public String scheme() {
    return serverTls == null ? "http" : "https";
  }

  /** Checks the credentials of {@code exchange} against what {@code http.auth} accepts. */
  Verdict check(HttpExchange exchange) {
    if (auth == HttpAuth.NONE) {
      return Verdict.OPEN;
    }
    if (auth.acceptsClientCertificate() && exchange instanceof HttpsExchange https) {
      try {
        // the handshake already checked the chain against the truststore; a certificate here is a trusted one
        if (https.getSSLSession().getPeerCertificates().length > 0) {
          return Verdict.CLIENT_CERTIFICATE;
        }
      } catch (SSLPeerUnverifiedException noCertificate) {
        // fall through to the token
      }
    }
    String header = exchange.getRequestHeaders().getFirst("Authorization");
    if (header == null || !auth.acceptsToken()) {
      return Verdict.MISSING;
    }
    if (header.length() <= BEARER.length() || !header.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
      return Verdict.INVALID;
    }
    return tokens != null && tokens.accepts(header.substring(BEARER.length()).strip()) ? Verdict.TOKEN : Verdict.INVALID;
  }

  /**
   * As {@link #check}, and, for a request without credentials, an alert inbox session cookie: {@link Verdict#SESSION}
   * when it is valid, {@link Verdict#INVALID_SESSION} when it is expired, forged or signed with other tokens. For the inbox's
   * own routes only.
   */
  Verdict checkInbox(HttpExchange exchange) {
    Verdict verdict = check(exchange);
    if (verdict != Verdict.MISSING || sessions == null) {
      return verdict;
    }
    return InboxSessions.fromCookieHeaders(exchange.getRequestHeaders().get("Cookie"))
        .map(cookie -> sessions.accepts(cookie) ? Verdict.SESSION : Verdict.INVALID_SESSION).orElse(Verdict.MISSING);
  }

  /** The inbox's sessions, or null where no bearer token can start one (no tokens, or tokens not accepted). */
  InboxSessions sessions() {
    return sessions;
  }

  /** What the start-up log says about the protection of patient data (never a secret). */
  public String describe() {
    String transport = serverTls == null ? "plain HTTP" : "HTTPS";
    String patients = switch (auth) {
      case NONE -> "patient data served WITHOUT authentication (http.auth=none)";
      case TOKEN -> tokens == null
          ? "patient data refused to every caller (http.auth=token and no http.auth.tokens.file)"
          : "patient data for bearer tokens (" + tokens.size() + " accepted)";
      case MTLS -> "patient data for trusted client certificates";
      case TOKEN_OR_MTLS -> "patient data for trusted client certificates or bearer tokens ("
          + (tokens == null ? 0 : tokens.size()) + " accepted)";
    };
    return transport + ", " + patients + "; /health/* and /metrics open";
  }
}
