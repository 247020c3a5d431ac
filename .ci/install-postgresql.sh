#!/usr/bin/env bash
# Installs PostgreSQL (Debian's package, 15 on bookworm) non-interactively for the CDC integration tests.
# The tests start their own private server (as the postgres OS user, on a free loopback port, wal_level=logical),
# so the packaged cluster is not needed: it is not created, and the service is not started.
set -euo pipefail

if ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  echo "PostgreSQL already installed: $(ls -d /usr/lib/postgresql/*/bin | tr '\n' ' ')"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

export DEBIAN_FRONTEND=noninteractive
# Keep the package from creating and starting its default cluster (port 5432); the tests bring their own.
$SUDO mkdir -p /etc/postgresql-common/createcluster.d
echo "create_main_cluster = false" | $SUDO tee /etc/postgresql-common/createcluster.d/riskstream.conf >/dev/null
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends postgresql postgresql-contrib
ls -d /usr/lib/postgresql/*/bin
