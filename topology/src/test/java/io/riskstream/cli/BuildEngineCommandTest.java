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
    assertThat(out.toString()).contains("--model", "--precision", "--buckets", "--contexts", "--workspace-gib",
        "--cache-dir");
  }

  @Test
  void shouldRequireTheModelAndTheCacheDirectory() {
    assertThat(run("build-engine")).isNotZero();
    assertThat(err.toString()).contains("--model").contains("--cache-dir");
  }

  @Test
  void shouldReadTheModelHashFromTheFileBesideTheModel() throws Exception {
    Path model = dir.resolve("model.onnx");
    Files.writeString(dir.resolve("model.onnx.sha256"), "a".repeat(64) + "  model.onnx\n");

    assertThat(BuildEngineCommand.readShaFile(model)).isEqualTo("a".repeat(64));
  }

  @Test
  void shouldSayWhyItCannotBuildTheEngine() throws Exception {
    Path model = dir.resolve("model.onnx");
    Files.write(model, new byte[] {1, 2, 3});
    int code = run("build-engine", "--model", model.toString(), "--sha256", "b".repeat(64), "--cache-dir",
        dir.resolve("engines").toString());

    if (code == BuildEngineCommand.EXIT_UNAVAILABLE) {
      assertThat(err.toString()).contains("TensorRT cannot run here");
    } else {
      // on a GPU host the model is checked next: these bytes do not have the given hash
      assertThat(code).isEqualTo(BuildEngineCommand.EXIT_FAILED);
      assertThat(err.toString()).contains("sha256");
    }
  }
}
