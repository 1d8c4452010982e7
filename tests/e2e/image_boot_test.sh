#!/bin/bash
# e2e: the bundled image boots under qemu (TCG) with only its cidata seed, and
#   - SSH as the seed user works with ONLY the seed's key,
#   - the hostname is the seed's,
#   - `docker info` answers (unless --no-engine).
# Run inside the lab:  tests/e2e/lab exec -- tests/e2e/image_boot_test.sh TOOL [options]
#   TOOL            path to machine_image_tool (built by tests/e2e/CMakeLists.txt)
#   --no-engine     the image variant without docker.io
#   --untrimmed     the untrimmed baseline image (benchmarks)
#   --smp N         vCPUs (default 2)
# Prints "RESULT variant=... ssh=S docker=S" (seconds after qemu started). The image cache is
# /var/tmp/machine-e2e-cache (MACHINE_E2E_CACHE), so reruns reuse the image.
set -euo pipefail

tool=${1:?usage: image_boot_test.sh TOOL [--no-engine] [--untrimmed] [--smp N]}
shift
variant=() engine=1 smp=2
while [ $# -gt 0 ]; do
    case "$1" in
    --no-engine) variant+=(--no-engine) engine=0 ;;
    --untrimmed) variant+=(--untrimmed) ;;
    --smp) smp=$2; shift ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
    esac
    shift
done
store=${MACHINE_E2E_CACHE:-/var/tmp/machine-e2e-cache}
boot_timeout=${MACHINE_E2E_BOOT_TIMEOUT:-240}

fail() { echo "FAIL: $*" >&2; exit 1; }

# Refuse to run outside the lab: VM traffic must stay in the namespace.
[ -n "${MACHINE_LAB_NS:-}" ] && ip netns identify $$ 2>/dev/null | grep -qx "$MACHINE_LAB_NS" ||
    fail "run me through tests/e2e/lab exec -- $0 ..."

work=$(mktemp -d /var/tmp/machine-e2e-boot.XXXXXX)
qemu_pid=
cleanup() {
    if [ -n "$qemu_pid" ] && kill -0 "$qemu_pid" 2>/dev/null; then
        kill "$qemu_pid" 2>/dev/null || true
        sleep 0.5
        kill -9 "$qemu_pid" 2>/dev/null || true
    fi
    if [ "${KEEP_E2E_WORK:-0}" = 1 ]; then echo "kept $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT

echo "== image (built or reused from $store)"
disk=$("$tool" build --store "$store" "${variant[@]}")
[ -f "$disk" ] || fail "the tool printed no image path"

qemu-img create -q -f qcow2 -F qcow2 -b "$disk" "$work/disk.qcow2" 8G
ssh-keygen -q -t ed25519 -N '' -C e2e -f "$work/key"
name="e2e-$(date +%s)-$RANDOM"
"$tool" seed --out "$work/seed.iso" --hostname "$name" --key "$work/key.pub"

port=$((20000 + RANDOM % 20000))
ssh_opts=(-i "$work/key" -o IdentitiesOnly=yes -o IdentityAgent=none -o BatchMode=yes
    -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR
    -o ConnectTimeout=3 -p "$port")
guest() { timeout 20 ssh "${ssh_opts[@]}" docker@127.0.0.1 "$@"; }

# As the libvirt driver's domain: the seed on a read-only virtio disk, virtio-rng for entropy.
echo "== boot under qemu TCG ($smp vCPUs), serial log $work/serial.log"
start=$(date +%s.%N)
qemu-system-x86_64 -accel tcg,thread=multi -smp "$smp" -m 1024 -display none \
    -serial "file:$work/serial.log" -monitor none -no-user-config -nodefaults \
    -drive "file=$work/disk.qcow2,if=virtio,cache=unsafe" \
    -drive "file=$work/seed.iso,if=virtio,format=raw,readonly=on" -device virtio-rng-pci \
    -netdev "user,id=n0,hostfwd=tcp:127.0.0.1:$port-:22" -device virtio-net-pci,netdev=n0 \
    -pidfile "$work/qemu.pid" -daemonize
qemu_pid=$(cat "$work/qemu.pid")
since() { echo "$(date +%s.%N) $start" | awk '{printf "%.1f", $1 - $2}'; }

t_ssh=
deadline=$((SECONDS + boot_timeout))
while [ "$SECONDS" -lt "$deadline" ]; do
    kill -0 "$qemu_pid" 2>/dev/null || fail "qemu exited; serial log: $(tail -n 20 "$work/serial.log")"
    if guest true 2>/dev/null; then t_ssh=$(since); break; fi
    sleep 0.5
done
[ -n "$t_ssh" ] || { tail -n 40 "$work/serial.log" >&2; fail "no SSH as the seed user within ${boot_timeout}s"; }
echo "ssh as docker@ with the seed key: ${t_ssh}s after qemu started"

got=$(guest hostname)
[ "$got" = "$name" ] || fail "hostname is '$got', expected the seed's '$name'"
echo "hostname: $got"

# The seed's key is the only way in: another key is refused.
ssh-keygen -q -t ed25519 -N '' -f "$work/other"
if timeout 20 ssh "${ssh_opts[@]/$work\/key/$work/other}" docker@127.0.0.1 true 2>/dev/null; then
    fail "a key that is not in the seed was accepted"
fi

t_docker=-
if [ "$engine" = 1 ]; then
    t_docker=
    while [ "$SECONDS" -lt "$deadline" ]; do
        if guest docker info >"$work/docker-info" 2>&1; then t_docker=$(since); break; fi
        sleep 0.5
    done
    [ -n "$t_docker" ] || { cat "$work/docker-info" >&2; fail "docker info did not answer"; }
    grep -q 'Server Version' "$work/docker-info" || fail "docker info has no server part"
    echo "docker info answered: ${t_docker}s after qemu started ($(grep 'Server Version' "$work/docker-info" | xargs))"
    guest sudo -n true || fail "sudo without password does not work for the seed user"
else
    guest 'command -v dockerd' >/dev/null && fail "the no-engine image has dockerd"
fi
guest systemd-analyze 2>/dev/null | head -n 1 || true
echo "RESULT variant=$([ "$engine" = 1 ] && echo engine || echo no-engine)$([[ " ${variant[*]-} " == *untrimmed* ]] && echo -untrimmed || true) ssh=$t_ssh docker=$t_docker"
echo "PASS"
