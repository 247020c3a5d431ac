package io.riskstream.connectors.ehr;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * A private PostgreSQL server for tests: a fresh cluster in a temporary directory, logical decoding on, listening only
 * on 127.0.0.1 at a free port, trust authentication (loopback only), stopped and deleted on {@link #close()}.
 *
 * <p>PostgreSQL refuses to run as root, so when the JVM runs as root the server runs as the {@code postgres} OS user
 * ({@code runuser -u postgres}); otherwise as the current user. Tests call {@link #startOrSkip()}, which skips (JUnit
 * assumption) with a message when PostgreSQL is not installed.
 */
public final class PostgresServer implements AutoCloseable {

  /** Where Debian installs the server binaries ({@code .ci/install-test-deps.sh}). */
  private static final Path DEBIAN_PREFIX = Path.of("/usr/lib/postgresql");
  private static final String SUPERUSER = "postgres";

  private final Path binDir;
  private final Path dataDir;
  private final int port;
  private final boolean asPostgresUser;

  private PostgresServer(Path binDir, Path dataDir, int port, boolean asPostgresUser) {
    this.binDir = binDir;
    this.dataDir = dataDir;
    this.port = port;
    this.asPostgresUser = asPostgresUser;
  }

  /** The newest installed PostgreSQL's bin directory ({@code RISKSTREAM_PG_BIN} overrides), if any. */
  public static Optional<Path> findBinDir() {
    String override = System.getenv("RISKSTREAM_PG_BIN");
    if (override != null && !override.isBlank()) {
      Path bin = Path.of(override);
      return Files.isExecutable(bin.resolve("initdb")) ? Optional.of(bin) : Optional.empty();
    }
    if (!Files.isDirectory(DEBIAN_PREFIX)) {
      return Optional.empty();
    }
    try (Stream<Path> versions = Files.list(DEBIAN_PREFIX)) {
      return versions.map(v -> v.resolve("bin"))
          .filter(bin -> Files.isExecutable(bin.resolve("initdb")) && Files.isExecutable(bin.resolve("pg_ctl")))
          .max(Comparator.comparing(PostgresServer::majorVersion));
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  private static int majorVersion(Path bin) {
    try {
      return Integer.parseInt(bin.getParent().getFileName().toString());
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  /** Starts a server, or skips the calling test when PostgreSQL is not installed. */
  public static PostgresServer startOrSkip() throws IOException, InterruptedException {
    Optional<Path> bin = findBinDir();
    Assumptions.assumeTrue(bin.isPresent(),
        "PostgreSQL is not installed (no /usr/lib/postgresql/<version>/bin/initdb): run .ci/install-test-deps.sh"
            + " or set RISKSTREAM_PG_BIN");
    return start(bin.get());
  }

  /** Initializes and starts a cluster with the binaries in {@code binDir}. */
  public static PostgresServer start(Path binDir) throws IOException, InterruptedException {
    boolean root = "root".equals(System.getProperty("user.name"));
    Path dataDir = Files.createTempDirectory("riskstream-pg-");
    if (root) {
      UserPrincipalLookupService users = dataDir.getFileSystem().getUserPrincipalLookupService();
      Files.setOwner(dataDir, users.lookupPrincipalByName(SUPERUSER));
    }
    int port = freePort();
    PostgresServer server = new PostgresServer(binDir, dataDir, port, root);
    try {
      server.run(List.of(binDir.resolve("initdb").toString(), "-D", dataDir.resolve("data").toString(),
          "-U", SUPERUSER, "--auth=trust", "--encoding=UTF8", "--locale=C.UTF-8", "--no-sync"));
      server.run(List.of(binDir.resolve("pg_ctl").toString(), "-D", dataDir.resolve("data").toString(),
          "-l", dataDir.resolve("server.log").toString(), "-w", "-t", "60", "-o", String.join(" ",
              "-p " + port,
              "-c listen_addresses=127.0.0.1",
              "-c unix_socket_directories=" + dataDir,
              "-c wal_level=logical",
              "-c max_replication_slots=8",
              "-c max_wal_senders=8",
              "-c fsync=off",
              "-c synchronous_commit=off",
              "-c full_page_writes=off"),
          "start"));
    } catch (IOException | RuntimeException e) {
      server.close();
      throw e;
    }
    return server;
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  private void run(List<String> command) throws IOException, InterruptedException {
    List<String> full = new ArrayList<>();
    if (asPostgresUser) {
      full.addAll(List.of("runuser", "-u", SUPERUSER, "--"));
    }
    full.addAll(command);
    Process process = new ProcessBuilder(full).directory(dataDir.toFile()).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!process.waitFor(120, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new IOException("timed out: " + command.get(0));
    }
    if (process.exitValue() != 0) {
      throw new IOException(command.get(0) + " failed with exit code " + process.exitValue() + ":\n" + output
          + serverLog());
    }
  }

  private String serverLog() {
    Path log = dataDir.resolve("server.log");
    try {
      return Files.exists(log) ? "\nserver.log:\n" + Files.readString(log) : "";
    } catch (IOException e) {
      return "";
    }
  }

  public int port() {
    return port;
  }

  public String host() {
    return "127.0.0.1";
  }

  public String user() {
    return SUPERUSER;
  }

  /** JDBC URL of {@code database} (use {@link #createDatabase} first for anything but {@code postgres}). */
  public String jdbcUrl(String database) {
    return "jdbc:postgresql://" + host() + ":" + port + "/" + database;
  }

  public Connection connect(String database) throws SQLException {
    return DriverManager.getConnection(jdbcUrl(database), SUPERUSER, "");
  }

  /** Creates an empty database and returns its JDBC URL. */
  public String createDatabase(String name) throws SQLException {
    try (Connection connection = connect("postgres")) {
      connection.createStatement().execute("CREATE DATABASE " + name);
    }
    return jdbcUrl(name);
  }

  @Override
  public void close() {
    try {
      if (Files.exists(dataDir.resolve("data").resolve("postmaster.pid"))) {
        run(List.of(binDir.resolve("pg_ctl").toString(), "-D", dataDir.resolve("data").toString(), "-m", "immediate",
            "-w", "stop"));
      }
    } catch (IOException e) {
      System.err.println("could not stop the test PostgreSQL server: " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      deleteRecursively(dataDir);
    }
  }

  private static void deleteRecursively(Path dir) {
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      System.err.println("could not delete " + dir + ": " + e.getMessage());
    }
  }
}
