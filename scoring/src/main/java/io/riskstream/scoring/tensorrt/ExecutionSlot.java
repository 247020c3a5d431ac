package io.riskstream.scoring.tensorrt;

import static org.bytedeco.cuda.global.cudart.cudaFree;
import static org.bytedeco.cuda.global.cudart.cudaFreeHost;
import static org.bytedeco.cuda.global.cudart.cudaMalloc;
import static org.bytedeco.cuda.global.cudart.cudaMallocHost;
import static org.bytedeco.cuda.global.cudart.cudaMemcpyAsync;
import static org.bytedeco.cuda.global.cudart.cudaMemcpyDeviceToHost;
import static org.bytedeco.cuda.global.cudart.cudaMemcpyHostToDevice;
import static org.bytedeco.cuda.global.cudart.cudaStreamCreateWithFlags;
import static org.bytedeco.cuda.global.cudart.cudaStreamDestroy;
import static org.bytedeco.cuda.global.cudart.cudaStreamNonBlocking;
import static org.bytedeco.cuda.global.cudart.cudaStreamSynchronize;

import io.riskstream.scoring.ModelInput;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.cuda.cudart.CUstream_st;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.tensorrt.global.nvinfer.ExecutionContextAllocationStrategy;
import org.bytedeco.tensorrt.nvinfer.Dims64;
import org.bytedeco.tensorrt.nvinfer.ICudaEngine;
import org.bytedeco.tensorrt.nvinfer.IExecutionContext;

/**
 * One execution context pinned to one length bucket's optimization profile (selected once: switching profiles per
 * batch cost about a millisecond each time on an H200), with its own CUDA stream and pinned host and device buffers
 * sized for the largest batch of that bucket, allocated once and reused for every batch. Work is split into
 * {@link #enqueue} (asynchronous on the slot's stream) and {@link #collect} (wait and read), so that one caller can
 * run the buckets of a batch on several slots at once. Used by one thread at a time (the scorer hands slots out
 * through queues).
 */
final class ExecutionSlot implements AutoCloseable {

  private static final int FLOAT = Float.BYTES;

  private final int index;
  private final int bucket;
  private final int length;
  private final ProfileSpec spec;
  private final int outcomes;
  private final boolean int64Tokens;
  private final Owned<IExecutionContext> context;
  private final CUstream_st stream;
  private final List<Pointer> pinned = new ArrayList<>();
  private final List<Pointer> device = new ArrayList<>();
  private final Pointer hostTokens;
  private final Pointer hostAges;
  private final Pointer hostRecency;
  private final Pointer hostRisk;
  private final Pointer devTokens;
  private final Pointer devAges;
  private final Pointer devRecency;
  private final Pointer devRisk;
  private final LongBuffer tokens64;
  private final IntBuffer tokens32;
  private final FloatBuffer ages;
  private final FloatBuffer recency;
  private final FloatBuffer risk;
  private final long tokenBytes;
  private final long[] zeroLongs;
  private final float[] zeroFloats;
  private int pending;
  private int shapedBatch;
  private boolean closed;

  /** A slot for execution context {@code index} (0..contexts-1) of length bucket {@code bucket}. */
  ExecutionSlot(ICudaEngine engine, int index, int bucket, ProfileSpec spec, int outcomes, boolean int64Tokens) {
    this.index = index;
    this.bucket = bucket;
    this.length = spec.lengthBuckets().get(bucket);
    this.spec = spec;
    this.outcomes = outcomes;
    this.int64Tokens = int64Tokens;
    this.tokenBytes = int64Tokens ? Long.BYTES : Integer.BYTES;
    this.zeroLongs = new long[length];
    this.zeroFloats = new float[length];
    long cells = (long) spec.maxBatch() * length;
    // device memory for this context's own profile only, not the largest of all profiles
    this.context = Owned.of(engine.createExecutionContext(ExecutionContextAllocationStrategy.kON_PROFILE_CHANGE),
        "createExecutionContext");
    this.stream = new CUstream_st();
    try {
      Cuda.check(cudaStreamCreateWithFlags(stream, cudaStreamNonBlocking), "cudaStreamCreateWithFlags");
      int profile = spec.profileIndex(index, bucket);
      Cuda.require(context.get().setOptimizationProfileAsync(profile, stream),
          "setOptimizationProfileAsync(" + profile + ")");
      Cuda.check(cudaStreamSynchronize(stream), "cudaStreamSynchronize");
      hostTokens = pinned(cells * tokenBytes);
      hostAges = pinned(cells * FLOAT);
      hostRecency = pinned(cells * FLOAT);
      hostRisk = pinned((long) spec.maxBatch() * outcomes * FLOAT);
      devTokens = deviceBuffer(cells * tokenBytes);
      devAges = deviceBuffer(cells * FLOAT);
      devRecency = deviceBuffer(cells * FLOAT);
      devRisk = deviceBuffer((long) spec.maxBatch() * outcomes * FLOAT);
      tokens64 = int64Tokens ? new LongPointer(hostTokens).capacity(cells).asBuffer() : null;
      tokens32 = int64Tokens ? null : new IntPointer(hostTokens).capacity(cells).asBuffer();
      ages = new FloatPointer(hostAges).capacity(cells).asBuffer();
      recency = new FloatPointer(hostRecency).capacity(cells).asBuffer();
      risk = new FloatPointer(hostRisk).capacity((long) spec.maxBatch() * outcomes).asBuffer();
    } catch (RuntimeException e) {
      close();
      throw e;
    }
  }

