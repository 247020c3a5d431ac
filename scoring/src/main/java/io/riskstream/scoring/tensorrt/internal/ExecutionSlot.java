package io.riskstream.scoring.tensorrt.internal;

import static org.bytedeco.cuda.global.cudart.cudaFree;
import static org.bytedeco.cuda.global.cudart.cudaFreeHost;
import static org.bytedeco.cuda.global.cudart.cudaGetLastError;
import static org.bytedeco.cuda.global.cudart.cudaGraphDestroy;
import static org.bytedeco.cuda.global.cudart.cudaGraphExecDestroy;
import static org.bytedeco.cuda.global.cudart.cudaGraphInstantiate;
import static org.bytedeco.cuda.global.cudart.cudaGraphLaunch;
import static org.bytedeco.cuda.global.cudart.cudaMalloc;
import static org.bytedeco.cuda.global.cudart.cudaMallocHost;
import static org.bytedeco.cuda.global.cudart.cudaMemcpyAsync;
import static org.bytedeco.cuda.global.cudart.cudaMemcpyDeviceToHost;
import static org.bytedeco.cuda.global.cudart.cudaMemcpyHostToDevice;
import static org.bytedeco.cuda.global.cudart.cudaStreamBeginCapture;
import static org.bytedeco.cuda.global.cudart.cudaStreamCaptureModeThreadLocal;
import static org.bytedeco.cuda.global.cudart.cudaStreamCreateWithFlags;
import static org.bytedeco.cuda.global.cudart.cudaStreamDestroy;
import static org.bytedeco.cuda.global.cudart.cudaStreamEndCapture;
import static org.bytedeco.cuda.global.cudart.cudaStreamNonBlocking;
import static org.bytedeco.cuda.global.cudart.cudaStreamSynchronize;
import static org.bytedeco.cuda.global.cudart.cudaSuccess;

import io.riskstream.scoring.ModelInput;
import io.riskstream.scoring.tensorrt.ProfileSpec;
import io.riskstream.scoring.tensorrt.TensorRtException;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.cuda.cudart.CUgraphExec_st;
import org.bytedeco.cuda.cudart.CUgraph_st;
import org.bytedeco.cuda.cudart.CUstream_st;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.tensorrt.global.nvinfer.ExecutionContextAllocationStrategy;
import org.bytedeco.tensorrt.nvinfer.Dims64;
import org.bytedeco.tensorrt.nvinfer.ICudaEngine;
import org.bytedeco.tensorrt.nvinfer.IExecutionContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One execution context at one fixed input shape {@code [batch, length]}: pinned to its static optimization profile,
 * with its own CUDA stream and pinned host and device buffers allocated once. Its input shape and tensor addresses
 * are set once and never change, so TensorRT never re-plans, and the whole step (copies in, the engine, the copy
 * out) is captured once into a CUDA graph that each batch replays with one launch. When capture is not possible
 * (a TensorRT or driver that refuses it) the slot runs the same steps one by one, and says so in the log.
 *
 * <p>Work is split into {@link #enqueue} (fill the pinned buffers, launch, return) and {@link #collect} (wait and
 * read), so one caller can run several slots at once. Rows beyond a batch's real inputs keep the previous batch's
 * (or initially zero) contents: each row of this model is computed independently of the others, and their outputs
 * are not read. Used by one thread at a time (the scorer hands slots out through queues).
 */
