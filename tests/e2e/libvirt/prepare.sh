#!/bin/bash
# Runs OUTSIDE the lab (it needs Debian's mirror): builds the bundled image and the test image
# tarball into the shared e2e store, so the tests inside the offline lab only reuse them.
#   prepare.sh MACHINE_BINARY
set -euo pipefail
machine=${1:?usage: prepare.sh MACHINE_BINARY}
store=${MACHINE_E2E_STORE:-/var/tmp/machine-e2e-cache}
mkdir -p "$store/testimages"

echo "== bundled image (built once per recipe, then reused)"
MACHINE_STORAGE_PATH=$store "$machine" image build

# The image variant without the engine, for the install-path test.
echo "== bundled image without the engine (install path)"
MACHINE_STORAGE_PATH=$store "$machine" image build --without-engine | tee "$store/testimages/no-engine.log"
sed -n 's/^Image [0-9a-f]* ready: //p' "$store/testimages/no-engine.log" > "$store/testimages/no-engine-image.path"

# A container image made of Debian packages only: busybox-static's root file system, for
# `docker import` + `docker run` over TLS. Nothing is pulled from a registry.
tar_out=$store/testimages/busybox.tar
if [ ! -s "$tar_out" ]; then
    echo "== test image (busybox-static from Debian)"
    work=$(mktemp -d)
    trap 'rm -rf "$work"' EXIT
    (cd "$work" && apt-get download -q busybox-static >/dev/null)
    mkdir "$work/root"
    dpkg-deb -x "$work"/busybox-static_*.deb "$work/root"
    mkdir -p "$work/root/bin" "$work/root/tmp"
    ln -sf ../usr/bin/busybox "$work/root/bin/sh" 2>/dev/null || true
    [ -x "$work/root/bin/busybox" ] || ln -sf ../usr/bin/busybox "$work/root/bin/busybox" 2>/dev/null || true
    tar -C "$work/root" -cf "$tar_out.tmp" .
    mv "$tar_out.tmp" "$tar_out"
fi

# A package repository for the install path: the .debs the image build downloaded (docker.io
# and its dependencies), indexed so apt inside a VM can install from it.
repo=$store/repo
if [ ! -s "$repo/Packages" ] && [ -d "$store/cache/debs" ]; then
    echo "== package repository for the engine install path"
    mkdir -p "$repo"
    cp -n "$store"/cache/debs/*.deb "$repo"/ 2>/dev/null || true
    (cd "$repo" && apt-ftparchive packages . > Packages.tmp && mv Packages.tmp Packages)
fi
echo "prepared: $store"
