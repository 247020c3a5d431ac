package io.riskstream.app.cli;

/**
 * Input the user has to fix (an option, a configuration file, a model, a cohort): the command ends with this message
 * on one line and exit status 2, without a stack trace (see {@link RiskstreamCli#withBadInputHandling}).
 */
final class BadInputException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  BadInputException(String message) {
    super(message);
  }
}
