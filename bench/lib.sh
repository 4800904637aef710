#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Shared helpers of the benchmarks, which run inside the test VM (see
# bench/in_vm.sh): the topology, the ways an adapter fails, polling, and the
# server configurations compared (vipfo, bonding, a plain address).
#
#   server netns $SRV            switch netns $SW          client netns $CLI
#   a1 -------------------------- p1 --+
#   a2 -------------------------- p2 --+ br0
#   a3 -------------------------- p3 --+-- pc ------------- c0 192.0.2.1/24
#
# This is the selftests' topology (selftests/lib.sh) and host recipe; one
# VM runs every benchmark, so the namespace names are fixed.

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_DIR=$(cd "$BENCH_DIR/.." && pwd)
VIPCTL=${BENCH_VIPCTL:-$REPO_DIR/build/tools/vipctl}
PYTHON=/usr/bin/python3		# Debian's python3-scapy/matplotlib are for it
RAW=${BENCH_RAW:?BENCH_RAW: directory for raw results}
REPS=${BENCH_REPS:-5}

SRV=bsrv
SW=bsw
CLI=bcli
CLIENT_IP=192.0.2.1
VIP=192.0.2.100			# the VIP (vipfo) or the bond's address
PLAIN_IP=192.0.2.50		# a plain address of a1 (the kernel answers it)
NONVIP=192.0.2.200		# an address nobody has

# Microseconds since the epoch, and a difference of two as seconds. (No
# bc, no subshells in loops: under software emulation a process costs
# tens of milliseconds, and far more when the host is busy.)
now_us() { echo "${EPOCHREALTIME/./}"; }
secs() { printf '%d.%06d' $((($2 - $1) / 1000000)) $((($2 - $1) % 1000000)); }

progress()
{
	local t=${EPOCHREALTIME/./}

	printf '[bench %4ds] %s\n' $(((t - ${BENCH_T0:-$t}) / 1000000)) "$*"
}

# nsenter --net, not `ip netns exec`: that also remounts /sys, which costs
# a second here. So /sys/class/net shows the VM's devices: read a
# namespace's devices through ip or /proc/net.
ns() { nsenter --net="/run/netns/$1" "${@:2}"; }
srv() { ns "$SRV" "$@"; }
sw() { ns "$SW" "$@"; }
cli() { ns "$CLI" "$@"; }
vipctl() { ns "$SRV" "$VIPCTL" "$@"; }

# wait_for SECONDS CMD...: poll CMD every 20 ms until it succeeds.
wait_for()
{
	local deadline=$((${EPOCHREALTIME/./} + $1 * 1000000))

	shift
	until "$@" >/dev/null 2>&1; do
		[ "${EPOCHREALTIME/./}" -gt "$deadline" ] && return 1
		sleep 0.02
	done
}

# links_up NS IF...: every IF is up with carrier
links_up()
{
	local ns=$1 i

	shift
	for i in "$@"; do
		ip -n "$ns" link show "$i" 2>/dev/null | grep -q LOWER_UP || return 1
	done
}

# mac NS IF
mac() { ip -n "$1" -br link show dev "$2" | awk '{ print $3 }'; }

# Three veth adapters of the server on the switch's bridge, and the client.
topo_up()
{
	local ns i

	topo_down
	for ns in "$SRV" "$SW" "$CLI"; do
		ip netns add "$ns" || return 1
		ip -n "$ns" link set lo up
		ns "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
			net.ipv6.conf.default.disable_ipv6=1
	done
	ip -n "$SW" link add br0 type bridge
	ip -n "$SW" link set br0 up
	for i in 1 2 3; do
		ip -n "$SRV" link add "a$i" type veth peer name "p$i" netns "$SW"
		ip -n "$SW" link set "p$i" master br0 up
	done
	ip -n "$CLI" link add c0 type veth peer name pc netns "$SW"
	ip -n "$SW" link set pc master br0 up
	ip -n "$CLI" link set c0 up
	ip -n "$CLI" addr add "$CLIENT_IP/24" dev c0
	srv sysctl -qw net.ipv4.conf.all.rp_filter=0 \
		net.ipv4.conf.default.rp_filter=0
}

topo_down()
{
	local ns

	for ns in "$SRV" "$SW" "$CLI"; do
		ip netns del "$ns" 2>/dev/null
	done
	return 0
}

# The host recipe of the README and the selftests, and a vipfo group of the
# given members (default all three) and VIPs (vipctl options may follow).
srv_vipfo()
{
	local group=$1 devs=$2 i

	shift 2
	srv sysctl -qw net.ipv4.conf.all.arp_ignore=1 \
		net.ipv4.conf.all.arp_announce=2 \
		net.ipv4.conf.all.ignore_routes_with_linkdown=1
	for i in 1 2 3; do
		srv sysctl -qw "net.ipv4.conf.a$i.rp_filter=0"
		ip -n "$SRV" link set "a$i" up
	done
	ip -n "$SRV" route add 192.0.2.0/24 metric 100 \
		nexthop dev a1 nexthop dev a2 nexthop dev a3
	for i in 1 2 3; do
		ip -n "$SRV" route add 192.0.2.0/24 dev "a$i" metric "20$i"
	done
	wait_for 10 links_up "$SRV" a1 a2 a3 || return 1
	vipctl group add "$group" --dev "$devs" "$@"
}

