package io.riskstream.topology.serde;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A certificate authority made for a test with the JDK's {@code keytool}, and key stores signed by it: the registry's
 * and the HTTP endpoints' TLS tests (topology, app) and the secured broker of app's {@code SecuredKafkaIT}. Every
 * store is PKCS12 with the test-only password {@link #PASSWORD}; every key is EC P-256 and valid for two days.
 */
public final class TestCertificates {

  /** The password of every store; a constant of the tests, never a real secret. */
  public static final String PASSWORD = "test-only-store-password";

  private static final String KEYTOOL = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
  private static final String CA = "ca";
  private static final String TRUSTSTORE = "truststore";

  private final Path dir;

  private TestCertificates(Path dir) {
    this.dir = dir;
  }

  /** Makes the CA ({@code CN=riskstream-test-ca}) and a truststore that holds its certificate, in {@code dir}. */
  public static TestCertificates authority(Path dir) throws IOException, InterruptedException {
    TestCertificates certs = new TestCertificates(dir);
    certs.keytool("-genkeypair", "-alias", CA, "-keyalg", "EC", "-groupname", "secp256r1", "-dname",
        "CN=riskstream-test-ca", "-ext", "bc:c", "-validity", "2", "-keystore", certs.store(CA));
    certs.keytool("-exportcert", "-rfc", "-alias", CA, "-keystore", certs.store(CA), "-file", certs.file(CA, "pem"));
    certs.keytool("-importcert", "-noprompt", "-alias", CA, "-file", certs.file(CA, "pem"), "-keystore",
        certs.store(TRUSTSTORE));
    return certs;
  }

  /** The truststore: only the CA's certificate. */
  public Path truststore() {
    return Path.of(store(TRUSTSTORE));
  }

  /**
   * Makes the key store {@code <name>.p12}: a key pair for the subject {@code CN=name}, with its certificate, signed by
   * the CA for localhost and 127.0.0.1 (subject alternative names), and the CA's certificate as its chain. One per
   * name; fit for a server (a broker, an HTTPS endpoint) and for a client that presents a certificate.
   */
  public Path keystore(String name) throws IOException, InterruptedException {
    if (name.equals(CA) || name.equals(TRUSTSTORE)) {
      throw new IllegalArgumentException("the CA's own files are named " + CA + " and " + TRUSTSTORE);
    }
    keytool("-genkeypair", "-alias", name, "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=" + name,
        "-validity", "2", "-keystore", store(name));
    keytool("-certreq", "-alias", name, "-keystore", store(name), "-file", file(name, "csr"));
    keytool("-gencert", "-rfc", "-alias", CA, "-keystore", store(CA), "-infile", file(name, "csr"), "-outfile",
        file(name, "pem"), "-ext", "SAN=dns:localhost,ip:127.0.0.1", "-validity", "2");
    // the reply with the whole chain (the certificate, then the CA's), so keytool need not find the CA in the store
    Path chain = Path.of(file(name, "chain.pem"));
    Files.writeString(chain, Files.readString(Path.of(file(name, "pem"))) + Files.readString(Path.of(file(CA, "pem"))));
    keytool("-importcert", "-noprompt", "-alias", name, "-file", chain.toString(), "-keystore", store(name));
    return Path.of(store(name));
  }

  /**
   * A TLS context that trusts the CA and, given a {@code keystore} made by {@link #keystore}, presents its certificate
   * (a server's, or a client's for mutual TLS); {@code null}: none.
   */
  public SSLContext sslContext(Path keystore) throws IOException, GeneralSecurityException {
    TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    trust.init(load(truststore()));
    KeyManagerFactory keys = null;
    if (keystore != null) {
      keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      keys.init(load(keystore), PASSWORD.toCharArray());
    }
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(keys == null ? null : keys.getKeyManagers(), trust.getTrustManagers(), null);
    return context;
  }

  private static KeyStore load(Path file) throws IOException, GeneralSecurityException {
    try (InputStream in = Files.newInputStream(file)) {
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(in, PASSWORD.toCharArray());
      return store;
    }
  }

  private String store(String name) {
    return file(name, "p12");
  }

  private String file(String name, String extension) {
    return dir.resolve(name + "." + extension).toString();
  }

  private void keytool(String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of(KEYTOOL));
    command.addAll(List.of(args));
    command.addAll(List.of("-storetype", "PKCS12", "-storepass", PASSWORD));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (p.waitFor() != 0) {
      throw new IOException("keytool " + args[0] + " failed: " + output);
    }
  }
}
