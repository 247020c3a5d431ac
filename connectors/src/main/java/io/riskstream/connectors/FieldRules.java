package io.riskstream.connectors;

import io.riskstream.schemas.DeadLetterReason;
import io.riskstream.schemas.EmrEvent;
import java.time.Instant;
import java.util.Locale;
import java.util.function.Function;

/**
 * The rules every {@link EmrEvent} a normalizer produces must meet, in one place (connectors/README.md, "Input
 * rules"). A field that breaks one is a {@link RejectedInputException} whose message names the field as the source
 * calls it and the rule, never the value. Checked in this order, the first failure wins:
 *
 * <ul>
 *   <li>every text field (identifiers included): no C0 or C1 control character (NUL, TAB, LF and CR included), no
 *       bidirectional formatting character (U+061C, U+200E, U+200F, U+202A–U+202E, U+2066–U+2069), no line or
 *       paragraph separator (U+2028, U+2029), no unpaired surrogate → INVALID_CHARACTERS;</li>
 *   <li>identifiers (patient id, the source key of the event id, encounter id; Debezium's txId): 1 to
 *       {@value #MAX_ID_CHARS} of {@code A-Z a-z 0-9 - . _ : @ / + =} → INVALID_IDENTIFIER;</li>
 *   <li>event time and end time within {@link #EARLIEST_TIME} .. {@link #LATEST_TIME} → INVALID_FIELD;</li>
 *   <li>code system (at most {@value #MAX_CODE_SYSTEM_CHARS}) and code (at most {@value #MAX_CODE_CHARS}): letters,
 *       digits, single inner spaces and {@code - . _ : / + = @ # % & * ( ) [ ] , ! ? ^ ~ |} (no quote, semicolon,
 *       angle bracket, backslash, backtick, dollar or brace, no other white space) → INVALID_CHARACTERS; leading,
 *       trailing or repeated spaces → INVALID_FIELD;</li>
 *   <li>unit at most {@value #MAX_UNIT_CHARS}; description, category and value text at most
 *       {@value #MAX_TEXT_CHARS} → VALUE_TOO_LONG;</li>
 *   <li>a numeric value is finite → INVALID_FIELD.</li>
 * </ul>
 * Lengths are in chars (UTF-16 code units).
 */
public final class FieldRules {

  public static final int MAX_ID_CHARS = 128;
  public static final int MAX_CODE_CHARS = 64;
  public static final int MAX_CODE_SYSTEM_CHARS = 128;
  public static final int MAX_UNIT_CHARS = 64;
  public static final int MAX_TEXT_CHARS = 1024;
  /** Earliest plausible clinical time (inclusive). */
  public static final Instant EARLIEST_TIME = Instant.parse("1850-01-01T00:00:00Z");
  /** Latest plausible clinical time (inclusive). */
  public static final Instant LATEST_TIME = Instant.parse("2200-12-31T23:59:59.999Z");
  /** The punctuation a code or code system may hold besides letters, digits and single inner spaces. */
  static final String CODE_PUNCTUATION = "-._:/+=@#%&*()[],!?^~|";
  private static final String ID_PUNCTUATION = "-._:@/+=";

  /** The EmrEvent fields the rules cover. */
  public enum Field {
    PATIENT_ID("patientId"), EVENT_ID("eventId"), ENCOUNTER_ID("encounterId"), EVENT_TIME("eventTime"),
    END_TIME("endTime"), CODE_SYSTEM("codeSystem"), CODE("code"), DESCRIPTION("description"), CATEGORY("category"),
    VALUE("value"), VALUE_TEXT("valueText"), UNIT("unit");

    private final String eventField;

    Field(String eventField) {
      this.eventField = eventField;
    }

    /** The name of the field in EmrEvent. */
    public String eventField() {
      return eventField;
    }
  }

  private FieldRules() {
  }

  /**
   * Checks every field of {@code event}; {@code names} gives the name of a field in the source (e.g.
   * {@code conditions.patient_id} or {@code Condition.subject.reference}) for the message.
   */
  public static void check(EmrEvent event, Function<Field, String> names) throws RejectedInputException {
    identifier(event.getPatientId(), names.apply(Field.PATIENT_ID));
    String eventId = event.getEventId();
    identifier(eventId.substring(eventId.indexOf(':') + 1), names.apply(Field.EVENT_ID));
    if (event.getEncounterId() != null) {
      identifier(event.getEncounterId(), names.apply(Field.ENCOUNTER_ID));
    }
    time(event.getEventTime(), names.apply(Field.EVENT_TIME));
    if (event.getEndTime() != null) {
      time(event.getEndTime(), names.apply(Field.END_TIME));
    }
    code(event.getCodeSystem(), MAX_CODE_SYSTEM_CHARS, names.apply(Field.CODE_SYSTEM));
    code(event.getCode(), MAX_CODE_CHARS, names.apply(Field.CODE));
    text(event.getDescription(), MAX_TEXT_CHARS, names.apply(Field.DESCRIPTION));
    text(event.getCategory(), MAX_TEXT_CHARS, names.apply(Field.CATEGORY));
    if (event.getValue() != null && !Double.isFinite(event.getValue())) {
      throw new RejectedInputException(DeadLetterReason.INVALID_FIELD, names.apply(Field.VALUE)
          + " is not a finite number");
    }
    text(event.getValueText(), MAX_TEXT_CHARS, names.apply(Field.VALUE_TEXT));
    text(event.getUnit(), MAX_UNIT_CHARS, names.apply(Field.UNIT));
  }

