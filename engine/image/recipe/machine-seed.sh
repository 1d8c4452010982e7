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
# instance-id.
set -u
state=/var/lib/machine
mnt=/run/machine-seed
netdir=/etc/systemd/network

log() { echo "machine-seed: $*"; }

make_host_keys() {
    for t in $(cat /etc/machine/hostkey-types 2>/dev/null || echo ed25519); do
        f="/etc/ssh/ssh_host_${t}_key"
        [ -s "$f" ] || ssh-keygen -q -t "$t" -N '' -C '' -f "$f" || log "cannot make $t host key"
    done
}

# Prints the seed device once the kernel has found it (the cdrom driver may still be loading).
find_seed() {
    i=0
    while [ "$i" -lt 40 ]; do
        for label in cidata CIDATA; do
            dev=$(blkid -c /dev/null -l -o device -t "LABEL=$label" 2>/dev/null) || dev=
            if [ -n "$dev" ]; then echo "$dev"; return 0; fi
        done
        [ "$i" -eq 0 ] && modprobe -q -a sr_mod virtio_blk ata_piix ahci 2>/dev/null
        sleep 0.1
        i=$((i + 1))
    done
    return 1
}

# unquote VALUE: strips YAML single or double quotes.
unquote() {
    case "$1" in
    \'*\') printf '%s\n' "$1" | sed -e "s/^'//" -e "s/'\$//" -e "s/''/'/g" ;;
    \"*\") printf '%s\n' "$1" | sed -e 's/^"//' -e 's/"$//' -e 's/\\"/"/g' -e 's/\\\\/\\/g' ;;
    *) printf '%s\n' "$1" ;;
    esac
}

# top KEY FILE: value of a top-level "key: value" line.
top() {
    v=$(sed -n "s/^$1:[[:space:]]*//p" "$2" | head -n 1 | sed 's/[[:space:]]*$//')
    unquote "$v"
}

# The first user of user-data: prints "name" then one authorized key per line.
first_user() {
    awk '
        /^users:/ { inusers = 1; next }
        /^[^ #-]/ { inusers = 0; inkeys = 0 }
        !inusers { next }
        /^  - / { n++; inkeys = 0 }
        n != 1 { next }
        /^  - name:|^    name:/ { sub(/^ *-? *name:[ \t]*/, ""); print "name " $0; next }
        /^    ssh_authorized_keys:/ { inkeys = 1; next }
        inkeys && /^      - / { sub(/^      - /, ""); print "key " $0; next }
        /^    [a-z_]+:/ { inkeys = 0 }
    ' "$1"
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
    inst=$(top instance-id "$md")
    [ -n "$inst" ] || inst=none
    if [ "$(cat "$state/instance-id" 2>/dev/null)" = "$inst" ]; then
        log "seed of instance $inst already applied"
        return 0
    fi

    name=$(top local-hostname "$md")
    [ -n "$name" ] || { [ -f "$ud" ] && name=$(top hostname "$ud"); }
    case "$name" in
    "" | *[!A-Za-z0-9.-]*) [ -n "$name" ] && log "ignoring bad hostname '$name'" ;;
    *)
        echo "$name" >/etc/hostname
        hostname "$name"
        sed -i '/^127\.0\.1\.1[[:space:]]/d' /etc/hosts
        printf '127.0.1.1\t%s\n' "$name" >>/etc/hosts
        log "hostname $name"
        ;;
    esac

    if [ -f "$ud" ]; then
        user=
        keys=$(mktemp)
        first_user "$ud" >"$keys.raw"
        while IFS= read -r l; do
            case "$l" in
            "name "*) user=$(unquote "${l#name }") ;;
            "key "*) unquote "${l#key }" >>"$keys" ;;
            esac
        done <"$keys.raw"
        case "$user" in
        "") ;;
        *[!a-z0-9_-]* | [!a-z_]*) log "ignoring bad user name '$user'" ;;
        *)
            getent group docker >/dev/null || groupadd -r docker
            if ! getent passwd "$user" >/dev/null; then
                # The user "docker" joins the engine's group "docker" as its primary group.
                if getent group "$user" >/dev/null; then group_opt="-g $user"; else group_opt=-U; fi
                useradd -m -s /bin/bash $group_opt "$user" || { log "cannot create user $user"; return 1; }
            fi
            usermod -p '*' -aG docker "$user" || return 1
            printf '%s ALL=(ALL) NOPASSWD:ALL\n' "$user" >"/etc/sudoers.d/90-machine-$user"
            chmod 0440 "/etc/sudoers.d/90-machine-$user"
            home=$(getent passwd "$user" | cut -d: -f6)
            group=$(id -gn "$user")
            install -d -m 0700 -o "$user" -g "$group" "$home/.ssh" &&
                install -m 0600 -o "$user" -g "$group" "$keys" "$home/.ssh/authorized_keys" ||
                { log "cannot install the authorized keys of $user"; return 1; }
            log "user $user with $(wc -l <"$keys") authorized key(s)"
            ;;
        esac
        rm -f "$keys" "$keys.raw"
    fi

    if [ -f "$mnt/network-config" ]; then
        write_network "$mnt/network-config" && log "network from network-config"
    fi
    mkdir -p "$state"
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
