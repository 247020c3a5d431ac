package io.riskstream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class BuildEngineCommandTest {

  @TempDir
  Path dir;

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    CommandLine cli = new CommandLine(new RiskstreamCli());
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    return cli.execute(args);
  }

  @Test
  void shouldBeRegisteredWithItsOptionsDocumented() {
    int code = run("build-engine", "--help");

    assertThat(code).isZero();
    assertThat(out.toString()).contains("--model", "--config", "--precision", "--workspace-gib", "--cache-dir");
  }

  @Test
  void shouldRequireTheModelAndTheCacheDirectory() {
    assertThat(run("build-engine")).isNotZero();
    assertThat(err.toString()).contains("--model").contains("--cache-dir");
  }

  @Test
  void shouldNameAModelItCannotLoad() {
    int code = run("build-engine", "--model", dir.resolve("no-such-model").toString(), "--cache-dir",
        dir.resolve("engines").toString());

    assertThat(code).isEqualTo(BuildEngineCommand.EXIT_FAILED);
    assertThat(err.toString()).startsWith("build-engine: ").contains("no-such-model");
  }

  @Test
  void shouldSayWhyItCannotBuildTheEngine() throws Exception {
    Path config = dir.resolve("riskstream.properties");
    Files.writeString(config, "tensorrt.max.batch=32\n");
    int code = run("build-engine", "--model", "emr-risk-small", "--config", config.toString(), "--cache-dir",
        dir.resolve("engines").toString());

    if (code == BuildEngineCommand.EXIT_UNAVAILABLE) {
      assertThat(err.toString()).contains("TensorRT cannot run here");
    } else {
      assertThat(code).as(err.toString()).isZero();  // on a GPU host: built (or verified) with the served profiles
      assertThat(out.toString()).contains("emr-risk-small fp16 engine", "b1-32;L32,64,128;k1;static");
    }
  }
}
