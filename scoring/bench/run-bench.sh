#!/usr/bin/env bash
# The scorer benchmark of one model on a GPU host prepared with ../shared/gpu, from the project root:
# `riskstream bench scorer` (TensorRT FP32/FP16 and ONNX Runtime, Java; run as its own main class, since the host gets
# only the scoring jars of scoring/gpu/prepare-app.sh), then PyTorch eager FP32/FP16 of the training code's model on
# the very same inputs, then the merged JSON and the plot, named with the GPU and the date.
# usage: bash scoring/bench/run-bench.sh APP_DIR OUT_DIR MODEL BUCKETS      e.g. ... emr-risk-small 64,128
# env: SECONDS_PER_POINT (0.5), BENCH_ARGS (more options of riskstream bench scorer), PYTORCH_ARGS (of pytorch_bench.py)
set -euo pipefail
app=$1 out=$2 model=$3 buckets=$4
seconds=${SECONDS_PER_POINT:-0.5}
[ -f /tmp/riskstream-gpu/env.sh ] && . /tmp/riskstream-gpu/env.sh
mkdir -p "$out"
java -Xmx16g -cp "$app/lib/*:scoring/src/main/resources" 'io.riskstream.app.cli.BenchCommand$ScorerBench' --model "$model" \
  --lengths-dir scoring/bench --buckets "$buckets" --out "$out" --cache /tmp/riskstream-engines --seconds "$seconds" \
  ${BENCH_ARGS:-}
python3 scoring/bench/pytorch_bench.py "$app/$model.pt" "$out/inputs-$model.bin" "$out/pytorch-$model.json" \
  --seconds "$seconds" ${PYTORCH_ARGS:-}
rm -f "$out/inputs-$model.bin"
gpu=$(nvidia-smi --query-gpu=name --format=csv,noheader | head -1 | tr ' ' '-' | tr -cd 'A-Za-z0-9_.-')
python3 scoring/bench/plot_bench.py "$out/scorer-bench-$model.json" "$out/pytorch-$model.json" \
  "$out/scorer-bench-$model-$gpu-$(date -u +%F)" \
  || echo "run-bench: plotting failed here; run plot_bench.py on the returned JSON" >&2
