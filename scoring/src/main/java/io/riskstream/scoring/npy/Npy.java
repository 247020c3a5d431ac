package io.riskstream.scoring.npy;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads and writes NumPy {@code .npy} files (format version 1.0, little-endian, C order) for the dtypes the dataset
 * and the model bundles use: int8, int32, int64, float32, float64.
 *
 * <p>Hand-written on purpose: there is no maintained Java NPY library on Maven Central (the few artifacts there are
 * unmaintained single-author releases), and the format needed here is a 10-byte preamble, a Python-literal header
 * and raw little-endian data.
 */
public final class Npy {

  private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
  private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']+)'");
  private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
  private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

  private Npy() {
  }

  /** Element types: NumPy descr and element size. */
  public enum DType {
    INT8("|i1", 1), INT32("<i4", 4), INT64("<i8", 8), FLOAT32("<f4", 4), FLOAT64("<f8", 8);

    private final String descr;
    private final int size;

    DType(String descr, int size) {
      this.descr = descr;
      this.size = size;
    }

    public String descr() {
      return descr;
    }

    public int size() {
      return size;
    }

    static DType ofDescr(String descr) {
      for (DType t : values()) {
        if (t.descr.equals(descr) || (t == INT8 && descr.equals("<i1"))) {
          return t;
        }
      }
      throw new IllegalArgumentException("unsupported npy dtype '" + descr + "' (supported: |i1 <i4 <i8 <f4 <f8)");
    }
  }

  /** An array read from a file: dtype, shape and its data as little-endian bytes (read-only). */
  public record NpyArray(DType dtype, int[] shape, ByteBuffer data) {

    public NpyArray {
      shape = shape.clone();
      data = data.asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
      if ((long) data.remaining() != elementCount(shape) * dtype.size()) {
        throw new IllegalArgumentException("data holds " + data.remaining() + " bytes, shape "
            + Arrays.toString(shape) + " of " + dtype + " needs " + elementCount(shape) * dtype.size());
      }
    }

    @Override
    public int[] shape() {
      return shape.clone();
    }

    public long size() {
      return elementCount(shape);
    }

    public long[] asLongs() {
      require(DType.INT64);
      long[] out = new long[(int) size()];
      data.duplicate().order(ByteOrder.LITTLE_ENDIAN).asLongBuffer().get(out);
      return out;
    }

    public int[] asInts() {
      require(DType.INT32);
      int[] out = new int[(int) size()];
      data.duplicate().order(ByteOrder.LITTLE_ENDIAN).asIntBuffer().get(out);
      return out;
    }

    public float[] asFloats() {
      require(DType.FLOAT32);
      float[] out = new float[(int) size()];
      data.duplicate().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(out);
      return out;
    }

    public double[] asDoubles() {
      require(DType.FLOAT64);
      double[] out = new double[(int) size()];
      data.duplicate().order(ByteOrder.LITTLE_ENDIAN).asDoubleBuffer().get(out);
      return out;
    }

    public byte[] asBytes() {
      require(DType.INT8);
      byte[] out = new byte[(int) size()];
      data.duplicate().get(out);
      return out;
    }

    private void require(DType expected) {
      if (dtype != expected) {
        throw new IllegalStateException("array is " + dtype + ", not " + expected);
      }
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof NpyArray other && dtype == other.dtype && Arrays.equals(shape, other.shape)
          && data.equals(other.data);
    }

    @Override
    public int hashCode() {
      return 31 * (31 * dtype.hashCode() + Arrays.hashCode(shape)) + data.hashCode();
    }

    @Override
    public String toString() {
      return "NpyArray[" + dtype + " " + Arrays.toString(shape) + "]";
    }
  }

  public static NpyArray read(Path file) {
    try (InputStream in = Files.newInputStream(file)) {
      return read(in);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
    }
  }

