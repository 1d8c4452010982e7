#!/bin/sh
# mmdebstrap --customize-hook: runs on the build host once every package is installed.
# $1 is the image's root directory; the other recipe files sit next to this script.
# MACHINE_TRIM=1 trims (0: the untrimmed baseline), MACHINE_ENGINE=1 when docker.io is in.
set -eu
root="$1"
here=$(cd "$(dirname "$0")" && pwd)
trim="${MACHINE_TRIM:-1}"
engine="${MACHINE_ENGINE:-1}"
in_root() { chroot "$root" "$@"; }

# First boot: the seed service, default network, ssh.
install -D -m 0755 "$here/machine-seed.sh" "$root/usr/lib/machine/machine-seed"
install -D -m 0644 "$here/machine-seed.service" "$root/etc/systemd/system/machine-seed.service"
install -D -m 0644 "$here/machine-growroot.service" \
    "$root/etc/systemd/system/machine-growroot.service"
install -D -m 0644 "$here/wired.network" "$root/etc/systemd/network/80-machine-wired.network"
mkdir -p "$root/etc/machine" "$root/etc/ssh/sshd_config.d"
if [ "$trim" = 1 ]; then
    # ed25519 only: RSA key generation costs seconds under software emulation.
    echo ed25519 >"$root/etc/machine/hostkey-types"
    echo "HostKey /etc/ssh/ssh_host_ed25519_key" >"$root/etc/ssh/sshd_config.d/10-machine.conf"
else
    echo "rsa ecdsa ed25519" >"$root/etc/machine/hostkey-types"
    : >"$root/etc/ssh/sshd_config.d/10-machine.conf"
fi
cat >>"$root/etc/ssh/sshd_config.d/10-machine.conf" <<'CONF'
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin no
UseDNS no
CONF

# Identity: every machine gets its own host keys (first boot), machine-id and hostname.
rm -f "$root"/etc/ssh/ssh_host_*
: >"$root/etc/machine-id"
rm -f "$root/var/lib/dbus/machine-id"
echo machine >"$root/etc/hostname"
printf '127.0.0.1\tlocalhost\n127.0.1.1\tmachine\n::1\tlocalhost ip6-localhost ip6-loopback\n' \
    >"$root/etc/hosts"
if [ "$trim" = 1 ]; then
    printf 'LABEL=machine-root\t/\text4\tnoatime\t0\t0\n' >"$root/etc/fstab"
else
    printf 'LABEL=machine-root\t/\text4\terrors=remount-ro\t0\t1\n' >"$root/etc/fstab"
fi

in_root systemctl enable machine-seed.service machine-growroot.service systemd-networkd.service systemd-resolved.service \
    ssh.service
if [ "$engine" = 1 ] && [ "$trim" = 1 ]; then
    # The engine is installed but not started at boot: provisioning writes its TLS config and
    # enables it (one engine start per create instead of a start at boot plus a restart, and the
    # boot to SSH does not share the CPU with containerd and dockerd). Until then the socket
    # starts it on first use, so `docker info` in a freshly booted image still answers. Its
    # kernel modules are loaded ahead, in the background (machine-engine-modules.service).
    in_root systemctl disable containerd.service docker.service
    in_root systemctl enable docker.socket
    install -m 0644 "$here/machine-engine-modules.service" \
        "$root/etc/systemd/system/machine-engine-modules.service"
    in_root systemctl enable machine-engine-modules.service
elif [ "$engine" = 1 ]; then
    # The untrimmed baseline: as Debian's package leaves it, the engine starts at boot.
    in_root systemctl enable containerd.service docker.service docker.socket
fi

