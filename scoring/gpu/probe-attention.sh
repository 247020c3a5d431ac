#!/usr/bin/env bash
# GPU diagnostic (see EngineProbe): for emr-risk-base at one static shape, the engine's kernels and speed with the
# shipped graph and with the variants of scoring/bench/attention_variants.py, at TensorRT's default builder
# optimization level and at level 5. Prints one PROBE line per engine and, per engine, the attention-related
# kernels TensorRT chose; writes the layer reports under OUT.
# usage: probe-attention.sh APP VARIANT_DIR OUT [BATCH] [LENGTH]
set -uo pipefail
app=$1 variants=$2 out=$3 batch=${4:-256} length=${5:-256}
mkdir -p "$out"
model=scoring/src/main/resources/models/emr-risk-base/model.onnx
python3 - "$model" "$variants" <<'PY'
import sys, numpy as np, onnxruntime as ort
base, d = sys.argv[1], sys.argv[2]
rng = np.random.default_rng(0)
tok = rng.integers(1, 5000, (4, 256)).astype(np.int64); tok[0, 200:] = 0
feed = {"tokens": tok, "ages": rng.random((4, 256), dtype=np.float32), "recency": rng.random((4, 256), dtype=np.float32)}
ref = ort.InferenceSession(base, providers=["CPUExecutionProvider"]).run(None, feed)[0]
for v in ("split", "nomask"):
    o = ort.InferenceSession(f"{d}/emr-risk-base-{v}.onnx", providers=["CPUExecutionProvider"]).run(None, feed)[0]
    print(f"VARIANT {v}: max abs diff vs the shipped graph on ONNX Runtime {np.abs(o - ref).max():.3g}")
PY
run() {  # label onnx level
  java -cp "$app/lib/*" io.riskstream.scoring.tensorrt.internal.EngineProbe scoring/src/main/resources/models/emr-risk-base "$2" "$1" "$batch" "$length" fp16 "$3" 200 "$out" 2>&1 \
    | grep -E "PROBE|ERROR|Exception|WARN" | grep -v "Using an OS temp" | head -20
}
run base-original "$model" 3
run base-split "$variants/emr-risk-base-split.onnx" 3
run base-nomask "$variants/emr-risk-base-nomask.onnx" 3
run base-original-opt5 "$model" 5
python3 - "$out" <<'PY'
import json, sys, glob, os, re
for f in sorted(glob.glob(f"{sys.argv[1]}/*-layers.json")):
    d = json.load(open(f))
    layers = d.get("Layers", [])
    names = []
    for l in layers:
        if isinstance(l, dict):
            names.append((l.get("LayerType", ""), l.get("TacticName", ""), l.get("Name", "")[:80]))
    kinds = {}
    for t, tac, n in names:
        kinds[t] = kinds.get(t, 0) + 1
    print(f"LAYERS {os.path.basename(f)}: {len(layers)} layers, types {kinds}")
    for t, tac, n in names:
        if re.search(r"mha|fmha|attention|softmax|flash", (t + tac + n), re.I):
            print(f"   {t:10s} {tac[:90]:90s} {n}")
PY
