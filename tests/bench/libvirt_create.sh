#!/bin/bash
# Bench (issue 4): `machine create --driver libvirt` to "Docker is up", N times, each pipeline
# step's median; then with all N machines running, `machine ls` and `machine env` wall times;
# and the same bundled image booted by hand with qemu (tests/e2e/image_boot_test.sh) as the
# floor create is measured against. Run inside the lab:
#   tests/e2e/lab exec -- tests/bench/libvirt_create.sh MACHINE_BINARY IMAGE_TOOL [N]
# Prints a markdown table. Exits non-zero only when a create or a boot failed.
set -euo pipefail
machine=$(realpath "${1:?usage: libvirt_create.sh MACHINE_BINARY IMAGE_TOOL [N]}")
tool=$(realpath "${2:?usage: libvirt_create.sh MACHINE_BINARY IMAGE_TOOL [N]}")
n=${3:-3}
here=$(cd "$(dirname "$0")" && pwd)
[ -n "${MACHINE_LAB_NS:-}" ] || { echo "run me through tests/e2e/lab exec" >&2; exit 2; }
export MACHINE_STORAGE_PATH=${MACHINE_E2E_STORE:-/var/tmp/machine-e2e-cache}
unset DOCKER_HOST DOCKER_CERT_PATH DOCKER_TLS_VERIFY
work=$(mktemp -d /tmp/machine-bench-create.XXXXXX)
names=()
cleanup() {
    for m in "${names[@]}"; do "$machine" rm -f -y "$m" >/dev/null 2>&1 || true; done
    rm -rf "$work"
}
trap cleanup EXIT

median() { sort -n | awk '{a[NR] = $1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }
now_ms() { echo $(( ${EPOCHREALTIME/./} / 1000 )); }
# Step lines are "Name ... 1.2s"; a step's own messages may come between the name and its time.
steps() {
    awk '/ \.\.\. / { step = $0; sub(/ \.\.\. .*/, "", step) }
         step != "" && match($0, / ?([0-9]+\.[0-9]+)s$/) {
             t = substr($0, RSTART, RLENGTH); gsub(/[ s]/, "", t); print step "\t" t; step = "" }
         /^Docker is up and running!/ { t = $0; sub(/.*\(/, "", t); sub(/s\).*/, "", t); print "total\t" t }' "$1"
}

load() { cut -d' ' -f1 /proc/loadavg; }
loads=()
for i in $(seq "$n"); do
    name=bench-create-$i
    names+=("$name")
    "$machine" rm -f -y "$name" >/dev/null 2>&1 || true
    loads+=("$(load)")
    "$machine" create --driver libvirt --libvirt-memory 1024 "$name" >"$work/$i.log" 2>&1 ||
        { cat "$work/$i.log" >&2; echo "create $name failed" >&2; exit 1; }
    steps "$work/$i.log" >"$work/$i.steps"
done

echo "## create --driver libvirt (median of $n; load average at each start: ${loads[*]})"
echo "| step | median s | runs |"
echo "|---|---|---|"
cut -f1 "$work/1.steps" | while IFS= read -r step; do
    vals=$(for i in $(seq "$n"); do awk -F'\t' -v s="$step" '$1 == s {print $2}' "$work/$i.steps"; done)
    printf '| %s | %s | %s |\n' "$step" "$(echo "$vals" | median)" "$(echo "$vals" | xargs)"
done

# With all N machines running: what a user's shell prompt or `eval $(machine env)` pays.
time_cmd() { # runs cmd 10 times, prints the median in ms
    local runs=() t
    for _ in $(seq 10); do
        t=$(now_ms); "$@" >/dev/null 2>&1; runs+=($(( $(now_ms) - t )))
    done
    printf '%s\n' "${runs[@]}" | median
}
[ "$("$machine" ls -q | grep -c '^bench-create-')" = "$n" ] || { echo "ls does not list all $n" >&2; exit 1; }
"$machine" ls --filter name=bench-create-1 --format '{{.State}} {{.URL}}' | grep -q '^Running tcp://' ||
    { echo "ls does not show bench-create-1 running" >&2; exit 1; }
echo
echo "## with $n libvirt machines running (median of 10, ms)"
echo "| command | median ms |"
echo "|---|---|"
echo "| machine ls ($n running, engines queried over TLS) | $(time_cmd "$machine" ls) |"
echo "| machine env bench-create-1 | $(time_cmd "$machine" env bench-create-1) |"
echo "| machine ip bench-create-1 | $(time_cmd "$machine" ip bench-create-1) |"
echo "| machine status bench-create-1 | $(time_cmd "$machine" status bench-create-1) |"
for m in "${names[@]}"; do "$machine" rm -y "$m" >/dev/null; done
names=()

# The floor: the same bundled image booted by hand with qemu (no libvirt, no provisioning).
ssh_t=() docker_t=()
for _ in $(seq "$n"); do
    line=$("$here/../e2e/image_boot_test.sh" "$tool" 2>&1 | grep '^RESULT') ||
        { echo "hand boot failed" >&2; exit 1; }
    ssh_t+=("$(echo "$line" | sed 's/.*ssh=\([0-9.]*\).*/\1/')")
    docker_t+=("$(echo "$line" | sed 's/.*docker=\([0-9.]*\).*/\1/')")
done
echo
echo "## the same image booted by hand with qemu (median of $n, s from qemu start)"
echo "| SSH | docker info (socket-activated engine) | runs (ssh / docker) |"
echo "|---|---|---|"
printf '| %s | %s | %s / %s |\n' "$(printf '%s\n' "${ssh_t[@]}" | median)" \
    "$(printf '%s\n' "${docker_t[@]}" | median)" "${ssh_t[*]}" "${docker_t[*]}"
