package io.riskstream.scoring.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelBundleTest {

  static final List<String> FILES = List.of("model.onnx", "model.onnx.sha256", "encoder-spec.json",
      "model-card.json", "validation/tokens.npy", "validation/ages.npy", "validation/recency.npy",
      "validation/labels.npy", "validation/expected.npy");

  /** Copies the classpath bundle test-tiny into {@code dir}. */
  static Path copyTiny(Path dir) throws IOException {
    Files.createDirectories(dir.resolve("validation"));
    for (String file : FILES) {
      try (InputStream in = ModelBundleTest.class.getClassLoader()
          .getResourceAsStream("models/test-tiny/" + file)) {
        Files.copy(in, dir.resolve(file));
      }
    }
    return dir;
  }

  @Test
  void shouldLoadABundleFromTheClasspath() throws IOException {
    ModelBundle bundle = ModelBundle.load("test-tiny");

    assertThat(bundle.name()).isEqualTo("test-tiny");
    assertThat(bundle.version()).isEqualTo("0.0.1-test");
    String declared = Files.readString(Path.of("src/test/resources/models/test-tiny/model.onnx.sha256")).split(" ")[0];
    assertThat(bundle.sha256()).isEqualTo(declared).isEqualTo(ModelBundle.sha256(bundle.onnxBytes()));
    assertThat(bundle.outcomes()).extracting(o -> o.name()).containsExactly("a", "b", "c");
    assertThat(bundle.spec().maxLength()).isEqualTo(64);
    assertThat(bundle.validation()).isPresent();
    assertThat(bundle.validation().get().size()).isEqualTo(16);
    assertThat(bundle.validation().get().inputs()).hasSize(16);
    assertThat(bundle.cardJson()).contains("tests only");
  }

  @Test
  void shouldReadTheCardsOperatingPointsAndRefuseOnesThatDoNotFitTheSpec(@TempDir Path dir) throws IOException {
    Path bundle = copyTiny(dir.resolve("tiny"));
    assertThat(ModelBundle.load(bundle.toString()).operatingPoints()).isEmpty();
    String card = Files.readString(bundle.resolve("model-card.json")).stripTrailing();
    String with = card.substring(0, card.lastIndexOf('}')) + ", \"operating_points\": {\"outcomes\": {\"b\": {"
        + "\"warning\": {\"threshold\": 0.04, \"check\": {}}, \"critical\": {\"threshold\": 0.12}}}}}";
    Files.writeString(bundle.resolve("model-card.json"), with);

    assertThat(ModelBundle.load(bundle.toString()).operatingPoints())
        .containsExactly(java.util.Map.entry("b", new OperatingPoint(0.04, 0.12)));

    Files.writeString(bundle.resolve("model-card.json"), with.replace("\"b\"", "\"zz\""));
    assertThatThrownBy(() -> ModelBundle.load(bundle.toString())).isInstanceOf(ModelBundleException.class)
        .hasMessageContaining("unknown outcome zz");
    Files.writeString(bundle.resolve("model-card.json"), with.replace("0.12", "0.01"));
    assertThatThrownBy(() -> ModelBundle.load(bundle.toString())).isInstanceOf(ModelBundleException.class)
        .hasMessageContaining("warning <= critical");
  }

  @Test
  void shouldReadTheCardsMinimumAgeDefaultingToAdults(@TempDir Path dir) throws IOException {
    Path bundle = copyTiny(dir.resolve("tiny"));
    assertThat(ModelBundle.load(bundle.toString()).minimumAgeYears()).as("test-tiny states every age").isEqualTo(0.0);
    assertThat(ModelBundle.load("emr-risk-small").minimumAgeYears()).isEqualTo(18.0);
    // a card that states no population: adults
    String card = Files.readString(bundle.resolve("model-card.json")).stripTrailing()
        .replaceAll("(?s)\\s*\"population\": \\{[^}]*\\},", "");
    assertThat(card).doesNotContain("population");
    Files.writeString(bundle.resolve("model-card.json"), card);
    assertThat(ModelBundle.load(bundle.toString()).minimumAgeYears()).isEqualTo(18.0);
    String with = card.substring(0, card.lastIndexOf('}')) + ", \"population\": {\"min_age_years\": 65}}";
    Files.writeString(bundle.resolve("model-card.json"), with);

    assertThat(ModelBundle.load(bundle.toString()).minimumAgeYears()).isEqualTo(65.0);

    Files.writeString(bundle.resolve("model-card.json"), with.replace("\"min_age_years\": 65", "\"min_age_years\": \"adults\""));
    assertThatThrownBy(() -> ModelBundle.load(bundle.toString())).isInstanceOf(ModelBundleException.class)
        .hasMessageContaining("population.min_age_years");
  }

  @Test
  void shouldLoadTheSameBundleFromADirectory(@TempDir Path dir) throws IOException {
    ModelBundle fromDisk = ModelBundle.load(copyTiny(dir.resolve("tiny")).toString());
    ModelBundle fromClasspath = ModelBundle.load("test-tiny");

    assertThat(fromDisk.sha256()).isEqualTo(fromClasspath.sha256());
    assertThat(fromDisk.spec()).isEqualTo(fromClasspath.spec());
    assertThat(fromDisk.validation().orElseThrow().inputs())
        .isEqualTo(fromClasspath.validation().orElseThrow().inputs());
  }

  @Test
  void shouldFailFastWhenTheModelFileWasTamperedWith(@TempDir Path dir) throws IOException {
    Path bundle = copyTiny(dir.resolve("tiny"));
    byte[] onnx = Files.readAllBytes(bundle.resolve("model.onnx"));
    onnx[onnx.length / 2] ^= 1;
    Files.write(bundle.resolve("model.onnx"), onnx);

    assertThatThrownBy(() -> ModelBundle.load(bundle.toString())).isInstanceOf(ModelBundleException.class)
        .hasMessageContaining("model.onnx.sha256 declares").hasMessageContaining("corrupt");
  }

  @Test
  void shouldNameTheMissingFile(@TempDir Path dir) throws IOException {
    Path bundle = copyTiny(dir.resolve("tiny"));
    Files.delete(bundle.resolve("encoder-spec.json"));

    assertThatThrownBy(() -> ModelBundle.load(bundle.toString())).isInstanceOf(ModelBundleException.class)
        .hasMessageContaining("lacks encoder-spec.json");
    assertThatThrownBy(() -> ModelBundle.load("../etc")).isInstanceOf(ModelBundleException.class)
        .hasMessageContaining("neither a model directory nor a model name")
        .hasMessageContaining("bundled models: emr-risk-base, emr-risk-small");
  }

  @Test
  void shouldListTheBundledModelsForAnUnknownName() {
    assertThatThrownBy(() -> ModelBundle.load("no-such-model")).isInstanceOf(ModelBundleException.class)
        .hasMessage("unknown model 'no-such-model': no such directory and no bundled model of that name;"
            + " bundled models: emr-risk-base, emr-risk-small (or give a model directory)");
  }

  @Test
  void shouldIndexExactlyTheBundledModelFolders() throws IOException {
    List<String> folders;
    try (Stream<Path> dirs = Files.list(Path.of("src/main/resources/models"))) {
      folders = dirs.filter(Files::isDirectory).map(d -> d.getFileName().toString()).sorted().toList();
    }

    assertThat(ModelBundle.bundled()).isEqualTo(folders).isNotEmpty();
    assertThat(ModelBundle.bundled()).allSatisfy(name -> assertThat(ModelBundle.load(name).name()).isEqualTo(name));
  }
}
