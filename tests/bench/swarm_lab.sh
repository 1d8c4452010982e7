#!/bin/bash
# Bench (issue 6): wall time from nothing to a deployed, answering stack with `machine lab up`,
# for a lab of N nodes (1 manager + N-1 workers, registry on the manager). Run inside the lab:
#   tests/e2e/lab exec -- tests/bench/swarm_lab.sh MACHINE_BINARY SOURCE_DIR [N]
# The test app images must exist (tests/e2e/swarm/prepare.sh, outside the lab).
# Prints one markdown row; exits non-zero when a step failed.
set -euo pipefail
M=$(realpath "${1:?usage: swarm_lab.sh MACHINE_BINARY SOURCE_DIR [N]}")
SRC=$(realpath "${2:?usage: swarm_lab.sh MACHINE_BINARY SOURCE_DIR [N]}")
n=${3:-3}
[ -n "${MACHINE_LAB_NS:-}" ] || { echo "run me through tests/e2e/lab exec" >&2; exit 2; }
export MACHINE_STORAGE_PATH=${MACHINE_E2E_STORE:-/var/tmp/machine-e2e-cache}
unset DOCKER_HOST DOCKER_CERT_PATH DOCKER_TLS_VERIFY
work=$(mktemp -d /tmp/machine-bench-swarm.XXXXXX)
lab=$work/lab.yaml
cleanup() {
    "$M" lab down -f "$lab" -y >/dev/null 2>&1 || true
    rm -rf "$work"
}
trap cleanup EXIT

{
    echo "name: benchlab$n"
    echo "defaults: {memory: 1024, cpus: 2}"
    echo "nodes:"
    echo "  - {name: bench$n-1, role: manager}"
    for i in $(seq 2 "$n"); do echo "  - {name: bench$n-$i, role: worker}"; done
    echo "registry: true"
} >"$lab"

load0=$(cut -d' ' -f1 /proc/loadavg)
t0=$SECONDS
"$M" lab up -f "$lab" >"$work/up.log" 2>&1 || { cat "$work/up.log" >&2; exit 1; }
t_up=$((SECONDS - t0))
manager=bench$n-1
reg="$("$M" ip "$manager"):5000"
eval "$("$M" env "$manager")"
"$SRC/engine/testapps/build-testapps" --import --tag "$reg/" getstarted redis >/dev/null
docker push -q "$reg/getstarted:latest" >/dev/null
docker push -q "$reg/redis:latest" >/dev/null
"$M" ssh "$manager" "sudo mkdir -p /home/docker/data"
WEB_IMAGE="$reg/getstarted:latest" REDIS_IMAGE="$reg/redis:latest" \
    docker stack deploy -c "$SRC/examples/getstartedlab/docker-compose.yml" getstartedlab >/dev/null
deadline=$((SECONDS + 900))
until [ "$(docker service ls --filter name=getstartedlab_web --format '{{.Replicas}}')" = 5/5 ] &&
    [ "$(docker service ls --filter name=getstartedlab_redis --format '{{.Replicas}}')" = 1/1 ]; do
    [ $SECONDS -lt $deadline ] || { docker service ps getstartedlab_web >&2; exit 1; }
    sleep 3
done
# Deployed means answering on every node's IP through the routing mesh.
for i in $(seq "$n"); do
    ip=$("$M" ip "bench$n-$i")
    until curl -fsS --max-time 5 "http://$ip:4000/" | grep -q "Hello World"; do
        [ $SECONDS -lt $deadline ] || { echo "http://$ip:4000/ never answered" >&2; exit 1; }
        sleep 2
    done
done
t_deployed=$((SECONDS - t0))
docker stack rm getstartedlab >/dev/null
eval "$("$M" env -u)"
t1=$SECONDS
"$M" lab down -f "$lab" -y >/dev/null
t_down=$((SECONDS - t1))
echo "| nodes | lab up s | nothing -> stack answering on every node s | lab down s | load at start |"
echo "|---|---|---|---|---|"
echo "| $n | $t_up | $t_deployed | $t_down | $load0 |"
