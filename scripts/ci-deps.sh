#!/usr/bin/env bash
# System packages the test suite needs, installed only when missing (Debian, root).
set -euo pipefail
need=()
# package:command pairs; add one line per system tool a test needs.
for pkg_cmd in "openssl:openssl" "redis-server:redis-server" "chromium:chromium"; do
  pkg=${pkg_cmd%%:*}; cmd=${pkg_cmd##*:}
  command -v "$cmd" >/dev/null 2>&1 || need+=("$pkg")
done
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}"
  else
    echo "missing system packages: ${need[*]} (run as root to install)" >&2
  fi
fi
