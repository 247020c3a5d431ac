package io.riskstream.scoring.encoder;

import io.riskstream.schemas.EmrEvent;
import java.util.List;
import java.util.Locale;

/**
 * Token strings of events: the single place that names tokens, shared by {@link EncoderSpec#builder() fitting} and
 * {@link HistoryEncoder encoding}, so that the vocabulary and the inputs cannot disagree.
 */
final class Tokens {

  static final String PAD = "[PAD]";
  static final String OOV = "[OOV]";
  static final int PAD_ID = 0;
  static final int OOV_ID = 1;
  static final List<String> SEXES = List.of("male", "female", "other", "unknown");

  private Tokens() {
  }

  static String sex(String code) {
    return "sex:" + (code == null ? "unknown" : code.trim().toLowerCase(Locale.ROOT));
  }

  static String ageBand(List<Integer> bands, double years) {
    int index = 0;
    for (int i = 0; i < bands.size(); i++) {
      if (years >= bands.get(i)) {
        index = i;
      }
    }
    int lower = bands.get(index);
    return index + 1 < bands.size() ? "age:" + lower + "-" + (bands.get(index + 1) - 1) : "age:" + lower + "+";
  }

  static String encounterClass(EmrEvent event) {
    return "enc:" + (event.getCategory() == null ? "unknown" : event.getCategory().toString().toLowerCase(Locale.ROOT));
  }

  /** {@code <kind>:<system>:<code>} for encounters, diagnoses, medications and procedures. */
  static String coded(EmrEvent event) {
    return event.getKind().name().toLowerCase(Locale.ROOT) + ":" + str(event.getCodeSystem()) + ":"
        + str(event.getCode());
  }

  static String observation(EmrEvent event) {
    return "obs:" + str(event.getCode());
  }

  static String observationBin(EmrEvent event, int bin) {
    return observation(event) + ":bin" + bin;
  }

  static String observationText(EmrEvent event) {
    return observation(event) + ":" + event.getValueText().toString().trim();
  }

  static boolean hasNumericValue(EmrEvent event) {
    return event.getValue() != null && Double.isFinite(event.getValue());
  }

  static boolean hasTextValue(EmrEvent event) {
    return event.getValueText() != null && !event.getValueText().toString().isBlank();
  }

  static String str(CharSequence s) {
    return s == null ? "?" : s.toString();
  }
}