if [ "$trim" = 1 ]; then
    # Timers and services a short-lived container host does not need; no NTP to pools it cannot
    # reach (the hypervisor's RTC sets the clock); docker must not wait for network-online.
    for u in apt-daily.timer apt-daily-upgrade.timer dpkg-db-backup.timer man-db.timer \
        e2scrub_all.timer e2scrub_reap.service fstrim.timer systemd-timesyncd.service \
        systemd-networkd-wait-online.service; do
        ln -sf /dev/null "$root/etc/systemd/system/$u"
    done
    # Boot-time units and generators for what a VM with one ext4 root and no EFI, TPM, LUKS, swap,
    # binfmt, FUSE, hugepages, debugfs or console login does not have; each is a process (or a
    # module load) on the boot under TCG. systemd-repart pulls modprobe@loop and @dm_mod,
    # systemd-pstore @efi_pstore, logind @drm.
    for u in systemd-repart.service systemd-pstore.service modprobe@drm.service \
        sys-kernel-config.mount sys-fs-fuse-connections.mount sys-kernel-debug.mount \
        sys-kernel-tracing.mount dev-hugepages.mount proc-sys-fs-binfmt_misc.automount \
        systemd-binfmt.service systemd-network-generator.service getty@tty1.service; do
        ln -sf /dev/null "$root/etc/systemd/system/$u"
    done
    mkdir -p "$root/etc/systemd/system-generators"
    for g in cryptsetup gpt-auto hibernate-resume integritysetup veritysetup rc-local sysv \
        system-update getty; do
        ln -sf /dev/null "$root/etc/systemd/system-generators/systemd-$g-generator"
    done
    # sshd starts right after the seed, not after basic.target and network.target (recipe/ssh.service).
    install -m 0644 "$here/ssh.service" "$root/etc/systemd/system/ssh.service"
    # Drivers udev would load at coldplug for emulated hardware a container host does not use.
    cat >"$root/etc/modprobe.d/machine-blacklist.conf" <<'CONF'
# machine: kept out of udev's coldplug (each module load costs under TCG); modprobe still loads them.
blacklist floppy
blacklist pcspkr
blacklist kvm
blacklist kvm_amd
blacklist kvm_intel
CONF
    # Kernel modules for hardware a VM never has.
    for kdir in "$root"/lib/modules/*; do
        k="$kdir/kernel"
        rm -rf "$k/drivers/gpu" "$k/drivers/media" "$k/drivers/net/wireless" \
            "$k/drivers/infiniband" "$k/drivers/staging" "$k/drivers/bluetooth" "$k/drivers/isdn" \
            "$k/drivers/iio" "$k/drivers/mtd" "$k/drivers/hwmon" "$k/drivers/net/can" \
            "$k/sound" "$k/net/wireless" "$k/net/mac80211" "$k/net/bluetooth"
        in_root depmod -a "$(basename "$kdir")"
    done
    rm -rf "$root"/usr/share/doc/*/changelog* "$root"/var/cache/debconf/*-old
fi

# Bootloader configuration (extlinux is installed on the disk by the builder).
kver=$(basename "$(ls -d "$root"/lib/modules/* | sort -V | tail -n 1)")
cmdline="root=LABEL=machine-root console=tty0 console=ttyS0,115200"
if [ "$trim" = 1 ]; then
    # rw: the root is mounted read-write at once (no fsck pass, no remount); AppArmor off
    # (see engine/image/README.md: docker.io needs apparmor_parser otherwise); quiet: errors only
    # on the consoles; net.ifnames=0: the NIC keeps its kernel name (eth0), since a rename is a
    # udev "move" event that waits behind the whole coldplug queue before networkd may configure
    # the link (seconds under TCG); networks match en*/eth* or the seed's MAC address.
    cmdline="$cmdline rw apparmor=0 quiet net.ifnames=0"
else
    cmdline="$cmdline ro"
fi
mkdir -p "$root/boot/extlinux"
cat >"$root/boot/extlinux/extlinux.conf" <<CONF
DEFAULT machine
PROMPT 0
TIMEOUT 1
LABEL machine
  LINUX /boot/vmlinuz-$kver
  INITRD /boot/initrd.img-$kver
  APPEND $cmdline
CONF
