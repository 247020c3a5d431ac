package io.riskstream.app.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InboxSessionsTest {

  private static final Instant NOW = Instant.parse("2026-12-05T04:00:00Z");
  private static final Duration TTL = Duration.ofHours(8);

  @TempDir
  Path dir;

  private final AtomicReference<Instant> now = new AtomicReference<>(NOW);
  private final Clock clock = new Clock() {
    @Override
    public ZoneOffset getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now.get();
    }
  };
  private Path file;
  private BearerTokens tokens;
  private InboxSessions sessions;

  @BeforeEach
  void setUp() throws Exception {
    file = dir.resolve("tokens");
    Files.writeString(file, "token-one\ntoken-two\n", StandardCharsets.UTF_8);
    tokens = BearerTokens.fromFile(file);
    sessions = new InboxSessions(tokens::sessionKey, TTL, clock);
  }

  @Test
  void shouldAcceptItsOwnCookieUntilItExpires() {
    String cookie = sessions.issue();

    assertThat(sessions.accepts(cookie)).isTrue();
    now.set(NOW.plus(TTL).minusSeconds(1));
    assertThat(sessions.accepts(cookie)).isTrue();
    now.set(NOW.plus(TTL));
    assertThat(sessions.accepts(cookie)).as("expired").isFalse();
  }

  @Test
  void shouldIssueADifferentCookieEachTime() {
    assertThat(sessions.issue()).isNotEqualTo(sessions.issue());
  }

  @Test
  void shouldRefuseATamperedOrForgedCookie() {
    String cookie = sessions.issue();
    String[] f = cookie.split("\\.");
    long later = Long.parseLong(f[1]) + 3600 * 24 * 365;
    String extended = f[0] + "." + later + "." + f[2] + "." + f[3];
    byte[] mac = Base64.getUrlDecoder().decode(f[3]);
    mac[0] ^= 1;
    String flipped = f[0] + "." + f[1] + "." + f[2] + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(mac);
    InboxSessions otherKey = new InboxSessions(() -> new byte[32], TTL, clock);

    assertThat(sessions.accepts(extended)).as("expiry changed").isFalse();
    assertThat(sessions.accepts(flipped)).as("signature changed").isFalse();
    assertThat(sessions.accepts(otherKey.issue())).as("signed with another key").isFalse();
    assertThat(sessions.accepts("v2." + cookie.substring(3))).as("unknown version").isFalse();
    assertThat(List.of("", "v1", "v1.x.y.z", "v1.1.2", "v1.99999999999.bm9uY2U.!!!", cookie + ".extra"))
        .noneMatch(sessions::accepts);
    assertThat(sessions.accepts(null)).isFalse();
  }

  @Test
  void shouldAcceptACookieOfAnotherInstanceWithTheSameTokensInAnyOrder() throws Exception {
    Path sameTokens = dir.resolve("same");
    Files.writeString(sameTokens, "# the same tokens\ntoken-two\n\ntoken-one\n", StandardCharsets.UTF_8);
    InboxSessions otherInstance = new InboxSessions(BearerTokens.fromFile(sameTokens)::sessionKey, TTL, clock);

    assertThat(otherInstance.accepts(sessions.issue())).isTrue();
  }

  @Test
  void shouldEndEverySessionWhenTheTokensFileIsReplaced() throws Exception {
    String cookie = sessions.issue();
    Files.writeString(file, "token-three\n", StandardCharsets.UTF_8);
    Files.setLastModifiedTime(file, FileTime.from(Instant.now().plusSeconds(5)));

    assertThat(sessions.accepts(cookie)).isFalse();
    assertThat(sessions.accepts(sessions.issue())).as("a new sign-in with the new tokens' key").isTrue();
  }

  @Test
  void shouldFindTheCookieAmongOthers() {
    assertThat(InboxSessions.fromCookieHeaders(List.of("a=1; riskstream_inbox=v1.2.3.4; b=2"))).hasValue("v1.2.3.4");
    assertThat(InboxSessions.fromCookieHeaders(List.of("x_riskstream_inbox=no"))).isEmpty();
    assertThat(InboxSessions.fromCookieHeaders(null)).isEmpty();
  }

  @Test
  void shouldSetAnHttpOnlyStrictCookieForTheInboxSecureOnlyOverHttps() {
    assertThat(sessions.setCookie("v", false))
        .isEqualTo("riskstream_inbox=v; Path=/inbox; Max-Age=28800; HttpOnly; SameSite=Strict");
    assertThat(sessions.setCookie("v", true)).endsWith("; Secure");
    assertThat(InboxSessions.clearCookie(false)).contains("Max-Age=0");
  }
}
