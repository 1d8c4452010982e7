#!/bin/bash
# Bench: the trimmed bundled image against the untrimmed baseline (same packages, same builder,
# no trimming). Build time and sizes from the image manifests, boot-to-SSH and boot-to-dockerd
# under qemu TCG (median of N boots), all inside the lab namespace.
#   tests/bench/image_boot.sh TOOL [N]      TOOL: build dir's tests/e2e/machine_image_tool
# Images are cached in /var/tmp/machine-e2e-cache (MACHINE_E2E_CACHE); a first run builds both.
set -euo pipefail
tool=${1:?usage: image_boot.sh TOOL [N]}
n=${2:-3}
here=$(cd "$(dirname "$0")" && pwd)
lab=$here/../e2e/lab
store=${MACHINE_E2E_CACHE:-/var/tmp/machine-e2e-cache}
export MACHINE_E2E_BOOT_TIMEOUT=${MACHINE_E2E_BOOT_TIMEOUT:-600} # loaded hosts are slow

median() { sort -n | awk '{a[NR] = $1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }
field() { sed -n "s/.*\"$1\": *\([^,]*\),*/\1/p" | tr -d '"'; }

"$lab" up >/dev/null 2>&1
echo "| image | build s | raw data MiB | qcow2 MiB | boot-to-SSH s (median of $n) | boot-to-dockerd s | runs (ssh/docker) |"
echo "|---|---|---|---|---|---|---|"
for variant in "" --untrimmed; do
    "$tool" build --store "$store" $variant >/dev/null
    manifest=$("$tool" info --store "$store" $variant)
    build=$(echo "$manifest" | field build_seconds)
    raw=$(echo "$manifest" | field raw_bytes)
    qcow=$(echo "$manifest" | field qcow2_bytes)
    ssh_t=() docker_t=()
    for _ in $(seq "$n"); do
        line=$("$lab" exec -- "$here/../e2e/image_boot_test.sh" "$tool" $variant 2>&1 | grep '^RESULT') ||
            { echo "boot failed ($variant)" >&2; exit 1; }
        ssh_t+=("$(echo "$line" | sed 's/.*ssh=\([0-9.]*\).*/\1/')")
        docker_t+=("$(echo "$line" | sed 's/.*docker=\([0-9.]*\).*/\1/')")
    done
    printf '| %s | %.0f | %d | %d | %s | %s | %s / %s |\n' "${variant:-trimmed}" "$build" \
        $((raw >> 20)) $((qcow >> 20)) "$(printf '%s\n' "${ssh_t[@]}" | median)" \
        "$(printf '%s\n' "${docker_t[@]}" | median)" "${ssh_t[*]}" "${docker_t[*]}"
done
