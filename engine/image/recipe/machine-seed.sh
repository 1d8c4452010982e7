#!/bin/sh
# machine-seed: applies a NoCloud "cidata" seed early at boot, before networking and ssh start.
#
# The seed (an ISO9660 volume labelled "cidata", written by machine's provision/seed.cpp) holds:
#   meta-data       instance-id, local-hostname
#   user-data       #cloud-config: users[0] (name, ssh_authorized_keys), hostname
#   network-config  optional, netplan v2 "ethernets" (dhcp4, addresses, gateway4, nameservers)
# Only the subset of YAML that seed.cpp writes is understood: one "key: value" per line, lists as
# "- item" lines, scalars plain or quoted. Standard cloud images read the same seed with cloud-init.
# Host keys are made here on every boot where they are missing; the seed is applied once per
# instance-id. The script runs on every first boot's critical path (before ssh), where each
# fork+exec costs a noticeable fraction of a second under software emulation (TCG): it reads the
# seed with one awk and uses shell builtins wherever a helper program is not needed.
set -u
state=/var/lib/machine
mnt=/run/machine-seed
netdir=/etc/systemd/network

log() { echo "machine-seed: $*"; }

make_host_keys() {
    types=ed25519
    [ -r /etc/machine/hostkey-types ] && read -r types </etc/machine/hostkey-types
    for t in $types; do
        f="/etc/ssh/ssh_host_${t}_key"
        [ -s "$f" ] || ssh-keygen -q -t "$t" -N '' -C '' -f "$f" || log "cannot make $t host key"
    done
}

# Prints the seed device once the kernel has found it (the cdrom driver may still be loading).
# Every machine boots with a seed, so waiting long costs nothing when it is there: a SATA/IDE
# cdrom (VirtualBox) under software emulation on a loaded host can take many seconds to appear,
# and giving up early would leave a machine without its SSH key. Up to 60 s.
find_seed() {
    i=0
    while [ "$i" -lt 600 ]; do
        dev=$(blkid -c /dev/null -l -o device -t LABEL=cidata 2>/dev/null ||
            blkid -c /dev/null -l -o device -t LABEL=CIDATA 2>/dev/null) || dev=
        if [ -n "$dev" ]; then echo "$dev"; return 0; fi
        [ "$i" -eq 0 ] && modprobe -q -a sr_mod virtio_blk ata_piix ahci 2>/dev/null
        [ "$i" -eq 50 ] && log "waiting for the cidata seed to appear"
        sleep 0.1
        i=$((i + 1))
    done
    return 1
}

