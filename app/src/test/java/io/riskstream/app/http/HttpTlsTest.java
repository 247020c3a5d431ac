package io.riskstream.app.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.riskstream.topology.AlertState;
import io.riskstream.topology.config.RiskStreamConfig;
import io.riskstream.topology.serde.TestCertificates;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import javax.net.ssl.SSLContext;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The endpoints over HTTPS with certificates made for the test: tokens, client certificates, refused plain HTTP. */
class HttpTlsTest {

  private static final String TOKEN = "tls-test-token";

  @TempDir
  static Path dir;

  private static TestCertificates certificates;
  private static Path serverKeystore;
  private static Path clientKeystore;
  private static Path tokens;

  private HttpEndpoints endpoints;

  @BeforeAll
  static void makeCertificates() throws Exception {
    certificates = TestCertificates.authority(dir);
    serverKeystore = certificates.keystore("server");
    clientKeystore = certificates.keystore("client");
    tokens = dir.resolve("tokens");
    Files.writeString(tokens, TOKEN + "\n", StandardCharsets.UTF_8);
  }

  @AfterEach
  void stop() {
    if (endpoints != null) {
      endpoints.close();
    }
  }

  /**
   * The {@code http.tls.*} keys of a server with {@code keystore} and {@code certificates}' truststore, which trusts
   * the client certificates that the CA signed (also PatientRoutingTest's).
   */
  static Map<String, String> serverConfig(TestCertificates certificates, Path keystore) {
    return Map.of(RiskStreamConfig.HTTP_TLS_KEYSTORE_PATH_CONFIG, keystore.toString(),
        RiskStreamConfig.HTTP_TLS_KEYSTORE_PASSWORD_CONFIG, TestCertificates.PASSWORD,
        RiskStreamConfig.HTTP_TLS_TRUSTSTORE_PATH_CONFIG, certificates.truststore().toString(),
        RiskStreamConfig.HTTP_TLS_TRUSTSTORE_PASSWORD_CONFIG, TestCertificates.PASSWORD);
  }

  private static Map<String, String> tls(String auth) {
    Map<String, String> p = new HashMap<>(serverConfig(certificates, serverKeystore));
    p.put(RiskStreamConfig.HTTP_AUTH_CONFIG, auth);
    p.put(RiskStreamConfig.HTTP_AUTH_TOKENS_FILE_CONFIG, tokens.toString());
    return p;
  }

  private void start(Map<String, String> config) throws IOException {
    HttpSecurity security = HttpSecurity.fromConfig(new RiskStreamConfig(config));
    AlertState state = AlertState.empty().with("ckd", new AlertState.Outcome(0.25, true, true, null, null));
    endpoints = HttpEndpoints.start("127.0.0.1", 0, security, () -> KafkaStreams.State.RUNNING, () -> true,
        () -> "", (id, caller) -> new PatientQueries.Found(state, false, null, "local"));
  }

  private HttpResponse<String> get(SSLContext tls, String scheme, String path, String token) throws Exception {
    HttpClient.Builder builder = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(30));
    if (tls != null) {
      builder.sslContext(tls);
    }
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(scheme + "://localhost:" + endpoints.port() + path))
        .timeout(Duration.ofSeconds(30));
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    return builder.build().send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** The status of a patient query over HTTPS, with the test's client certificate or none, and a token or none. */
  private int patientQuery(boolean withClientCertificate, String token) throws Exception {
    return get(certificates.sslContext(withClientCertificate ? clientKeystore : null), "https",
        "/patients/p1/risk", token).statusCode();
  }

  @Test
  void shouldServeOverTlsWithTheTestsCertificate() throws Exception {
    start(tls("token"));
    SSLContext trustsServer = certificates.sslContext(null);

    assertThat(get(trustsServer, "https", "/health/live", null).statusCode()).isEqualTo(200);
    assertThat(get(trustsServer, "https", "/patients/p1/risk", null).statusCode()).isEqualTo(401);
    HttpResponse<String> risk = get(trustsServer, "https", "/patients/p1/risk", TOKEN);
    assertThat(risk.statusCode()).isEqualTo(200);
    assertThat(risk.body()).contains("\"ckd\":{\"probability\":0.25");
  }

  @Test
  void shouldRefusePlainHttpOnTheTlsPort() throws Exception {
    start(tls("token"));

    assertThatThrownBy(() -> get(null, "http", "/health/live", null)).isInstanceOf(IOException.class);
  }

  @Test
  void shouldRefuseAClientThatDoesNotTrustTheServer() throws Exception {
    start(tls("token"));

    // the JDK's CAs do not include the test's CA
    assertThatThrownBy(() -> get(SSLContext.getDefault(), "https", "/health/live", null)).isInstanceOf(IOException.class);
  }

  @Test
  void shouldAcceptATrustedClientCertificateInsteadOfAToken() throws Exception {
    start(tls("token_or_mtls"));

    assertThat(patientQuery(true, null)).isEqualTo(200);
    assertThat(patientQuery(false, null)).isEqualTo(401);
    assertThat(patientQuery(false, TOKEN)).isEqualTo(200);
  }

  @Test
  void shouldRequireACertificateWhenOnlyClientCertificatesAreAccepted() throws Exception {
    start(tls("mtls"));

    assertThat(patientQuery(true, null)).isEqualTo(200);
    assertThat(patientQuery(false, TOKEN)).isEqualTo(403);
    assertThat(get(certificates.sslContext(null), "https", "/health/ready", null).statusCode()).isEqualTo(200);
  }

  @Test
  void shouldRefuseClientCertificatesWithoutATruststoreAndAWrongKeystorePasswordAtStartUp() {
    Map<String, String> noTruststore = tls("mtls");
    noTruststore.remove(RiskStreamConfig.HTTP_TLS_TRUSTSTORE_PATH_CONFIG);
    assertThatThrownBy(() -> HttpSecurity.fromConfig(new RiskStreamConfig(noTruststore)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(RiskStreamConfig.HTTP_TLS_TRUSTSTORE_PATH_CONFIG);

    Map<String, String> wrongPassword = tls("token");
    wrongPassword.put(RiskStreamConfig.HTTP_TLS_KEYSTORE_PASSWORD_CONFIG, "not-the-password");
    assertThatThrownBy(() -> HttpSecurity.fromConfig(new RiskStreamConfig(wrongPassword)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(serverKeystore.getFileName().toString())
        .hasMessageNotContaining("not-the-password");

    Map<String, String> missingTokens = tls("token");
    missingTokens.put(RiskStreamConfig.HTTP_AUTH_TOKENS_FILE_CONFIG, dir.resolve("absent").toString());
    assertThatThrownBy(() -> HttpSecurity.fromConfig(new RiskStreamConfig(missingTokens)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("absent");
  }
}
