package io.riskstream.app.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

class ConsoleStatusTest {

  private static final String DRAW = ConsoleStatus.CLEAR_LINE + ConsoleStatus.WRAP_OFF;

  @Test
  void shouldRedrawOneLineInPlaceAndPrintMessagesAboveIt() {
    StringWriter text = new StringWriter();
    ConsoleStatus console = new ConsoleStatus(new PrintWriter(text), true);

    console.status("patients 1/3");
    console.status("patients 2/3");
    console.message("ALERT CRITICAL");
    console.status("patients 3/3");
    console.finish();
    console.message("Summary:");

    assertThat(text.toString()).isEqualTo(
        DRAW + "patients 1/3" + ConsoleStatus.WRAP_ON
            + DRAW + "patients 2/3" + ConsoleStatus.WRAP_ON
            // the message clears the status line, takes a line of its own, and the status line is drawn again
            + ConsoleStatus.CLEAR_LINE + "ALERT CRITICAL" + System.lineSeparator()
            + ConsoleStatus.WRAP_OFF + "patients 2/3" + ConsoleStatus.WRAP_ON
            + DRAW + "patients 3/3" + ConsoleStatus.WRAP_ON
            // finish keeps the last status; later messages start below it
            + System.lineSeparator() + "Summary:" + System.lineSeparator());
  }

  @Test
  void shouldClearTheStatusLineAroundLinesPrintedElsewhere() {
    StringWriter text = new StringWriter();
    ConsoleStatus console = new ConsoleStatus(new PrintWriter(text), true);
    console.status("progress");
    StringBuilder order = new StringBuilder();

    console.around(() -> order.append(text.toString().endsWith(ConsoleStatus.CLEAR_LINE) ? "cleared" : "not cleared"));

    assertThat(order).hasToString("cleared");
    assertThat(text.toString()).endsWith(ConsoleStatus.WRAP_OFF + "progress" + ConsoleStatus.WRAP_ON);
  }

  @Test
  void shouldPrintPlainLinesWhenNotOnATerminal() {
    StringWriter text = new StringWriter();
    ConsoleStatus console = new ConsoleStatus(new PrintWriter(text), false);

    console.status("patients 1/3");
    console.message("ALERT CRITICAL");
    console.status("patients 3/3");
    console.finish();

    assertThat(text.toString()).isEqualTo(String.join(System.lineSeparator(), "patients 1/3", "ALERT CRITICAL",
        "patients 3/3", "")).doesNotContain("\r", "\033");
  }
}
