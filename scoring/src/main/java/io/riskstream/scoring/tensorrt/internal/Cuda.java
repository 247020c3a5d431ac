package io.riskstream.scoring.tensorrt.internal;

import static org.bytedeco.cuda.global.cudart.cudaDevAttrComputeCapabilityMajor;
import static org.bytedeco.cuda.global.cudart.cudaDevAttrComputeCapabilityMinor;
import static org.bytedeco.cuda.global.cudart.cudaDeviceGetAttribute;
import static org.bytedeco.cuda.global.cudart.cudaGetDeviceCount;
import static org.bytedeco.cuda.global.cudart.cudaGetDeviceProperties;
import static org.bytedeco.cuda.global.cudart.cudaGetErrorString;
import static org.bytedeco.cuda.global.cudart.cudaSetDevice;
import static org.bytedeco.cuda.global.cudart.cudaSuccess;

import io.riskstream.scoring.tensorrt.GpuDescription;
import io.riskstream.scoring.tensorrt.TensorRtException;
import org.bytedeco.cuda.cudart.cudaDeviceProp;
import org.bytedeco.javacpp.BytePointer;

/** CUDA runtime helpers: every return code goes through {@link #check}. */
final class Cuda {

  private Cuda() {
  }

  /** Throws {@link TensorRtException} naming {@code what} and CUDA's error text unless {@code rc} is cudaSuccess. */
  static void check(int rc, String what) {
    if (rc != cudaSuccess) {
      BytePointer text = cudaGetErrorString(rc);
      throw new TensorRtException(what + " failed: " + (text == null ? "unknown CUDA error" : text.getString())
          + " (CUDA error " + rc + ")");
    }
  }

  /** Throws {@link TensorRtException} unless a TensorRT call that reports success as a boolean returned true. */
  static void require(boolean ok, String what) {
    if (!ok) {
      throw new TensorRtException(what + " failed; see the TensorRT log above");
    }
  }

  static int deviceCount() {
    int[] count = new int[1];
    check(cudaGetDeviceCount(count), "cudaGetDeviceCount");
    return count[0];
  }

  static void useDevice(int device) {
    check(cudaSetDevice(device), "cudaSetDevice(" + device + ")");
  }

  static GpuDescription describe(int device) {
    int[] major = new int[1];
    int[] minor = new int[1];
    check(cudaDeviceGetAttribute(major, cudaDevAttrComputeCapabilityMajor, device), "cudaDeviceGetAttribute(major)");
    check(cudaDeviceGetAttribute(minor, cudaDevAttrComputeCapabilityMinor, device), "cudaDeviceGetAttribute(minor)");
    try (cudaDeviceProp props = new cudaDeviceProp()) {
      check(cudaGetDeviceProperties(props, device), "cudaGetDeviceProperties(" + device + ")");
      return new GpuDescription(device, props.name().getString().trim(), major[0] + "." + minor[0],
          props.totalGlobalMem());
    }
  }
}
