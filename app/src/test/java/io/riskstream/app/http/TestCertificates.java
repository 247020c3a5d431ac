package io.riskstream.app.http;

import io.riskstream.topology.config.RiskStreamConfig;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * Certificates made for a test by the JDK's {@code keytool}: a server key pair for localhost and 127.0.0.1, a client
 * key pair, and a truststore that trusts both (the server's certificate for clients, the client's for the server).
 * Every store is PKCS12 with the password {@link #PASSWORD}.
 */
record TestCertificates(Path serverKeystore, Path clientKeystore, Path truststore) {

  static final String PASSWORD = "test-store-password";

  static TestCertificates create(Path dir) throws IOException, InterruptedException {
    TestCertificates c = new TestCertificates(dir.resolve("server.p12"), dir.resolve("client.p12"), dir.resolve("trust.p12"));
    keytool("-genkeypair", "-alias", "server", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=localhost",
        "-ext", "SAN=dns:localhost,ip:127.0.0.1", "-validity", "2", "-storetype", "PKCS12",
        "-keystore", c.serverKeystore().toString(), "-storepass", PASSWORD, "-keypass", PASSWORD);
    keytool("-genkeypair", "-alias", "client", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=client",
        "-validity", "2", "-storetype", "PKCS12",
        "-keystore", c.clientKeystore().toString(), "-storepass", PASSWORD, "-keypass", PASSWORD);
    for (String alias : List.of("server", "client")) {
      Path pem = dir.resolve(alias + ".pem");
      keytool("-exportcert", "-rfc", "-alias", alias, "-file", pem.toString(), "-keystore",
          (alias.equals("server") ? c.serverKeystore() : c.clientKeystore()).toString(), "-storepass", PASSWORD);
      keytool("-importcert", "-noprompt", "-alias", alias, "-file", pem.toString(), "-storetype", "PKCS12",
          "-keystore", c.truststore().toString(), "-storepass", PASSWORD);
    }
    return c;
  }

  /** The {@code http.tls.*} keys of a server with the test's key pair and truststore. */
  Map<String, String> serverConfig() {
    return Map.of(RiskStreamConfig.HTTP_TLS_KEYSTORE_PATH_CONFIG, serverKeystore().toString(),
        RiskStreamConfig.HTTP_TLS_KEYSTORE_PASSWORD_CONFIG, PASSWORD,
        RiskStreamConfig.HTTP_TLS_TRUSTSTORE_PATH_CONFIG, truststore().toString(),
        RiskStreamConfig.HTTP_TLS_TRUSTSTORE_PASSWORD_CONFIG, PASSWORD);
  }

  /** A client TLS context that trusts the server; with {@code keystore} it presents that key pair's certificate. */
  SSLContext clientContext(Path keystore) throws IOException, GeneralSecurityException {
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

  private static void keytool(String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes());
    if (p.waitFor() != 0) {
      throw new IOException("keytool " + args[0] + " failed: " + output);
    }
  }
}
