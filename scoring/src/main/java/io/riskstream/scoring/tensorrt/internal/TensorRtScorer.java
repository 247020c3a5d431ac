package io.riskstream.scoring.tensorrt.internal;

import static org.bytedeco.tensorrt.global.nvinfer.createInferRuntime;

import io.riskstream.scoring.ModelInput;
import io.riskstream.scoring.Scorer;
import io.riskstream.scoring.ScorerInfo;
import io.riskstream.scoring.ScoringException;
import io.riskstream.scoring.tensorrt.ModelIdentity;
import io.riskstream.scoring.tensorrt.Precision;
import io.riskstream.scoring.tensorrt.ProfileSpec;
import io.riskstream.scoring.tensorrt.TensorRtException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.tensorrt.global.nvinfer.DataType;
import org.bytedeco.tensorrt.global.nvinfer.LayerInformationFormat;
import org.bytedeco.tensorrt.nvinfer.Dims64;
import org.bytedeco.tensorrt.nvinfer.ICudaEngine;
import org.bytedeco.tensorrt.nvinfer.IEngineInspector;
import org.bytedeco.tensorrt.nvinfer.IRuntime;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Scores on the GPU with a TensorRT engine. For every shape of the {@link ProfileSpec} (length bucket × batch size)
 * it keeps {@code contexts} execution slots (context pinned to that shape's static profile, CUDA stream, pinned and
 * device buffers, a captured CUDA graph). A batch is grouped by length bucket (each input is padded only to its
 * bucket's length), each bucket's inputs are cut into batch-size chunks, and with {@code parallelChunks} > 1 large
 * chunks into equal parts ({@link ProfileSpec#chunks(int, int)}); the chunks run at once on their slots' streams
 * (each launched as soon as its inputs are written, so writing the next overlaps the GPU work of the previous) and
 * are collected together. Thread-safe: callers share the slots. A caller waits (blocks) for at most one slot per
 * shape per wave and waits for them in shape order; further slots of a shape it only takes when idle at that moment
 * (else that chunk runs in the next wave), so callers cannot deadlock. A CUDA or TensorRT failure throws
 * {@link ScoringException}; after one, the scorer refuses further batches (a CUDA error can leave the context
 * unusable), so a {@link io.riskstream.scoring.FailoverScorer} sends them to the CPU.
 */
public final class TensorRtScorer implements Scorer {

  private static final Logger LOG = LoggerFactory.getLogger(TensorRtScorer.class);

  private final ScorerInfo info;
  private final ProfileSpec spec;
  private final int parallelChunks;
  private final int device;
  private final TrtLogger logger;
  private final Owned<IRuntime> runtime;
  private final Owned<ICudaEngine> engine;
  private final List<ExecutionSlot> slots = new ArrayList<>();
  /** Idle slots per shape, index {@code bucket * batchSizeCount + batchSizeIndex}. */
  private final List<BlockingQueue<ExecutionSlot>> idle = new ArrayList<>();
  private volatile String failure;
  private volatile boolean closed;

  private TensorRtScorer(byte[] plan, ModelIdentity model, Precision precision, ProfileSpec spec, int parallelChunks,
      int device) {
    if (parallelChunks < 1 || parallelChunks > spec.contexts()) {
      throw new IllegalArgumentException("parallel chunks must lie in 1.." + spec.contexts() + " (the engine's "
          + "execution contexts per shape), got " + parallelChunks);
    }
    this.spec = spec;
    this.parallelChunks = parallelChunks;
    this.device = device;
    this.info = new ScorerInfo("tensorrt", precision.label(), model.id(), model.version(), model.sha256(),
        model.outcomes());
    Cuda.useDevice(device);
    this.logger = new TrtLogger();
    this.runtime = Owned.of(createInferRuntime(logger), "createInferRuntime");
    Owned<ICudaEngine> deserialized = null;
    try (BytePointer bytes = new BytePointer(plan)) {
      deserialized = Owned.of(runtime.get().deserializeCudaEngine(bytes, plan.length), "deserializeCudaEngine");
      this.engine = deserialized;
      ICudaEngine e = engine.get();
      if (e.getNbOptimizationProfiles() != spec.profileCount()) {
        throw new TensorRtException("engine has " + e.getNbOptimizationProfiles() + " optimization profiles, the "
            + "profile spec " + spec.canonical() + " needs " + spec.profileCount());
      }
      int outcomes = outcomes(e);
      if (outcomes != model.outcomes().size()) {
        throw new TensorRtException("engine output has " + outcomes + " outcomes, the model declares "
            + model.outcomes().size());
      }
      int tokenType = e.getTensorDataType("tokens").value;
      if (tokenType != DataType.kINT64.value && tokenType != DataType.kINT32.value) {
        throw new TensorRtException("engine input 'tokens' has TensorRT data type " + tokenType + ", expected INT64");
      }
      for (int b = 0; b < spec.bucketCount(); b++) {
        for (int size : spec.batchSizes()) {
          BlockingQueue<ExecutionSlot> queue = new ArrayBlockingQueue<>(spec.contexts());
          for (int k = 0; k < spec.contexts(); k++) {
            ExecutionSlot slot = new ExecutionSlot(e, spec, k, b, size, outcomes, tokenType == DataType.kINT64.value);
            slots.add(slot);
            queue.add(slot);
          }
          idle.add(queue);
        }
      }
      long graphs = slots.stream().filter(ExecutionSlot::usesGraph).count();
      LOG.info("TensorRT scorer ready: {} execution slots ({} shapes x {} contexts), {} with CUDA graphs; a call "
          + "runs up to {} parts of a chunk at once", slots.size(), spec.shapeCount(), spec.contexts(), graphs,
          parallelChunks);
    } catch (RuntimeException ex) {
      slots.forEach(ExecutionSlot::close);
      if (deserialized != null) {
        deserialized.close();
      }
      runtime.close();
      logger.deallocate();
      throw ex;
    }
  }

  /**
   * Deserializes {@code plan} (a verified engine built for {@code spec}) and sets up its execution slots; a call
   * cuts large chunks into as many parts as there are contexts per shape.
   */
  public static TensorRtScorer load(byte[] plan, ModelIdentity model, Precision precision, ProfileSpec spec,
      int device) {
    return load(plan, model, precision, spec, spec.contexts(), device);
  }

  /**
   * As {@link #load(byte[], ModelIdentity, Precision, ProfileSpec, int)}, cutting chunks into up to
   * {@code parallelChunks} (1..contexts) parts.
   */
  public static TensorRtScorer load(byte[] plan, ModelIdentity model, Precision precision, ProfileSpec spec,
      int parallelChunks, int device) {
    return new TensorRtScorer(plan, model, precision, spec, parallelChunks, device);
  }

  private static int outcomes(ICudaEngine engine) {
    Dims64 shape = engine.getTensorShape(EngineBuilder.OUTPUT);
    if (shape.nbDims() != 2 || shape.d(1) < 1) {
      throw new TensorRtException("engine output '" + EngineBuilder.OUTPUT + "' must be [batch, outcomes] with a "
          + "fixed number of outcomes");
    }
    return Math.toIntExact(shape.d(1));
  }

  @Override
  public ScorerInfo info() {
    return info;
  }

  ProfileSpec profiles() {
    return spec;
  }

  /** The most parts one call cuts a chunk into to run them at once on contexts of one shape. */
  int parallelChunks() {
    return parallelChunks;
  }

  /**
   * The engine's layers as TensorRT's engine inspector reports them (JSON): every layer's name and, for an engine
   * built with {@link BuildOptions#detailedLayers()}, its type, inputs and outputs, tactic and kernels, which shows
   * e.g. whether attention runs as one fused kernel.
   */
  String layerInformation() {
    try (Owned<IEngineInspector> inspector = Owned.of(engine.get().createEngineInspector(), "createEngineInspector")) {
      String json = inspector.get().getEngineInformation(LayerInformationFormat.kJSON);
      if (json == null) {
        throw new TensorRtException("IEngineInspector.getEngineInformation returned nothing");
      }
      return json;
    }
  }

  /** Execution slots (one per profile). */
  int slots() {
    return slots.size();
  }

  /** Execution slots that replay a captured CUDA graph (the others run their steps one by one). */
  long slotsWithGraphs() {
    return slots.stream().filter(ExecutionSlot::usesGraph).count();
  }

  @Override
  public float[][] score(List<ModelInput> batch) {
    if (closed) {
      throw new ScoringException("TensorRT scorer is closed");
    }
    String failed = failure;
    if (failed != null) {
      throw new ScoringException("TensorRT scorer disabled after an earlier GPU failure: " + failed);
    }
    float[][] out = new float[batch.size()][];
    List<List<Integer>> byBucket = new ArrayList<>();
    for (int b = 0; b < spec.bucketCount(); b++) {
      byBucket.add(new ArrayList<>());
    }
    for (int i = 0; i < batch.size(); i++) {
      int length = batch.get(i).length();
      if (length > spec.maxLength()) {
        throw new IllegalArgumentException("input " + i + " has length " + length + ", the engine's maximum is "
            + spec.maxLength());
      }
      byBucket.get(spec.bucketOf(length)).add(i);
    }
    List<Chunk> chunks = new ArrayList<>();
    for (int bucket = 0; bucket < byBucket.size(); bucket++) {
      List<Integer> members = byBucket.get(bucket);
      if (members.isEmpty()) {
        continue;
      }
      int from = 0;
      for (int size : spec.chunks(members.size(), parallelChunks)) {
        int to = Math.min(members.size(), from + size);
        if (from < to) {
          chunks.add(new Chunk(shapeIndex(bucket, size), members.subList(from, to)));
        }
        from = to;
      }
    }
    chunks.sort(Comparator.comparingInt(Chunk::shape));  // stable: the parts of a chunk keep their order
    while (!chunks.isEmpty()) {
      runWave(batch, chunks, out);
    }
    return out;
  }

  /** Inputs (indices into the batch) that run together at one shape. */
  private record Chunk(int shape, List<Integer> members) {
  }

  private int shapeIndex(int bucket, int size) {
    return bucket * spec.batchSizeCount() + spec.batchSizeIndex(size);
  }

  /**
   * Launches as many of {@code chunks} (sorted by shape) as slots allow, then collects them; launched chunks are
   * removed from the list. Per shape the first chunk waits for a slot, the others take one only if it is idle now.
   */
  private void runWave(List<ModelInput> batch, List<Chunk> chunks, float[][] out) {
    List<Chunk> wave = new ArrayList<>();
    List<ExecutionSlot> taken = new ArrayList<>();
    boolean collected = false;
    try {
      Cuda.useDevice(device);
      int lastShape = -1;
      for (Iterator<Chunk> it = chunks.iterator(); it.hasNext(); ) {
        Chunk c = it.next();
        ExecutionSlot slot;
        if (c.shape() != lastShape) {
          slot = take(c.shape());
          lastShape = c.shape();
        } else {
          slot = idle.get(c.shape()).poll();
          if (slot == null) {
            continue;  // every slot of this shape is busy: the next wave runs it
          }
        }
        it.remove();
        wave.add(c);
        taken.add(slot);
        List<ModelInput> inputs = new ArrayList<>(c.members().size());
        c.members().forEach(i -> inputs.add(batch.get(i)));
        slot.enqueue(inputs);
      }
      for (int s = 0; s < taken.size(); s++) {
        float[][] part = taken.get(s).collect();
        List<Integer> members = wave.get(s).members();
        for (int j = 0; j < members.size(); j++) {
          out[members.get(j)] = part[j];
        }
      }
      collected = true;
    } catch (TensorRtException e) {
      failure = e.getMessage();
      LOG.error("TensorRT scorer failed on a batch of {}: {}; disabling it", batch.size(), e.getMessage());
      throw e;
    } finally {
      for (int s = 0; s < taken.size(); s++) {
        if (!collected) {
          taken.get(s).discard();
        }
        idle.get(wave.get(s).shape()).add(taken.get(s));
      }
    }
  }

  private ExecutionSlot take(int shape) {
    try {
      return idle.get(shape).take();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ScoringException("interrupted while waiting for a TensorRT execution slot", e);
    }
  }

  /** Waits (up to 30 s) for running batches, then frees every slot, the engine and the runtime. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    List<ExecutionSlot> returned = new ArrayList<>();
    try {
      for (BlockingQueue<ExecutionSlot> queue : idle) {
        for (int i = 0; i < spec.contexts(); i++) {
          ExecutionSlot s = queue.poll(30, TimeUnit.SECONDS);
          if (s == null) {
            LOG.warn("TensorRT scorer closed while a batch was still running");
            break;
          }
          returned.add(s);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    try {
      returned.forEach(ExecutionSlot::close);
    } finally {
      engine.close();
      runtime.close();
      logger.deallocate();
    }
  }
}
