package io.riskstream.scoring.tensorrt.internal;

import io.riskstream.scoring.tensorrt.TensorRtException;
import org.bytedeco.javacpp.Pointer;

/**
 * The single owner of one native TensorRT object returned by a TensorRT factory call: refuses null results and
 * destroys the object exactly once on {@link #close()}.
 */
final class Owned<T extends Pointer> implements AutoCloseable {

  private final T pointer;
  private final String what;
  private boolean closed;

  private Owned(T pointer, String what) {
    this.pointer = pointer;
    this.what = what;
  }

  /** Takes ownership of {@code pointer}, the result of {@code what}; throws when TensorRT returned null. */
  static <T extends Pointer> Owned<T> of(T pointer, String what) {
    if (pointer == null || pointer.isNull()) {
      throw new TensorRtException(what + " failed (returned null); see the TensorRT log above");
    }
    return new Owned<>(pointer, what);
  }

  T get() {
    if (closed) {
      throw new IllegalStateException(what + " result used after close");
    }
    return pointer;
  }

  @Override
  public void close() {
    if (!closed) {
      closed = true;
      pointer.deallocate();
    }
  }
}
