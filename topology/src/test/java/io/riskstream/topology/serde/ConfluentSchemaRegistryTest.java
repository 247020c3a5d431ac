package io.riskstream.topology.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.apicurio.registry.resolver.client.RegistryVersionCoordinates;
import io.riskstream.schemas.SourceCoordinates;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link ConfluentSchemaRegistry} over HTTP(S) against {@link ConfluentTestRegistry}. */
class ConfluentSchemaRegistryTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(30);
  private static final String V1 = "{\"type\":\"record\",\"name\":\"Thing\",\"namespace\":\"t\",\"fields\":"
      + "[{\"name\":\"a\",\"type\":\"string\"}]}";
  /** V1 plus a field with a default: BACKWARD compatible. */
  private static final String V2 = "{\"type\":\"record\",\"name\":\"Thing\",\"namespace\":\"t\",\"fields\":"
      + "[{\"name\":\"a\",\"type\":\"string\"},{\"name\":\"b\",\"type\":\"int\",\"default\":0}]}";
  /** V1 plus a field without a default: not BACKWARD compatible. */
  private static final String INCOMPATIBLE = "{\"type\":\"record\",\"name\":\"Thing\",\"namespace\":\"t\",\"fields\":"
      + "[{\"name\":\"a\",\"type\":\"string\"},{\"name\":\"c\",\"type\":\"long\"}]}";

  @TempDir
  Path dir;

  private static ConfluentSchemaRegistry client(String url) {
    return new ConfluentSchemaRegistry(ConfluentSchemaRegistry.Settings.of(url, TIMEOUT, TIMEOUT));
  }

  private static RegistryVersionCoordinates create(ConfluentSchemaRegistry c, String subject, String schema) {
    return c.createSchema("AVRO", "default", subject, null, "FIND_OR_CREATE_VERSION", false, schema, Set.of());
  }

  @Test
  void shouldRegisterFindAndReadSchemasByGlobalIdAndSubjectVersion() throws Exception {
    try (ConfluentTestRegistry server = ConfluentTestRegistry.http(null, null)) {
      ConfluentSchemaRegistry c = client(server.url());
      RegistryVersionCoordinates first = create(c, "things-value", V1);
      assertThat(first.getContentId()).isEqualTo(first.getGlobalId()).isPositive();
      assertThat(first.getArtifactId()).isEqualTo("things-value");
      assertThat(first.getVersion()).isEqualTo("1");
      assertThat(server.requests()).containsOnlyOnce("POST /subjects/things-value/versions");
      // the same schema again (the serde's resolver asks whenever its cache entry expires): no request
      int requests = server.requests().size();
      assertThat(create(c, "things-value", V1).getContentId()).isEqualTo(first.getContentId());
      assertThat(server.requests()).hasSize(requests);
      // another client instance finds it by a look-up and does not register it again
      assertThat(create(client(server.url()), "things-value", V1).getContentId()).isEqualTo(first.getContentId());
      assertThat(server.requests()).containsOnlyOnce("POST /subjects/things-value/versions");
      // the same schema in another subject has the same (global) id
      assertThat(create(c, "other-value", V1).getContentId()).isEqualTo(first.getContentId());

      RegistryVersionCoordinates second = create(c, "things-value", V2);
      assertThat(second.getVersion()).isEqualTo("2");
      assertThat(second.getContentId()).isNotEqualTo(first.getContentId());
      assertThat(c.getSchemaByContentId(first.getContentId())).contains("\"Thing\"").doesNotContain("\"b\"");
      assertThat(c.getSchemaByGlobalId(second.getGlobalId(), false)).contains("\"b\"");
      assertThat(c.latest("things-value").id()).isEqualTo(second.getContentId().intValue());
      assertThat(c.getVersionCoordinatesByGAV("default", "things-value", "1").getContentId())
          .isEqualTo(first.getContentId());
      assertThat(c.getSchemaByGAV("default", "things-value", "latest")).contains("\"b\"");
      assertThat(c.searchVersionsByContent(V1, "AVRO", io.apicurio.registry.resolver.strategy.ArtifactReference
          .builder().artifactId("things-value").build(), false)).extracting(RegistryVersionCoordinates::getVersion)
          .containsExactly("1");
      assertThat(c.lookUp("nobody-value", V1, List.of())).isEmpty();
    }
  }

  @Test
  void shouldCheckCompatibilityBeforeRegisteringAndRefuseAnIncompatibleSchema() throws Exception {
    try (ConfluentTestRegistry server = ConfluentTestRegistry.http(null, null)) {
      ConfluentSchemaRegistry c = client(server.url());
      assertThat(c.isCompatible("things-value", V1, List.of())).isTrue(); // no version yet
      create(c, "things-value", V1);
      assertThat(c.compatibility("things-value")).isEqualTo("BACKWARD");
      assertThat(c.isCompatible("things-value", INCOMPATIBLE, List.of())).isFalse();
      int registrations = (int) server.requests().stream().filter(r -> r.equals("POST /subjects/things-value/versions"))
          .count();

      assertThatThrownBy(() -> create(c, "things-value", INCOMPATIBLE))
          .isInstanceOfSatisfying(SchemaRegistryException.class, e -> assertThat(e.errorCode()).isEqualTo(409))
          .hasMessageContaining("registry.url=" + server.url())
          .hasMessageContaining("subject 'things-value'")
          .hasMessageContaining("incompatible")
          .hasMessageContaining("BACKWARD");
      // refused by the check: no registration was attempted
      assertThat(server.requests().stream().filter(r -> r.equals("POST /subjects/things-value/versions")).count())
          .isEqualTo(registrations);

      assertThatThrownBy(() -> c.register("things-value", INCOMPATIBLE, List.of()))
          .isInstanceOfSatisfying(SchemaRegistryException.class, e -> {
            assertThat(e.httpStatus()).isEqualTo(409);
            assertThat(e.errorCode()).isEqualTo(409);
          })
          .hasMessageContaining("registration of a schema in subject 'things-value' failed (HTTP 409, error_code 409)");

      c.setCompatibility("things-value", "none");
      assertThat(c.compatibility("things-value")).isEqualTo("NONE");
      assertThat(create(c, "things-value", INCOMPATIBLE).getVersion()).isEqualTo("2");
    }
  }

  @Test
  void shouldTurnTheRegistrysErrorCodesIntoClearExceptions() throws Exception {
    try (ConfluentTestRegistry server = ConfluentTestRegistry.http(null, null)) {
      ConfluentSchemaRegistry c = client(server.url());
      assertThatThrownBy(() -> c.getSchemaByContentId(4711L))
          .isInstanceOfSatisfying(SchemaRegistryException.class, e -> {
            assertThat(e.httpStatus()).isEqualTo(404);
            assertThat(e.errorCode()).isEqualTo(40403);
          })
          .hasMessage("schema registry registry.url=" + server.url() + ": look-up of schema id 4711 failed "
              + "(HTTP 404, error_code 40403): Schema 4711 not found");
      assertThatThrownBy(() -> c.latest("missing-value"))
          .isInstanceOfSatisfying(SchemaRegistryException.class, e -> assertThat(e.errorCode()).isEqualTo(40401))
          .hasMessageContaining("subject 'missing-value'");
      assertThatThrownBy(() -> c.setCompatibility("things-value", "sideways"))
          .isInstanceOfSatisfying(SchemaRegistryException.class, e -> assertThat(e.errorCode()).isEqualTo(42203));
      assertThatThrownBy(() -> create(c, "things-value", "{\"type\":\"record\",\"name\":\"Broken\""))
          .isInstanceOfSatisfying(SchemaRegistryException.class, e -> assertThat(e.errorCode()).isEqualTo(42201));
    }
  }

  @Test
  void shouldAuthenticateWithBasicAuthAndNeverShowThePassword() throws Exception {
    try (ConfluentTestRegistry server = ConfluentTestRegistry.http("riskstream", "s3cret-pw")) {
      ConfluentSchemaRegistry good = new ConfluentSchemaRegistry(ConfluentSchemaRegistry.Settings
          .of(server.url(), TIMEOUT, TIMEOUT).withBasicAuth("riskstream", "s3cret-pw"));
      assertThat(create(good, "things-value", V1).getContentId()).isPositive();

      ConfluentSchemaRegistry.Settings wrong = ConfluentSchemaRegistry.Settings.of(server.url(), TIMEOUT, TIMEOUT)
          .withBasicAuth("riskstream", "wrong-pw");
      ConfluentSchemaRegistry bad = new ConfluentSchemaRegistry(wrong);
      assertThatThrownBy(() -> create(bad, "things-value", V1))
          .isInstanceOfSatisfying(SchemaRegistryException.class, e -> assertThat(e.httpStatus()).isEqualTo(401))
          .hasMessageContaining("check registry.username and registry.password")
          .message().doesNotContain("wrong-pw");
      assertThat(wrong.toString() + bad).doesNotContain("wrong-pw");
    }
  }

  @Test
  void shouldSpeakTlsWithATruststoreAndRefuseAnUntrustedCertificate() throws Exception {
    TestCertificates certs = TestCertificates.authority(dir);
    SSLContext serverTls = certs.sslContext(certs.keystore("registry"));
    try (ConfluentTestRegistry server = ConfluentTestRegistry.https(serverTls, "u", "p")) {
      assertThat(server.url()).startsWith("https://localhost:");
      SSLContext trusting = ConfluentSchemaRegistry.trusting(certs.truststore(),
          TestCertificates.PASSWORD.toCharArray(), "PKCS12");
      ConfluentSchemaRegistry c = new ConfluentSchemaRegistry(ConfluentSchemaRegistry.Settings
          .of(server.url(), TIMEOUT, TIMEOUT).withBasicAuth("u", "p").withSslContext(trusting));
      RegistryVersionCoordinates v = create(c, "things-value", V1);
      assertThat(c.getSchemaByContentId(v.getContentId())).contains("\"Thing\"");

      ConfluentSchemaRegistry untrusting = new ConfluentSchemaRegistry(ConfluentSchemaRegistry.Settings
          .of(server.url(), TIMEOUT, TIMEOUT).withBasicAuth("u", "p"));
      assertThatThrownBy(() -> untrusting.getSchemaByContentId(v.getContentId()))
          .isInstanceOfSatisfying(SchemaRegistryException.class, e -> assertThat(e.httpStatus()).isZero())
          .hasMessageContaining("registry.url=" + server.url())
          .hasMessageContaining("no answer: SSLHandshakeException");
    }
    assertThatThrownBy(() -> ConfluentSchemaRegistry.trusting(dir.resolve("missing.p12"), null, "PKCS12"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("registry.truststore.location");
  }

  @Test
  void shouldNameTheRegistryWhenItDoesNotAnswerInTime() throws Exception {
    // a server that accepts connections and never answers
    try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      Thread acceptor = new Thread(() -> {
        try (Socket s = silent.accept()) {
          s.getInputStream().transferTo(java.io.OutputStream.nullOutputStream());
        } catch (IOException closed) {
          // the test is over
        }
      });
      acceptor.setDaemon(true);
      acceptor.start();
      String url = "http://localhost:" + silent.getLocalPort();
      ConfluentSchemaRegistry c = new ConfluentSchemaRegistry(ConfluentSchemaRegistry.Settings.of(url, TIMEOUT,
          Duration.ofMillis(300)));
      assertThatThrownBy(() -> c.latest("things-value"))
          .isInstanceOfSatisfying(SchemaRegistryException.class, e -> assertThat(e.httpStatus()).isZero())
          .hasMessage("schema registry registry.url=" + url + ": GET /subjects/things-value/versions/latest failed: "
              + "no answer: HttpTimeoutException request timed out");
    }
  }

  @Test
  void shouldReadASchemaThatAnotherClientRegisteredWithReferences() throws Exception {
    try (ConfluentTestRegistry server = ConfluentTestRegistry.http(null, null)) {
      ConfluentSchemaRegistry other = client(server.url());
      int coordinatesId = other.register("source-coordinates", SourceCoordinates.getClassSchema().toString(), List.of());
      String holder = "{\"type\":\"record\",\"name\":\"Holder\",\"namespace\":\"t\",\"fields\":[{\"name\":\"source\","
          + "\"type\":\"io.riskstream.schemas.SourceCoordinates\"}]}";
      List<ConfluentSchemaRegistry.Reference> refs = List.of(new ConfluentSchemaRegistry.Reference(
          "io.riskstream.schemas.SourceCoordinates", "source-coordinates", 1));
      int holderId = other.register("holders-value", holder, refs);
      assertThat(holderId).isNotEqualTo(coordinatesId);

      ConfluentSchemaRegistry c = client(server.url());
      assertThat(c.getReferencesByContentId(holderId)).singleElement().satisfies(r -> {
        assertThat(r.getName()).isEqualTo("io.riskstream.schemas.SourceCoordinates");
        assertThat(r.getArtifactId()).isEqualTo("source-coordinates");
        assertThat(r.getVersion()).isEqualTo("1");
      });
      assertThat(c.getSchemaByGAV("default", "source-coordinates", "1")).contains("SourceCoordinates");
      assertThat(c.getReferencesByGAV("default", "source-coordinates", "1")).isEmpty();
    }
  }
}
