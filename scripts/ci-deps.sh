#!/usr/bin/env bash
# System packages the test suite needs, installed only when missing (Debian, root). Run by
# `npm test` (its pretest step) and by .ci/run, so the README's `npm ci && npm test` works on a
# fresh machine by itself. Without root (or without apt-get) it stops at once with the exact
# command to run, rather than letting a dozen tests fail later.
set -euo pipefail
need=()
# package:command pairs; add one line per system tool a test needs.
for pkg_cmd in "openssl:openssl" "redis-server:redis-server" "chromium:chromium" "iproute2:ss" "python3:python3" "bsdutils:logger" "prometheus:prometheus"; do
  pkg=${pkg_cmd%%:*}; cmd=${pkg_cmd##*:}
  command -v "$cmd" >/dev/null 2>&1 || need+=("$pkg")
done
[ ${#need[@]} -eq 0 ] && exit 0
cmd="apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y ${need[*]}"
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "rampart tests need system packages that are missing: ${need[*]}" >&2
  echo "install them (as root, Debian/Ubuntu) and run npm test again:" >&2
  echo "  $cmd" >&2
  exit 1
fi
echo "installing system packages the tests need: ${need[*]}" >&2
apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
