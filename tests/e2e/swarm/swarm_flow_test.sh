#!/bin/bash
# e2e (inside the lab namespace): the seeds' swarm flow verbatim but for names and IPs, then the
# same lab from `machine lab up` with a registry, then `lab down` leaves nothing. Prints wall
# times. Usage: swarm_flow_test.sh MACHINE_BINARY SOURCE_DIR
set -euo pipefail
M="$1"
SRC="$2"
export PATH="$(dirname "$M"):$PATH"
machine() { "$M" "$@"; }
fail() { echo "FAIL: $*" >&2; exit 1; }
export MACHINE_STORAGE_PATH=${MACHINE_E2E_STORE:-/var/tmp/machine-e2e-cache}
[ -n "${MACHINE_LAB_NS:-}" ] || fail "run me through tests/e2e/lab exec"
work="$(mktemp -d /tmp/machine-e2e-swarm.XXXXXX)"
cleanup() {
    eval "$(machine env -u)" || true
    machine rm -y -f myvm1 myvm2 >/dev/null 2>&1 || true
    rm -rf "$work"
}
trap cleanup EXIT
machine rm -y -f myvm1 myvm2 >/dev/null 2>&1 || true

wait_replicas() { # service wanted timeout
    local deadline=$((SECONDS + $3))
    until [ "$(docker service ls --filter name="$1" --format '{{.Replicas}}')" = "$2/$2" ]; do
        [ $SECONDS -lt $deadline ] || { docker service ps "$1" --no-trunc || true; fail "$1 not $2/$2"; }
        sleep 3
    done
}

check_web() { # ip: 10 requests see >= 2 hostnames and a growing counter
    local ip="$1" hosts=() last=0 deadline=$((SECONDS + 300)) ok=0
    # Settle first. A task counts as running once its container started, and the routing mesh
    # sends it requests from then on, but its Flask needs seconds more under software emulation
    # to listen: until then the mesh answers some requests with "connection refused". The app
    # image has no HEALTHCHECK (a `docker exec` per check costs more than 3 s on a loaded TCG
    # guest, and swarm then kills the task as unhealthy). Settled = 10 answers in a row.
    # Each miss is kept (curl's message and time) so that a lab that never settles says why.
    local misses="$work/misses-$ip" n_req=0 t_settle=$SECONDS
    : > "$misses"
    while [ "$ok" -lt 10 ]; do
        n_req=$((n_req + 1))
        if curl -fsS --max-time 5 -o /dev/null "http://$ip:4000/" 2>>"$misses"; then
            ok=$((ok + 1))
        else
            ok=0
            echo "  (at ${SECONDS}s)" >> "$misses"
            if [ $SECONDS -ge $deadline ]; then
                echo "--- $ip:4000: $(grep -c '^curl' "$misses") misses in $n_req requests; by kind:" >&2
                sed -n 's/^curl: ([0-9]*) \([^0-9]*\).*/\1/p' "$misses" | sort | uniq -c >&2
                tail -n 20 "$misses" >&2
                docker service ps getstartedlab_web --no-trunc >&2 || true
                docker node ls >&2 || true
                fail "http://$ip:4000/ never settled"
            fi
            sleep 2
        fi
    done
    echo "  $ip:4000: settled after $((SECONDS - t_settle)) s, $(grep -c '^curl' "$misses") misses in $n_req requests"
    last="$(curl -fsS --max-time 10 "http://$ip:4000/" | sed -n 's/.*Visits:<\/b> \([0-9]*\).*/\1/p')"
    for i in $(seq 10); do
        page="$(curl -fsS --max-time 10 "http://$ip:4000/")" || fail "GET http://$ip:4000/"
        echo "$page" | grep -q "Hello World!" || fail "unexpected page: $page"
        hosts+=("$(echo "$page" | sed -n 's/.*Hostname:<\/b> \([^<]*\)<br.*/\1/p')")
        visits="$(echo "$page" | sed -n 's/.*Visits:<\/b> \([0-9]*\).*/\1/p')"
        [ -n "$visits" ] && [ "$visits" -gt "$last" ] || fail "visits did not grow: $page"
        last="$visits"
    done
    n="$(printf '%s\n' "${hosts[@]}" | sort -u | wc -l)"
    [ "$n" -ge 2 ] || fail "$ip:4000 answered from $n hostname(s) only"
    echo "  $ip:4000: 10 answers from $n hostnames, visits up to $last"
}

