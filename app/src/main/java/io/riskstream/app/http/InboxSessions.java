package io.riskstream.app.http;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The alert inbox's sessions: a browser's EventSource cannot send a bearer token, so the page exchanges the user's
 * token once ({@code POST /inbox/session}) for this cookie, which the inbox's own routes accept. The cookie is
 * stateless and signed: {@code v1.<expiry epoch seconds>.<nonce>.<HMAC-SHA256 of the rest>}, the key derived from the
 * tokens file ({@link BearerTokens#sessionKey}), so every instance behind a load balancer accepts it and replacing the
 * tokens file ends every session. Signatures are compared in constant time ({@link MessageDigest#isEqual}). The cookie
 * is HttpOnly (no script reads it), SameSite=Strict (no other site's page sends it), limited to {@value AlertInbox#PATH}
 * and Secure over HTTPS. Signing out deletes the browser's cookie; a copy of it taken before stays valid until it
 * expires (stateless: nothing on the server to revoke but the tokens file). Written by hand: the JDK's HTTP server
 * has no sessions, and the format is three fields and a MAC.
 */
final class InboxSessions {

  /** The cookie's name. */
  static final String COOKIE = "riskstream_inbox";
  /**
   * The header a state-changing request with the cookie must carry (any value): a page of another origin cannot set
   * it without a CORS preflight, which this server never grants.
   */
  static final String CSRF_HEADER = "X-RiskStream-Inbox";
  private static final String VERSION = "v1";
  private static final String HMAC = "HmacSHA256";
  private static final int NONCE_BYTES = 16;

  private final Supplier<byte[]> key;
  private final Duration ttl;
  private final Clock clock;
  private final SecureRandom random = new SecureRandom();

  /**
   * @param key the signing key now (read on every issue and check, so a rotated tokens file takes effect at once)
   * @param ttl how long a session lasts
   */
  InboxSessions(Supplier<byte[]> key, Duration ttl, Clock clock) {
    this.key = Objects.requireNonNull(key, "key");
    this.ttl = Objects.requireNonNull(ttl, "ttl");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /** A new session's cookie value, valid for the ttl from now. */
  String issue() {
    long expiry = clock.instant().plus(ttl).getEpochSecond();
    byte[] nonce = new byte[NONCE_BYTES];
    random.nextBytes(nonce);
    String payload = VERSION + "." + expiry + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(nonce);
    return payload + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(mac(payload));
  }

  /** Whether {@code value} is a cookie this key signed and that has not expired. */
  boolean accepts(String value) {
    if (value == null) {
      return false;
    }
    int sig = value.lastIndexOf('.');
    String[] fields = value.split("\\.", -1);
    if (sig < 0 || fields.length != 4 || !VERSION.equals(fields[0])) {
      return false;
    }
    byte[] presented;
    long expiry;
    try {
      presented = Base64.getUrlDecoder().decode(fields[3]);
      expiry = Long.parseLong(fields[1]);
    } catch (IllegalArgumentException malformed) { // NumberFormatException included
      return false;
    }
    // the signature first (constant time), then the expiry it vouches for
    return MessageDigest.isEqual(mac(value.substring(0, sig)), presented) && clock.instant().getEpochSecond() < expiry;
  }

  /** The value of this session cookie among a request's {@code Cookie} headers, if there is one. */
  static Optional<String> fromCookieHeaders(List<String> headers) {
    if (headers == null) {
      return Optional.empty();
    }
    // "a=1; b=2" (RFC 6265 section 5.4); written here: the JDK's server does not parse cookies
    for (String header : headers) {
      for (String pair : header.split(";")) {
        int eq = pair.indexOf('=');
        if (eq > 0 && pair.substring(0, eq).strip().equals(COOKIE)) {
          return Optional.of(pair.substring(eq + 1).strip());
        }
      }
    }
    return Optional.empty();
  }

  /** The {@code Set-Cookie} header that starts a session with {@code value}. */
  String setCookie(String value, boolean secure) {
    return COOKIE + "=" + value + "; Path=" + AlertInbox.PATH + "; Max-Age=" + ttl.toSeconds()
        + "; HttpOnly; SameSite=Strict" + (secure ? "; Secure" : "");
  }

  /** The {@code Set-Cookie} header that deletes the session cookie. */
  static String clearCookie(boolean secure) {
    return COOKIE + "=; Path=" + AlertInbox.PATH + "; Max-Age=0; HttpOnly; SameSite=Strict" + (secure ? "; Secure" : "");
  }

  private byte[] mac(String payload) {
    try {
      Mac mac = Mac.getInstance(HMAC);
      mac.init(new SecretKeySpec(key.get(), HMAC));
      return mac.doFinal(payload.getBytes(StandardCharsets.US_ASCII));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is missing from this JVM", e);
    }
  }
}
