package io.riskstream.connectors;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import io.riskstream.schemas.DeadLetterReason;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * The one JSON configuration of every normalizer: strict UTF-8, one JSON value per record, and bounds on nesting,
 * strings, numbers, property names and the document. Every way a document can break a rule is a
 * {@link RejectedInputException} with its own reason, and no exception message of the parser (which may quote the
 * input) reaches a reason's message:
 *
 * <table>
 *   <caption>Rules</caption>
 *   <tr><th>rule</th><th>reason</th></tr>
 *   <tr><td>bytes that are not UTF-8 (a leading byte-order mark is ignored)</td><td>MALFORMED_JSON</td></tr>
 *   <tr><td>not one JSON value (syntax error, truncated, empty, duplicate property in an object)</td>
 *       <td>MALFORMED_JSON</td></tr>
 *   <tr><td>anything but white space after the first value</td><td>TRAILING_DATA</td></tr>
 *   <tr><td>arrays and objects nested deeper than {@link #MAX_DEPTH}</td><td>NESTING_TOO_DEEP</td></tr>
 *   <tr><td>a string longer than {@link #MAX_STRING_CHARS}, a number longer than {@link #MAX_NUMBER_CHARS}, a
 *       property name longer than {@link #MAX_NAME_CHARS}</td><td>VALUE_TOO_LONG</td></tr>
 *   <tr><td>a document longer than the instance's limit</td><td>OVERSIZED_RECORD</td></tr>
 * </table>
 *
 * Jackson only counts document length when it reads from a stream, and the normalizers read byte arrays and strings,
 * so the document limit is checked here before parsing (it is also set on the factory for streams). Thread-safe.
 */
public final class StrictJson {

  /** Deepest nesting of arrays and objects (the root object is depth 1). Synthea's Bundles reach 12. */
  public static final int MAX_DEPTH = 64;
  /** Longest JSON string, in chars. Mapped fields have tighter bounds ({@link FieldRules}). */
  public static final int MAX_STRING_CHARS = 1 << 20;
  /** Longest JSON number, in chars (a double or a 64-bit integer needs at most 24). */
  public static final int MAX_NUMBER_CHARS = 64;
  /** Longest property name, in chars. */
  public static final int MAX_NAME_CHARS = 256;

  private final ObjectMapper mapper;
  /** The first value only: the rest of the document is checked by {@link #parse(String)} itself. */
  private final ObjectReader firstValue;
  private final long maxDocumentChars;

  private StrictJson(long maxDocumentChars) {
    this.maxDocumentChars = maxDocumentChars;
    StreamReadConstraints constraints = StreamReadConstraints.builder()
        .maxNestingDepth(MAX_DEPTH)
        .maxStringLength(MAX_STRING_CHARS)
        .maxNumberLength(MAX_NUMBER_CHARS)
        .maxNameLength(MAX_NAME_CHARS)
        .maxDocumentLength(maxDocumentChars)
        .build();
    JsonFactory factory = JsonFactory.builder()
        .streamReadConstraints(constraints)
        .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
        .disable(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION)
        .build();
    this.mapper = new ObjectMapper(factory).enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    this.firstValue = mapper.reader().without(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
  }

  /** A parser for documents of at most {@code maxDocumentChars} chars (UTF-16 units; at most the bytes of UTF-8). */
  public static StrictJson withMaxDocumentChars(long maxDocumentChars) {
    if (maxDocumentChars <= 0) {
      throw new IllegalArgumentException("maxDocumentChars must be positive");
    }
    return new StrictJson(maxDocumentChars);
  }

  /**
   * The configured mapper, for reading JSON outside the normalizers' path (it fails on trailing tokens too, with
   * Jackson's exceptions).
   */
  public ObjectMapper mapper() {
    return mapper;
  }

  /** Decodes strict UTF-8 and parses one JSON value. Never returns null. */
  public JsonNode parse(byte[] value) throws RejectedInputException {
    String text;
    try {
      text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(value)).toString();
    } catch (CharacterCodingException e) {
      throw new RejectedInputException(DeadLetterReason.MALFORMED_JSON, "value is not UTF-8 text");
    }
    return parse(text);
  }

  /** Parses one JSON value; a leading byte-order mark is ignored. Never returns null. */
  public JsonNode parse(String text) throws RejectedInputException {
    if (text.length() > maxDocumentChars) {
      throw new RejectedInputException(DeadLetterReason.OVERSIZED_RECORD, "document of " + text.length()
          + " chars exceeds " + maxDocumentChars);
    }
    String json = !text.isEmpty() && text.charAt(0) == '\uFEFF' ? text.substring(1) : text;
    try (JsonParser parser = mapper.createParser(json)) {
      JsonNode root;
      try {
        root = firstValue.readTree(parser);
      } catch (JsonProcessingException e) {
        throw rejected(e, "value is not valid JSON");
      }
      if (root == null || root.isMissingNode()) {
        throw new RejectedInputException(DeadLetterReason.MALFORMED_JSON, "value is empty");
      }
      try {
        if (parser.nextToken() != null) {
          throw new RejectedInputException(DeadLetterReason.TRAILING_DATA, "value has data after its JSON value"
              + at(parser.currentTokenLocation()));
        }
      } catch (JsonProcessingException e) {
        throw new RejectedInputException(DeadLetterReason.TRAILING_DATA, "value has data after its JSON value"
            + at(e.getLocation()));
      }
      return root;
    } catch (IOException e) {
      // a String source does no I/O; any other failure of the parser is still bad input
      throw new RejectedInputException(DeadLetterReason.MALFORMED_JSON, "value is not valid JSON");
    }
  }

  /** The reason of a parser failure: a bound (which one from Jackson's message), else MALFORMED_JSON. */
  private static RejectedInputException rejected(JsonProcessingException e, String what) {
    if (e instanceof StreamConstraintsException) {
      String m = String.valueOf(e.getOriginalMessage());
      if (m.contains("getMaxNestingDepth")) {
        return new RejectedInputException(DeadLetterReason.NESTING_TOO_DEEP, "value nests arrays and objects deeper"
            + " than " + MAX_DEPTH);
      }
      if (m.contains("getMaxStringLength")) {
        return new RejectedInputException(DeadLetterReason.VALUE_TOO_LONG, "value has a string longer than "
            + MAX_STRING_CHARS + " chars");
      }
      if (m.contains("getMaxNumberLength")) {
        return new RejectedInputException(DeadLetterReason.VALUE_TOO_LONG, "value has a number longer than "
            + MAX_NUMBER_CHARS + " chars");
      }
      if (m.contains("getMaxNameLength")) {
        return new RejectedInputException(DeadLetterReason.VALUE_TOO_LONG, "value has a property name longer than "
            + MAX_NAME_CHARS + " chars");
      }
      if (m.contains("getMaxDocumentLength")) {
        return new RejectedInputException(DeadLetterReason.OVERSIZED_RECORD, "document exceeds its size limit");
      }
      return new RejectedInputException(DeadLetterReason.MALFORMED_JSON, what + " (a parser limit was exceeded)");
    }
    return new RejectedInputException(DeadLetterReason.MALFORMED_JSON, what + at(e.getLocation()));
  }

  /** " (line L, column C)" where the parser knows it; the location of a limit failure is null. */
  private static String at(JsonLocation location) {
    if (location == null || location.getLineNr() < 0) {
      return "";
    }
    return " (line " + location.getLineNr() + ", column " + location.getColumnNr() + ")";
  }
}
