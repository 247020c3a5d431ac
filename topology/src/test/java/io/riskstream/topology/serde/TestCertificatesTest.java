package io.riskstream.topology.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertPathValidator;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the TLS tests rely on: key stores signed by the test's CA for localhost and 127.0.0.1, and only it trusted. */
class TestCertificatesTest {

  @TempDir
  Path dir;

  @TempDir
  Path otherDir;

  private static KeyStore load(Path file) throws Exception {
    try (InputStream in = Files.newInputStream(file)) {
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(in, TestCertificates.PASSWORD.toCharArray());
      return store;
    }
  }

  private static void validate(X509Certificate[] chain, Path truststore) throws Exception {
    PKIXParameters trusting = new PKIXParameters(load(truststore));
    trusting.setRevocationEnabled(false);
    CertPathValidator.getInstance("PKIX")
        .validate(CertificateFactory.getInstance("X.509").generateCertPath(Arrays.asList(chain)), trusting);
  }

  private static X509Certificate[] chain(Path keystore, String name) throws Exception {
    return Arrays.stream(load(keystore).getCertificateChain(name)).map(X509Certificate.class::cast)
        .toArray(X509Certificate[]::new);
  }

  @Test
  void shouldSignKeyStoresForLocalhostThatOnlyItsOwnTruststoreTrusts() throws Exception {
    TestCertificates certs = TestCertificates.authority(dir);
    X509Certificate[] chain = chain(certs.keystore("server"), "server");

    assertThat(chain).hasSize(2);
    assertThat(chain[0].getSubjectX500Principal().getName()).isEqualTo("CN=server");
    assertThat(chain[0].getIssuerX500Principal().getName()).isEqualTo("CN=riskstream-test-ca");
    assertThat(chain[0].getSubjectAlternativeNames()).containsExactlyInAnyOrder(List.of(2, "localhost"),
        List.of(7, "127.0.0.1"));
    assertThat(Collections.list(load(certs.truststore()).aliases())).containsExactly("ca");
    validate(chain, certs.truststore());

    TestCertificates other = TestCertificates.authority(otherDir);
    assertThatThrownBy(() -> validate(chain, other.truststore())).isInstanceOf(CertPathValidatorException.class);
  }

  @Test
  void shouldRefuseAKeyStoreNamedLikeTheAuthoritysOwnFiles() throws Exception {
    TestCertificates certs = TestCertificates.authority(dir);

    assertThatThrownBy(() -> certs.keystore("truststore")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> certs.keystore("ca")).isInstanceOf(IllegalArgumentException.class);
    assertThat(load(certs.truststore()).size()).isEqualTo(1);
  }
}
