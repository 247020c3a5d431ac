package io.riskstream.scoring.tensorrt.internal;

import io.riskstream.scoring.tensorrt.GpuDescription;
import io.riskstream.scoring.tensorrt.TensorRtException;
import java.util.Optional;
import org.bytedeco.cuda.global.cudart;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.SizeTPointer;
import org.bytedeco.tensorrt.global.nvinfer;
import org.bytedeco.tensorrt.global.nvonnxparser;

/** Whether TensorRT and a CUDA GPU can be used in this process, which TensorRT this is, and the GPU's state. */
public final class TensorRt {

  private TensorRt() {
  }

  /**
   * Loads the CUDA runtime, TensorRT and its ONNX parser and looks for a GPU. Returns why not, when not: a missing
   * native library (no TensorRT or CUDA on this host) or no GPU. Never throws.
   */
  public static Optional<String> unavailableReason() {
    try {
      Loader.load(cudart.class);
      Loader.load(nvinfer.class);
      Loader.load(nvonnxparser.class);
      int gpus = Cuda.deviceCount();
      return gpus > 0 ? Optional.empty() : Optional.of("no CUDA GPU visible");
    } catch (UnsatisfiedLinkError | NoClassDefFoundError | ExceptionInInitializerError e) {
      return Optional.of("TensorRT/CUDA native libraries do not load: " + e);
    } catch (TensorRtException e) {
      return Optional.of(e.getMessage());
    }
  }

  /** The TensorRT library version actually loaded, e.g. {@code 10.6.0}. */
  public static String version() {
    int v = nvinfer.getInferLibVersion();
    return (v / 10000) + "." + (v / 100 % 100) + "." + (v % 100);
  }

  /** Bytes of GPU memory in use on {@code device} (by every process), from cudaMemGetInfo. */
  public static long gpuMemoryUsedBytes(int device) {
    Cuda.useDevice(device);
    try (SizeTPointer free = new SizeTPointer(1); SizeTPointer total = new SizeTPointer(1)) {
      Cuda.check(cudart.cudaMemGetInfo(free, total), "cudaMemGetInfo");
      return total.get() - free.get();
    }
  }

  /** The GPU {@code device} as the engine cache keys it. */
  public static GpuDescription gpu(int device) {
    return Cuda.describe(device);
  }
}
