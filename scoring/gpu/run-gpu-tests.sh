#!/usr/bin/env bash
# Runs the scoring module's GPU tests (*GpuIT) with the JUnit console launcher on a GPU host prepared with
# ../shared/gpu (Java and TensorRT unpacked to /tmp/riskstream-gpu), from the folder scoring/gpu/prepare-app.sh made.
# usage: bash APP_DIR/run-gpu-tests.sh APP_DIR [REPORT_DIR]
set -euo pipefail
app=$1 reports=${2:-/tmp/riskstream-gpu-reports}
. /tmp/riskstream-gpu/env.sh
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader || true
java -version 2>&1 | head -1
exec java -Driskstream.test.model="$app/tiny.onnx" -jar "$app"/junit-platform-console-standalone-*.jar execute \
  --class-path "$(ls "$app"/lib/*.jar | tr '\n' ':')" --select-class io.riskstream.scoring.tensorrt.TensorRtGpuIT \
  --details=tree --disable-banner --disable-ansi-colors --reports-dir="$reports"