# seed_values META [USER]: the values the seed applies, YAML-unquoted, one per line:
#   "iid ID", "host NAME" (meta-data local-hostname), "uhost NAME" (user-data hostname),
#   "user NAME" (users[0].name) and one "key KEY" per users[0].ssh_authorized_keys item.
# One awk for both files: each helper program is a fork+exec under TCG.
seed_values() {
    awk '
        # YAML scalars as seed.cpp writes them: plain, single quoted (doubled quote inside) or
        # double quoted (\" and \\ escapes).
        function unq(s,   out, i, c) {
            gsub(/^[ \t]+|[ \t]+$/, "", s)
            if (s ~ /^\047.*\047$/ && length(s) >= 2) {
                s = substr(s, 2, length(s) - 2); gsub(/\047\047/, "\047", s); return s
            }
            if (s ~ /^".*"$/ && length(s) >= 2) {
                s = substr(s, 2, length(s) - 2); out = ""
                for (i = 1; i <= length(s); i++) {
                    c = substr(s, i, 1)
                    if (c == "\\" && i < length(s) && (substr(s, i + 1, 1) == "\"" || substr(s, i + 1, 1) == "\\")) {
                        i++; c = substr(s, i, 1)
                    }
                    out = out c
                }
                return out
            }
            return s
        }
        function top(key,   v) { v = $0; sub("^" key ":", "", v); return unq(v) }
        FNR == 1 { f++; inusers = 0; inkeys = 0; n = 0 }
        f == 1 && /^instance-id:/ && !seen["iid"]++ { print "iid " top("instance-id") }
        f == 1 && /^local-hostname:/ && !seen["host"]++ { print "host " top("local-hostname") }
        f == 1 { next }
        /^hostname:/ && !seen["uhost"]++ { print "uhost " top("hostname"); next }
        /^users:/ { inusers = 1; next }
        /^[^ #-]/ { inusers = 0; inkeys = 0 }
        !inusers { next }
        /^  - / { n++; inkeys = 0 }
        n != 1 { next }
        /^  - name:|^    name:/ { v = $0; sub(/^ *-? *name:/, "", v); print "user " unq(v); next }
        /^    ssh_authorized_keys:/ { inkeys = 1; next }
        inkeys && /^      - / { v = $0; sub(/^      - /, "", v); print "key " unq(v); next }
        /^    [a-z_]+:/ { inkeys = 0 }
    ' "$@"
}

# passwd_entry NAME: sets pw_uid, pw_gid and pw_home from /etc/passwd (shell builtins only).
passwd_entry() {
    while IFS=: read -r pw_name _ pw_uid pw_gid _ pw_home _; do
        [ "$pw_name" = "$1" ] && return 0
    done </etc/passwd
    return 1
}

# has_group NAME: true when /etc/group has NAME.
has_group() {
    while IFS=: read -r gr_name _; do
        [ "$gr_name" = "$1" ] && return 0
    done </etc/group
    return 1
}

# Netplan v2 "ethernets" to systemd-networkd files, one per interface id.
write_network() {
    rm -f "$netdir"/10-machine-seed-*.network
    awk -v dir="$netdir" '
        function unq(s) {
            gsub(/^[ \t]+|[ \t]+$/, "", s)
            if (s ~ /^".*"$/ || s ~ /^\047.*\047$/) s = substr(s, 2, length(s) - 2)
            return s
        }
        function items(s, kind,   n, a, i) {
            gsub(/^\[|\]$/, "", s); n = split(s, a, ",")
            for (i = 1; i <= n; i++) if (unq(a[i]) != "") add(kind, unq(a[i]))
        }
        function add(kind, v) { val[id, kind] = val[id, kind] kind "=" v "\n" }
        {
            line = $0; sub(/#.*/, "", line); if (line ~ /^[ \t]*$/) next
            match(line, /^ */); ind = RLENGTH; t = substr(line, ind + 1)
            if (ind == 0) { sect = t; next }
            if (sect !~ /^ethernets:/) next
            if (ind == 2) { id = t; sub(/:.*/, "", id); ids[++nid] = id; key = ""; next }
            if (t ~ /^- /) { v = unq(substr(t, 3)); if (key == "addresses") add("Address", v)
                             else if (key == "ns") add("DNS", v); else if (key == "search") add("Domains", v); next }
            k = t; sub(/:.*/, "", k); v = t; sub(/^[^:]*:[ \t]*/, "", v)
            if (ind == 4) key = k
            if (k == "macaddress") val[id, "mac"] = unq(v)
            else if (k == "name" && key == "match") val[id, "name"] = unq(v)
            else if (k == "dhcp4" && v ~ /^(true|yes)$/) val[id, "dhcp"] = 1
            else if (k == "gateway4") add("Gateway", unq(v))
            else if (k == "addresses" && ind == 4) { if (v != "") items(v, "Address") }
            else if (k == "addresses" && key == "nameservers") { key = "ns"; if (v != "") items(v, "DNS") }
            else if (k == "search" && key == "nameservers") { key = "search"; if (v != "") items(v, "Domains") }
        }
        END {
            for (i = 1; i <= nid; i++) {
                id = ids[i]; f = dir "/10-machine-seed-" id ".network"
                print "# Written by machine-seed from the seed network-config." > f
                print "[Match]" > f
                if (val[id, "mac"] != "") print "MACAddress=" val[id, "mac"] > f
                else if (val[id, "name"] != "") print "Name=" val[id, "name"] > f
                else print "Name=" id > f
                print "\n[Network]" > f
                if (val[id, "dhcp"]) print "DHCP=ipv4" > f
                printf "%s%s%s%s", val[id, "Address"], val[id, "Gateway"], val[id, "DNS"], val[id, "Domains"] > f
                close(f)
            }
        }
    ' "$1"
}

apply_seed() {
    md="$mnt/meta-data"; ud="$mnt/user-data"
    [ -f "$md" ] || { log "no meta-data on the seed"; return 1; }
    inst='' name='' uhost='' user='' keys='' nkeys=0
    if [ -f "$ud" ]; then seed_values "$md" "$ud"; else seed_values "$md"; fi >/run/machine-seed.values
    while IFS= read -r l; do
        case "$l" in
        "iid "*) inst=${l#iid } ;;
        "host "*) name=${l#host } ;;
        "uhost "*) uhost=${l#uhost } ;;
        "user "*) user=${l#user } ;;
        "key "*) keys="$keys${l#key }
" nkeys=$((nkeys + 1)) ;;
        esac
    done </run/machine-seed.values
    rm -f /run/machine-seed.values
    [ -n "$inst" ] || inst=none
    done_inst=
    [ -r "$state/instance-id" ] && read -r done_inst <"$state/instance-id"
    if [ "$done_inst" = "$inst" ]; then
        log "seed of instance $inst already applied"
        return 0
    fi

    [ -n "$name" ] || name=$uhost
    case "$name" in
    "" | *[!A-Za-z0-9.-]*) [ -n "$name" ] && log "ignoring bad hostname '$name'" ;;
    *)
        echo "$name" >/etc/hostname
        echo "$name" >/proc/sys/kernel/hostname
        hosts=
        while IFS= read -r l; do
            case "$l" in 127.0.1.1[[:space:]]*) ;; *) hosts="$hosts$l
