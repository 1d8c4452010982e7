# Sourced by the e2e flow tests (libvirt, virtualbox): the output helpers and the checks that
# every driver's machine must pass the same way. Needs $machine (the binary), $work (a temp
# folder) and $t0 (the test's start, date +%s.%N) set by the caller.

fail() { echo "FAIL: $*" >&2; exit 1; }
step() { printf "== [%6.1fs] %s\n" "$(awk -v a="$(date +%s.%N)" -v b="$t0" "BEGIN{print a-b}")" "$*"; }

# machine ssh runs a command and passes its exit status through.
check_ssh() {
    local name=$1 rc
    step "ssh"
    "$machine" ssh "$name" "docker info --format '{{.ServerVersion}}'" | grep -q . ||
        fail "ssh docker info"
    set +e; "$machine" ssh "$name" "exit 7"; rc=$?; set -e
    [ "$rc" = 7 ] || fail "ssh exit status $rc, expected 7"
}

# machine scp copies a file there and back unchanged.
check_scp_round_trip() {
    local name=$1
    step "scp both ways"
    head -c 100000 /dev/urandom >"$work/up.bin"
    "$machine" scp -q "$work/up.bin" "$name:/tmp/up.bin"
    "$machine" scp -q "$name:/tmp/up.bin" "$work/down.bin"
    cmp "$work/up.bin" "$work/down.bin" || fail "scp round trip differs"
}
