#!/usr/bin/env bash
# Makes this (Debian, root) machine able to build and run Rampart's image without an image
# registry: podman + runc + debootstrap from Debian's packages, and a containers.conf drop-in
# for what these sandboxed machines need (found by trying, see the issue-19 note):
#   - default ulimits no higher than the machine's hard limits (podman's defaults, 1048576 open
#     files, fail here with "setrlimit RLIMIT_NOFILE: Operation not permitted");
#   - runc where cgroups are mounted in hybrid mode (v1 + /sys/fs/cgroup/unified): crun refuses
#     with "cgroups in hybrid mode not supported".
set -euo pipefail
need=()
for pkg_cmd in "podman:podman" "runc:runc" "debootstrap:debootstrap"; do
  command -v "${pkg_cmd##*:}" >/dev/null 2>&1 || need+=("${pkg_cmd%%:*}")
done
if [ ${#need[@]} -gt 0 ]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi
nofile=$(ulimit -Hn)
nproc=$(ulimit -Hu)
# podman itself lowers its process limit to 32768 before starting the runtime.
if [ "$nproc" = unlimited ] || [ "$nproc" -gt 32768 ]; then nproc=32768; fi
[ "$nofile" = unlimited ] && nofile=1048576
mkdir -p /etc/containers/containers.conf.d
{
  echo '# Written by rampart scripts/container/setup-podman.sh'
  echo '[containers]'
  echo "default_ulimits = [\"nofile=${nofile}:${nofile}\", \"nproc=${nproc}:${nproc}\"]"
  if [ -d /sys/fs/cgroup/unified ]; then
    echo '[engine]'
    echo 'runtime = "runc"'
  fi
} > /etc/containers/containers.conf.d/50-rampart.conf
cat /etc/containers/containers.conf.d/50-rampart.conf
