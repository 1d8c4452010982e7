#!/bin/sh
# mmdebstrap --essential-hook: runs on the build host after the Essential packages are installed,
# before the kernel and the rest, so the kernel's initramfs is made once, with this configuration.
# $1 is the image's root directory. MACHINE_TRIM=1 trims (0: the untrimmed baseline).
set -eu
root="$1"
[ "${MACHINE_TRIM:-1}" = 1 ] || exit 0

# A small initramfs: only the drivers that find the root disk under qemu/libvirt (virtio) and
# VirtualBox (AHCI, PIIX IDE), no resume device to wait for.
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
LIST
