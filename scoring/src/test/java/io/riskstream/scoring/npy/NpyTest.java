package io.riskstream.scoring.npy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NpyTest {

  private static final Path PYTHON = Path.of("/usr/bin/python3");

  /** Runs a Python snippet with numpy; skips the test when /usr/bin/python3 or numpy is absent. */
  static String python(String script, Path dir) throws IOException, InterruptedException {
    assumeTrue(Files.isExecutable(PYTHON), "/usr/bin/python3 is absent");
    Process probe = new ProcessBuilder(PYTHON.toString(), "-c", "import numpy").redirectErrorStream(true).start();
    assumeTrue(probe.waitFor(60, TimeUnit.SECONDS) && probe.exitValue() == 0, "numpy is absent");
    Process p = new ProcessBuilder(PYTHON.toString(), "-c", script).directory(dir.toFile()).redirectErrorStream(true)
        .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(out).isZero();
    return out.trim();
  }

  @Test
  void shouldRoundTripEveryDtype(@TempDir Path dir) {
    Npy.write(dir.resolve("l.npy"), new long[] {1, -2, Long.MAX_VALUE, 4, 5, 6}, 2, 3);
    Npy.write(dir.resolve("i.npy"), new int[] {7, -8}, 2);
    Npy.write(dir.resolve("f.npy"), new float[] {0.5f, Float.NaN, -1e-30f}, 3);
    Npy.write(dir.resolve("d.npy"), new double[] {Math.PI}, 1, 1);
    Npy.write(dir.resolve("b.npy"), new byte[] {0, 1, 2, -1}, 4);

    assertThat(Npy.read(dir.resolve("l.npy")).asLongs()).containsExactly(1, -2, Long.MAX_VALUE, 4, 5, 6);
    assertThat(Npy.read(dir.resolve("l.npy")).shape()).containsExactly(2, 3);
    assertThat(Npy.read(dir.resolve("i.npy")).asInts()).containsExactly(7, -8);
    assertThat(Npy.read(dir.resolve("f.npy")).asFloats()).usingElementComparator(Float::compare)
        .containsExactly(0.5f, Float.NaN, -1e-30f);
    assertThat(Npy.read(dir.resolve("d.npy")).asDoubles()).containsExactly(Math.PI);
    assertThat(Npy.read(dir.resolve("b.npy")).asBytes()).containsExactly(0, 1, 2, -1);
  }

  @Test
  void shouldAlignTheDataToSixtyFourBytes() {
    for (int[] shape : List.of(new int[] {3}, new int[] {123456, 512}, new int[] {0, 7}, new int[] {})) {
      assertThat(Npy.header(Npy.DType.FLOAT32, shape).length % 64).isZero();
    }
  }

  @Test
  void shouldWriteFilesThatNumpyReads(@TempDir Path dir) throws Exception {
    Npy.write(dir.resolve("tokens.npy"), new long[] {5, 6, 0, 7, 0, 0}, 2, 3);
    Npy.write(dir.resolve("ages.npy"), new float[] {0.25f, 0.5f, 0f, 0.125f, 0f, 0f}, 2, 3);
    Npy.write(dir.resolve("split.npy"), new byte[] {0, 2}, 2);
    Npy.write(dir.resolve("patient.npy"), new int[] {0, 41}, 2);

    String out = python("import numpy as np\n"
        + "t = np.load('tokens.npy'); a = np.load('ages.npy'); s = np.load('split.npy'); p = np.load('patient.npy')\n"
        + "print(t.dtype, t.shape, t.tolist(), a.dtype, a.sum(), s.dtype, s.tolist(), p.dtype, p.tolist())", dir);

    assertThat(out).isEqualTo("int64 (2, 3) [[5, 6, 0], [7, 0, 0]] float32 0.875 int8 [0, 2] int32 [0, 41]");
  }

  @Test
  void shouldReadFilesThatNumpyWrote(@TempDir Path dir) throws Exception {
    python("import numpy as np\n"
        + "np.save('a.npy', np.arange(12, dtype=np.int64).reshape(3, 4))\n"
        + "np.save('b.npy', np.array([[1.5, -2.25]], dtype=np.float32))\n"
        + "np.save('c.npy', np.array([1, -1], dtype=np.int8))\n"
        + "np.save('d.npy', np.array(2.5))\n", dir);

    Npy.NpyArray a = Npy.read(dir.resolve("a.npy"));
    assertThat(a.shape()).containsExactly(3, 4);
    assertThat(a.asLongs()).containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11);
    assertThat(Npy.read(dir.resolve("b.npy")).asFloats()).containsExactly(1.5f, -2.25f);
    assertThat(Npy.read(dir.resolve("c.npy")).asBytes()).containsExactly(1, -1);
    Npy.NpyArray d = Npy.read(dir.resolve("d.npy"));
    assertThat(d.shape()).isEmpty();
    assertThat(d.asDoubles()).containsExactly(2.5);
  }

  @Test
  void shouldStreamRowsAndRefuseAWrongElementCount(@TempDir Path dir) {
    try (Npy.Writer w = Npy.Writer.open(dir.resolve("rows.npy"), Npy.DType.INT64, 2, 2)) {
      w.write(new long[] {1, 2});
      w.write(new long[] {3, 4});
      assertThatThrownBy(() -> w.write(new long[] {5})).isInstanceOf(IllegalStateException.class);
      assertThatThrownBy(() -> w.write(new float[] {5})).isInstanceOf(IllegalArgumentException.class);
    }
    assertThat(Npy.read(dir.resolve("rows.npy")).asLongs()).containsExactly(1, 2, 3, 4);
    Npy.Writer incomplete = Npy.Writer.open(dir.resolve("short.npy"), Npy.DType.INT32, 3);
    incomplete.write(new int[] {1});
    assertThatThrownBy(incomplete::close).isInstanceOf(IllegalStateException.class).hasMessageContaining("1 of 3");
  }

  @Test
  void shouldWriteAsManyRowsAsWereWrittenAndNumpyReadsThem(@TempDir Path dir) throws Exception {
    try (Npy.Writer w = Npy.Writer.openRows(dir.resolve("rows.npy"), Npy.DType.FLOAT32, 2)) {
      for (int r = 0; r < 3; r++) {
        w.write(new float[] {r, r + 0.5f});
      }
    }
    try (Npy.Writer w = Npy.Writer.openRows(dir.resolve("empty.npy"), Npy.DType.INT64, 4)) {
      assertThat(w).isNotNull();
    }
    try (Npy.Writer w = Npy.Writer.openRows(dir.resolve("flat.npy"), Npy.DType.INT8)) {
      w.write(new byte[] {1, 2, 3, 4, 5});
    }
    Npy.NpyArray rows = Npy.read(dir.resolve("rows.npy"));
    assertThat(rows.shape()).containsExactly(3, 2);
    assertThat(rows.asFloats()).containsExactly(0f, 0.5f, 1f, 1.5f, 2f, 2.5f);
    assertThat(Npy.read(dir.resolve("empty.npy")).shape()).containsExactly(0, 4);
    assertThat(Npy.read(dir.resolve("flat.npy")).asBytes()).containsExactly(1, 2, 3, 4, 5);
    // The header was rewritten in place: the data still starts at a multiple of 64 bytes, where numpy looks for it.
    assertThat(Files.size(dir.resolve("rows.npy")) % 64).isEqualTo(24);

    String out = python("import numpy as np\n"
        + "r = np.load('rows.npy'); e = np.load('empty.npy'); f = np.load('flat.npy')\n"
        + "print(r.dtype, r.shape, r.tolist(), e.dtype, e.shape, f.shape, f.tolist())", dir);
    assertThat(out).isEqualTo("float32 (3, 2) [[0.0, 0.5], [1.0, 1.5], [2.0, 2.5]] int64 (0, 4) (5,) [1, 2, 3, 4, 5]");

    Npy.Writer partial = Npy.Writer.openRows(dir.resolve("partial.npy"), Npy.DType.INT32, 3);
    partial.write(new int[] {1, 2, 3, 4});
    assertThatThrownBy(partial::close).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("not a whole number of rows");
  }

  @Test
  void shouldRejectFilesItCannotRead() throws IOException {
    assertThatThrownBy(() -> Npy.read(new ByteArrayInputStream("not numpy at all".getBytes())))
        .isInstanceOf(IOException.class).hasMessageContaining("magic");
    byte[] header = Npy.header(Npy.DType.INT64, new int[] {4});
    assertThatThrownBy(() -> Npy.read(new ByteArrayInputStream(header))).isInstanceOf(IOException.class)
        .hasMessageContaining("truncated");
    byte[] fortran = new String(header, StandardCharsets.ISO_8859_1).replace("False", "True ")
        .getBytes(StandardCharsets.ISO_8859_1);
    assertThatThrownBy(() -> Npy.read(new ByteArrayInputStream(fortran))).hasMessageContaining("fortran");
    byte[] complex = new String(header, StandardCharsets.ISO_8859_1).replace("<i8", "<c8")
        .getBytes(StandardCharsets.ISO_8859_1);
    assertThatThrownBy(() -> Npy.read(new ByteArrayInputStream(complex))).hasMessageContaining("unsupported npy dtype");
  }
}
