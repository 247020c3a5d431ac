package io.riskstream.app.cli;

import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.riskstream.scoring.eval.OperatingPoints;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Writes operating points into a model folder's card: the {@code "operating_points"} member of
 * {@code model-card.json} (last, replaced when present; the rest of the file is left byte for byte as training wrote
 * it) and the "## Operating points" section of {@code model-card.md} (before "## Limitations", replaced when present).
 */
final class ModelCardOperatingPoints {

  static final String MEMBER = "\n  \"operating_points\": ";
  static final String SECTION = "## Operating points";

  private static final ObjectMapper JSON = new ObjectMapper();

  private ModelCardOperatingPoints() {
  }

  static void write(Path modelDir, Map<String, Object> block, List<OperatingPoints.Outcome> points,
      OperatingPoints.Target target) throws IOException {
    write(modelDir, block, section(block, points, target));
  }

  /** Writes {@code block} as the card's operating_points and {@code section} (starting with {@link #SECTION}). */
  static void write(Path modelDir, Map<String, Object> block, String section) throws IOException {
    Path json = modelDir.resolve("model-card.json");
    Files.writeString(json, withMember(Files.readString(json, StandardCharsets.UTF_8), block), StandardCharsets.UTF_8);
    Path md = modelDir.resolve("model-card.md");
    if (Files.isRegularFile(md)) {
      Files.writeString(md, withSection(Files.readString(md, StandardCharsets.UTF_8), section), StandardCharsets.UTF_8);
    }
  }

  /** {@code card} (a JSON object as training writes it, 2-space indent) with its operating_points member set. */
  static String withMember(String card, Map<String, Object> block) throws IOException {
    JSON.readTree(card);  // refuse what is not JSON before editing it
    String body = card.stripTrailing();
    int at = body.indexOf(MEMBER);
    if (at >= 0) {
      body = body.substring(0, at);
      if (body.endsWith(",")) {
        body = body.substring(0, body.length() - 1);
      }
    } else {
      body = body.substring(0, body.lastIndexOf('}')).stripTrailing();
    }
    DefaultPrettyPrinter printer = new DefaultPrettyPrinter()
        .withSeparators(Separators.createDefaultInstance().withObjectFieldValueSpacing(Separators.Spacing.AFTER))
        .withArrayIndenter(new DefaultIndenter("  ", "\n"))
        .withObjectIndenter(new DefaultIndenter("  ", "\n"));
    String value = JSON.writer(printer).writeValueAsString(block).replace("\n", "\n  ");
    String out = body + "," + MEMBER + value + "\n}\n";
    JSON.readTree(out);
    return out;
  }

  /** {@code markdown} with its operating points section replaced, or inserted before "## Limitations" (else last). */
  static String withSection(String markdown, String section) {
    int start = markdown.indexOf("\n" + SECTION);
    if (start >= 0) {
      int end = markdown.indexOf("\n## ", start + 1);
      return markdown.substring(0, start + 1) + section + (end < 0 ? "" : markdown.substring(end + 1));
    }
    int limitations = markdown.indexOf("\n## Limitations");
    if (limitations >= 0) {
      return markdown.substring(0, limitations + 1) + section + markdown.substring(limitations + 1);
    }
    return markdown.stripTrailing() + "\n\n" + section;
  }

  @SuppressWarnings("unchecked")
  static String section(Map<String, Object> block, List<OperatingPoints.Outcome> points,
      OperatingPoints.Target target) {
    Map<String, Object> data = (Map<String, Object>) block.get("data");
    StringBuilder s = new StringBuilder(SECTION).append(" (default alert thresholds)\n\n");
    s.append(String.format(Locale.ROOT, "The alert thresholds `run` and `demo` use for an outcome when the"
        + " configuration sets none (`alert.warning.threshold`, `alert.critical.threshold`,"
        + " `alert.outcome.<name>.*.threshold` win). Target: warning at most %s flags per 100 patient-years;"
        + " critical at most %s per 100 patient-years with PPV at least %s and at least %d onsets flagged (when no threshold"
        + " reaches that PPV: the lowest within the rate, marked below).%n%n", EvaluateCommand.fmt(target.warningPer100()),
        EvaluateCommand.fmt(target.criticalPer100()), EvaluateCommand.fmt(target.criticalPpvFloor()),
        target.minTruePositives()));
    s.append("Data: ").append(data.getOrDefault("cohort_command", data.get("cohort"))).append(" (")
        .append(data.get("patients")).append(" patient records, ").append(data.get("index_times"))
        .append(" index times: one per patient-year, adults, 365-day horizon). ").append(data.get("selection"))
        .append(". Command: `").append(data.get("command")).append("`.\n\n");
    s.append("| outcome | warning | per 100 patient-years (choice / check) | PPV (check) | sensitivity (check) |"
        + " critical | per 100 patient-years (choice / check) | PPV (check) | sensitivity (check) |\n");
    s.append("|---|---|---|---|---|---|---|---|---|\n");
    for (OperatingPoints.Outcome p : points) {
      s.append(String.format(Locale.ROOT, "| %s | %.4f | %.2f / %.2f | %s (%d/%d) | %s (of %d onsets) | %.4f%s |"
              + " %.2f / %.2f | %s (%d/%d) | %s |%n", p.name(), p.warningThreshold(), p.warningSelection().per100(),
          p.warningCheck().per100(), ratio(p.warningCheck().ppv()), p.warningCheck().truePositives(),
          p.warningCheck().flagged(), ratio(p.warningCheck().sensitivity()), p.warningCheck().positives(),
          p.criticalThreshold(), p.ppvFloorMet() ? "" : " (PPV floor not reached)", p.criticalSelection().per100(),
          p.criticalCheck().per100(), ratio(p.criticalCheck().ppv()), p.criticalCheck().truePositives(),
          p.criticalCheck().flagged(), ratio(p.criticalCheck().sensitivity())));
    }
    s.append("\nFlags per 100 index times = flags per 100 patient-years of a policy that alerts at most once a year per"
        + " outcome; the streaming policy (hysteresis, cooldown) scores every transaction, so its alert rate differs."
        + " Lead time needs each patient's scored timeline and is not measured here.\n\n");
    return s.toString();
  }

  private static String ratio(double x) {
    return Double.isNaN(x) ? "-" : String.format(Locale.ROOT, "%.3f", x);
  }
}
