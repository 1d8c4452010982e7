#!/usr/bin/env bash
# Benchmark of the commands users run most, over a store of 100 none-driver machines:
#   machine ls (all 100 rows; each engine is 127.0.0.1:2376, refused at once), machine env m50,
#   machine inspect m50.
# Prints the median wall time of each and a "TARGET MISSED" line for each target missed
# (env < 5 ms, ls of 100 < 200 ms). Exits 0 whenever the benchmark ran; non-zero only when it
# could not (the binary failed, or a command printed the wrong thing).
#
# Usage: cli_bench.sh MACHINE_BINARY [RUNS]
set -euo pipefail

machine_bin=$(realpath "${1:?usage: cli_bench.sh MACHINE_BINARY [RUNS]}")
runs=${2:-20}
machines=100
declare -A target_ms=([ls]=200 [env]=5) # inspect: reported, no target

work=$(mktemp -d "${TMPDIR:-/tmp}/machine-bench-XXXXXX")
trap 'rm -rf "$work"' EXIT
export MACHINE_STORAGE_PATH=$work/store
unset DOCKER_HOST

now_ms() { echo $(( ${EPOCHREALTIME/./} / 1000 )); }

# The store: 100 machines made by the real `machine create`, 4 at a time.
start=$(now_ms)
seq 1 "$machines" | xargs -P 4 -I{} "$machine_bin" create --driver none \
    --url tcp://127.0.0.1:2376 m{} >/dev/null 2>&1
echo "store: $machines machines created in $(( $(now_ms) - start )) ms"

# Each command must do its job before its time means anything.
listed=$("$machine_bin" ls | wc -l)
[[ $listed -eq $((machines + 1)) ]] || { echo "ls printed $listed lines, want $((machines + 1))"; exit 1; }
"$machine_bin" env --shell bash m50 | grep -q 'DOCKER_MACHINE_NAME="m50"' \
    || { echo "env m50 printed the wrong thing"; exit 1; }
[[ $("$machine_bin" inspect -f '{{.Name}}' m50) == m50 ]] || { echo "inspect m50 failed"; exit 1; }

declare -A cmd=(
    [ls]="$machine_bin ls"
    [env]="$machine_bin env --shell bash m50"
    [inspect]="$machine_bin inspect m50"
)
declare -A median_ms cpu_ms

median_of() { sort -n | awk '{v[NR]=$1} END {m=(NR%2)?v[(NR+1)/2]:(v[NR/2]+v[NR/2+1])/2; printf "%.2f", m}'; }

for key in ls env inspect; do
    if command -v hyperfine >/dev/null; then
        hyperfine -N --style none --warmup 3 --runs "$runs" --export-csv "$work/$key.csv" \
            "${cmd[$key]}" >/dev/null 2>"$work/$key.err" || { cat "$work/$key.err"; exit 1; }
        median_ms[$key]=$(awk -F, 'NR==2 {printf "%.2f", $4 * 1000}' "$work/$key.csv")
        cpu_ms[$key]=$(awk -F, 'NR==2 {printf "%.2f", ($5 + $6) * 1000}' "$work/$key.csv")
    else
        # No hyperfine: time each run with bash's microsecond clock.
        for _ in $(seq 1 "$runs"); do
            t0=${EPOCHREALTIME/./}
            ${cmd[$key]} >/dev/null
            t1=${EPOCHREALTIME/./}
            awk -v us=$((t1 - t0)) 'BEGIN {printf "%.3f\n", us / 1000}'
        done | median_of >"$work/$key.median"
        median_ms[$key]=$(cat "$work/$key.median")
        cpu_ms[$key]="?"
    fi
done

echo "median wall time over $runs runs ($(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg)," \
     "$(command -v hyperfine >/dev/null && echo hyperfine || echo bash timing)); cpu = mean user+sys:"
missed=0
for key in ls env inspect; do
    target=${target_ms[$key]:-}
    printf '  %-8s %8s ms   cpu %6s ms   %s\n' "$key" "${median_ms[$key]}" "${cpu_ms[$key]}" \
        "${target:+(target < $target ms)}"
done
for key in ls env; do
    if awk -v m="${median_ms[$key]}" -v t="${target_ms[$key]}" 'BEGIN {exit !(m >= t)}'; then
        echo "TARGET MISSED: $key median ${median_ms[$key]} ms >= ${target_ms[$key]} ms"
        missed=1
    fi
done
[[ $missed -eq 0 ]] && echo "all targets met"
exit 0