compose="$SRC/examples/getstartedlab/docker-compose.yml"
testapps="$SRC/engine/testapps/build-testapps"
"$testapps" getstarted redis >/dev/null || fail "test app images not built: run prepare.sh outside the lab"

# --- The seeds' manual flow ------------------------------------------------------------------
# MACHINE_E2E_SWARM_PART=lab skips it (to run only the lab and its registry, e.g. after a change
# there); the default runs both.
t_create=- t_deployed=- t_manual=-
if [ "${MACHINE_E2E_SWARM_PART:-all}" != lab ]; then
t0=$SECONDS
machine create --driver libvirt myvm1 > "$work/myvm1.log" 2>&1 &
p1=$!
machine create --driver libvirt myvm2 > "$work/myvm2.log" 2>&1 &
p2=$!
wait $p1 || { cat "$work/myvm1.log"; fail "create myvm1"; }
wait $p2 || { cat "$work/myvm2.log"; fail "create myvm2"; }
t_create=$((SECONDS - t0))
machine ssh myvm1 "docker swarm init --advertise-addr $(machine ip myvm1)"
token="$(machine ssh myvm1 "docker swarm join-token -q worker" | tr -d '\r')"
machine ssh myvm2 "docker swarm join --token $token $(machine ip myvm1):2377"
machine ls
[ "$(machine ls --filter name=myvm1 --format '{{.Swarm}}')" = leader ] || fail "ls SWARM of myvm1"
[ "$(machine ls --filter name=myvm2 --format '{{.Swarm}}')" = worker ] || fail "ls SWARM of myvm2"
for node in myvm1 myvm2; do # nothing can be pulled: load the images on every node
    (eval "$(machine env $node)" && "$testapps" --import getstarted redis >/dev/null)
done
machine ssh myvm1 "sudo mkdir -p /home/docker/data"
eval "$(machine env myvm1)"
cd "$work"
cp "$compose" docker-compose.yml
docker stack deploy -c docker-compose.yml getstartedlab
wait_replicas getstartedlab_web 5 600
wait_replicas getstartedlab_redis 1 300
t_deployed=$((SECONDS - t0))
for ip in "$(machine ip myvm1)" "$(machine ip myvm2)"; do check_web "$ip"; done
sed -i 's/replicas: 5/replicas: 7/' docker-compose.yml
docker stack deploy -c docker-compose.yml getstartedlab
wait_replicas getstartedlab_web 7 600
check_web "$(machine ip myvm1)"
docker stack rm getstartedlab
leave() { # node [flag]: a loaded TCG engine can answer "context deadline exceeded"; retry
    local i
    for i in 1 2 3; do
        machine ssh "$1" "docker swarm leave ${2:-}" && return 0
        [ "$(machine ssh "$1" "docker info --format '{{.Swarm.LocalNodeState}}'")" = inactive ] &&
            return 0
        sleep 5
    done
    fail "$1 did not leave the swarm"
}
leave myvm2
leave myvm1 --force
eval "$(machine env -u)"
[ -z "${DOCKER_HOST:-}" ] || fail "env -u left DOCKER_HOST"
t_manual=$((SECONDS - t0))
machine rm -y myvm1 myvm2
cd "$work"
fi

