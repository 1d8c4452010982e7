#!/usr/bin/env bash
# The Debian package on a clean system (issue 20): builds the package, installs it with apt into a
# minimal Debian 12 root made by mmdebstrap (dependencies from Debian's mirror), runs the program
# there as a user would, then purges it and checks that nothing of it is left.
#   clean_root_test.sh SOURCE_DIR PACKAGE_BUILD_DIR           (as root; needs Debian's mirror)
# The root holds nothing of the build tree: only the .deb is copied in. The program runs in its own
# network namespace (loopback only), so nothing it does can reach another address.
# Cached across runs (like the image): the root tarball, keyed by what it contains, and the .debs
# apt downloaded, in $MACHINE_PACKAGE_CACHE (default /var/cache/machine-package-test).
set -euo pipefail
# Its own mount namespace: the root lives in a tmpfs that vanishes with it (no minute-long rm -rf).
if [ -z "${MACHINE_PACKAGE_TEST_NS:-}" ]; then
  MACHINE_PACKAGE_TEST_NS=1 exec unshare --mount --propagation private -- "$0" "$@"
fi
src=${1:?usage: clean_root_test.sh SOURCE_DIR PACKAGE_BUILD_DIR}
build_dir=${2:?usage: clean_root_test.sh SOURCE_DIR PACKAGE_BUILD_DIR}
cache=${MACHINE_PACKAGE_CACHE:-/var/cache/machine-package-test}
suite=bookworm
mirror=http://deb.debian.org/debian
security=http://deb.debian.org/debian-security
sources=("deb $mirror $suite main" "deb $mirror $suite-updates main"
  "deb $security $suite-security main")

t0=$SECONDS
step() { echo "== [$((SECONDS - t0)) s] $*"; }
fail() { echo "FAIL: $*" >&2; exit 1; }

step "package"
deb=$(bash "$src/packaging/build-deb.sh" "$build_dir" 1)
[ -f "$deb" ] || fail "no package made in $build_dir"
version=$(dpkg-deb -f "$deb" Version)
echo "$deb: $version"
dpkg-deb -f "$deb" Depends Recommends Suggests Installed-Size

# What the package says of itself: computed dependencies, the recommended VM tools, its files.
depends=$(dpkg-deb -f "$deb" Depends)
for lib in libc6 libvirt0 libssh-4 libcurl4; do
  grep -Eq "(^|, )$lib( |,|$)" <<<"$depends" || fail "Depends lacks $lib: $depends"
done
recommends=$(dpkg-deb -f "$deb" Recommends)
for pkg in qemu-system-x86 libvirt-daemon libvirt-daemon-driver-qemu dnsmasq-base mmdebstrap; do
  grep -Eq "(^|, )$pkg( |,|$)" <<<"$recommends" || fail "Recommends lacks $pkg: $recommends"
done
contents=$(dpkg-deb -c "$deb" | awk '{print $6}')
expected=(./usr/bin/machine ./usr/lib/machine/machine-backends.so
  ./usr/share/doc/machine/README.md ./usr/share/doc/machine/changelog.Debian.gz)
if "$build_dir/machine/machine" completion bash >/dev/null 2>&1; then
  expected+=(./usr/share/bash-completion/completions/machine
    ./usr/share/zsh/vendor-completions/_machine ./usr/share/fish/vendor_completions.d/machine.fish)
fi
for f in "${expected[@]}"; do
  grep -qx -- "$f" <<<"$contents" || fail "the package lacks $f"
done

# The root: Debian 12, essential packages + apt. Rebuilt only when what it is made of changes.
mkdir -p "$cache/archives"
exec 9>"$cache/lock"
flock 9
key=$(printf '%s\n' "mmdebstrap --variant=apt" "$suite" "${sources[@]}" | sha256sum | cut -c1-16)
root_tar=$cache/root-$suite-$key.tar
if [ ! -s "$root_tar" ]; then
  step "root (mmdebstrap, cached as $root_tar)"
  rm -rf "$cache"/root-*.tar "$cache"/partial-*.tar # (mmdebstrap picks the format by the name)
  mmdebstrap --variant=apt --mode=root --quiet "$suite" "$cache/partial-$key.tar" "${sources[@]}" \
    </dev/null
  mv "$cache/partial-$key.tar" "$root_tar"
fi

step "root from $root_tar"
work=$(mktemp -d /var/tmp/machine-package-test.XXXXXX)
mount -t tmpfs -o size=4g,mode=0755 machine-package-test "$work"
trap 'umount "$work" && rmdir "$work"' EXIT
root=$work/root
mkdir "$root"
tar -C "$root" -xf "$root_tar"
cp /etc/resolv.conf "$root/etc/resolv.conf"
cp "$deb" "$root/tmp/"
deb_in_root=/tmp/$(basename "$deb")

