#!/bin/bash
# Outside the lab (needs Debian's mirror): the test app images and the registry image, built
# from Debian packages into the e2e store's cache, where the offline swarm e2e finds them.
# Usage: prepare.sh MACHINE_BINARY SOURCE_DIR
set -euo pipefail
export MACHINE_STORAGE_PATH=${MACHINE_E2E_STORE:-/var/tmp/machine-e2e-cache}
"$2/engine/testapps/build-testapps" getstarted redis
"$1" swarm registry --build-only