# --- The same lab in one command, with its registry --------------------------------------------
sed 's/^registry: false/registry: true/' "$SRC/examples/lab.yaml" > "$work/lab.yaml"
t0=$SECONDS
machine lab up -f "$work/lab.yaml"
t_lab_up=$((SECONDS - t0))
machine lab up -f "$work/lab.yaml" > "$work/second-up.log" 2>&1 || { cat "$work/second-up.log"; fail "second lab up"; }
! grep -q "Creating\|joined the swarm\|Swarm initialized" "$work/second-up.log" || fail "second lab up did something: $(cat "$work/second-up.log")"
machine lab status -f "$work/lab.yaml"
reg="$(machine ip myvm1):5000"
# The registry admits only the lab (issue 10): a client with the CA but no client certificate is
# refused, and so is one with the machine CA's own client certificate (valid on every engine,
# not on the registry); the host's certificate from the registry's client CA is admitted.
ca="$MACHINE_STORAGE_PATH/certs/ca.pem"
if [ "$(id -u)" = 0 ]; then certs_d=/etc/docker/certs.d; else certs_d="$HOME/.docker/certs.d"; fi
for f in ca.crt client.cert client.key; do
    [ -s "$certs_d/$reg/$f" ] || fail "the host's docker has no $certs_d/$reg/$f"
done
[ "$(stat -c %a "$certs_d/$reg/client.key")" = 600 ] || fail "client.key is not 0600"
if curl -sS --max-time 10 --cacert "$ca" -o /dev/null "https://$reg/v2/" 2>"$work/nocert.err"; then
    fail "the registry answered a client without a certificate"
fi
echo "  no client certificate: refused ($(head -c 200 "$work/nocert.err"))"
if curl -sS --max-time 10 --cacert "$ca" --cert "$MACHINE_STORAGE_PATH/certs/cert.pem" \
        --key "$MACHINE_STORAGE_PATH/certs/key.pem" -o /dev/null "https://$reg/v2/" 2>/dev/null; then
    fail "the registry answered the machine CA's engine client certificate"
fi
# curl reads "--cert FILE:PASSWORD": a copy without the ':' of "<ip>:5000" in its path.
cp "$certs_d/$reg/client.cert" "$certs_d/$reg/client.key" "$work/"
code="$(curl -sS --max-time 10 --cacert "$ca" --cert "$work/client.cert" \
        --key "$work/client.key" -o /dev/null -w '%{http_code}' "https://$reg/v2/")" ||
    fail "the registry refused the host's client certificate"
[ "$code" = 200 ] || fail "GET https://$reg/v2/ with the host's certificate: HTTP $code"
echo "  host's client certificate: HTTP $code"
eval "$(machine env --swarm myvm2)"
[ "$DOCKER_MACHINE_NAME" = myvm1 ] || fail "env --swarm myvm2 points at $DOCKER_MACHINE_NAME"
"$testapps" --import --tag "$reg/" getstarted redis >/dev/null
docker push "$reg/getstarted:latest"
docker push "$reg/redis:latest"
machine ssh myvm1 "sudo mkdir -p /home/docker/data"
WEB_IMAGE="$reg/getstarted:latest" REDIS_IMAGE="$reg/redis:latest" \
    docker stack deploy -c "$compose" getstartedlab
wait_replicas getstartedlab_web 5 600
wait_replicas getstartedlab_redis 1 300
t_lab_deployed=$((SECONDS - t0))
for ip in "$(machine ip myvm1)" "$(machine ip myvm2)"; do check_web "$ip"; done
docker stack rm getstartedlab
eval "$(machine env -u)"
machine lab down -f "$work/lab.yaml" -y
! machine ls -q | grep -qx 'myvm[12]' || fail "lab down left: $(machine ls -q)"
[ ! -e "$certs_d/$reg" ] || fail "lab down left $certs_d/$reg: $(ls "$certs_d/$reg")"
if command -v virsh >/dev/null; then
    ! virsh -q list --all --name | grep -qx 'myvm[12]' || fail "domains left"
fi

echo "TIMES (s): manual: create x2 (parallel) $t_create, deployed $t_deployed, whole flow $t_manual;" \
     "lab up $t_lab_up, lab up -> deployed (registry push) $t_lab_deployed"
echo PASS
