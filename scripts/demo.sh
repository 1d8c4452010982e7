#!/usr/bin/env bash
# The main job: create a machine under libvirt and point a docker client at it.
#   bash scripts/demo.sh [NAME]           (after scripts/setup.sh [--program]; as root)
# The bundled image is built first (from Debian packages, cached). The VM then runs inside the
# lab network namespace (tests/e2e/lab: libvirtd in a namespace with no uplink), so this works on
# a machine without systemd or a libvirtd of its own. On a workstation with libvirtd running,
# the same is just: machine create --driver libvirt myvm1 && eval $(machine env myvm1)
set -euo pipefail
cd "$(dirname "$0")/.."
name=${1:-myvm1}
machine=$PWD/build/machine/machine
export MACHINE_STORAGE_PATH=${MACHINE_STORAGE_PATH:-$HOME/.machine}

"$machine" image build
tests/e2e/lab up
tests/e2e/lab exec -- bash -c '
  set -e
  m=$1; n=$2
  "$m" ls -q | grep -qx "$n" || "$m" create --driver libvirt "$n"
  eval "$("$m" env "$n")"
  docker version
  "$m" ls' _ "$machine" "$name"
echo
echo "The machine runs inside the lab namespace; to use it:"
echo "  tests/e2e/lab exec -- bash      # then: eval \$(build/machine/machine env $name)"
