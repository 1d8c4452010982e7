#!/bin/bash
# e2e (issue 4): bad input gets one clear line and changes nothing; a create killed with SIGKILL
# during boot leaves a machine that `ls` shows with an error and `rm -y` removes completely.
# Run inside the lab: tests/e2e/lab exec -- tests/e2e/libvirt/failure_test.sh MACHINE_BINARY
set -euo pipefail
machine=${1:?usage: failure_test.sh MACHINE_BINARY}
export MACHINE_STORAGE_PATH=${MACHINE_E2E_STORE:-/var/tmp/machine-e2e-cache}
name=e2e-fail-$$
dup=e2e-dup-$$
fail() { echo "FAIL: $*" >&2; exit 1; }
cleanup() { "$machine" rm -f -y "$name" "$dup" >/dev/null 2>&1 || true; }
trap cleanup EXIT
[ -n "${MACHINE_LAB_NS:-}" ] || fail "run me through tests/e2e/lab exec"

# A virsh that cannot connect fails the test (not an empty listing that looks like "nothing").
domains() { local d; d=$(virsh -q list --all --name) || fail "virsh cannot list the domains"; sed '/^$/d' <<<"$d" | sort; }
before=$(domains)

# expect CODE PATTERN -- ARGS: exit status CODE, exactly one "machine: error:" line matching
# PATTERN, and no machine folder or domain left behind.
expect() {
    local code=$1 pattern=$2; shift 3
    set +e; err=$("$machine" "$@" 2>&1 >/dev/null); rc=$?; set -e
    [ "$rc" = "$code" ] || fail "machine $*: exit $rc, expected $code ($err)"
    [ "$(grep -c '^machine: error:' <<<"$err")" = 1 ] || fail "machine $*: not one error line: $err"
    grep -q -- "$pattern" <<<"$err" || fail "machine $*: '$err' does not mention '$pattern'"
    [ "$(domains)" = "$before" ] || fail "machine $*: changed libvirt's domains"
    echo "ok: machine $* -> $rc: $err"
}
expect 2 'unknown driver' -- create --driver nosuch "$name"
expect 2 'too little memory' -- create --driver libvirt --libvirt-memory 128 "$name"
expect 2 'does not exist' -- create --driver libvirt --libvirt-image /nonexistent/disk.qcow2 "$name"
expect 2 'engine-opt' -- create --driver libvirt --engine-opt tlsverify=false "$name"
expect 4 'cannot connect to libvirt' -- create --driver libvirt \
    --libvirt-uri 'qemu+unix:///system?socket=/nonexistent/libvirt-sock' "$name"
expect 2 'invalid machine name' -- create --driver libvirt 'bad_name'
[ ! -e "$MACHINE_STORAGE_PATH/machines/$name" ] || fail "a failed create left a folder"
"$machine" create --driver none --url tcp://127.0.0.1:2376 "$dup" >/dev/null
expect 2 'already exists' -- create --driver libvirt "$dup"
"$machine" rm -y "$dup" >/dev/null

echo "== SIGKILL during boot"
"$machine" create --driver libvirt --libvirt-memory 1024 "$name" >/dev/null 2>&1 &
pid=$!
for _ in $(seq 1 600); do
    virsh -q list --name | grep -qx "$name" && break
    sleep 0.2
done
virsh -q list --name | grep -qx "$name" || fail "the domain never started"
kill -9 "$pid"; wait "$pid" 2>/dev/null || true
row=$("$machine" ls --filter "name=^$name\$" --format '{{.Name}}|{{.DriverName}}|{{.Error}}')
echo "ls after SIGKILL: $row"
grep -q "^$name|libvirt|.\+" <<<"$row" || fail "ls does not show the killed machine with an error"
mac=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["Driver"].get("MAC",""))' \
    "$MACHINE_STORAGE_PATH/machines/$name/config.json")
"$machine" rm -y "$name"
left=$(domains)
! grep -qx "$name" <<<"$left" || fail "rm left the domain"
[ ! -e "$MACHINE_STORAGE_PATH/machines/$name" ] || fail "rm left the folder"
nets=$(virsh -q net-list --name) || fail "virsh cannot list the networks"
if [ -n "$mac" ] && grep -qx machine <<<"$nets"; then
    net_xml=$(virsh net-dumpxml machine) || fail "virsh cannot read the network machine"
    ! grep -qi "$mac" <<<"$net_xml" || fail "rm left the DHCP reservation"
fi
echo "PASS"
