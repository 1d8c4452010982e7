#!/usr/bin/env bash
# Installs every Debian package machine needs to build, test and run VMs, then builds it.
# Usage: bash scripts/setup.sh [--program] [build-dir]      (as root, or with sudo available)
#   --program   build only the program and its module (what scripts/demo.sh needs), not the tests;
#               a later run without it builds the rest in the same folder.
set -euo pipefail
cd "$(dirname "$0")/.."
targets=()
if [ "${1:-}" = --program ]; then
  targets=(--target machine machine-backends)
  shift
fi
build_dir=${1:-build}

packages=(
  # toolchain
  build-essential cmake ninja-build pkg-config git ccache
  # sanitizer builds and libFuzzer targets (tests/fuzz), linear-time regular expressions
  clang libclang-rt-14-dev libre2-dev
  # libraries
  libvirt-dev libssh-dev libboost-dev libboost-filesystem-dev nlohmann-json3-dev libcli11-dev
  libfmt-dev libssl-dev libcurl4-openssl-dev libyaml-cpp-dev libgtest-dev libgmock-dev
  libbenchmark-dev
  # running VMs: libvirt daemon + qemu (software emulation works without KVM), DHCP for
  # libvirt networks, disk tools
  libvirt-daemon libvirt-daemon-driver-qemu libvirt-clients qemu-system-x86 qemu-utils
  dnsmasq-base iproute2 iptables
  # building the bundled image and its seed
  mmdebstrap apt-utils dpkg-dev xorriso fdisk e2fsprogs extlinux syslinux-common
  # ssh/scp for `machine ssh`, sshd for integration tests, shells for env round-trips
  acl openssh-client openssh-server fish zsh tcsh curl hyperfine python3
  # `machine mount` (sshfs over the machine's pinned SSH; the libvirt flow e2e mounts)
  sshfs
  # the catalogue test's SIGKILL-at-every-step cases (fault injection), and flock/unshare
  strace util-linux
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${#missing[@]} packages: ${missing[*]}"
  sudo_cmd=""
  [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -q
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -q --no-install-recommends \
    "${missing[@]}"
fi

# The system libvirtd runs qemu as libvirt-qemu:kvm. libvirt-daemon-system normally makes them, but
# it also brings systemd units this project does not need (and cannot use without systemd).
sudo_cmd=""
[ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
getent group kvm >/dev/null || $sudo_cmd addgroup --system kvm
getent group libvirt-qemu >/dev/null || $sudo_cmd addgroup --system libvirt-qemu
getent passwd libvirt-qemu >/dev/null ||
  $sudo_cmd adduser --system --ingroup kvm --home /var/lib/libvirt --no-create-home \
    --disabled-login libvirt-qemu
# udev normally makes /dev/kvm root:kvm 0660; a host without udev leaves it root-only. libvirt then
# sees KVM in the capabilities it probed as root but not for libvirt-qemu, declares its cache stale
# and re-probes qemu on every domain start (about a minute under software emulation).
if [ -c /dev/kvm ] && [ "$(stat -c %G:%a /dev/kvm)" != kvm:660 ]; then
  $sudo_cmd chgrp kvm /dev/kvm && $sudo_cmd chmod 0660 /dev/kvm
  echo "setup: /dev/kvm is now root:kvm 0660, as udev makes it"
fi

# ccache: a rebuild of unchanged sources (another checkout, a second build folder) is a cache hit.
export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$(cd .. && pwd)} CCACHE_NOHASHDIR=1
cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_COMPILER_LAUNCHER=ccache >/dev/null
cmake --build "$build_dir" -j"$(nproc)" "${targets[@]}"
echo "setup: built $build_dir/machine/machine"
