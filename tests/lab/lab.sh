#!/usr/bin/env bash
# tests/lab/lab.sh - a libvirt lab of several "hosts" on one machine, for the
# real-QEMU integration tests (label "lab", not part of the default run).
#
# Each host is its own libvirtd in private mount + UTS namespaces (own
# /etc/libvirt, /run/libvirt, /var/lib/libvirt, /var/log/libvirt,
# /var/cache/libvirt, hostname lab-NAME and host UUID), listening with plain
# TCP and no authentication on its own loopback address.  The network
# namespace is shared, so the hosts reach each other (and migrate) over
# 127.0.0.0/8.  QEMU runs as root, without cgroups or security drivers.
#
# usage: lab.sh up | down | status | restart NAME
#        restart NAME kills host NAME's libvirtd (SIGKILL: its connections
#        drop, its QEMUs keep running) and starts it again on the same
#        state, so it finds its running domains again
# env:   VP_LAB_DIR    state directory             (default /tmp/vmpilot-lab)
#        VP_LAB_HOSTS  "NAME:IP[:UUID-OF] ..."      (default "A:127.0.0.2 B:127.0.0.3")
#                      NAME:IP:OTHER gives the host the UUID of host OTHER, so
#                      libvirt takes the two for the same machine
# URIs:  qemu+tcp://IP/system
# Needs root (namespaces, bind mounts); installs libvirt-clients,
# libvirt-daemon, libvirt-daemon-driver-qemu and qemu-system-x86 with apt
# when libvirtd, virsh or qemu-system-x86_64 is missing.
set -euo pipefail

LAB=${VP_LAB_DIR:-/tmp/vmpilot-lab}
HOSTS=${VP_LAB_HOSTS:-"A:127.0.0.2 B:127.0.0.3"}
DIRS="/etc/libvirt /run/libvirt /var/lib/libvirt /var/log/libvirt /var/cache/libvirt"

say() { echo "[lab $(date +%T)] $*"; }
die() { echo "lab.sh: $*" >&2; exit 1; }

install_packages() {
    command -v libvirtd >/dev/null && command -v virsh >/dev/null &&
        command -v qemu-system-x86_64 >/dev/null && return 0
    [ "$(id -u)" = 0 ] || die "libvirt/QEMU missing and not root: cannot install"
    say "installing libvirt + QEMU"
    apt-get update -q >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
        libvirt-clients libvirt-daemon libvirt-daemon-driver-qemu qemu-system-x86 >/dev/null
}

uuid_of() { # index (1-based position in HOSTS)
    printf '5a5a%04x-0000-4000-8000-%012x' "$1" "$1"
}

index_of() { # name -> 1-based position in HOSTS
    local i=0 h
    for h in $HOSTS; do
        i=$((i + 1))
        [ "${h%%:*}" = "$1" ] && { echo $i; return 0; }
    done
    die "no host named '$1' in VP_LAB_HOSTS"
}

pid_alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

start_host() { # name ip uuid index
    local name=$1 ip=$2 uuid=$3 idx=$4 d=$LAB/$1 m
    local port=$((49400 + idx * 20))
    pid_alive "$d/ns.pid" && { say "$name already up"; return 0; }
    ! virsh -q -c "qemu+tcp://$ip/system" uri >/dev/null 2>&1 ||
        die "a libvirtd already answers on $ip (another lab? lab.sh down with its VP_LAB_DIR)"
    rm -rf "$d"
    mkdir -p "$d"/{etc,run,lib,log,cache}
    cp -a /etc/libvirt/. "$d/etc/"
    cat > "$d/etc/libvirtd.conf" <<EOF
listen_tls = 0
listen_tcp = 1
listen_addr = "$ip"
auth_tcp = "none"
auth_unix_rw = "none"
auth_unix_ro = "none"
host_uuid = "$uuid"
log_outputs = "2:file:/var/log/libvirt/libvirtd.log"
EOF
    cat > "$d/etc/qemu.conf" <<EOF
user = "root"
group = "root"
dynamic_ownership = 0
remember_owner = 0
security_driver = "none"
namespaces = [ ]
cgroup_controllers = [ ]
stdio_handler = "file"
migration_address = "$ip"
migration_host = "$ip"
migration_port_min = $port
migration_port_max = $((port + 19))
EOF
    # the Debian QEMU driver looks up user libvirt-qemu even when told root:
    # give the daemon private passwd/group files that have it
    cp /etc/passwd "$d/passwd"
    cp /etc/group "$d/group"
    grep -q '^libvirt-qemu:' "$d/group" || echo 'libvirt-qemu:x:64055:' >> "$d/group"
    grep -q '^libvirt-qemu:' "$d/passwd" ||
        echo 'libvirt-qemu:x:64055:64055::/var/lib/libvirt:/usr/sbin/nologin' >> "$d/passwd"
    for m in $DIRS; do
        [ -d "$m" ] || { mkdir -p "$m"; echo "$m" >> "$LAB/created-dirs"; }
    done
    echo "$ip" > "$d/ip"
    launch_host "$name"
}

