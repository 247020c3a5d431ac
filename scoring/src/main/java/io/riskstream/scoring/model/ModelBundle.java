package io.riskstream.scoring.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.riskstream.scoring.encoder.EncoderSpec;
import io.riskstream.scoring.encoder.OutcomeSpec;
import io.riskstream.scoring.npy.Npy;
import io.riskstream.scoring.npy.Npy.NpyArray;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A shipped model folder: {@code model.onnx}, {@code model.onnx.sha256}, {@code encoder-spec.json},
 * {@code model-card.json} (with at least {@code "version"}; {@code "name"} defaults to the folder name) and
 * optionally {@code validation/} ({@code tokens.npy}, {@code ages.npy}, {@code recency.npy}, {@code labels.npy},
 * {@code expected.npy}). Loaded from the classpath ({@code models/<name>/}) or a filesystem directory. The ONNX
 * file's sha256 is verified at load: a mismatch fails fast. The card's {@code "population"} states whom the model
 * covers: {@code "min_age_years"} (default {@value #DEFAULT_MIN_AGE_YEARS}: adults; the stream raises no alert below
 * it). Immutable.
 */
public final class ModelBundle {

  public static final String CLASSPATH_ROOT = "models/";
  /** The classpath file that names the bundled models, one a line (a jar's folders cannot be listed reliably). */
  public static final String BUNDLED_INDEX = CLASSPATH_ROOT + "bundled.txt";
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");
  private static final ObjectMapper JSON = new ObjectMapper();
  /** The minimum age of a card that states none: the shipped models are trained on adults' index times. */
  public static final double DEFAULT_MIN_AGE_YEARS = 18;

  private final String name;
  private final String version;
  private final String sha256;
  private final byte[] onnx;
  private final EncoderSpec spec;
  private final String cardJson;
  private final ValidationSet validation;
  private final Map<String, OperatingPoint> operatingPoints;
  private final double minimumAgeYears;

  private ModelBundle(String name, String version, String sha256, byte[] onnx, EncoderSpec spec, String cardJson,
      ValidationSet validation, Map<String, OperatingPoint> operatingPoints, double minimumAgeYears) {
    this.minimumAgeYears = minimumAgeYears;
    this.name = name;
    this.version = version;
    this.sha256 = sha256;
    this.onnx = onnx;
    this.spec = spec;
    this.cardJson = cardJson;
    this.validation = validation;
    this.operatingPoints = Map.copyOf(operatingPoints);
  }

  /**
   * Loads {@code nameOrDir}: an existing directory on the filesystem, else the classpath folder
   * {@code models/<nameOrDir>/}.
   *
   * @throws ModelBundleException when the folder is missing, incomplete or its ONNX file does not match its sha256
   */
  public static ModelBundle load(String nameOrDir) {
    Path dir = Path.of(nameOrDir);
    if (Files.isDirectory(dir)) {
      return fromDirectory(dir);
    }
    return fromClasspath(nameOrDir);
  }

  public static ModelBundle fromDirectory(Path dir) {
    String folder = dir.toAbsolutePath().normalize().getFileName().toString();
    return load(folder, dir.toString(), file -> {
      Path p = dir.resolve(file);
      return Files.isRegularFile(p) ? Files.readAllBytes(p) : null;
    });
  }

  public static ModelBundle fromClasspath(String name) {
    if (!NAME.matcher(name).matches()) {
      throw new ModelBundleException("'" + name + "' is neither a model directory nor a model name "
          + "(letters, digits, '.', '_', '-'); " + bundledList());
    }
    ClassLoader loader = classLoader();
    String root = CLASSPATH_ROOT + name + "/";
    if (loader.getResource(root + "model.onnx") == null) {
      throw new ModelBundleException("unknown model '" + name + "': no such directory and no bundled model of that"
          + " name; " + bundledList());
    }
    return load(name, "classpath:" + root, file -> {
      try (InputStream in = loader.getResourceAsStream(root + file)) {
        return in == null ? null : in.readAllBytes();
      }
    });
  }

  /** The names of the models bundled with this build (from {@link #BUNDLED_INDEX}), sorted. */
  public static List<String> bundled() {
    try (InputStream in = classLoader().getResourceAsStream(BUNDLED_INDEX)) {
      if (in == null) {
        return List.of();
      }
      return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).lines().map(String::trim)
          .filter(l -> !l.isEmpty() && !l.startsWith("#")).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + BUNDLED_INDEX, e);
    }
  }

  private static String bundledList() {
    List<String> names = bundled();
    return names.isEmpty() ? "no models are bundled with this build (give a model directory)"
        : "bundled models: " + String.join(", ", names) + " (or give a model directory)";
  }

  private static ClassLoader classLoader() {
    return Thread.currentThread().getContextClassLoader() != null
        ? Thread.currentThread().getContextClassLoader() : ModelBundle.class.getClassLoader();
  }

  private interface Source {
    byte[] get(String file) throws IOException;
  }

  private static ModelBundle load(String folder, String where, Source source) {
    try {
      byte[] onnx = require(source, where, "model.onnx");
      String declared = new String(require(source, where, "model.onnx.sha256"), java.nio.charset.StandardCharsets.US_ASCII)
          .trim().split("\\s+")[0].toLowerCase(Locale.ROOT);
      String actual = sha256(onnx);
      if (!actual.equals(declared)) {
        throw new ModelBundleException("model.onnx in " + where + " has sha256 " + actual + " but model.onnx.sha256 "
            + "declares " + declared + ": the model file is corrupt or was replaced; restore it or its checksum");
      }
      EncoderSpec spec = EncoderSpec.read(new ByteArrayInputStream(require(source, where, "encoder-spec.json")));
      byte[] cardBytes = require(source, where, "model-card.json");
      JsonNode card = JSON.readTree(cardBytes);
      if (card == null || !card.hasNonNull("version")) {
        throw new ModelBundleException("model-card.json in " + where + " lacks a \"version\"");
      }
      String name = card.hasNonNull("name") ? card.get("name").asText() : folder;
      ValidationSet validation = null;
      byte[] tokens = source.get("validation/tokens.npy");
      if (tokens != null) {
        validation = new ValidationSet(npy(tokens),
            npy(require(source, where, "validation/ages.npy")),
            npy(require(source, where, "validation/recency.npy")),
            npy(require(source, where, "validation/labels.npy")),
            npy(require(source, where, "validation/expected.npy")));
      }
      return new ModelBundle(name, card.get("version").asText(), actual, onnx, spec,
          new String(cardBytes, java.nio.charset.StandardCharsets.UTF_8), validation, operatingPoints(card, spec, where),
          minimumAge(card, where));
    } catch (IOException | UncheckedIOException | IllegalArgumentException e) {
      throw new ModelBundleException("cannot load model bundle " + where + ": " + e.getMessage(), e);
    }
  }

  /**
   * The card's {@code operating_points}: per outcome {@code {"warning": {"threshold": w, ...}, "critical":
   * {"threshold": c, ...}}} (other fields describe how they were chosen); none when the card has none.
   */
  private static Map<String, OperatingPoint> operatingPoints(JsonNode card, EncoderSpec spec, String where) {
    JsonNode points = card.get("operating_points");
    if (points == null || points.isNull()) {
      return Map.of();
    }
    JsonNode outcomes = points.get("outcomes");
    if (outcomes == null || !outcomes.isObject()) {
      throw new ModelBundleException("model-card.json in " + where + ": operating_points lacks an \"outcomes\" object");
    }
    Map<String, OperatingPoint> out = new java.util.LinkedHashMap<>();
    outcomes.fields().forEachRemaining(e -> {
      if (!spec.outcomeNames().contains(e.getKey())) {
        throw new ModelBundleException("model-card.json in " + where + ": operating point of unknown outcome "
            + e.getKey() + " (the encoder spec has " + spec.outcomeNames() + ")");
      }
      JsonNode w = e.getValue().path("warning").path("threshold");
      JsonNode c = e.getValue().path("critical").path("threshold");
      if (!w.isNumber() || !c.isNumber()) {
        throw new ModelBundleException("model-card.json in " + where + ": operating point of " + e.getKey()
            + " needs numeric warning.threshold and critical.threshold");
      }
      out.put(e.getKey(), new OperatingPoint(w.asDouble(), c.asDouble()));
    });
    return out;
  }

  /** The card's {@code population.min_age_years}, else {@link #DEFAULT_MIN_AGE_YEARS}. */
  private static double minimumAge(JsonNode card, String where) {
    JsonNode age = card.path("population").path("min_age_years");
    if (age.isMissingNode() || age.isNull()) {
      return DEFAULT_MIN_AGE_YEARS;
    }
    if (!age.isNumber() || !(age.asDouble() >= 0)) {
      throw new ModelBundleException("model-card.json in " + where + ": population.min_age_years must be a number of"
          + " years >= 0, got " + age);
    }
    return age.asDouble();
  }

  private static byte[] require(Source source, String where, String file) throws IOException {
    byte[] bytes = source.get(file);
    if (bytes == null) {
      throw new ModelBundleException("model bundle " + where + " lacks " + file);
    }
    return bytes;
  }

  private static NpyArray npy(byte[] bytes) throws IOException {
    return Npy.read(new ByteArrayInputStream(bytes));
  }

  /** Lower-case hex sha256 of {@code bytes}. */
  public static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every JVM", e);
    }
  }

  public String name() {
    return name;
  }

  public String version() {
    return version;
  }

  /** Hex sha256 of {@code model.onnx}, verified at load. */
  public String sha256() {
    return sha256;
  }

  /** A copy of the ONNX model's bytes. */
  public byte[] onnxBytes() {
    return onnx.clone();
  }

  public EncoderSpec spec() {
    return spec;
  }

  public List<OutcomeSpec> outcomes() {
    return spec.outcomes();
  }

  /** The model card as JSON text. */
  public String cardJson() {
    return cardJson;
  }

  /** The alert thresholds the card recommends per outcome (empty when it recommends none). */
  public Map<String, OperatingPoint> operatingPoints() {
    return operatingPoints;
  }

  /** The youngest age (years) the model covers: no alert is raised below it. */
  public double minimumAgeYears() {
    return minimumAgeYears;
  }

  public Optional<ValidationSet> validation() {
    return Optional.ofNullable(validation);
  }

  @Override
  public String toString() {
    return "ModelBundle[" + name + " " + version + " sha256=" + sha256 + "]";
  }
}
