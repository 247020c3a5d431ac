package io.riskstream.app.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.slf4j.LoggerFactory;

/** Every log event at INFO and above while it is attached, for tests that check what a command logged. */
final class CapturedLog implements AutoCloseable {

  private final ListAppender<ILoggingEvent> appender = new ListAppender<>();
  private final Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
  private final Level rootLevel;

  private CapturedLog() {
    rootLevel = root.getLevel();
    root.setLevel(Level.INFO);
    appender.start();
    root.addAppender(appender);
  }

  static CapturedLog start() {
    return new CapturedLog();
  }

  /** The events so far (a copy: Kafka's threads may still be logging). */
  List<ILoggingEvent> events() {
    synchronized (appender) {  // AppenderBase.doAppend appends while holding the appender's lock
      return new ArrayList<>(appender.list);
    }
  }

  /** The formatted messages so far, one a line. */
  String text() {
    return events().stream().map(ILoggingEvent::getFormattedMessage).collect(Collectors.joining("\n"));
  }

  @Override
  public void close() {
    root.detachAppender(appender);
    root.setLevel(rootLevel);
  }
}
