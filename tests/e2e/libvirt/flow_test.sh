#!/bin/bash
# e2e (issue 4): the main job, as a user types it, against a real VM under libvirt (TCG) in the
# lab: create -> env -> docker version/run over TLS -> 2375 closed -> ssh -> scp both ways ->
# mount (sshfs) both ways -> stop/start (same IP) -> restart -> kill -> status/ls -> rm leaves
# nothing behind. The docker context create writes is used by the real docker client (issue 15);
# a user's context of another machine's name survives that machine's create and rm.
# Run inside the lab: tests/e2e/lab exec -- tests/e2e/libvirt/flow_test.sh MACHINE_BINARY
set -euo pipefail
machine=${1:?usage: flow_test.sh MACHINE_BINARY}
export MACHINE_STORAGE_PATH=${MACHINE_E2E_STORE:-/var/tmp/machine-e2e-cache}
name=e2e-flow-$$
work=$(mktemp -d)
t0=$(date +%s.%N)
export DOCKER_CONFIG=$work/docker   # this test's own docker contexts and config.json

. "$(dirname "$0")/../flow_lib.sh"
cleanup() {
    fusermount3 -u "$work/mnt" >/dev/null 2>&1 || true
    "$machine" rm -f -y "$name" >/dev/null 2>&1 || true
    "$machine" rm -f -y "$name-user" >/dev/null 2>&1 || true
    rm -rf "$work"
}
trap cleanup EXIT
[ -n "${MACHINE_LAB_NS:-}" ] || fail "run me through tests/e2e/lab exec"

step "create --driver libvirt $name"
"$machine" create --driver libvirt --libvirt-memory 1024 "$name"

step "docker --context $name info (the context create wrote)"
docker --context "$name" info --format '{{.ServerVersion}}' | grep -q . || fail "docker --context"
docker context ls --format '{{.Name}}' | grep -qx "$name" || fail "docker context ls"

step "a user's context of the same name survives create and rm"
docker context create "$name-user" --description mine --docker host=tcp://127.0.0.1:1 >/dev/null
before=$(docker context inspect "$name-user")
"$machine" create --driver none --url "tcp://$("$machine" ip "$name"):2376" "$name-user" |
    grep -q "Did not write a docker context" || fail "create wrote over a user's context"
"$machine" rm -y "$name-user" >/dev/null
[ "$(docker context inspect "$name-user")" = "$before" ] || fail "user's context changed"

step "env + docker version over TLS"
eval "$("$machine" env "$name")"
[ "$DOCKER_MACHINE_NAME" = "$name" ] || fail "env did not set DOCKER_MACHINE_NAME"
docker version --format '{{.Server.Version}}' | grep -q . || fail "docker version: no server"
ip=$("$machine" ip "$name")
[ "$DOCKER_HOST" = "tcp://$ip:2376" ] || fail "DOCKER_HOST $DOCKER_HOST != tcp://$ip:2376"

step "docker run of an image made from Debian packages"
docker import "$MACHINE_STORAGE_PATH/testimages/busybox.tar" e2e/busybox:1 >/dev/null
out=$(docker run --rm e2e/busybox:1 busybox echo hello-from-vm)
[ "$out" = "hello-from-vm" ] || fail "docker run printed '$out'"

step "plain 2375 is refused"
if curl -s --max-time 5 "http://$ip:2375/version" >/dev/null; then fail "2375 answered"; fi
if curl -s --max-time 5 "http://$ip:2376/version" | grep -q ApiVersion; then
    fail "2376 answered without a client certificate"
fi

check_ssh "$name"
check_scp_round_trip "$name"
mkdir -p "$work/tree/sub" && echo a > "$work/tree/sub/a"
"$machine" scp -r -q "$work/tree" "$name:tree"
"$machine" ssh "$name" "cat tree/sub/a" | grep -qx a || fail "scp -r"

step "mount: a file written on the host appears in the VM and back"
mkdir -p "$work/mnt"
"$machine" ssh "$name" "mkdir -p /tmp/shared"
"$machine" mount "$name:/tmp/shared" "$work/mnt"
echo from-host >"$work/mnt/h.txt"
"$machine" ssh "$name" "cat /tmp/shared/h.txt" | grep -qx from-host || fail "mount: host -> VM"
"$machine" ssh "$name" "echo from-vm > /tmp/shared/v.txt"
grep -qx from-vm "$work/mnt/v.txt" || fail "mount: VM -> host"
"$machine" mount -u "$name:/tmp/shared" "$work/mnt"
[ ! -e "$work/mnt/h.txt" ] || fail "mount -u left it mounted"

step "stop / start keeps the IP"
"$machine" stop "$name"
[ "$("$machine" status "$name")" = Stopped ] || fail "status after stop"
"$machine" ls --filter "name=^$name\$" | grep -q Stopped || fail "ls after stop"
"$machine" start "$name"
[ "$("$machine" ip "$name")" = "$ip" ] || fail "IP changed across stop/start"
docker version --format '{{.Server.Version}}' | grep -q . || fail "docker after start"

step "restart"
"$machine" restart "$name"
docker version --format '{{.Server.Version}}' | grep -q . || fail "docker after restart"
"$machine" ls --filter "name=^$name\$" | grep "$name" | grep -q Running || fail "ls: not Running"

step "kill"
"$machine" kill "$name"
[ "$("$machine" status "$name")" = Stopped ] || fail "status after kill"

step "rm leaves no domain, disk, seed or DHCP reservation"
dir=$MACHINE_STORAGE_PATH/machines/$name
mac=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["Driver"]["MAC"])' "$dir/config.json")
"$machine" rm -y "$name"
if docker context inspect "$name" >/dev/null 2>&1; then fail "context still there after rm"; fi
# Each listing is taken first, so that a virsh that cannot connect fails the test instead of
# passing it (an empty listing through a pipe looked like "nothing left").
domains=$(virsh -q list --all --name) || fail "virsh cannot list the domains"
! grep -qx "$name" <<<"$domains" || fail "domain still defined"
[ ! -e "$dir" ] || fail "machine folder still there"
nets=$(virsh -q net-list --name) || fail "virsh cannot list the networks"
if grep -qx machine <<<"$nets"; then
    net_xml=$(virsh net-dumpxml machine) || fail "virsh cannot read the network machine"
    ! grep -qi "$mac" <<<"$net_xml" || fail "DHCP reservation still there"
fi
eval "$("$machine" env -u)"
[ -z "${DOCKER_HOST:-}" ] || fail "env -u left DOCKER_HOST"
step "PASS"
