#!/usr/bin/env bash
# Runs the scoring module's GPU tests (TensorRtGpuIT; skipped where TensorRT or a GPU is missing) with the JUnit
# console launcher, from the folder scoring/gpu/prepare-app.sh made, on a GPU host prepared with ../shared/gpu (Java
# and TensorRT unpacked to /tmp/riskstream-gpu). Run from the project root: the shipped models are read from the
# working tree's scoring/src/main/resources.
# usage: bash APP_DIR/run-gpu-tests.sh APP_DIR [REPORT_DIR]
set -euo pipefail
app=$1 reports=${2:-/tmp/riskstream-gpu-reports}
[ -f /tmp/riskstream-gpu/env.sh ] && . /tmp/riskstream-gpu/env.sh
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader || true
java -version 2>&1 | head -1
exec java -jar "$app"/junit-platform-console-standalone-*.jar execute \
  --class-path "$(ls "$app"/lib/*.jar | tr '\n' ':')scoring/src/main/resources" \
  --select-class io.riskstream.scoring.tensorrt.internal.TensorRtGpuIT \
  --details=tree --disable-banner --disable-ansi-colors --reports-dir="$reports"