final class ExecutionSlot implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(ExecutionSlot.class);
  private static final int FLOAT = Float.BYTES;

  private final String name;
  private final int bucket;
  private final int batch;
  private final int length;
  private final int outcomes;
  private final boolean int64Tokens;
  private final long tokenBytes;
  private final Owned<IExecutionContext> context;
  private final CUstream_st stream = new CUstream_st();
  private final List<Pointer> pinned = new ArrayList<>();
  private final List<Pointer> device = new ArrayList<>();
  private CUgraph_st graph;
  private CUgraphExec_st graphExec;
  private Pointer hostTokens;
  private Pointer hostAges;
  private Pointer hostRecency;
  private Pointer hostRisk;
  private Pointer devTokens;
  private Pointer devAges;
  private Pointer devRecency;
  private Pointer devRisk;
  private LongBuffer tokens64;
  private IntBuffer tokens32;
  private FloatBuffer ages;
  private FloatBuffer recency;
  private FloatBuffer risk;
  private final long[] zeroLongs;
  private final int[] zeroInts;
  private final float[] zeroFloats;
  private int pending;
  private boolean closed;

  /** The slot of execution context {@code context} (0..contexts-1) for length bucket {@code bucket} at {@code batch}. */
  ExecutionSlot(ICudaEngine engine, ProfileSpec spec, int contextIndex, int bucket, int batch, int outcomes,
      boolean int64Tokens) {
    this.bucket = bucket;
    this.batch = batch;
    this.length = spec.lengthBuckets().get(bucket);
    this.name = "[" + batch + "x" + length + "]#" + contextIndex;
    this.outcomes = outcomes;
    this.int64Tokens = int64Tokens;
    this.tokenBytes = int64Tokens ? Long.BYTES : Integer.BYTES;
    this.zeroLongs = new long[length];
    this.zeroInts = new int[length];
    this.zeroFloats = new float[length];
    long cells = (long) batch * length;
    // device memory for this context's own profile only, not the largest of all profiles
    this.context = Owned.of(engine.createExecutionContext(ExecutionContextAllocationStrategy.kON_PROFILE_CHANGE),
        "createExecutionContext");
    try {
      Cuda.check(cudaStreamCreateWithFlags(stream, cudaStreamNonBlocking), "cudaStreamCreateWithFlags");
      IExecutionContext ctx = context.get();
      int profile = spec.profileIndex(contextIndex, bucket, batch);
      Cuda.require(ctx.setOptimizationProfileAsync(profile, stream), "setOptimizationProfileAsync(" + profile + ")");
      hostTokens = pinned(cells * tokenBytes);
      hostAges = pinned(cells * FLOAT);
      hostRecency = pinned(cells * FLOAT);
      hostRisk = pinned((long) batch * outcomes * FLOAT);
      devTokens = deviceBuffer(cells * tokenBytes);
      devAges = deviceBuffer(cells * FLOAT);
      devRecency = deviceBuffer(cells * FLOAT);
      devRisk = deviceBuffer((long) batch * outcomes * FLOAT);
      tokens64 = int64Tokens ? new LongPointer(hostTokens).capacity(cells).asBuffer() : null;
      tokens32 = int64Tokens ? null : new IntPointer(hostTokens).capacity(cells).asBuffer();
      ages = new FloatPointer(hostAges).capacity(cells).asBuffer();
      recency = new FloatPointer(hostRecency).capacity(cells).asBuffer();
      risk = new FloatPointer(hostRisk).capacity((long) batch * outcomes).asBuffer();
      for (int row = 0; row < batch; row++) {
        clearRow(row);  // pinned memory is not zeroed; unused rows must hold a valid (all-padding) input
      }
      try (Dims64 shape = EngineBuilder.dims(batch, length)) {
        for (String input : EngineBuilder.INPUTS) {
          Cuda.require(ctx.setInputShape(input, shape), "setInputShape(" + input + ", " + name + ")");
        }
      }
      Cuda.require(ctx.setTensorAddress("tokens", devTokens), "setTensorAddress(tokens)");
      Cuda.require(ctx.setTensorAddress("ages", devAges), "setTensorAddress(ages)");
      Cuda.require(ctx.setTensorAddress("recency", devRecency), "setTensorAddress(recency)");
      Cuda.require(ctx.setTensorAddress(EngineBuilder.OUTPUT, devRisk), "setTensorAddress(risk)");
      // the first enqueue does TensorRT's one-time work for this shape; it must not happen inside a capture
      queueSteps();
      Cuda.check(cudaStreamSynchronize(stream), "cudaStreamSynchronize");
      capture();
    } catch (RuntimeException e) {
      close();
      throw e;
    }
  }

  int bucket() {
    return bucket;
  }

  int batch() {
    return batch;
  }

  boolean usesGraph() {
    return graphExec != null;
  }

  /** Captures {@link #queueSteps} into a CUDA graph; on any refusal the slot keeps running the steps directly. */
  private void capture() {
    CUgraph_st g = new CUgraph_st();
    int rc = cudaStreamBeginCapture(stream, cudaStreamCaptureModeThreadLocal);
    if (rc != cudaSuccess) {
      cudaGetLastError();
      LOG.warn("slot {}: CUDA graph capture unavailable (CUDA error {}); running without a graph", name, rc);
      return;
    }
    String failed = null;
    try {
      queueSteps();
    } catch (TensorRtException e) {
      failed = e.getMessage();
    }
    rc = cudaStreamEndCapture(stream, g);
    if (failed != null || rc != cudaSuccess) {
      cudaGetLastError();  // capture errors are not sticky; clear the last-error state
      if (!g.isNull()) {
        cudaGraphDestroy(g);
      }
      LOG.warn("slot {}: CUDA graph capture failed ({}); running without a graph", name,
          failed != null ? failed : "cudaStreamEndCapture: CUDA error " + rc);
      return;
    }
    CUgraphExec_st exec = new CUgraphExec_st();
    rc = cudaGraphInstantiate(exec, g, 0L);
    if (rc != cudaSuccess) {
      cudaGetLastError();
      cudaGraphDestroy(g);
      LOG.warn("slot {}: cudaGraphInstantiate failed (CUDA error {}); running without a graph", name, rc);
      return;
    }
    graph = g;
    graphExec = exec;
  }

  /** Copies in, the engine, the copy out, on this slot's stream. */
  private void queueSteps() {
    long cells = (long) batch * length;
    Cuda.check(cudaMemcpyAsync(devTokens, hostTokens, cells * tokenBytes, cudaMemcpyHostToDevice, stream), "H2D tokens");
    Cuda.check(cudaMemcpyAsync(devAges, hostAges, cells * FLOAT, cudaMemcpyHostToDevice, stream), "H2D ages");
    Cuda.check(cudaMemcpyAsync(devRecency, hostRecency, cells * FLOAT, cudaMemcpyHostToDevice, stream), "H2D recency");
    Cuda.require(context.get().enqueueV3(stream), "enqueueV3 " + name);
    Cuda.check(cudaMemcpyAsync(hostRisk, devRisk, (long) batch * outcomes * FLOAT, cudaMemcpyDeviceToHost, stream),
        "D2H risk");
  }

  /**
   * Writes the inputs (all of this slot's bucket, at most its batch size) into rows 0..n-1, padded on the right to
   * the bucket's length, and launches the step on this slot's stream; {@link #collect()} waits for it.
   */
  void enqueue(List<ModelInput> inputs) {
    int real = inputs.size();
    if (real < 1 || real > batch) {
      throw new IllegalArgumentException("batch of " + real + " outside 1.." + batch + " of slot " + name);
    }
    if (pending != 0) {
      throw new IllegalStateException("slot " + name + " still holds an uncollected batch");
    }
    for (int i = 0; i < real; i++) {
      ModelInput in = inputs.get(i);
      int n = in.length();
      if (n > length) {
        throw new IllegalArgumentException("input of length " + n + " does not fit bucket " + length);
      }
      int base = i * length;
      if (int64Tokens) {
        tokens64.put(base, in.tokens()).put(base + n, zeroLongs, 0, length - n);
      } else {
        long[] t = in.tokens();
        for (int j = 0; j < n; j++) {
          tokens32.put(base + j, Math.toIntExact(t[j]));
        }
        tokens32.put(base + n, zeroInts, 0, length - n);
      }
      ages.put(base, in.ages()).put(base + n, zeroFloats, 0, length - n);
      recency.put(base, in.recency()).put(base + n, zeroFloats, 0, length - n);
    }
    if (graphExec != null) {
      Cuda.check(cudaGraphLaunch(graphExec, stream), "cudaGraphLaunch " + name);
    } else {
      queueSteps();
    }
    pending = real;
  }

  /** Waits for the batch launched by {@link #enqueue} and returns the probabilities of its real inputs. */
  float[][] collect() {
    int n = pending;
    pending = 0;
    Cuda.check(cudaStreamSynchronize(stream), "cudaStreamSynchronize " + name);
    float[][] out = new float[n][outcomes];
    for (int i = 0; i < n; i++) {
      risk.get(i * outcomes, out[i]);
    }
    return out;
  }

  /** Drops a launched batch that will not be collected (after a failure elsewhere in its wave); never throws. */
  void discard() {
    if (pending != 0) {
      pending = 0;
      if (cudaStreamSynchronize(stream) != cudaSuccess) {
        cudaGetLastError();
      }
    }
  }

  /** Runs one batch: {@link #enqueue} then {@link #collect}. */
  float[][] run(List<ModelInput> inputs) {
    enqueue(inputs);
    return collect();
  }

  private void clearRow(int row) {
    int base = row * length;
    if (int64Tokens) {
      tokens64.put(base, zeroLongs);
    } else {
      tokens32.put(base, zeroInts);
    }
    ages.put(base, zeroFloats);
    recency.put(base, zeroFloats);
  }

  private Pointer pinned(long bytes) {
    Pointer p = new Pointer();
    Cuda.check(cudaMallocHost(p, bytes), "cudaMallocHost(" + bytes + ")");
    pinned.add(p);
    return p;
  }

  private Pointer deviceBuffer(long bytes) {
    Pointer p = new Pointer();
    Cuda.check(cudaMalloc(p, bytes), "cudaMalloc(" + bytes + ")");
    device.add(p);
    return p;
  }

  /**
   * Frees the graph, device and pinned memory, the stream and the context; reports the first failure after freeing
   * everything.
   */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    List<String> failures = new ArrayList<>();
    if (!stream.isNull()) {
      record(failures, () -> Cuda.check(cudaStreamSynchronize(stream), "cudaStreamSynchronize"));
    }
    if (graphExec != null) {
      record(failures, () -> Cuda.check(cudaGraphExecDestroy(graphExec), "cudaGraphExecDestroy"));
    }
    if (graph != null) {
      record(failures, () -> Cuda.check(cudaGraphDestroy(graph), "cudaGraphDestroy"));
    }
    for (Pointer p : device) {
      record(failures, () -> Cuda.check(cudaFree(p), "cudaFree"));
    }
    for (Pointer p : pinned) {
      record(failures, () -> Cuda.check(cudaFreeHost(p), "cudaFreeHost"));
    }
    context.close();
    if (!stream.isNull()) {
      record(failures, () -> Cuda.check(cudaStreamDestroy(stream), "cudaStreamDestroy"));
    }
    if (!failures.isEmpty()) {
      throw new TensorRtException("closing execution slot " + name + ": " + String.join("; ", failures));
    }
  }

  private static void record(List<String> failures, Runnable action) {
    try {
      action.run();
    } catch (TensorRtException e) {
      failures.add(e.getMessage());
    }
  }
}
