package io.riskstream.app.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A certificate authority and PKCS12 stores signed by it, made with the JDK's keytool for the tests of a secured
 * Kafka cluster: a truststore holding the CA, and a keystore per name (the broker's with localhost and 127.0.0.1 as
 * subject alternative names, a client's for mTLS). Each store's password is {@link #PASSWORD}.
 */
final class TestCertificates {

  static final String PASSWORD = "test-store-pass";
  private static final String KEYTOOL = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();

  private final Path dir;

  private TestCertificates(Path dir) {
    this.dir = dir;
  }

  /** Creates the CA and the truststore in {@code dir}. */
  static TestCertificates authority(Path dir) throws IOException, InterruptedException {
    TestCertificates certs = new TestCertificates(dir);
    certs.keytool("-genkeypair", "-alias", "ca", "-keyalg", "RSA", "-keysize", "2048", "-dname",
        "CN=riskstream-test-ca", "-ext", "bc:c", "-validity", "2", "-keystore", certs.store("ca"));
    certs.keytool("-exportcert", "-rfc", "-alias", "ca", "-keystore", certs.store("ca"), "-file", certs.pem("ca"));
    certs.keytool("-importcert", "-noprompt", "-alias", "ca", "-file", certs.pem("ca"), "-keystore",
        certs.store("truststore"));
    return certs;
  }

  /** The truststore (PKCS12) that holds the CA. */
  Path truststore() {
    return Path.of(store("truststore"));
  }

  /**
   * A keystore (PKCS12) with a key pair for subject {@code CN=name}, its certificate signed by the CA (valid for
   * localhost and 127.0.0.1) and the CA's certificate; returns its file.
   */
  Path keystore(String name) throws IOException, InterruptedException {
    keytool("-genkeypair", "-alias", name, "-keyalg", "RSA", "-keysize", "2048", "-dname", "CN=" + name,
        "-validity", "2", "-keystore", store(name));
    keytool("-certreq", "-alias", name, "-keystore", store(name), "-file", dir.resolve(name + ".csr").toString());
    keytool("-gencert", "-rfc", "-alias", "ca", "-keystore", store("ca"), "-infile",
        dir.resolve(name + ".csr").toString(), "-outfile", pem(name), "-ext", "SAN=dns:localhost,ip:127.0.0.1",
        "-validity", "2");
    keytool("-importcert", "-noprompt", "-alias", "ca", "-file", pem("ca"), "-keystore", store(name));
    keytool("-importcert", "-alias", name, "-file", pem(name), "-keystore", store(name));
    return Path.of(store(name));
  }

  private String store(String name) {
    return dir.resolve(name + ".p12").toString();
  }

  private String pem(String name) {
    return dir.resolve(name + ".pem").toString();
  }

  private void keytool(String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of(KEYTOOL));
    cmd.addAll(List.of(args));
    cmd.addAll(List.of("-storetype", "PKCS12", "-storepass", PASSWORD));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (p.waitFor() != 0) {
      throw new IOException("keytool " + args[0] + " failed: " + output);
    }
  }
}