launch_host() { # name: starts the daemon on the state in $LAB/name
    local name=$1 d=$LAB/$1
    setsid unshare --mount --uts --propagation private -- /bin/sh -c "
        set -e
        mount --bind '$d/passwd' /etc/passwd
        mount --bind '$d/group' /etc/group
        mount --bind '$LAB/hosts' /etc/hosts
        mount --bind '$d/etc' /etc/libvirt
        mount --bind '$d/run' /run/libvirt
        mount --bind '$d/lib' /var/lib/libvirt
        mount --bind '$d/log' /var/log/libvirt
        mount --bind '$d/cache' /var/cache/libvirt
        hostname 'lab-$name'
        exec /usr/sbin/libvirtd --listen -f /etc/libvirt/libvirtd.conf -p '$d/libvirtd.pid'
    " > "$d/daemon.out" 2>&1 < /dev/null &
    echo $! > "$d/ns.pid"
}

cmd_restart() { # name
    local d=$LAB/$1
    [ -f "$d/ns.pid" ] || die "no host $1 in $LAB"
    kill -KILL "$(cat "$d/ns.pid")" 2>/dev/null || true
    while pid_alive "$d/ns.pid"; do sleep 0.05; done
    say "$1 killed"
    launch_host "$1"
    wait_host "$1" "$(cat "$d/ip")"
}

wait_host() { # name ip
    local i
    for i in $(seq 1 300); do
        if virsh -q -c "qemu+tcp://$2/system" uri >/dev/null 2>&1; then
            say "$1 up: qemu+tcp://$2/system"
            return 0
        fi
        pid_alive "$LAB/$1/ns.pid" || break
        sleep 0.1
    done
    echo "lab.sh: host $1 did not come up; its logs:" >&2
    tail -n 20 "$LAB/$1/daemon.out" "$LAB/$1/log/libvirtd.log" >&2 2>/dev/null || true
    return 1
}

cmd_up() {
    [ "$(id -u)" = 0 ] || die "needs root (namespaces and bind mounts)"
    command -v unshare >/dev/null || die "needs unshare (util-linux)"
    install_packages
    mkdir -p "$LAB"
    local h i=0 name rest ip other uuid
    { cat /etc/hosts; for h in $HOSTS; do rest=${h#*:}; echo "${rest%%:*} lab-${h%%:*}"; done; } \
        > "$LAB/hosts"
    for h in $HOSTS; do
        i=$((i + 1))
        name=${h%%:*}; rest=${h#*:}; ip=${rest%%:*}; other=${rest#*:}
        [ "$other" = "$rest" ] && uuid=$(uuid_of $i) || uuid=$(uuid_of "$(index_of "$other")")
        start_host "$name" "$ip" "$uuid" $i
    done
    for h in $HOSTS; do rest=${h#*:}; wait_host "${h%%:*}" "${rest%%:*}"; done
}

stop_pid() { # pid
    local i
    kill -0 "$1" 2>/dev/null || return 0
    kill -TERM "$1" 2>/dev/null || true
    for i in $(seq 1 50); do kill -0 "$1" 2>/dev/null || return 0; sleep 0.1; done
    kill -KILL "$1" 2>/dev/null || true
}

cmd_down() {
    local h d ip dom pf p
    for h in $HOSTS; do
        d=$LAB/${h%%:*}
        [ -d "$d" ] || continue
        ip=$(cat "$d/ip" 2>/dev/null || true)
        if pid_alive "$d/ns.pid"; then
            for dom in $(virsh -q -c "qemu+tcp://$ip/system" list --name 2>/dev/null); do
                virsh -q -c "qemu+tcp://$ip/system" destroy "$dom" >/dev/null 2>&1 || true
            done
            stop_pid "$(cat "$d/ns.pid")"
        fi
        # QEMUs left behind by a daemon that died (pid files in its /run/libvirt)
        for pf in "$d"/run/qemu/*.pid; do
            [ -f "$pf" ] || continue
            p=$(cat "$pf")
            [ -n "$p" ] && grep -q qemu-system "/proc/$p/cmdline" 2>/dev/null && stop_pid "$p"
        done
        say "${h%%:*} down"
    done
    if [ -f "$LAB/created-dirs" ]; then
        sort -u "$LAB/created-dirs" | while read -r d; do rmdir "$d" 2>/dev/null || true; done
    fi
    rm -rf "$LAB"
}

cmd_status() {
    local h rest
    for h in $HOSTS; do
        rest=${h#*:}
        echo "== ${h%%:*} qemu+tcp://${rest%%:*}/system"
        virsh -c "qemu+tcp://${rest%%:*}/system" list --all 2>&1 || true
    done
}

case "${1:-}" in
    up) cmd_up ;;
    down) cmd_down ;;
    status) cmd_status ;;
    restart) cmd_restart "${2:?usage: lab.sh restart NAME}" ;;
    *) echo "usage: lab.sh up|down|status|restart NAME" >&2; exit 2 ;;
esac
