import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reference ONNX Runtime run for train.py's parity check, used where the Python {@code onnxruntime} package is
 * missing (Debian has no package for it). It runs the same ONNX Runtime as the Java scorer (com.microsoft.onnxruntime
 * from Maven Central), launched as a single-file program:
 *
 * <pre>java -cp onnxruntime-X.jar OrtRun.java MODEL.onnx THREADS IN_DIR OUT.npy [IN_DIR OUT.npy ...]</pre>
 *
 * Each IN_DIR holds {@code tokens.npy} (int64 [B,L]), {@code ages.npy} and {@code recency.npy} (float32 [B,L]); OUT
 * receives the output {@code risk} (float32 [B,K]). It prints only shapes, never values.
 *
 * <p>The NPY reader/writer is hand-written because this program must run with nothing but the ONNX Runtime jar on
 * the class path (no Maven build, no project classes) and there is no maintained Java NPY library on Maven Central;
 * it handles exactly the little-endian, C-ordered int64/float32 arrays that numpy writes.
 */
public final class OrtRun {

  private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
  private static final Pattern DESCR = Pattern.compile("'descr':\\s*'([^']+)'");
  private static final Pattern FORTRAN = Pattern.compile("'fortran_order':\\s*(True|False)");
  private static final Pattern SHAPE = Pattern.compile("'shape':\\s*\\(([^)]*)\\)");

  private OrtRun() {
  }

  /** A little-endian C-ordered array read from an NPY file: dtype descriptor, shape and raw data. */
  private record Npy(String descr, long[] shape, ByteBuffer data) {

    long elements() {
      long n = 1;
      for (long s : shape) {
        n *= s;
      }
      return n;
    }
  }

  public static void main(String[] args) throws IOException, OrtException {
    if (args.length < 4 || (args.length - 2) % 2 != 0) {
      System.err.println("usage: java -cp onnxruntime.jar OrtRun.java MODEL.onnx THREADS IN_DIR OUT.npy [IN_DIR OUT.npy ...]");
      System.exit(2);
    }
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
      options.setIntraOpNumThreads(Integer.parseInt(args[1]));
      try (OrtSession session = env.createSession(args[0], options)) {
        for (int i = 2; i < args.length; i += 2) {
          Path in = Path.of(args[i]);
          Npy tokens = read(in.resolve("tokens.npy"), "<i8");
          Npy ages = read(in.resolve("ages.npy"), "<f4");
          Npy recency = read(in.resolve("recency.npy"), "<f4");
          if (tokens.shape().length != 2 || !Arrays.equals(tokens.shape(), ages.shape())
              || !Arrays.equals(tokens.shape(), recency.shape())) {
            throw new IllegalArgumentException("tokens, ages and recency must share one 2-d shape in " + in);
          }
          try (OnnxTensor t = OnnxTensor.createTensor(env, tokens.data().asLongBuffer(), tokens.shape());
              OnnxTensor a = OnnxTensor.createTensor(env, ages.data().asFloatBuffer(), ages.shape());
              OnnxTensor r = OnnxTensor.createTensor(env, recency.data().asFloatBuffer(), recency.shape());
              OrtSession.Result result = session.run(Map.of("tokens", t, "ages", a, "recency", r))) {
            OnnxValue value = result.get("risk").orElseThrow(() -> new IllegalStateException("model has no output 'risk'"));
            OnnxTensor risk = (OnnxTensor) value;
            long[] shape = risk.getInfo().getShape();
            FloatBuffer floats = risk.getFloatBuffer();
            writeFloat32(Path.of(args[i + 1]), shape, floats);
            System.out.println("OrtRun: " + in.getFileName() + " " + Arrays.toString(tokens.shape()) + " -> "
                + Arrays.toString(shape));
          }
        }
      }
    }
  }

  private static Npy read(Path file, String expectedDescr) throws IOException {
    ByteBuffer buf = ByteBuffer.wrap(Files.readAllBytes(file));
    byte[] magic = new byte[MAGIC.length];
    buf.get(magic);
    if (!Arrays.equals(magic, MAGIC)) {
      throw new IllegalArgumentException(file + " is not an NPY file");
    }
    int major = buf.get() & 0xff;
    buf.get(); // minor version
    buf.order(ByteOrder.LITTLE_ENDIAN);
    int headerLength = major == 1 ? (buf.getShort() & 0xffff) : buf.getInt();
    byte[] headerBytes = new byte[headerLength];
    buf.get(headerBytes);
    String header = new String(headerBytes, StandardCharsets.ISO_8859_1);
    String descr = group(DESCR, header, file);
    if (!descr.equals(expectedDescr)) {
      throw new IllegalArgumentException(file + " has dtype " + descr + ", expected " + expectedDescr);
    }
    if (group(FORTRAN, header, file).equals("True")) {
      throw new IllegalArgumentException(file + " is Fortran-ordered; expected C order");
    }
    long[] shape = Arrays.stream(group(SHAPE, header, file).split(","))
        .map(String::trim).filter(s -> !s.isEmpty()).mapToLong(Long::parseLong).toArray();
    ByteBuffer data = buf.slice().order(ByteOrder.LITTLE_ENDIAN);
    Npy npy = new Npy(descr, shape, data);
    long expectedBytes = npy.elements() * (descr.endsWith("8") ? 8 : 4);
    if (data.remaining() != expectedBytes) {
      throw new IllegalArgumentException(file + " holds " + data.remaining() + " data bytes, expected " + expectedBytes);
    }
    return npy;
  }

  private static String group(Pattern pattern, String header, Path file) {
    Matcher m = pattern.matcher(header);
    if (!m.find()) {
      throw new IllegalArgumentException(file + " has an NPY header without " + pattern.pattern());
    }
    return m.group(1);
  }

  private static void writeFloat32(Path file, long[] shape, FloatBuffer values) throws IOException {
    StringBuilder dims = new StringBuilder();
    for (long s : shape) {
      dims.append(s).append(", ");
    }
    String shapeText = shape.length == 1 ? "(" + shape[0] + ",)" : "(" + dims.substring(0, dims.length() - 2) + ")";
    String dict = "{'descr': '<f4', 'fortran_order': False, 'shape': " + shapeText + ", }";
    // NPY 1.0: magic (6) + version (2) + header length (2) + header, padded with spaces to a multiple of 64, '\n' last.
    int unpadded = 10 + dict.length() + 1;
    int total = ((unpadded + 63) / 64) * 64;
    String header = dict + " ".repeat(total - unpadded) + "\n";
    ByteBuffer out = ByteBuffer.allocate(total + values.remaining() * 4).order(ByteOrder.LITTLE_ENDIAN);
    out.put(MAGIC).put((byte) 1).put((byte) 0).putShort((short) header.length());
    out.put(header.getBytes(StandardCharsets.ISO_8859_1));
    out.asFloatBuffer().put(values.duplicate());
    Files.write(file, out.array());
  }
}