# srv_bond MODE MIIMON: the three adapters in one bond that has the VIP.
srv_bond()
{
	local i

	ip -n "$SRV" link add bond0 type bond mode "$1" miimon "$2"
	for i in 1 2 3; do
		ip -n "$SRV" link set "a$i" master bond0
	done
	ip -n "$SRV" link set bond0 up
	ip -n "$SRV" addr add "$VIP/24" dev bond0
	wait_for 10 bond_all_up
}

# Every slave of bond0 is up as the bond sees it (MII status).
bond_all_up()
{
	[ "$(srv grep -c 'MII Status: up' /proc/net/bonding/bond0)" = 4 ]
}

# Ways an adapter fails: carrier loss (the switch port goes down) or admin
# down on the server; on the NIC topology, its cable pulled, alone or while
# another device of the host (d0) changes its carrier as fast as `ip` can,
# so that linkwatch has always run just before (qemu's monitor is too slow
# to time a single event). fail_adapter HOW IF
fail_adapter()
{
	case $1 in
	carrier)	ip -n "$SW" link set "p${2#a}" down ;;
	admin)		ip -n "$SRV" link set "$2" down ;;
	cable)		cable "$2" off ;;
	cable-event)	nsenter --net="/run/netns/$SRV" bash -c 'while :; do
				ip link set d0 carrier off
				ip link set d0 carrier on; done' &
			echo $! >/tmp/bench-flap.pid
			sleep 0.5
			cable "$2" off ;;
	esac
}

recover_adapter()
{
	case $1 in
	carrier)	ip -n "$SW" link set "p${2#a}" up ;;
	admin)		ip -n "$SRV" link set "$2" up ;;
	cable)		cable "$2" on ;;
	cable-event)	kill "$(cat /tmp/bench-flap.pid)"
			wait "$(cat /tmp/bench-flap.pid)" 2>/dev/null
			ip -n "$SRV" link set d0 carrier on
			cable "$2" on ;;
	esac
	wait_for 10 links_up "$SRV" "$2"
}

# vips N: the VIPs of the scale tests, 198.18.0.1 upward (RFC 2544's
# benchmarking range), as vipctl arguments of 1,000 comma-separated each.
vips_file()
{
	local f=/tmp/vips.$1

	[ -s "$f" ] || "$PYTHON" "$BENCH_DIR/vips.py" "$1" args >"$f"
	echo "$f"
}

# vipctl_vips vip add|del GROUP N [--no-local]: the first N scale VIPs.
vipctl_vips()
{
	local verb=$1 group=$2 n=$3 args

	shift 3
	mapfile -t args <"$(vips_file "$n")"
	vipctl vip "$verb" "$group" "$@" "${args[@]}"
}

# counter NS IF rx|tx: packets received or sent
counter()
{
	ns "$1" awk -v i="$2:" -v f="$3" '$1 == i { print f == "rx" ? $3 : $11 }' /proc/net/dev
}

# ---------------------------------------------------------------- NICs
#
# The NIC topology (issue 4): the VM's virtio-net NICs on one qemu hub,
# which is the switch. eth0-eth2 (qemu nic0-nic2) become the server's
# a1-a3, eth3 (nic3) the client's c0; a dummy d0 on the server is "another
# device of the host" whose link changes. Needs scripts/vm-run --nics 4.
HOST_CMD=$REPO_DIR/scripts/vm/host-cmd

have_nics() { [ -d /sys/class/net/eth3 ] && [ -d /run/vm/hostcmd ]; }

nic_topo_up()
{
	local ns i

	nic_topo_down
	for ns in "$SRV" "$CLI"; do
		ip netns add "$ns" || return 1
		ip -n "$ns" link set lo up
		ns "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
			net.ipv6.conf.default.disable_ipv6=1
	done
	for i in 0 1 2; do
		ip link set "eth$i" netns "$SRV" &&
			ip -n "$SRV" link set "eth$i" name "a$((i + 1))" || return 1
	done
	ip link set eth3 netns "$CLI" && ip -n "$CLI" link set eth3 name c0 &&
		ip -n "$CLI" link set c0 up &&
		ip -n "$CLI" addr add "$CLIENT_IP/24" dev c0 || return 1
	ip -n "$SRV" link add d0 type dummy && ip -n "$SRV" link set d0 up &&
		srv sysctl -qw net.ipv4.conf.all.rp_filter=0 \
			net.ipv4.conf.default.rp_filter=0
}

# The NICs go back to the VM's namespace under their own names (deleting
# the namespace alone would bring them back as a1..a3, c0).
nic_topo_down()
{
	local i

	for i in 0 1 2; do
		ip -n "$SRV" link set "a$((i + 1))" down 2>/dev/null
		ip -n "$SRV" link set "a$((i + 1))" netns 1 name "eth$i" 2>/dev/null
	done
	ip -n "$CLI" link set c0 down 2>/dev/null
	ip -n "$CLI" link set c0 netns 1 name eth3 2>/dev/null
	topo_down
}

# cable aN on|off: qemu plugs or pulls the cable of adapter aN.
cable() { "$HOST_CMD" set_link "nic$((${1#a} - 1))" "$2" >/dev/null; }