" ;; esac
        done </etc/hosts
        printf '%s127.0.1.1\t%s\n' "$hosts" "$name" >/etc/hosts
        log "hostname $name"
        ;;
    esac

    if [ -f "$ud" ]; then
        case "$user" in
        "") ;;
        *[!a-z0-9_-]* | [!a-z_]*) log "ignoring bad user name '$user'" ;;
        *)
            has_group docker || groupadd -r docker
            if passwd_entry "$user"; then
                usermod -p '*' -aG docker "$user" || return 1
            else
                # The user "docker" joins the engine's group "docker" as its primary group.
                if has_group "$user"; then group_opt="-g $user"; else group_opt=-U; fi
                useradd -m -s /bin/bash $group_opt -G docker -p '*' "$user" ||
                    { log "cannot create user $user"; return 1; }
                passwd_entry "$user" || return 1
            fi
            umask 0337
            printf '%s ALL=(ALL) NOPASSWD:ALL\n' "$user" >"/etc/sudoers.d/90-machine-$user"
            umask 0077
            install -d -m 0700 -o "$pw_uid" -g "$pw_gid" "$pw_home/.ssh" &&
                printf '%s' "$keys" >"$pw_home/.ssh/authorized_keys" &&
                chown "$pw_uid:$pw_gid" "$pw_home/.ssh/authorized_keys" ||
                { umask 0022; log "cannot install the authorized keys of $user"; return 1; }
            umask 0022
            log "user $user with $nkeys authorized key(s)"
            ;;
        esac
    fi

    if [ -f "$mnt/network-config" ]; then
        write_network "$mnt/network-config" && log "network from network-config"
    fi
    [ -d "$state" ] || mkdir -p "$state"
    echo "$inst" >"$state/instance-id"
}

# Grows the root partition and file system to the end of the disk once the driver made it larger.
grow_root() {
    part=$(findmnt -n -o SOURCE /) || return 0
    disk=/dev/$(lsblk -n -o PKNAME "$part" 2>/dev/null) || return 0
    [ -b "$disk" ] && [ "$disk" != /dev/ ] || return 0
    num=$(cat "/sys/class/block/${part#/dev/}/partition" 2>/dev/null) || return 0
    start=$(cat "/sys/class/block/${part#/dev/}/start")
    size=$(cat "/sys/class/block/${part#/dev/}/size")
    total=$(cat "/sys/class/block/${disk#/dev/}/size")
    [ $((start + size + 2048)) -lt "$total" ] || return 0
    echo ", +" | sfdisk -q --no-reread --no-tell-kernel -N "$num" "$disk" >/dev/null 2>&1 &&
        partx -u -n "$num" "$disk" && resize2fs "$part" >/dev/null 2>&1 &&
        log "root file system grown to the end of $disk"
}

# Tests source this file for its functions only.
[ "${MACHINE_SEED_FUNCTIONS_ONLY:-0}" = 1 ] && return 0

if [ "${1:-}" = grow ]; then # machine-growroot.service: off the boot's critical path
    grow_root
    exit 0
fi
make_host_keys
if dev=$(find_seed); then
    mkdir -p "$mnt"
    if mount -o ro "$dev" "$mnt" 2>/dev/null; then
        apply_seed || log "seed on $dev not applied"
        umount "$mnt"
    else
        log "cannot mount the seed $dev"
    fi
else
    log "no cidata seed found"
fi
exit 0
