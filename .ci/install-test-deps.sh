#!/usr/bin/env bash
# Installs, from Debian's packages, what the tests need and a fresh machine lacks. Idempotent; needs root.
set -euo pipefail
need=()
[ -x /usr/lib/postgresql/15/bin/initdb ] || need+=(postgresql-15)
/usr/bin/python3 -c 'import torch, onnx, sklearn, numpy' 2>/dev/null || need+=(python3-torch python3-onnx python3-sklearn python3-numpy)
if [ ${#need[@]} -gt 0 ]; then
  echo "install-test-deps: installing ${need[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q >&2
  apt-get install -y -q --no-install-recommends "${need[@]}" >&2
fi
