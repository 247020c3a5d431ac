package io.riskstream.scoring.onnx;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import io.riskstream.scoring.ModelInput;
import io.riskstream.scoring.Scorer;
import io.riskstream.scoring.ScorerInfo;
import io.riskstream.scoring.ScoringException;
import io.riskstream.scoring.model.ModelBundle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The CPU backend: ONNX Runtime with a configurable number of intra-op threads and direct buffers.
 *
 * <p>Batch invariance: the probabilities of an input are bitwise identical whatever else is in its batch. Each
 * input is padded to a length bucket that depends only on its own length ({@link LengthBuckets}), and inputs run
 * in slices of exactly {@code sliceSize} rows (the last slice of a bucket is filled up with copies of its first row,
 * whose outputs are dropped), so every session run has the shape [sliceSize, bucket] whatever the batch was.
 * Fixed slices are needed: ONNX Runtime 1.23.2's CPU kernels are not row-invariant across batch sizes. Measured on
 * the test model with the padded length fixed at 64: scoring 64 inputs alone and again in batches of 2, 3, 5, 8, 13,
 * 32 and 64 rows gave 216 of 1,293 probabilities that differed (by up to 6e-8, one float ulp), with 1 and with 2
 * intra-op threads. With fixed slices of 1, 4 or 8 rows no bit differed, whatever the row position
 * (OnnxRuntimeScorerTest checks this); on a 4-layer d=128 model at L=256 with slices of 1, 8 and 32, 0 of 864 differed.
 *
 * <p>Choosing the slice: a larger slice amortizes the per-run overhead when a bucket is full and wastes compute on
 * filler rows when it is not. Measured here (2 shared cores, 1 thread, 24 inputs of one bucket): the 2-layer d=32
 * test model 0.28 ms per input with slices of 1, 0.12 ms with 8; the 4-layer d=128 model at length 256 5.0 ms with
 * 1 and 5.8 ms with 8 (compute-bound: batching does not help). Real histories mostly fill the maximum length, so
 * buckets are usually full; the default is 8. Use 1 for large models or when inputs spread over many buckets.
 */
public final class OnnxRuntimeScorer implements Scorer {

  private static final Logger LOG = LoggerFactory.getLogger(OnnxRuntimeScorer.class);
  public static final String BACKEND = "onnxruntime";

  /**
   * @param intraOpThreads ONNX Runtime intra-op threads per run (1 or more)
   * @param bucketWidth granularity of padded lengths (16)
   * @param sliceSize rows per session run, the same for every run (8; see the class comment)
   */
  public record Options(int intraOpThreads, int bucketWidth, int sliceSize) {

    public Options {
      if (intraOpThreads < 1 || bucketWidth < 1 || sliceSize < 1) {
        throw new IllegalArgumentException("intraOpThreads, bucketWidth and sliceSize must be positive");
      }
    }

    public static Options defaults() {
      return new Options(1, 16, 8);
    }

    /** These options with {@code threads} intra-op threads. */
    public Options withIntraOpThreads(int threads) {
      return new Options(threads, bucketWidth, sliceSize);
    }
  }

  private final OrtEnvironment env;
  private final OrtSession session;
  private final ScorerInfo info;
  private final LengthBuckets buckets;
  private final int sliceSize;
  private final int vocabularySize;
  private final int outcomeCount;

  public OnnxRuntimeScorer(ModelBundle bundle, Options options) {
    this.env = OrtEnvironment.getEnvironment();
    this.info = new ScorerInfo(BACKEND, "fp32", bundle.name(), bundle.version(), bundle.sha256(),
        bundle.spec().outcomeNames());
    this.buckets = new LengthBuckets(options.bucketWidth(), bundle.spec().maxLength());
    this.sliceSize = options.sliceSize();
    this.vocabularySize = bundle.spec().vocabularySize();
    this.outcomeCount = bundle.outcomes().size();
    try (OrtSession.SessionOptions so = new OrtSession.SessionOptions()) {
      so.setIntraOpNumThreads(options.intraOpThreads());
      so.setInterOpNumThreads(1);
      // Idle pool threads sleep instead of spinning: the stream threads, the broker client and the batcher need those
      // cores between batches (8 spinning threads burned about 6.5 cores of a 16-core host in bench e2e, 2026-12-05).
      so.addConfigEntry("session.intra_op.allow_spinning", "0");
      so.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
      so.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
      this.session = env.createSession(bundle.onnxBytes(), so);
      checkContract(session, outcomeCount, bundle.name());
    } catch (OrtException e) {
      throw new IllegalStateException("cannot load model " + bundle.name() + " into ONNX Runtime: "
          + e.getMessage(), e);
    }
    LOG.info("ONNX Runtime scorer ready: model {} {}, {} intra-op threads, bucket width {}, slice {}",
        bundle.name(), bundle.version(), options.intraOpThreads(), options.bucketWidth(), options.sliceSize());
  }

