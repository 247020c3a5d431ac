package io.riskstream.app.demo;

import java.io.PrintWriter;
import java.util.Objects;

/**
 * The demo's console: messages (alerts, notices, log lines) and a status line. Updating (on a terminal), the status
 * line is redrawn in place: carriage return, the text, clear to the end of the line, with the terminal's line wrap off
 * while it is drawn (DECAWM), so that a line wider than the terminal is cut at its edge instead of wrapping onto a
 * second line that a carriage return would not clear. A message printed meanwhile clears the status line, takes a
 * line of its own and the status line is drawn again below it. Not updating (output to a file or a pipe), every status
 * is a plain line. Thread-safe.
 */
public final class ConsoleStatus {

  static final String CLEAR_LINE = "\r\033[K";
  static final String WRAP_OFF = "\033[?7l";
  static final String WRAP_ON = "\033[?7h";

  private final PrintWriter out;
  private final boolean updating;
  /** The status line shown at the bottom of an updating console, or null. */
  private String shown;

  public ConsoleStatus(PrintWriter out, boolean updating) {
    this.out = Objects.requireNonNull(out, "out");
    this.updating = updating;
  }

  /**
   * Whether the status line should update in place on this JVM's console: standard input and output are a terminal
   * (Java 17's {@link System#console()}) that is not a dumb one.
   */
  public static boolean terminal() {
    return System.console() != null && !"dumb".equals(System.getenv("TERM"));
  }

  public boolean updating() {
    return updating;
  }

  /** Shows {@code line} as the status: in place when updating, else as a line of its own. */
  public synchronized void status(String line) {
    if (updating) {
      out.print(CLEAR_LINE + WRAP_OFF + line + WRAP_ON);
      shown = line;
    } else {
      out.println(line);
    }
    out.flush();
  }

  /** Prints {@code line} on a line of its own, above the status line. */
  public synchronized void message(String line) {
    around(() -> out.println(line));
  }

  /**
   * Runs {@code print}, which writes whole lines to this console's terminal (e.g. through standard error), with the
   * status line cleared before and drawn again after.
   */
  public synchronized void around(Runnable print) {
    if (shown != null) {
      out.print(CLEAR_LINE);
      out.flush();
    }
    print.run();
    out.flush();
    if (shown != null) {
      out.print(WRAP_OFF + shown + WRAP_ON);
      out.flush();
    }
  }

  /** Leaves the last status line in place (ends it with a newline); what is printed next starts below it. */
  public synchronized void finish() {
    if (shown != null) {
      out.println();
      out.flush();
      shown = null;
    }
  }
}
