package io.riskstream.scoring.tensorrt;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.riskstream.scoring.ModelInput;
import io.riskstream.scoring.Scorer;
import io.riskstream.scoring.ScorerInfo;
import io.riskstream.scoring.ScoringException;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * ONNX Runtime on the CPU as the reference of the TensorRT parity gate and as the failover target of the GPU
 * scorer. Pads each batch on the right to its longest input. A small, direct use of ORT for the tensorrt package;
 * the scoring module's full CPU backend ({@code OnnxRuntimeScorer}, with its direct buffers and threading options)
 * can take its place wherever a {@link Scorer} is accepted.
 */
public final class OnnxReferenceScorer implements Scorer {

  private final OrtEnvironment env;
  private final OrtSession session;
  private final ScorerInfo info;

  public OnnxReferenceScorer(Path onnxModel, ModelIdentity model, int intraOpThreads) {
    this.env = OrtEnvironment.getEnvironment();
    try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
      options.setIntraOpNumThreads(intraOpThreads);
      this.session = env.createSession(onnxModel.toString(), options);
    } catch (OrtException e) {
      throw new IllegalArgumentException("ONNX Runtime cannot load model " + onnxModel + ": " + e.getMessage(), e);
    }
    this.info = new ScorerInfo("onnxruntime", "fp32", model.id(), model.version(), model.sha256(), model.outcomes());
  }

  @Override
  public ScorerInfo info() {
    return info;
  }

  @Override
  public float[][] score(List<ModelInput> batch) {
    if (batch.isEmpty()) {
      return new float[0][];
    }
    int b = batch.size();
    int len = batch.stream().mapToInt(ModelInput::length).max().orElseThrow();
    LongBuffer tokens = LongBuffer.allocate(b * len);
    FloatBuffer ages = FloatBuffer.allocate(b * len);
    FloatBuffer recency = FloatBuffer.allocate(b * len);
    for (int i = 0; i < b; i++) {
      ModelInput in = batch.get(i);
      int base = i * len;
      tokens.put(base, in.tokens());
      ages.put(base, in.ages());
      recency.put(base, in.recency());
    }
    long[] shape = {b, len};
    try (OnnxTensor t = OnnxTensor.createTensor(env, tokens, shape);
        OnnxTensor a = OnnxTensor.createTensor(env, ages, shape);
        OnnxTensor r = OnnxTensor.createTensor(env, recency, shape);
        OrtSession.Result result = session.run(Map.of("tokens", t, "ages", a, "recency", r))) {
      float[][] risk = (float[][]) result.get(0).getValue();
      if (risk.length != b || risk[0].length != info.outcomes().size()) {
        throw new ScoringException("model output has shape [" + risk.length + ", " + risk[0].length + "], expected ["
            + b + ", " + info.outcomes().size() + "]");
      }
      return risk;
    } catch (OrtException e) {
      throw new ScoringException("ONNX Runtime failed on a batch of " + b + ": " + e.getMessage(), e);
    }
  }

  @Override
  public void close() {
    try {
      session.close();
    } catch (OrtException e) {
      throw new IllegalStateException("cannot close the ONNX Runtime session", e);
    }
  }
}
