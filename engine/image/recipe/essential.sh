#!/bin/sh
# mmdebstrap --essential-hook: runs on the build host after the Essential packages are installed,
# before the kernel and the rest, so the kernel's initramfs is made once, with this configuration.
# $1 is the image's root directory. MACHINE_TRIM=1 trims (0: the untrimmed baseline).
set -eu
root="$1"
[ "${MACHINE_TRIM:-1}" = 1 ] || exit 0

# A small initramfs: only the drivers that find the root disk under qemu/libvirt (virtio) and
# VirtualBox (AHCI, PIIX IDE), no resume device to wait for. virtio_net is loaded here too, so the
# NIC exists when the real root's udev starts and its (prioritized) net event comes first.
mkdir -p "$root/etc/initramfs-tools/conf.d" "$root/usr/share/initramfs-tools/modules.d"
cat >"$root/etc/initramfs-tools/conf.d/machine.conf" <<'CONF'
MODULES=list
RESUME=none
COMPRESS=gzip
CONF
cat >"$root/usr/share/initramfs-tools/modules.d/machine" <<'LIST'
virtio_pci
virtio_blk
virtio_scsi
ahci
ata_piix
sd_mod
ext4
crc32c_generic
virtio_net
LIST
# No udev in the initramfs: the drivers above are loaded from conf/modules, devtmpfs makes the
# device nodes and the local script finds root=LABEL= with blkid. udev's coldplug and settle in
# the initramfs cost ~8 s under TCG, and the real root's udev coldplugs every device again anyway.
mkdir -p "$root/etc/initramfs-tools/hooks"
cat >"$root/etc/initramfs-tools/hooks/machine-no-udev" <<'HOOK'
#!/bin/sh
PREREQ="udev dmsetup"
prereqs() { echo "$PREREQ"; }
case "$1" in prereqs) prereqs; exit 0 ;; esac
rm -f "$DESTDIR/scripts/init-top/udev" "$DESTDIR/scripts/init-bottom/udev" \
    "$DESTDIR/bin/udevadm" "$DESTDIR/usr/bin/udevadm" "$DESTDIR/lib/systemd/systemd-udevd" \
    "$DESTDIR/usr/lib/systemd/systemd-udevd" "$DESTDIR/sbin/dmsetup" "$DESTDIR/usr/sbin/dmsetup"
rm -rf "$DESTDIR/lib/udev" "$DESTDIR/usr/lib/udev" "$DESTDIR/etc/udev" \
    "$DESTDIR/lib/systemd/network" "$DESTDIR/usr/lib/systemd/network"
find "$DESTDIR" -name 'dm-mod.ko*' -delete
HOOK
chmod 0755 "$root/etc/initramfs-tools/hooks/machine-no-udev"
