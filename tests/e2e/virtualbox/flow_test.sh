#!/bin/bash
# e2e (issue 5): the main job through `--driver virtualbox`, with the VBoxManage simulator
# (tests/vbox/VBoxManage, VBOX_SIM_QEMU=1) first on PATH: it boots each VM with qemu (TCG) and
# makes the host-only network real (bridge vboxnetN with 192.168.56.1/24, a tap per VM) in the
# lab namespace. create -> env -> docker over TLS to the host-only IP -> ls Running + URL -> ssh
# -> scp -> stop by ACPI (ls Stopped) -> start (same IP) -> restart -> kill -> rm leaves no VM in
# VirtualBox, no tap and no machine folder.
# First: without VBoxManage on PATH, create fails at once with one line and changes nothing.
# Run inside the lab: tests/e2e/lab exec -- tests/e2e/virtualbox/flow_test.sh MACHINE_BINARY
set -euo pipefail
machine=${1:?usage: flow_test.sh MACHINE_BINARY}
sim_dir=$(cd "$(dirname "$0")/../../vbox" && pwd)
shared=${MACHINE_E2E_STORE:-/var/tmp/machine-e2e-cache}
export MACHINE_STORAGE_PATH=${MACHINE_VBOX_E2E_STORE:-/var/tmp/machine-vbox-e2e}
export VBOX_SIM_HOME=$MACHINE_STORAGE_PATH/vbox-sim
export VBOX_SIM_QEMU=1
name=e2e-vbox-$$
work=$(mktemp -d)
t0=$(date +%s.%N)
base_path=$PATH

. "$(dirname "$0")/../flow_lib.sh"
vbox() { "$sim_dir/VBoxManage" "$@"; }
vmstate() { vbox showvminfo "$name" --machinereadable | sed -n 's/^VMState="\(.*\)"$/\1/p'; }
ncalls() { if [ -f "$VBOX_SIM_HOME/calls.log" ]; then wc -l <"$VBOX_SIM_HOME/calls.log"; else echo 0; fi; }
store_files() { find "$MACHINE_STORAGE_PATH" -path "$VBOX_SIM_HOME" -prune -o -print | sort; }
cleanup() {
    PATH=$sim_dir:$base_path "$machine" rm -f -y "$name" >/dev/null 2>&1 || true
    # The host-only bridges the simulator made, once no VM of its own is left.
    if [ -z "$(vbox list vms 2>/dev/null)" ]; then
        for ifname in $(vbox list hostonlyifs 2>/dev/null | awk '$1 == "Name:" { print $2 }'); do
            vbox hostonlyif remove "$ifname" >/dev/null 2>&1 || true
        done
    fi
    rm -rf "$work"
}
trap cleanup EXIT
[ -n "${MACHINE_LAB_NS:-}" ] || fail "run me through tests/e2e/lab exec"

