#!/usr/bin/env bash
# Packs what the GPU tests and `riskstream bench scorer` need on a bare GPU host into one folder (default: .gpu/app
# under the project root), small enough for one transfer beside the working tree:
#   lib/    the riskstream jars (scoring with its test classes but without the shipped models, which the host reads
#           from the working tree's scoring/src/main/resources; schemas; topology, connectors and app (the CLI) without their
#           Kafka/Synthea/Debezium dependencies, which these commands never load), picocli, Jackson, Avro, SLF4J and
#           Logback, the bytedeco JNI jars (never the redist jars: TensorRT comes from ../shared/gpu), ONNX Runtime
#           stripped to its linux-x64 library, AssertJ
#   junit-platform-console-standalone-*.jar, run-gpu-tests.sh
#   <model>.pt  the shipped models' weights for PyTorch eager (scoring/bench/onnx_to_torch.py, checked against ONNX
#           Runtime there), when /usr/bin/python3 has torch and onnx
# Run from the project root after `mvn -o -DskipTests install` (the scoring test classes must be compiled:
# `mvn -o -pl scoring test-compile`).
# usage: scoring/gpu/prepare-app.sh [OUT_DIR]
set -euo pipefail
out=$(realpath -m "${1:-.gpu/app}")
junit=1.13.4
rm -rf "$out" && mkdir -p "$out/lib"
all=$(mktemp -d)
mvn -q -o -pl app dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$all" >/dev/null
mvn -q -o -pl scoring dependency:copy-dependencies -DincludeScope=test -DoutputDirectory="$all" >/dev/null
keep='^(riskstream-|picocli-|jackson-(annotations|core|databind)-|avro-1|slf4j-api-|logback-(classic|core)-|javacpp-1|tensorrt-10|cuda-12|onnxruntime-|assertj-core-)'
for jar in "$all"/*.jar; do
  name=$(basename "$jar")
  if [[ $name =~ $keep && $name != *-redist.jar ]]; then cp "$jar" "$out/lib/"; fi
done
rm -rf "$all"
ort=$(ls "$out"/lib/onnxruntime-*.jar)
tmp=$(mktemp -d) && (cd "$tmp" && unzip -q "$ort" && find ai/onnxruntime/native -mindepth 1 -maxdepth 1 ! -name linux-x64 -exec rm -rf {} + \
  && rm -f "$ort" && zip -q -r "$ort" .) && rm -rf "$tmp"
cp schemas/target/riskstream-schemas-*.jar connectors/target/riskstream-connectors-*.jar \
  topology/target/riskstream-topology-*.jar "$out/lib/"
cp app/target/riskstream.jar "$out/lib/riskstream-app.jar"
scoring=$(ls scoring/target/riskstream-scoring-*.jar | grep -v -e -tests -e -sources)
cp "$scoring" "$out/lib/" && zip -q -d "$out/lib/$(basename "$scoring")" 'models/*'
rm -f "$out"/lib/*-tests.jar "$out"/lib/*-sources.jar
(cd scoring/target/test-classes && zip -q -r "$out/lib/riskstream-scoring-tests.jar" .)
mvn -q dependency:copy -Dartifact=org.junit.platform:junit-platform-console-standalone:$junit -DoutputDirectory="$out" >/dev/null
cp scoring/gpu/run-gpu-tests.sh "$out/"
if /usr/bin/python3 -c 'import torch, onnx' 2>/dev/null; then
  for m in emr-risk-small emr-risk-base; do
    /usr/bin/python3 scoring/bench/onnx_to_torch.py scoring/src/main/resources/models/$m "$out/$m.pt"
  done
else
  echo "prepare-app: no torch/onnx for /usr/bin/python3: no PyTorch weights (the benchmark's eager side needs them)" >&2
fi
du -sh "$out"
