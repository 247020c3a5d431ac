package io.riskstream.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BuildEngineCommandTest {

  @TempDir
  Path dir;

  private final CliRun cli = new CliRun();

  private int run(String... args) {
    return cli.run(args);
  }

  @Test
  void shouldBeRegisteredWithItsOptionsDocumented() {
    int code = run("build-engine", "--help");

    assertThat(code).isZero();
    assertThat(cli.out()).contains("--model", "--config", "--precision", "--workspace-gib", "--cache-dir");
  }

  @Test
  void shouldTakeTheModelFromTheConfigWhenNoneIsGiven() throws Exception {
    Path config = dir.resolve("riskstream.properties");
    Files.writeString(config, "model.name=" + dir.resolve("configured-model") + "\n");

    assertThat(run("build-engine", "--config", config.toString())).isEqualTo(RiskstreamCli.EXIT_BAD_INPUT);
    assertThat(cli.err()).startsWith("riskstream build-engine: ").contains("configured-model");
  }

  @Test
  void shouldBuildWhereRunLooksWhenNoCacheDirectoryIsGiven() throws Exception {
    Path config = dir.resolve("riskstream.properties");
    Path engines = dir.resolve("deployed-engines");
    Files.writeString(config, "tensorrt.max.batch=32\ntensorrt.engine.cache.dir=" + engines + "\n");
    int code = run("build-engine", "--config", config.toString());

    if (code == BuildEngineCommand.EXIT_UNAVAILABLE) {
      assertThat(cli.err()).contains("TensorRT cannot run here", "emr-risk-small would go to " + engines);
    } else {
      assertThat(code).as(cli.err()).isZero();  // on a GPU host: built (or verified) in the configured cache
      assertThat(cli.out()).contains(engines.toString());
    }
  }

  @Test
  void shouldNameAModelItCannotLoad() {
    int code = run("build-engine", "--model", dir.resolve("no-such-model").toString(), "--cache-dir",
        dir.resolve("engines").toString());

    assertThat(code).isEqualTo(RiskstreamCli.EXIT_BAD_INPUT);
    assertThat(cli.err()).startsWith("riskstream build-engine: ").contains("no-such-model");
  }

  @Test
  void shouldSayWhyItCannotBuildTheEngine() throws Exception {
    Path config = dir.resolve("riskstream.properties");
    Files.writeString(config, "tensorrt.max.batch=32\n");
    int code = run("build-engine", "--model", "emr-risk-small", "--config", config.toString(), "--cache-dir",
        dir.resolve("engines").toString());

    if (code == BuildEngineCommand.EXIT_UNAVAILABLE) {
      assertThat(cli.err()).contains("TensorRT cannot run here");
    } else {
      assertThat(code).as(cli.err()).isZero();  // on a GPU host: built (or verified) with the served profiles
      assertThat(cli.out()).contains("emr-risk-small fp16 engine", "b1-32;L32,64,128;k1;static");
    }
  }
}