  private static void checkContract(OrtSession session, int outcomes, String name) throws OrtException {
    Map<String, NodeInfo> inputs = session.getInputInfo();
    Map<String, OnnxJavaType> types = Map.of("tokens", OnnxJavaType.INT64, "ages", OnnxJavaType.FLOAT,
        "recency", OnnxJavaType.FLOAT);
    for (Map.Entry<String, OnnxJavaType> input : types.entrySet()) {
      NodeInfo info = inputs.get(input.getKey());
      if (info == null) {
        throw new IllegalStateException("model " + name + " lacks input '" + input.getKey() + "'; it has "
            + inputs.keySet());
      }
      if (!(info.getInfo() instanceof TensorInfo tensor) || tensor.type != input.getValue()
          || tensor.getShape().length != 2) {
        throw new IllegalStateException("model " + name + " input '" + input.getKey() + "' must be a 2-d "
            + input.getValue() + " tensor [batch, length], found " + info.getInfo());
      }
    }
    NodeInfo risk = session.getOutputInfo().get("risk");
    if (risk == null) {
      throw new IllegalStateException("model " + name + " lacks output 'risk'");
    }
    long[] shape = ((TensorInfo) risk.getInfo()).getShape();
    if (shape.length != 2 || (shape[1] > 0 && shape[1] != outcomes)) {
      throw new IllegalStateException("model " + name + " output 'risk' has shape " + java.util.Arrays.toString(shape)
          + " but its encoder spec lists " + outcomes + " outcomes");
    }
  }

  @Override
  public ScorerInfo info() {
    return info;
  }

  public LengthBuckets buckets() {
    return buckets;
  }

  /**
   * @throws IllegalArgumentException when an input is longer than the model's maximum or holds a token outside
   *     the vocabulary (bad input: nothing of the batch was scored)
   * @throws ScoringException when ONNX Runtime fails
   */
  @Override
  public float[][] score(List<ModelInput> batch) {
    TreeMap<Integer, List<Integer>> byBucket = new TreeMap<>();
    for (int i = 0; i < batch.size(); i++) {
      ModelInput input = batch.get(i);
      for (long t : input.tokens()) {
        if (t < 1 || t >= vocabularySize) {
          throw new IllegalArgumentException("input " + i + " holds token id " + t + " outside 1.."
              + (vocabularySize - 1));
        }
      }
      byBucket.computeIfAbsent(buckets.bucketOf(input.length()), b -> new ArrayList<>()).add(i);
    }
    float[][] out = new float[batch.size()][];
    for (Map.Entry<Integer, List<Integer>> entry : byBucket.entrySet()) {
      List<Integer> rows = entry.getValue();
      for (int from = 0; from < rows.size(); from += sliceSize) {
        runSlice(batch, rows.subList(from, Math.min(rows.size(), from + sliceSize)), entry.getKey(), out);
      }
    }
    return out;
  }

  private void runSlice(List<ModelInput> batch, List<Integer> rows, int length, float[][] out) {
    int n = sliceSize;
    LongBuffer tokens = ByteBuffer.allocateDirect(n * length * Long.BYTES).order(ByteOrder.nativeOrder())
        .asLongBuffer();
    FloatBuffer ages = ByteBuffer.allocateDirect(n * length * Float.BYTES).order(ByteOrder.nativeOrder())
        .asFloatBuffer();
    FloatBuffer recency = ByteBuffer.allocateDirect(n * length * Float.BYTES).order(ByteOrder.nativeOrder())
        .asFloatBuffer();
    for (int r = 0; r < n; r++) {
      ModelInput input = batch.get(rows.get(r < rows.size() ? r : 0));
      int base = r * length;
      tokens.put(base, input.tokens());
      ages.put(base, input.ages());
      recency.put(base, input.recency());
      // Direct buffers start zeroed: the rest of the row is padding (token 0, features 0).
    }
    long[] shape = {n, length};
    try (OnnxTensor t = OnnxTensor.createTensor(env, tokens, shape);
         OnnxTensor a = OnnxTensor.createTensor(env, ages, shape);
         OnnxTensor c = OnnxTensor.createTensor(env, recency, shape);
         OrtSession.Result result = session.run(Map.of("tokens", t, "ages", a, "recency", c))) {
      OnnxValue value = result.get("risk").orElseThrow(() -> new ScoringException("model returned no 'risk'"));
      FloatBuffer risk = ((OnnxTensor) value).getFloatBuffer();
      if (risk.remaining() != n * outcomeCount) {
        throw new ScoringException("model returned " + risk.remaining() + " values for " + n + " x "
            + outcomeCount);
      }
      for (int r = 0; r < rows.size(); r++) {
        float[] p = new float[outcomeCount];
        risk.get(r * outcomeCount, p);
        out[rows.get(r)] = p;
      }
    } catch (OrtException e) {
      throw new ScoringException("ONNX Runtime failed on a slice of " + rows.size() + " inputs of length "
          + length + ": " + e.getMessage(), e);
    }
  }

  @Override
  public void close() {
    try {
      session.close();
    } catch (OrtException e) {
      LOG.warn("closing the ONNX Runtime session failed: {}", e.getMessage());
    }
  }
}