  public static NpyArray read(InputStream in) throws IOException {
    byte[] preamble = in.readNBytes(10);
    if (preamble.length < 10 || !Arrays.equals(Arrays.copyOf(preamble, 6), MAGIC)) {
      throw new IOException("not an npy file (bad magic)");
    }
    int major = preamble[6];
    int headerLength;
    if (major == 1) {
      headerLength = (preamble[8] & 0xff) | (preamble[9] & 0xff) << 8;
    } else if (major == 2 || major == 3) {
      byte[] more = in.readNBytes(2);
      headerLength = (preamble[8] & 0xff) | (preamble[9] & 0xff) << 8 | (more[0] & 0xff) << 16
          | (more[1] & 0xff) << 24;
    } else {
      throw new IOException("unsupported npy version " + major);
    }
    String header = new String(in.readNBytes(headerLength), StandardCharsets.ISO_8859_1);
    DType dtype = DType.ofDescr(group(DESCR, header));
    if (group(FORTRAN, header).equals("True")) {
      throw new IOException("fortran_order arrays are not supported");
    }
    String shapeText = group(SHAPE, header).trim();
    int[] shape = shapeText.isEmpty() ? new int[0] : Arrays.stream(shapeText.split(","))
        .map(String::trim).filter(s -> !s.isEmpty()).mapToInt(Integer::parseInt).toArray();
    long bytes = elementCount(shape) * dtype.size();
    if (bytes > Integer.MAX_VALUE) {
      throw new IOException("npy array too large: " + bytes + " bytes");
    }
    byte[] data = in.readNBytes((int) bytes);
    if (data.length != bytes) {
      throw new IOException("npy file truncated: " + data.length + " of " + bytes + " data bytes");
    }
    return new NpyArray(dtype, shape, ByteBuffer.wrap(data));
  }

  private static String group(Pattern p, String header) throws IOException {
    Matcher m = p.matcher(header);
    if (!m.find()) {
      throw new IOException("npy header lacks " + p.pattern() + ": " + header.trim());
    }
    return m.group(1);
  }

  static long elementCount(int[] shape) {
    long n = 1;
    for (int d : shape) {
      if (d < 0) {
        throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
      }
      n *= d;
    }
    return n;
  }

  public static void write(Path file, long[] data, int... shape) {
    try (Writer w = Writer.open(file, DType.INT64, shape)) {
      w.write(data);
    }
  }

  public static void write(Path file, int[] data, int... shape) {
    try (Writer w = Writer.open(file, DType.INT32, shape)) {
      w.write(data);
    }
  }

  public static void write(Path file, float[] data, int... shape) {
    try (Writer w = Writer.open(file, DType.FLOAT32, shape)) {
      w.write(data);
    }
  }

  public static void write(Path file, double[] data, int... shape) {
    try (Writer w = Writer.open(file, DType.FLOAT64, shape)) {
      w.write(data);
    }
  }

  public static void write(Path file, byte[] data, int... shape) {
    try (Writer w = Writer.open(file, DType.INT8, shape)) {
      w.write(data);
    }
  }

  /**
   * Streams an array to a file, row by row, so that large datasets need not be held in memory: either of known shape
   * ({@link #open}; {@link #close()} fails when fewer or more elements were written than the shape holds) or of
   * known row shape and as many rows as are written ({@link #openRows}; the header, written with room for any row
   * count, gets the count on {@link #close()}).
   */
  public static final class Writer implements AutoCloseable {
    private final Path file;
    private final DType dtype;
    private final int[] rowShape;  // null: the shape was given whole
    private final long expected;
    private final int headerLength;
    private final FileChannel channel;
    private final OutputStream out;
    private final ByteBuffer buffer = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
    private long written;

    private Writer(Path file, DType dtype, int[] shape, int[] rowShape) throws IOException {
      this.file = file;
      this.dtype = dtype;
      this.rowShape = rowShape;
      this.expected = rowShape == null ? elementCount(shape) : Long.MAX_VALUE;
      this.channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
          StandardOpenOption.TRUNCATE_EXISTING);
      this.out = new BufferedOutputStream(Channels.newOutputStream(channel), 1 << 16);
      byte[] header = header(dtype, shape, 0);
      this.headerLength = header.length;
      out.write(header);
    }

    public static Writer open(Path file, DType dtype, int... shape) {
      try {
        return new Writer(file, dtype, shape, null);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
      }
    }

