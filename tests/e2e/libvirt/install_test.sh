#!/bin/bash
# e2e (issue 4): the install path. A variant of the bundled image WITHOUT docker.io is provisioned
# from a package repository served inside the lab (made by prepare.sh from .deb files downloaded
# on the host), and ends with the same working TLS engine.
# Run inside the lab: tests/e2e/lab exec -- tests/e2e/libvirt/install_test.sh MACHINE_BINARY
set -euo pipefail
machine=${1:?usage: install_test.sh MACHINE_BINARY}
export MACHINE_STORAGE_PATH=${MACHINE_E2E_STORE:-/var/tmp/machine-e2e-cache}
name=e2e-install-$$
fail() { echo "FAIL: $*" >&2; exit 1; }
server=
cleanup() {
    "$machine" rm -f -y "$name" >/dev/null 2>&1 || true
    [ -z "$server" ] || kill "$server" 2>/dev/null || true
}
trap cleanup EXIT
[ -n "${MACHINE_LAB_NS:-}" ] || fail "run me through tests/e2e/lab exec"
repo=$MACHINE_STORAGE_PATH/repo
[ -s "$repo/Packages" ] || fail "no package repository at $repo (run prepare.sh outside the lab)"
image=$(cat "$MACHINE_STORAGE_PATH/testimages/no-engine-image.path" 2>/dev/null) ||
    fail "no engine-less image recorded (run prepare.sh outside the lab)"

# The repository is served on the libvirt network's gateway, reachable only inside the lab. The
# driver creates its network on first create (192.168.42.0/24 unless one exists already), so an
# absent network is the normal case on a fresh lab, not an error.
gateway=$({ virsh net-dumpxml machine 2>/dev/null || true; } |
    sed -n "s/.*<ip address='\([0-9.]*\)'.*/\1/p")
gateway=${gateway:-192.168.42.1}
python3 -m http.server 8080 --bind 0.0.0.0 --directory "$repo" >/dev/null 2>&1 &
server=$!

"$machine" create --driver libvirt --libvirt-memory 1024 --libvirt-image "$image" \
    --engine-apt-source "deb [trusted=yes] http://$gateway:8080/ ./" "$name"
"$machine" ssh "$name" "dpkg -l docker.io | tail -1" | grep -q '^ii' || fail "docker.io not installed"
eval "$("$machine" env "$name")"
docker version --format '{{.Server.Version}}' | grep -q . || fail "no TLS engine after install"
echo PASS