# Runs a command in the root: own mount and PID namespaces with a fresh /proc, a clean
# environment.
in_root() {
  unshare --mount --pid --fork --propagation private -- bash -c \
    'mount -t proc proc "$1/proc" && mount -t devpts -o newinstance devpts "$1/dev/pts" &&
     exec chroot "$@"' _ "$root" \
    env -i HOME=/root PATH=/usr/sbin:/usr/bin:/sbin:/bin LC_ALL=C.UTF-8 "$@"
}
# The same in its own network namespace, only loopback up: nothing can reach another address.
isolated() {
  unshare --net -- bash -c 'ip link set lo up && in_root "$@"' _ "$@"
}
export -f in_root
export root

# Every path in the root, but those that change with any apt run (indexes, logs, caches).
snapshot() {
  (cd "$root" && find . -xdev \( -path ./proc -o -path ./dev -o -path ./tmp -o -path ./run \
    -o -path ./var/lib/apt -o -path ./var/cache/apt -o -path ./var/lib/dpkg -o -path ./var/log \
    -o -path ./var/cache/debconf -o -path ./var/cache/ldconfig \) -prune -o -print | sort)
}
snapshot >"$work/before"

step "install with apt (dependencies from $mirror)"
cp -n "$cache"/archives/*.deb "$root/var/cache/apt/archives/" 2>/dev/null || true
in_root apt-get update -q >/dev/null
in_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
  "$deb_in_root"
cp -n "$root"/var/cache/apt/archives/*.deb "$cache/archives/" 2>/dev/null || true
in_root dpkg -L machine | sort >"$work/files"
snapshot >"$work/installed"
grep -qx ./usr/bin/machine "$work/installed" || fail "the file list does not see the installed files"

step "run"
# Nothing of the build tree is there: not the sources, not the build folder, and the installed
# binary and module name no build folder to load libraries from (no RPATH/RUNPATH).
for p in "$src" "$build_dir"; do
  [ ! -e "$root$p" ] || fail "$p is reachable in the root"
done
for f in usr/bin/machine usr/lib/machine/machine-backends.so; do
  ! readelf -d "$root/$f" | grep -E 'RPATH|RUNPATH' || fail "/$f has a library search path"
done
got=$(isolated machine version)
[ "$got" = "machine version $version" ] || fail "machine version says '$got', the package is $version"
echo "$got"
isolated machine create --help | grep -q -- '--driver' || fail "create --help lacks --driver"
[ "$(isolated sh -c 'command -v machine')" = /usr/bin/machine ] || fail "machine is not /usr/bin/machine"
isolated bash -c '
  set -euo pipefail
  machine create --driver none --url tcp://127.0.0.1:2376 pkgtest
  machine env pkgtest | tee /tmp/env.out
  grep -qx "export DOCKER_HOST=\"tcp://127.0.0.1:2376\"" /tmp/env.out
  grep -qx "export DOCKER_CERT_PATH=\"/root/.machine/machines/pkgtest\"" /tmp/env.out
  # ls asks the engine (nothing listens: an error in its row), through the module under /usr/lib.
  machine -D ls 2>/tmp/ls.err | tee /tmp/ls.out
  grep -q "^pkgtest .*none" /tmp/ls.out
  grep -q "backends: loaded /usr/lib/machine/machine-backends.so" /tmp/ls.err
  # create wrote a docker context in the user'"'"'s docker config; rm took it away again.
  test -s "/root/.docker/contexts/meta/$(printf %s pkgtest | sha256sum | cut -d" " -f1)/meta.json"
  machine rm -y pkgtest
  [ -z "$(machine ls -q)" ]
  [ -z "$(find /root/.docker/contexts/meta /root/.docker/contexts/tls -mindepth 1)" ]
  # What is left is the user'"'"'s data (the store, docker'"'"'s config folder), not the package'"'"'s.
  rm -rf /root/.machine /root/.docker'

step "purge"
in_root env DEBIAN_FRONTEND=noninteractive apt-get purge -y -q machine >/dev/null
in_root env DEBIAN_FRONTEND=noninteractive apt-get autoremove --purge -y -q >/dev/null
while read -r f; do
  [ -d "$root$f" ] || [ ! -e "$root$f" ] || fail "$f is left after purge"
done <"$work/files"
! in_root dpkg -s machine >/dev/null 2>&1 || fail "dpkg still knows machine after purge"
! compgen -G "$root/var/lib/dpkg/info/machine.*" || fail "dpkg's records of machine are left"
snapshot >"$work/after"
if ! diff -u "$work/before" "$work/after"; then
  fail "the root differs from before the install (above)"
fi
step "ok: $(basename "$deb") installs, runs and purges cleanly in a clean $suite root"
