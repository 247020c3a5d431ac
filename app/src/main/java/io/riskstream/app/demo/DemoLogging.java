package io.riskstream.app.demo;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.PatternLayout;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.AppenderBase;
import ch.qos.logback.core.FileAppender;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.slf4j.LoggerFactory;

/**
 * The demo's logging, while it runs: every log line (the embedded broker's and the Kafka clients' warnings included)
 * goes to a log file, and the console shows only RiskStream's own ({@code io.riskstream}, INFO and above), on standard
 * error, through the {@link ConsoleStatus} so that they do not garble the status line. {@link #close()} restores the
 * previous configuration. Without logback (another SLF4J binding) it changes nothing.
 */
public final class DemoLogging implements AutoCloseable {

  /** Log files kept in the logs folder; older ones are deleted when a demo starts. */
  static final int KEPT_LOGS = 10;
  private static final String OWN = "io.riskstream";

  private final Path file;
  private final LoggerContext context;
  private final List<Appender<ILoggingEvent>> rootAppenders;
  private final Level ownLevel;
  private final FileAppender<ILoggingEvent> fileAppender;
  private final Appender<ILoggingEvent> consoleAppender;

  private DemoLogging(Path file, LoggerContext context, List<Appender<ILoggingEvent>> rootAppenders, Level ownLevel,
      FileAppender<ILoggingEvent> fileAppender, Appender<ILoggingEvent> consoleAppender) {
    this.file = file;
    this.context = context;
    this.rootAppenders = rootAppenders;
    this.ownLevel = ownLevel;
    this.fileAppender = fileAppender;
    this.consoleAppender = consoleAppender;
  }

  /**
   * A new log file under {@code logDir}, {@code demo-<local date and time>-<pid>.log}; the oldest beyond
   * {@value #KEPT_LOGS} are deleted.
   */
  public static Path newLogFile(Path logDir) throws IOException {
    Files.createDirectories(logDir);
    try (Stream<Path> logs = Files.list(logDir)) {
      List<Path> old = logs.filter(p -> p.getFileName().toString().matches("demo-.*\\.log"))
          .sorted(Comparator.comparing((Path p) -> p.toFile().lastModified()).reversed()).skip(KEPT_LOGS - 1).toList();
      for (Path p : old) {
        Files.deleteIfExists(p);
      }
    }
    return logDir.resolve("demo-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")) + "-"
        + ProcessHandle.current().pid() + ".log");
  }

  /** Sends the log to {@code file} and RiskStream's own lines to {@code console} too, until {@link #close()}. */
  public static DemoLogging start(Path file, ConsoleStatus console) {
    if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
      return new DemoLogging(file, null, List.of(), null, null, null);
    }
    PatternLayoutEncoder encoder = new PatternLayoutEncoder();
    encoder.setContext(context);
    encoder.setPattern("%d{HH:mm:ss.SSS} %-5level [%thread] %logger{36} - %msg%n");
    encoder.start();
    FileAppender<ILoggingEvent> fileAppender = new FileAppender<>();
    fileAppender.setContext(context);
    fileAppender.setName("demo-log-file");
    fileAppender.setFile(file.toString());
    fileAppender.setEncoder(encoder);
    fileAppender.start();

    PatternLayout layout = new PatternLayout();
    layout.setContext(context);
    layout.setPattern("%d{HH:mm:ss.SSS} %-5level %logger{0} - %msg%n");
    layout.start();
    AppenderBase<ILoggingEvent> consoleAppender = new AppenderBase<>() {
      @Override
      protected void append(ILoggingEvent event) {
        String text = layout.doLayout(event);
        console.around(() -> {
          System.err.print(text);
          System.err.flush();
        });
      }
    };
    consoleAppender.setContext(context);
    consoleAppender.setName("demo-console");
    consoleAppender.start();

    Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
    List<Appender<ILoggingEvent>> rootAppenders = new ArrayList<>();
    root.iteratorForAppenders().forEachRemaining(rootAppenders::add);
    rootAppenders.forEach(root::detachAppender);
    root.addAppender(fileAppender);
    Logger own = context.getLogger(OWN);
    Level ownLevel = own.getLevel();
    own.setLevel(Level.INFO);
    own.addAppender(consoleAppender);
    return new DemoLogging(file, context, rootAppenders, ownLevel, fileAppender, consoleAppender);
  }

  /** The log file. */
  public Path file() {
    return file;
  }

  @Override
  public void close() {
    if (context == null) {
      return;
    }
    Logger own = context.getLogger(OWN);
    own.detachAppender(consoleAppender);
    own.setLevel(ownLevel);
    consoleAppender.stop();
    Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
    rootAppenders.forEach(root::addAppender);
    root.detachAppender(fileAppender);
    fileAppender.stop();
  }
}