  int bucket() {
    return bucket;
  }

  /**
   * Pads the inputs (all of this slot's bucket) to the bucket's length, and queues the copies in, the engine and the
   * copy out on this slot's stream; {@link #collect()} waits for them.
   */
  void enqueue(List<ModelInput> batch) {
    int real = batch.size();
    if (real < 1 || real > spec.maxBatch()) {
      throw new IllegalArgumentException("batch of " + real + " outside 1.." + spec.maxBatch());
    }
    if (pending != 0) {
      throw new IllegalStateException("slot " + index + "/" + bucket + " still holds an uncollected batch");
    }
    // The batch dimension is padded to a power of two (repeating the last input): TensorRT re-plans the execution
    // when an input shape changes, which cost about a millisecond per call on an H200 when every call had a new
    // batch size; with padding a slot sees at most log2(maxBatch) + 1 shapes.
    int b = spec.paddedBatch(real);
    for (int i = 0; i < b; i++) {
      ModelInput in = batch.get(Math.min(i, real - 1));
      int n = in.length();
      if (n > length) {
        throw new IllegalArgumentException("input of length " + n + " does not fit bucket " + length);
      }
      int base = i * length;
      if (int64Tokens) {
        tokens64.put(base, in.tokens()).put(base + n, zeroLongs, 0, length - n);
      } else {
        for (int j = 0; j < length; j++) {
          tokens32.put(base + j, j < n ? Math.toIntExact(in.tokens()[j]) : 0);
        }
      }
      ages.put(base, in.ages()).put(base + n, zeroFloats, 0, length - n);
      recency.put(base, in.recency()).put(base + n, zeroFloats, 0, length - n);
    }
    IExecutionContext ctx = context.get();
    if (b != shapedBatch) {
      try (Dims64 shape = EngineBuilder.dims(b, length)) {
        for (String input : EngineBuilder.INPUTS) {
          Cuda.require(ctx.setInputShape(input, shape), "setInputShape(" + input + ", [" + b + ", " + length + "])");
        }
      }
      shapedBatch = b;
    }
    Cuda.require(ctx.setTensorAddress("tokens", devTokens), "setTensorAddress(tokens)");
    Cuda.require(ctx.setTensorAddress("ages", devAges), "setTensorAddress(ages)");
    Cuda.require(ctx.setTensorAddress("recency", devRecency), "setTensorAddress(recency)");
    Cuda.require(ctx.setTensorAddress(EngineBuilder.OUTPUT, devRisk), "setTensorAddress(risk)");
    long cells = (long) b * length;
    Cuda.check(cudaMemcpyAsync(devTokens, hostTokens, cells * tokenBytes, cudaMemcpyHostToDevice, stream), "H2D tokens");
    Cuda.check(cudaMemcpyAsync(devAges, hostAges, cells * FLOAT, cudaMemcpyHostToDevice, stream), "H2D ages");
    Cuda.check(cudaMemcpyAsync(devRecency, hostRecency, cells * FLOAT, cudaMemcpyHostToDevice, stream), "H2D recency");
    Cuda.require(ctx.enqueueV3(stream), "enqueueV3");
    Cuda.check(cudaMemcpyAsync(hostRisk, devRisk, (long) b * outcomes * FLOAT, cudaMemcpyDeviceToHost, stream),
        "D2H risk");
    pending = real;
  }

  /** Waits for the batch queued by {@link #enqueue} and returns its probabilities. */
  float[][] collect() {
    int b = pending;
    pending = 0;
    Cuda.check(cudaStreamSynchronize(stream), "cudaStreamSynchronize");
    float[][] out = new float[b][outcomes];
    for (int i = 0; i < b; i++) {
      risk.get(i * outcomes, out[i]);
    }
    return out;
  }

  /** Runs one batch: {@link #enqueue} then {@link #collect}. */
  float[][] run(List<ModelInput> batch) {
    enqueue(batch);
    return collect();
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

  /** Frees device and pinned memory, the stream and the context; reports the first failure after freeing all. */
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
      throw new TensorRtException("closing execution slot " + index + ": " + String.join("; ", failures));
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
