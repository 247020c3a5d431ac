#!/usr/bin/env bash
# Packs what the GPU tests need on a bare GPU host into one folder (default: .gpu/app under the project root):
# the scoring jar and its test classes, the runtime dependencies (only the bytedeco JNI jars, never the redist
# jars; ONNX Runtime stripped to its linux-x64 library), the JUnit console launcher and the test model.
# Run from the project root after `mvn -o -pl scoring -am verify`.
# usage: scoring/gpu/prepare-app.sh [OUT_DIR]
set -euo pipefail
out=$(realpath -m "${1:-.gpu/app}")
junit=1.13.4
rm -rf "$out" && mkdir -p "$out/lib"
mvn -q -o -pl scoring dependency:copy-dependencies -DincludeScope=test -DoutputDirectory="$out/lib" \
  -DexcludeArtifactIds=byte-buddy,junit-jupiter,junit-jupiter-api,junit-jupiter-engine,junit-jupiter-params,junit-platform-engine,junit-platform-commons,junit-platform-launcher,opentest4j,apiguardian-api
rm -f "$out"/lib/*-redist.jar
ort=$(ls "$out"/lib/onnxruntime-*.jar)
tmp=$(mktemp -d) && (cd "$tmp" && unzip -q "$ort" && find ai/onnxruntime/native -mindepth 1 -maxdepth 1 ! -name linux-x64 -exec rm -rf {} + \
  && rm -f "$ort" && zip -q -r "$ort" .) && rm -rf "$tmp"
cp scoring/target/riskstream-scoring-*.jar "$out/lib/"
(cd scoring/target/test-classes && zip -q -r "$out/lib/riskstream-scoring-tests.jar" .)
mvn -q dependency:copy -Dartifact=org.junit.platform:junit-platform-console-standalone:$junit -DoutputDirectory="$out" >/dev/null
/usr/bin/python3 scoring/src/test/python/tiny_risk_model.py "$out/tiny.onnx" --outcomes 3 2>/dev/null
cp scoring/gpu/run-gpu-tests.sh "$out/"
du -sh "$out"