  /** An identifier: no forbidden character, then 1..{@value #MAX_ID_CHARS} of the identifier characters. */
  public static void identifier(String value, String name) throws RejectedInputException {
    characters(value, name);
    if (value.isEmpty() || value.length() > MAX_ID_CHARS) {
      throw new RejectedInputException(DeadLetterReason.INVALID_IDENTIFIER, name + " is not an identifier: "
          + (value.isEmpty() ? "empty" : value.length() + " chars, more than " + MAX_ID_CHARS));
    }
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (!isIdChar(c)) {
        throw new RejectedInputException(DeadLetterReason.INVALID_IDENTIFIER, name + " is not an identifier: "
            + describe(value.codePointAt(i)) + " at index " + i + " is not one of A-Z a-z 0-9 " + ID_PUNCTUATION);
      }
    }
  }

  /** Free text (null allowed): no forbidden character, at most {@code max} chars. */
  public static void text(String value, int max, String name) throws RejectedInputException {
    if (value == null) {
      return;
    }
    characters(value, name);
    length(value, max, name);
  }

  /** A code or code system (null allowed): the code characters, at most {@code max} chars, single inner spaces. */
  public static void code(String value, int max, String name) throws RejectedInputException {
    if (value == null) {
      return;
    }
    characters(value, name);
    for (int i = 0; i < value.length(); ) {
      int cp = value.codePointAt(i);
      if (!(cp == ' ' || Character.isLetterOrDigit(cp) || (cp < 128 && CODE_PUNCTUATION.indexOf(cp) >= 0))) {
        throw new RejectedInputException(DeadLetterReason.INVALID_CHARACTERS, name + " has " + describe(cp)
            + " at index " + i + ", which a code may not hold (letters, digits, single inner spaces and "
            + CODE_PUNCTUATION + ")");
      }
      i += Character.charCount(cp);
    }
    length(value, max, name);
    if (value.startsWith(" ") || value.endsWith(" ") || value.contains("  ")) {
      throw new RejectedInputException(DeadLetterReason.INVALID_FIELD, name
          + " has leading, trailing or repeated spaces");
    }
  }

  /** A clinical time: within {@link #EARLIEST_TIME} .. {@link #LATEST_TIME}. */
  public static Instant time(Instant value, String name) throws RejectedInputException {
    if (!plausible(value)) {
      throw new RejectedInputException(DeadLetterReason.INVALID_FIELD, name + " is outside the plausible range "
          + EARLIEST_TIME + " .. " + LATEST_TIME);
    }
    return value;
  }

  /** Whether {@code value} lies within {@link #EARLIEST_TIME} .. {@link #LATEST_TIME}. */
  public static boolean plausible(Instant value) {
    return !value.isBefore(EARLIEST_TIME) && !value.isAfter(LATEST_TIME);
  }

  /** Whether {@code epochMillis} lies within {@link #EARLIEST_TIME} .. {@link #LATEST_TIME}. */
  public static boolean plausible(long epochMillis) {
    return epochMillis >= EARLIEST_TIME.toEpochMilli() && epochMillis <= LATEST_TIME.toEpochMilli();
  }

  /** No forbidden character anywhere in {@code value}, else INVALID_CHARACTERS. */
  public static void characters(String value, String name) throws RejectedInputException {
    int i = firstForbidden(value);
    if (i >= 0) {
      char c = value.charAt(i);
      String what = Character.isSurrogate(c) ? "an unpaired surrogate" : Character.isISOControl(c)
          ? "a control character (" + codePoint(c) + ")" : "a formatting character (" + codePoint(c) + ")";
      throw new RejectedInputException(DeadLetterReason.INVALID_CHARACTERS, name + " has " + what + " at index " + i);
    }
  }

  /**
   * The index of the first char of {@code value} that no field may hold (control, bidirectional formatting, line or
   * paragraph separator, unpaired surrogate), or -1.
   */
  public static int firstForbidden(String value) {
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (Character.isHighSurrogate(c)) {
        if (i + 1 < value.length() && Character.isLowSurrogate(value.charAt(i + 1))) {
          i++;
          continue;
        }
        return i;
      }
      if (Character.isLowSurrogate(c) || Character.isISOControl(c) || isFormatting(c)) {
        return i;
      }
    }
    return -1;
  }

  private static boolean isFormatting(char c) {
    return c == '\u061C' || c == '\u200E' || c == '\u200F' || (c >= '\u202A' && c <= '\u202E')
        || (c >= '\u2066' && c <= '\u2069') || c == '\u2028' || c == '\u2029';
  }

  private static boolean isIdChar(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
        || ID_PUNCTUATION.indexOf(c) >= 0;
  }

  private static void length(String value, int max, String name) throws RejectedInputException {
    if (value.length() > max) {
      throw new RejectedInputException(DeadLetterReason.VALUE_TOO_LONG, name + " is " + value.length()
          + " chars long, more than " + max);
    }
  }

  private static String describe(int codePoint) {
    return codePoint == ' ' ? "a space" : "a character (" + codePoint(codePoint) + ")";
  }

  private static String codePoint(int cp) {
    return String.format(Locale.ROOT, "U+%04X", cp);
  }
}