# The bundled image: this store reuses the shared e2e store's build (hard links, no copy).
hash=$(MACHINE_STORAGE_PATH=$shared "$machine" image ls | awk '$NF == "*" { print $1 }')
[ -n "$hash" ] || fail "no current bundled image in $shared (run e2e_prepare)"
src=$(ls -d "$shared/cache/images/$hash"*)
dst=$MACHINE_STORAGE_PATH/cache/images/$(basename "$src")
if [ ! -s "$dst/manifest.json" ]; then
    mkdir -p "$dst.tmp"
    cp -l "$src"/* "$dst.tmp"/ 2>/dev/null || cp "$src"/* "$dst.tmp"/
    mv "$dst.tmp" "$dst"
fi

step "without VBoxManage on PATH: create fails at once, one line, nothing changed"
nopath=$(printf '%s' "$base_path" | tr ':' '\n' | grep -vx "$sim_dir" | paste -sd:)
PATH=$nopath command -v VBoxManage >/dev/null && fail "a VBoxManage is installed: $(PATH=$nopath command -v VBoxManage)"
calls_before=$(ncalls)
files_before=$(store_files)
s0=$(date +%s%N)
set +e
PATH=$nopath "$machine" create --driver virtualbox "$name" >"$work/out" 2>"$work/err"
rc=$?
set -e
ms=$((($(date +%s%N) - s0) / 1000000))
[ "$rc" != 0 ] || fail "create without VBoxManage succeeded"
[ "$(wc -l <"$work/err")" = 1 ] || { cat "$work/err" >&2; fail "expected one line on stderr"; }
grep -q "VirtualBox is not installed" "$work/err" || fail "stderr: $(cat "$work/err")"
[ ! -s "$work/out" ] || fail "stdout not empty: $(cat "$work/out")"
[ "$ms" -lt 5000 ] || fail "took $ms ms, not 'at once'"
[ ! -e "$MACHINE_STORAGE_PATH/machines/$name" ] || fail "machine folder left behind"
[ "$(store_files)" = "$files_before" ] || fail "the store changed"
[ "$(ncalls)" = "$calls_before" ] || fail "VBoxManage was run"
echo "   exit $rc in $ms ms: $(cat "$work/err")"

export PATH=$sim_dir:$base_path
[ "$(command -v VBoxManage)" = "$sim_dir/VBoxManage" ] || fail "the simulator is not first on PATH"

step "create --driver virtualbox $name"
# No VT-x on the test hosts, and the simulator runs qemu (TCG) anyway.
"$machine" create --driver virtualbox --virtualbox-memory 1024 --virtualbox-no-vtx-check "$name"
ip=$("$machine" ip "$name")
case "$ip" in 192.168.56.*) ;; *) fail "IP $ip is not in the host-only network 192.168.56.0/24" ;; esac
[ "$(vmstate)" = running ] || fail "VirtualBox says the VM is $(vmstate), not running"
tap=$(python3 -c '
import json, sys
s = json.load(open(sys.argv[1]))
print(next(v.get("tap", "") for v in s["vms"].values() if v["name"] == sys.argv[2]))' \
    "$VBOX_SIM_HOME/state.json" "$name")
adapter=$(vbox showvminfo "$name" --machinereadable | sed -n 's/^hostonlyadapter2="\(.*\)"/\1/p')
[ -n "$tap" ] && [ "$(basename "$(readlink "/sys/class/net/$tap/master")")" = "$adapter" ] ||
    fail "nic2's tap '$tap' is not on the host-only bridge '$adapter'"

step "env + docker version over TLS to the host-only address"
eval "$("$machine" env "$name")"
[ "$DOCKER_MACHINE_NAME" = "$name" ] || fail "env did not set DOCKER_MACHINE_NAME"
[ "$DOCKER_HOST" = "tcp://$ip:2376" ] || fail "DOCKER_HOST $DOCKER_HOST != tcp://$ip:2376"
docker version --format '{{.Server.Version}}' | grep -q . || fail "docker version: no server"
if [ -s "$shared/testimages/busybox.tar" ]; then
    docker import "$shared/testimages/busybox.tar" e2e/busybox:1 >/dev/null
    out=$(docker run --rm e2e/busybox:1 busybox echo hello-from-vbox)
    [ "$out" = "hello-from-vbox" ] || fail "docker run printed '$out'"
fi
if curl -s --max-time 5 "http://$ip:2375/version" >/dev/null; then fail "2375 answered"; fi

step "ls shows Running with the URL"
row=$("$machine" ls --filter "name=^$name\$" | grep "^$name ")
echo "   $row"
echo "$row" | grep -q " virtualbox " || fail "ls: driver"
echo "$row" | grep -q " Running " || fail "ls: not Running"
echo "$row" | grep -q "tcp://$ip:2376" || fail "ls: no URL"

check_ssh "$name"
check_scp_round_trip "$name"

step "stop (ACPI power button, the guest shuts down)"
"$machine" stop "$name" 2>&1 | tee "$work/stop"
grep -q "powering it off" "$work/stop" && fail "the guest ignored the ACPI power button"
[ "$("$machine" status "$name")" = Stopped ] || fail "status after stop"
"$machine" ls --filter "name=^$name\$" | grep "^$name " | grep -q " Stopped " || fail "ls after stop"
[ "$(vmstate)" = poweroff ] || fail "VirtualBox says the VM is $(vmstate), not poweroff"
[ ! -e "/sys/class/net/$tap" ] || fail "tap $tap left after stop"

step "start keeps the IP"
"$machine" start "$name"
[ "$("$machine" ip "$name")" = "$ip" ] || fail "IP changed across stop/start"
docker version --format '{{.Server.Version}}' | grep -q . || fail "docker after start"
"$machine" ls --filter "name=^$name\$" | grep "^$name " | grep -q " Running " || fail "ls after start"

step "restart"
"$machine" restart "$name"
[ "$("$machine" ip "$name")" = "$ip" ] || fail "IP changed across restart"
docker version --format '{{.Server.Version}}' | grep -q . || fail "docker after restart"

step "kill"
"$machine" kill "$name"
[ "$("$machine" status "$name")" = Stopped ] || fail "status after kill"
[ "$(vmstate)" = poweroff ] || fail "VirtualBox says the VM is $(vmstate) after kill"
[ ! -e "/sys/class/net/$tap" ] || fail "tap $tap left after kill"

step "rm leaves no VM, disk or machine folder"
dir=$MACHINE_STORAGE_PATH/machines/$name
"$machine" rm -y "$name"
vms=$(vbox list vms)
case "$vms" in *"\"$name\""*) fail "VirtualBox still has VM $name: $vms" ;; esac
[ ! -e "$dir" ] || fail "machine folder still there"
[ ! -e "/sys/class/net/$tap" ] || fail "tap $tap left after rm"
procs=$(pgrep -af "vbox-sim-" || true)
case "$procs" in *"$dir/"*) fail "qemu of $name still runs" ;; esac
eval "$("$machine" env -u)"
[ -z "${DOCKER_HOST:-}" ] || fail "env -u left DOCKER_HOST"
step "PASS"
