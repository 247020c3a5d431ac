#!/usr/bin/env bash
# Installs, from Debian's packages, what the tests need and a fresh machine lacks: PostgreSQL 15 (the CDC
# integration tests start their own private server, so the package's default cluster is neither created nor
# started), Python 3 with PyTorch, ONNX, scikit-learn and matplotlib (the training self-test), and Chromium with
# chromedriver (the alert inbox's browser test). Idempotent; needs root.
set -euo pipefail
need=()
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql postgresql-contrib)
/usr/bin/python3 -c 'import torch, onnx, sklearn, numpy, matplotlib' 2>/dev/null || need+=(python3-torch python3-onnx python3-sklearn python3-numpy python3-matplotlib)
# the alert inbox's browser test (AlertInboxIT) drives headless Chromium through chromedriver
command -v chromium >/dev/null 2>&1 && command -v chromedriver >/dev/null 2>&1 || need+=(chromium chromium-driver)
if [ ${#need[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO=sudo
  echo "install-test-deps: installing ${need[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  $SUDO mkdir -p /etc/postgresql-common/createcluster.d
  echo "create_main_cluster = false" | $SUDO tee /etc/postgresql-common/createcluster.d/riskstream.conf >/dev/null
  $SUDO apt-get update -q >&2
  $SUDO apt-get install -y -q --no-install-recommends "${need[@]}" >&2
fi
