package io.riskstream.app.demo;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

class DemoLoggingTest {

  @TempDir
  Path dir;

  @Test
  void shouldSendKafkasMessagesToTheFileAndOnlyRiskStreamsToTheConsole() throws Exception {
    StringWriter out = new StringWriter();
    ConsoleStatus console = new ConsoleStatus(new PrintWriter(out), true);
    console.status("progress");
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    PrintStream stderr = System.err;
    Path file = dir.resolve("demo.log");
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    try (DemoLogging logging = DemoLogging.start(file, console)) {
      LoggerFactory.getLogger("org.apache.kafka.clients.producer.internals.Sender")
          .warn("Got error produce response, retrying. Error: CONCURRENT_TRANSACTIONS");
      LoggerFactory.getLogger("kafka.server.ReplicaManager").error("Error processing append operation");
      LoggerFactory.getLogger("io.riskstream.app.runtime.ScoringRuntime").info("scoring with model m 1.0.0");
    } finally {
      System.setErr(stderr);
    }

    assertThat(err.toString(StandardCharsets.UTF_8)).contains("INFO  ScoringRuntime - scoring with model m 1.0.0")
        .doesNotContain("CONCURRENT_TRANSACTIONS", "append operation");
    // the log line was printed with the status line cleared, and the status line drawn again after it
    assertThat(out.toString()).endsWith(ConsoleStatus.CLEAR_LINE + ConsoleStatus.WRAP_OFF + "progress"
        + ConsoleStatus.WRAP_ON);
    assertThat(Files.readString(file)).contains("CONCURRENT_TRANSACTIONS", "Error processing append operation",
        "scoring with model m 1.0.0");
  }

  @Test
  void shouldRestoreTheLoggingItReplaced() {
    Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    Logger own = (Logger) LoggerFactory.getLogger("io.riskstream");
    var before = own.getLevel();

    try (DemoLogging logging = DemoLogging.start(dir.resolve("demo.log"), new ConsoleStatus(new PrintWriter(
        new StringWriter()), false))) {
      assertThat(root.getAppender("STDERR")).isNull();
    }

    assertThat(root.getAppender("STDERR")).isNotNull();
    assertThat(root.getAppender("demo-log-file")).isNull();
    assertThat(own.getLevel()).isEqualTo(before);
  }

  @Test
  void shouldKeepOnlyTheNewestLogFiles() throws Exception {
    Path logs = dir.resolve("logs");
    Files.createDirectories(logs);
    for (int i = 0; i < 12; i++) {
      Path old = Files.writeString(logs.resolve("demo-2025010" + (i % 9) + "-00000" + i + "-1.log"), "x");
      Files.setLastModifiedTime(old, FileTime.fromMillis(1_000_000L * (i + 1)));
    }
    Files.writeString(logs.resolve("notes.txt"), "kept");

    Path next = DemoLogging.newLogFile(logs);

    assertThat(next.getFileName().toString()).matches("demo-\\d{8}-\\d{6}-\\d+\\.log");
    List<String> left;
    try (Stream<Path> files = Files.list(logs)) {
      left = files.map(p -> p.getFileName().toString()).toList();
    }
    // the newest KEPT_LOGS - 1 (by modification time) and room for the new one; other files are left alone
    assertThat(left.stream().filter(n -> n.startsWith("demo-"))).hasSize(DemoLogging.KEPT_LOGS - 1)
        .contains("demo-20250102-0000011-1.log", "demo-20250103-000003-1.log")
        .doesNotContain("demo-20250100-000000-1.log", "demo-20250102-000002-1.log");
    assertThat(left).contains("notes.txt");
  }
}
