#!/usr/bin/env bash
# A stand-in for node:20-slim where no image registry is reachable: a minimal Debian bookworm
# root filesystem (debootstrap, from Debian's packages) with this machine's Node 20 and npm
# copied in, imported into podman as localhost/rampart-base:node20-bookworm. Build the image
# with it:  podman build --build-arg BASE_IMAGE=localhost/rampart-base:node20-bookworm -t rampart .
# The machine's CA bundle is copied too, so that npm inside the build trusts what the host does.
set -euo pipefail
TAG=${1:-localhost/rampart-base:node20-bookworm}
ROOTFS=${RAMPART_BASE_ROOTFS:-/var/tmp/rampart-base-rootfs}
node_bin=$(readlink -f "$(command -v node)")
case "$(node --version)" in v20.*) ;; *) echo "build-local-base: Node 20 expected, found $(node --version)" >&2; exit 2 ;; esac
npm_dir=$(dirname "$(dirname "$(readlink -f "$(command -v npm)")")")
if [ ! -x "$ROOTFS/bin/sh" ]; then
  # debootstrap's default mirror; RAMPART_DEBIAN_MIRROR to use another.
  debootstrap --variant=minbase bookworm "$ROOTFS" ${RAMPART_DEBIAN_MIRROR:-} >/dev/null
fi
install -m 0755 "$node_bin" "$ROOTFS/usr/local/bin/node"
mkdir -p "$ROOTFS/usr/local/lib/node_modules"
rm -rf "$ROOTFS/usr/local/lib/node_modules/npm"
cp -a "$npm_dir" "$ROOTFS/usr/local/lib/node_modules/npm"
ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$ROOTFS/usr/local/bin/npm"
ln -sf ../lib/node_modules/npm/bin/npx-cli.js "$ROOTFS/usr/local/bin/npx"
mkdir -p "$ROOTFS/etc/ssl/certs"
cp /etc/ssl/certs/ca-certificates.crt "$ROOTFS/etc/ssl/certs/ca-certificates.crt"
rm -rf "$ROOTFS"/var/cache/apt/archives/*.deb "$ROOTFS"/var/lib/apt/lists/*
tar --numeric-owner -C "$ROOTFS" -c . | podman import \
  --change 'ENV PATH=/usr/local/bin:/usr/local/sbin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change 'ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt' \
  --change 'CMD ["node"]' - "$TAG" >/dev/null
podman run --rm "$TAG" node -e 'console.log(`base image ok: node ${process.version}`)'
