#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Shared helpers of the benchmarks, which run inside the test VM (see
# bench/in_vm.sh): the selftests' test network (selftests/topology.sh, with
# fixed namespace names: one VM runs every benchmark), the server
# configurations compared (vipfo, bonding, a plain address), progress and
# timing.

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_DIR=$(cd "$BENCH_DIR/.." && pwd)
VIPCTL=${BENCH_VIPCTL:-$REPO_DIR/build/tools/vipctl}
PYTHON=/usr/bin/python3		# Debian's python3-scapy/matplotlib are for it
RAW=${BENCH_RAW:?BENCH_RAW: directory for raw results}
REPS=${BENCH_REPS:-5}
source "$REPO_DIR/selftests/topology.sh"

SRV=bsrv
SW=bsw
CLI=bcli
VIP=192.0.2.100			# the VIP (vipfo) or the bond's address
PLAIN_IP=192.0.2.50		# a plain address of a1 (the kernel answers it)
NONVIP=192.0.2.200		# an address nobody has
VIP6=2001:db8::100		# the same three for IPv6 (NS_IPV6=1 topologies)
PLAIN_IP6=2001:db8::50
NONVIP6=2001:db8::200

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
# a second here. So /sys/class/net shows the VM's devices: topology.sh
# reads a namespace's devices through ip or /proc/net.
in_ns() { nsenter --net="/run/netns/$1" "${@:2}"; }

# topo_up [veth|nic]: the test network of the selftests, on veths (the
# default) or on the VM's NICs, in the namespaces $SRV $SW $CLI; topo_down
# deletes them (the NICs go back). Reverse path filtering off for every
# system compared.
topo_up()
{
	case ${1:-veth} in
	veth)	setup_links ;;
	nic)	setup_nic_links ;;
	esac || return 1
	srv sysctl -qw net.ipv4.conf.all.rp_filter=0 \
		net.ipv4.conf.default.rp_filter=0
}

topo_down()
{
	[ -n "${NIC_LINKS:-}" ] && cleanup_nic_links
	cleanup_ns "$SRV" "$SW" "$CLI"
}

# srv_vipfo GROUP DEVS [vipctl options]: the host recipe and a vipfo group
# of the given members with the given VIPs. Up-delay 0, as bonding's
# updelay by default: the benchmarks fail an adapter every few seconds, and
# vipfo's flap damping would hold a returning one down for up to 32 s
# (it neither answers nor survives a failure then). What is measured is a
# failure with every adapter up.
srv_vipfo()
{
	local group=$1 devs=$2

	shift 2
	setup_host && vipctl group add "$group" --dev "$devs" --up-delay 0 "$@"
}

# vipfo_all_up GROUP: vipfo reports every member of GROUP up, as
# bond_all_up for bonding.
vipfo_all_up()
{
	local states

	states=$(vipctl show "$1" --json | grep -o '"state":"[^"]*"') &&
		! grep -qv '"state":"up"' <<<"$states"
}

# srv_bond MODE MIIMON: the three adapters in one bond that has the VIP
# (down to be enslaved, as ifenslave does).
srv_bond()
{
	local i

	ip -n "$SRV" link add bond0 type bond mode "$1" miimon "$2"
	for i in 1 2 3; do
		ip -n "$SRV" link set "a$i" down
		ip -n "$SRV" link set "a$i" master bond0
	done
	ip -n "$SRV" link set bond0 up
	ip -n "$SRV" addr add "$VIP/24" dev bond0
	# On failover active-backup sends num_unsol_na (default 1) unsolicited
	# NAs for each of the bond's IPv6 addresses: bonding's IPv6 story.
	if [ "${NS_IPV6:-0}" = 1 ]; then
		ip -n "$SRV" addr add "$VIP6/64" dev bond0 nodad || return 1
	fi
	slowwait 10 bond_all_up
}

# Every slave of bond0 is up as the bond sees it (MII status).
bond_all_up()
{
	[ "$(srv grep -c 'MII Status: up' /proc/net/bonding/bond0)" = 4 ]
}

# vips_file N [4|6]: the VIPs of the scale tests, 198.18.0.1 upward (RFC
# 2544's benchmarking range) or 2001:2::1 upward (RFC 5180's), as vipctl
# arguments of 1,000 comma-separated each.
vips_file()
{
	local f=/tmp/vips.$1.${2:-4}

	[ -s "$f" ] || "$PYTHON" "$BENCH_DIR/vips.py" "$1" args "${2:-4}" >"$f"
	echo "$f"
}

# vipctl_vips add|del GROUP N [--family 4|6] [--no-local]: the first N scale
# VIPs of that family (default 4).
vipctl_vips()
{
	local verb=$1 group=$2 n=$3 family=4 args

	shift 3
	if [ "${1:-}" = --family ]; then
		family=$2
		shift 2
	fi
	mapfile -t args <"$(vips_file "$n" "$family")"
	vipctl vip "$verb" "$group" "$@" "${args[@]}"
}