    /** A writer of rows of {@code rowShape}; the file's first dimension is the number of rows written. */
    public static Writer openRows(Path file, DType dtype, int... rowShape) {
      int[] widest = new int[rowShape.length + 1];
      widest[0] = Integer.MAX_VALUE;  // the header's room: the longest row count it may have to name
      System.arraycopy(rowShape, 0, widest, 1, rowShape.length);
      try {
        return new Writer(file, dtype, widest, rowShape.clone());
      } catch (IOException e) {
        throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
      }
    }

    public void write(long[] values) {
      check(DType.INT64, values.length);
      for (long v : values) {
        room(8).putLong(v);
      }
    }

    public void write(int[] values) {
      check(DType.INT32, values.length);
      for (int v : values) {
        room(4).putInt(v);
      }
    }

    public void write(float[] values) {
      check(DType.FLOAT32, values.length);
      for (float v : values) {
        room(4).putFloat(v);
      }
    }

    public void write(double[] values) {
      check(DType.FLOAT64, values.length);
      for (double v : values) {
        room(8).putDouble(v);
      }
    }

    public void write(byte[] values) {
      check(DType.INT8, values.length);
      for (byte v : values) {
        room(1).put(v);
      }
    }

    private void check(DType type, int count) {
      if (type != dtype) {
        throw new IllegalArgumentException("writer of " + dtype + " cannot write " + type);
      }
      if (written + count > expected) {
        throw new IllegalStateException("more elements than the shape holds (" + expected + ") in " + file);
      }
      written += count;
    }

    private ByteBuffer room(int bytes) {
      if (buffer.remaining() < bytes) {
        flushBuffer();
      }
      return buffer;
    }

    private void flushBuffer() {
      try {
        out.write(buffer.array(), 0, buffer.position());
        buffer.clear();
      } catch (IOException e) {
        throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
      }
    }

    @Override
    public void close() {
      flushBuffer();
      try {
        out.flush();
        if (rowShape != null) {
          long rowSize = elementCount(rowShape);
          if (rowSize > 0 && written % rowSize != 0) {
            throw new IllegalStateException("wrote " + written + " elements to " + file + ", not a whole number of"
                + " rows of " + Arrays.toString(rowShape));
          }
          long rows = rowSize == 0 ? 0 : written / rowSize;
          if (rows > Integer.MAX_VALUE) {
            throw new IllegalStateException("more than " + Integer.MAX_VALUE + " rows in " + file);
          }
          int[] shape = new int[rowShape.length + 1];
          shape[0] = (int) rows;
          System.arraycopy(rowShape, 0, shape, 1, rowShape.length);
          ByteBuffer header = ByteBuffer.wrap(header(dtype, shape, headerLength));
          while (header.hasRemaining()) {
            channel.write(header, header.position());
          }
        }
        out.close();
      } catch (IOException e) {
        throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
      }
      if (rowShape == null && written != expected) {
        throw new IllegalStateException("wrote " + written + " of " + expected + " elements to " + file);
      }
    }
  }

  /**
   * Preamble and header, padded with spaces and a newline so the data starts at a multiple of 64 bytes, or at
   * {@code length} bytes when that is larger (a header rewritten in place keeps the length of the one it replaces).
   */
  static byte[] header(DType dtype, int[] shape) {
    return header(dtype, shape, 0);
  }

  static byte[] header(DType dtype, int[] shape, int length) {
    StringBuilder dims = new StringBuilder();
    for (int d : shape) {
      dims.append(d).append(", ");
    }
    String shapeText = shape.length == 1 ? shape[0] + "," : shape.length == 0 ? ""
        : dims.substring(0, dims.length() - 2);
    String dict = "{'descr': '" + dtype.descr() + "', 'fortran_order': False, 'shape': (" + shapeText + "), }";
    int total = 10 + dict.length() + 1;
    int padded = Math.max((total + 63) / 64 * 64, length);
    String header = dict + " ".repeat(padded - total) + "\n";
    ByteBuffer b = ByteBuffer.allocate(10 + header.length()).order(ByteOrder.LITTLE_ENDIAN);
    b.put(MAGIC).put((byte) 1).put((byte) 0).putShort((short) header.length());
    b.put(header.getBytes(StandardCharsets.ISO_8859_1));
    return b.array();
  }
}
