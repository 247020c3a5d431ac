#!/usr/bin/env bash
# Runs the scorer benchmark on a GPU host prepared with ../shared/gpu: TensorRT FP32/FP16 and ONNX Runtime (Java),
# then PyTorch eager FP32/FP16 on the same inputs, then merges and plots.
# usage: bash run-bench.sh BENCH_DIR APP_DIR OUT_DIR   (BENCH_DIR holds bench.onnx, bench.pt, lengths.txt and the scripts)
set -euo pipefail
bench=$1 app=$2 out=$3
. /tmp/riskstream-gpu/env.sh
mkdir -p "$out"
inputs=/tmp/riskstream-bench-inputs.bin
java -Xmx8g -cp "$(ls "$app"/lib/*.jar | tr '\n' ':')" io.riskstream.scoring.tensorrt.ScorerBenchmark \
  "$bench/bench.onnx" "$bench/lengths.txt" "$out" precisions=fp32,fp16 buckets=128,192,256 contexts=${CONTEXTS:-2} seconds=${SECONDS_PER_POINT:-0.5} \
  ortThreads=$(nproc) ortMaxBatch=256 inputsFile=$inputs cache=/tmp/riskstream-engines
python3 "$bench/pytorch_bench.py" "$bench/bench.pt" "$inputs" "$out/pytorch.json" --model-script "$bench/tiny_risk_model.py" \
  --seconds ${SECONDS_PER_POINT:-0.5}
gpu=$(nvidia-smi --query-gpu=name --format=csv,noheader | head -1 | tr ' ' '-' | tr -cd 'A-Za-z0-9_.-')
python3 "$bench/plot_bench.py" "$out/scorer-bench.json" "$out/pytorch.json" "$inputs" "$out/scorer-bench-$gpu-$(date -u +%F)"
