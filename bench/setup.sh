#!/usr/bin/env bash
# Installs the external load-test tools the benchmark needs (Debian), only when missing.
set -euo pipefail
need=()
command -v nginx >/dev/null 2>&1 || need+=(nginx)
command -v wrk >/dev/null 2>&1 || need+=(wrk)
# The fixed-rate generator (bench/openloop.c) is compiled by the harness.
command -v cc >/dev/null 2>&1 || need+=(gcc libc6-dev)
if [ ${#need[@]} -eq 0 ]; then
  exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "bench/setup.sh: need root (or sudo) to install: ${need[*]}" >&2; exit 1
  fi
fi
echo "bench/setup.sh: installing ${need[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
timeout 300 $SUDO apt-get update -qq
timeout 600 $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
# Debian's nginx package may start the system service; the bench never uses it.
