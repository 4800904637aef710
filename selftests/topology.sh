#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The test network of vipfo, one library for the selftests (lib.sh sources
# it) and the benchmarks (bench/lib.sh): network namespaces, polling, the
# server with three adapters on a switch, the client, the host recipe, the
# same on the VM's virtio-net NICs, and the ways an adapter fails. Names
# follow the kernel's tools/testing/selftests/net/lib.sh where it has the
# same helper (setup_ns, cleanup_ns, cleanup_all_ns, slowwait).
#
# The caller names the namespaces (SRV, SW, CLI, CLI2: unique names in the
# selftests, fixed ones in the benchmarks; setup_ns makes one up when the
# variable is empty) and may set CLIENT_IP and CLIENT2_IP.
#
#   server netns $SRV            switch netns $SW          client netns $CLI
#   lo: VIPs 192.0.2.100+/32     br0 (a bridge)
#   a1 -------------------------- p1 --+
#   a2 -------------------------- p2 --+
#   a3 -------------------------- p3 --+-- pc ------------- c0 192.0.2.1/24
#                                      |                      (2001:db8::1/64)
#                                      +-- pc2 ------------ c0 192.0.2.2/24 of
#                                          $CLI2 (after setup_client2)
#   a4 (not a member; only after setup_nonmember) ---------- c4 (own segment)
#
# On the NICs (setup_nic_links, scripts/vm-run --nics 4) qemu's hub is the
# switch: eth0-eth2 become a1-a3, eth3 the client's c0, and a dummy d0 of
# the server is "another device of the host" whose link can change.
#
# Host recipe (setup_host: what the server needs besides vipfo; the README
# repeats it), verified with no addresses at all on the member adapters:
#
#   # the VIPs are /32 local addresses on lo; `vipctl vip add` puts them there
#   sysctl -w net.ipv4.conf.all.arp_ignore=1    # the kernel answers ARP only
#                          # for addresses of the receiving device: never
#                          # for lo's VIPs (vipfo answers those)
#   sysctl -w net.ipv4.conf.all.arp_announce=2  # our own ARP requests carry
#                          # the best local source address (a VIP here)
#   sysctl -w net.ipv4.conf.all.ignore_routes_with_linkdown=1
#   sysctl -w net.ipv4.conf.all.rp_filter=0     # and on each adapter,
#   sysctl -w net.ipv4.conf.a1.rp_filter=0      # see below (a2, a3 too)
#   ip route add 192.0.2.0/24 metric 100 \
#           nexthop dev a1 nexthop dev a2 nexthop dev a3
#   ip route add 192.0.2.0/24 dev a1 metric 201   # fallbacks, see below
#   ip route add 192.0.2.0/24 dev a2 metric 202
#   ip route add 192.0.2.0/24 dev a3 metric 203
#
# Inbound, peers reach the VIPs through whichever adapter's MAC they hold,
# and vipfo's gratuitous ARPs move them when that adapter fails. Outbound
# (replies, the ACKs of a TCP connection) leaves by the multipath route:
# admin down takes an adapter's nexthop out of it (dead), carrier loss only
# with ignore_routes_with_linkdown=1 (linkdown), and both come back by
# themselves when the adapter recovers. Unregistering any of its devices,
# however, makes the kernel delete the whole multipath route; the
# per-adapter routes with higher metrics then carry the traffic (admin down
# deletes an adapter's own fallback route, so re-add them, and the
# multipath route, whenever an adapter is re-created).
#
# Reverse path filtering: the adapters have no addresses, and for such a
# device the kernel accepts a packet under rp_filter=1 or 2 only if the
# best route back to the sender uses that device. That holds for every
# adapter of the multipath route, but not once the fallbacks carry the
# traffic: packets arriving on any adapter but the first would be dropped.
# So rp_filter=0 on all and on each adapter (the effective value is the
# larger of the two; systemd's default is 2).
#
# IPv6 (NS_IPV6=1; the client is 2001:db8::1/64, VIPv6s 2001:db8::100+ on
# lo as /128): one route per adapter, by metric, since Linux makes IPv6
# multipath routes of nexthops with a gateway only:
#
#   sysctl -w net.ipv6.conf.all.ignore_routes_with_linkdown=1
#   ip -6 route add 2001:db8::/64 dev a1 metric 201   # a2 202, a3 203
#
# Admin down deletes an adapter's IPv6 routes for good: host_routes adds
# them again.
#
# The adapters need IPv6 enabled (disable_ipv6=0: the kernel drops every
# IPv6 frame of a device without it, solicitations included) and no
# address but their link-local; the server's own solicitations take a VIP
# or the link-local as source.
#
# The adapters need no addresses: replies and our own ARP requests take a
# VIP as source. Peers must not set drop_gratuitous_arp=1, or they ignore
# the updates.

TOPOLOGY_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
HOST_CMD=${HOST_CMD:-$TOPOLOGY_DIR/../scripts/vm/host-cmd}
CLIENT_IP=${CLIENT_IP:-192.0.2.1}
CLIENT2_IP=${CLIENT2_IP:-192.0.2.2}
CLIENT6_IP=${CLIENT6_IP:-2001:db8::1}
CLIENT2_IP6=${CLIENT2_IP6:-2001:db8::2}
NS_LIST=()

# ---------------------------------------------------------------- namespaces

# in_ns NS CMD...: run CMD in NS with that namespace's /sys too, which
# programs reading /sys/class/net need. (The benchmarks redefine it.)
in_ns() { ip netns exec "$@"; }
srv() { in_ns "$SRV" "$@"; }
sw() { in_ns "$SW" "$@"; }
cli() { in_ns "$CLI" "$@"; }
cli2() { in_ns "$CLI2" "$@"; }
vipctl() { in_ns "$SRV" "$VIPCTL" "$@"; }

# trafgen_in NS [-T SECONDS] ARG...: trafgen (netsniff-ng) in NS, from
# /tmp. trafgen keeps its counters in a file it creates in its working
# directory and maps shared (.tmp_mmap.XXXXXX): in a read-only directory
# it stops with "Cannot create unique temporary file!", on the 9p share a
# checkout under /tmp is in the VM with "Cannot setup shared variable!"
# (9p without a page cache maps files read-only), on 6.1 and 6.12 alike.
# Its notes that it cannot raise net.core.{r,w}mem_* (absent in a network
# namespace) are harmless and go to stdout, its errors to stderr. -T stops
# it with SIGINT (its worker stops on no other signal) after SECONDS;
# the status is then timeout's 124.
trafgen_in()
{
	local ns=$1 stop=()

	shift
	if [ "$1" = -T ]; then
		stop=(timeout -s INT "$2")
		shift 2
	fi
	(cd /tmp && in_ns "$ns" "${stop[@]}" trafgen "$@")
}

# setup_ns VAR...: a new namespace for each variable, named by its value
# (a leftover namespace of that name is deleted first) or, when empty,
# VAR in lower case and the selftest's $SUFFIX (else a random one).
# Loopback up. IPv6 off, unless NS_IPV6=1: then on, without DAD, router
# solicitations or router advertisements, so that links are usable at
# once and quiet.
# cleanup_all_ns deletes them.
setup_ns()
{
	local _var _ns

	for _var in "$@"; do
		[ -n "${!_var:-}" ] ||
			printf -v "$_var" '%s-%s' "${_var,,}" "${SUFFIX:-$(mktemp -u XXXXXX)}"
		_ns=${!_var}
		cleanup_ns "$_ns"
		ip netns add "$_ns" || return 1
		NS_LIST+=("$_ns")
		ip -n "$_ns" link set lo up
		if [ "${NS_IPV6:-0}" = 1 ]; then
			in_ns "$_ns" sysctl -qw \
				net.ipv6.conf.all.accept_dad=0 \
				net.ipv6.conf.default.accept_dad=0 \
				net.ipv6.conf.all.router_solicitations=0 \
				net.ipv6.conf.default.router_solicitations=0 \
				net.ipv6.conf.all.accept_ra=0 \
				net.ipv6.conf.default.accept_ra=0 || return 1
		else
			in_ns "$_ns" sysctl -qw \
				net.ipv6.conf.all.disable_ipv6=1 \
				net.ipv6.conf.default.disable_ipv6=1 2>/dev/null
		fi
	done
	return 0
}

# cleanup_ns NS...: delete them, if they exist, and forget them.
cleanup_ns()
{
	local ns i

	for ns in "$@"; do
		ip netns del "$ns" 2>/dev/null
		for i in "${!NS_LIST[@]}"; do
			[ "${NS_LIST[i]}" = "$ns" ] && unset 'NS_LIST[i]'
		done
	done
	NS_LIST=("${NS_LIST[@]}")
	return 0
}

# cleanup_all_ns: the NICs back to the VM, then every namespace of
# setup_ns.
cleanup_all_ns()
{
	[ -n "${NIC_LINKS:-}" ] && cleanup_nic_links
	cleanup_ns "${NS_LIST[@]}"
}

# ---------------------------------------------------------------- polling

now_ms()
{
	local t=${EPOCHREALTIME/./}

	echo $((t / 1000))
}

# slowwait SECONDS CMD...: run CMD every 50 ms until it succeeds (0) or the
# deadline passes (1). Quiet, unlike upstream's: CMD's output is dropped.
# Never a blind sleep.
slowwait()
{
	local deadline=$(($(now_ms) + $1 * 1000))

	shift
	until "$@" >/dev/null 2>&1; do
		[ "$(now_ms)" -ge "$deadline" ] && return 1
		sleep 0.05
	done
}

# ---------------------------------------------------------------- devices

# links_up NS IF...: every IF is up with carrier
links_up()
{
	local ns=$1 i

	shift
	for i in "$@"; do
		ip -n "$ns" link show "$i" 2>/dev/null | grep -q 'LOWER_UP' ||
			return 1
	done
}

# mac NS IF, ifindex NS IF (through ip: in_ns may not remount /sys)
mac()
{
	ip -n "$1" -o link show dev "$2" | sed -n 's|.* link/ether \([0-9a-f:]*\) .*|\1|p'
}

ifindex()
{
	ip -n "$1" -o link show dev "$2" | cut -d: -f1
}

# adapter_of_mac MAC: the server's adapter that has MAC, or "?"
adapter_of_mac()
{
	local i

	for i in a1 a2 a3 a4; do
		[ "$(mac "$SRV" "$i" 2>/dev/null)" = "$1" ] && echo "$i" && return 0
	done
	echo "?"
}

# counter NS IF rx|tx: packets received or sent
counter()
{
	in_ns "$1" awk -v i="$2:" -v f="$3" \
		'$1 == i { print f == "rx" ? $3 : $11 }' /proc/net/dev
}

# ---------------------------------------------------------------- veths

# setup_links: the server's three adapters on the switch's bridge and the
# client on it too, everything up; no host recipe yet. (In batches: every
# process costs under software emulation.)
setup_links()
{
	local i

	setup_ns SRV SW CLI || return 1
	for i in 1 2 3; do
		echo "link add a$i type veth peer name p$i netns $SW"
		echo "link set a$i up"
	done | ip -n "$SRV" -b - || return 1
	printf '%s\n' "link add c0 type veth peer name pc netns $SW" \
		"link set c0 up" "addr add $CLIENT_IP/24 dev c0" |
		ip -n "$CLI" -b - || return 1
	if [ "${NS_IPV6:-0}" = 1 ]; then
		ip -n "$CLI" addr add "$CLIENT6_IP/64" dev c0 nodad || return 1
	fi
	printf '%s\n' "link add br0 type bridge" "link set br0 up" \
		"link set p1 master br0 up" "link set p2 master br0 up" \
		"link set p3 master br0 up" "link set pc master br0 up" |
		ip -n "$SW" -b - || return 1
	slowwait 10 links_up "$SRV" a1 a2 a3
}

# setup_host: the host recipe above, on a1 a2 a3.
setup_host()
{
	srv sysctl -qw net.ipv4.conf.all.arp_ignore=1 \
		net.ipv4.conf.all.arp_announce=2 \
		net.ipv4.conf.all.ignore_routes_with_linkdown=1 \
		net.ipv4.conf.all.rp_filter=0 \
		net.ipv4.conf.default.rp_filter=0 \
		net.ipv4.conf.a1.rp_filter=0 net.ipv4.conf.a2.rp_filter=0 \
		net.ipv4.conf.a3.rp_filter=0 || return 1
	if [ "${NS_IPV6:-0}" = 1 ]; then
		srv sysctl -qw net.ipv6.conf.all.ignore_routes_with_linkdown=1 ||
			return 1
	fi
	host_routes
}

# host_routes: the recipe's routes, again after a fault took some away
# (admin down deletes an adapter's fallback route, unregistering any
# adapter the multipath route).
host_routes()
{
	printf '%s\n' "route replace 192.0.2.0/24 metric 100 nexthop dev a1 nexthop dev a2 nexthop dev a3" \
		"route replace 192.0.2.0/24 dev a1 metric 201" \
		"route replace 192.0.2.0/24 dev a2 metric 202" \
		"route replace 192.0.2.0/24 dev a3 metric 203" |
		ip -n "$SRV" -b - || return 1
	[ "${NS_IPV6:-0}" = 1 ] || return 0
	printf '%s\n' "route replace 2001:db8::/64 dev a1 metric 201" \
		"route replace 2001:db8::/64 dev a2 metric 202" \
		"route replace 2001:db8::/64 dev a3 metric 203" |
		ip -n "$SRV" -6 -b -
}

# A second host on the switch: namespace $CLI2, its c0 (CLIENT2_IP) on the
# bridge's port pc2.
setup_client2()
{
	setup_ns CLI2 || return 1
	printf '%s\n' "link add c0 type veth peer name pc2 netns $SW" \
		"link set c0 up" "addr add $CLIENT2_IP/24 dev c0" |
		ip -n "$CLI2" -b - || return 1
	if [ "${NS_IPV6:-0}" = 1 ]; then
		ip -n "$CLI2" addr add "$CLIENT2_IP6/64" dev c0 nodad || return 1
	fi
	ip -n "$SW" link set pc2 master br0 up || return 1
	slowwait 10 links_up "$CLI2" c0
}

# A fourth server adapter a4 that is no member, on its own segment with the
# client's c4 (so requests reach it and no member).
setup_nonmember()
{
	ip -n "$SRV" link add a4 type veth peer name c4 netns "$CLI" || return 1
	srv sysctl -qw net.ipv4.conf.a4.rp_filter=0
	ip -n "$SRV" link set a4 up
	ip -n "$CLI" link set c4 up
	slowwait 10 links_up "$SRV" a4
}

# ---------------------------------------------------------------- two hosts

# setup_two_hosts: hosts $H1 and $H2 (namespaces), three adapters each on
# the switch's bridge (ports p11-p13, p21-p23), and the client on it; each
# host has the host recipe, and on a1 an IPv4 address of a subnet of its
# own, 198.51.100.1/24 and .2/24, for VRRP (docs/keepalived.md). For the
# test and the benchmark of failover between hosts with keepalived.
setup_two_hosts()
{
	setup_ns H1 H2 SW CLI || return 1
	printf '%s\n' "link add br0 type bridge" "link set br0 up" |
		ip -n "$SW" -b - || return 1
	printf '%s\n' "link add c0 type veth peer name pc netns $SW" \
		"link set c0 up" "addr add $CLIENT_IP/24 dev c0" |
		ip -n "$CLI" -b - || return 1
	if [ "${NS_IPV6:-0}" = 1 ]; then
		ip -n "$CLI" addr add "$CLIENT6_IP/64" dev c0 nodad || return 1
	fi
	ip -n "$SW" link set pc master br0 up || return 1
	host_on_switch "$H1" 1 && host_on_switch "$H2" 2 &&
		slowwait 10 links_up "$CLI" c0
}

# host_on_switch H N: host H's adapters a1 a2 a3 on the switch's ports
# pN1 pN2 pN3, the host recipe, a1's VRRP address
host_on_switch()
{
	local h=$1 n=$2 i

	for i in 1 2 3; do
		echo "link add a$i type veth peer name p$n$i netns $SW"
		echo "link set a$i up"
	done | ip -n "$h" -b - || return 1
	for i in 1 2 3; do
		echo "link set p$n$i master br0 up"
	done | ip -n "$SW" -b - || return 1
	ip -n "$h" addr add "198.51.100.$n/24" dev a1 || return 1
	SRV=$h setup_host && slowwait 10 links_up "$h" a1 a2 a3
}

# ---------------------------------------------------------------- NICs

# have_nics: the VM's four NICs and qemu's monitor (scripts/vm-run --nics 4)
have_nics() { [ -d /sys/class/net/eth3 ] && [ -d /run/vm/hostcmd ]; }

# setup_nic_links: eth0-eth2 become the server's a1-a3, eth3 the client's
# c0 (CLIENT_IP), d0 a dummy of the server; all up. cleanup_all_ns gives
# the NICs back.
setup_nic_links()
{
	local i

	setup_ns SRV CLI || return 1
	NIC_LINKS=1
	for i in 0 1 2; do
		ip link set "eth$i" netns "$SRV" &&
			ip -n "$SRV" link set "eth$i" name "a$((i + 1))" up ||
			return 1
	done
	ip link set eth3 netns "$CLI" && ip -n "$CLI" link set eth3 name c0 up &&
		ip -n "$CLI" addr add "$CLIENT_IP/24" dev c0 || return 1
	if [ "${NS_IPV6:-0}" = 1 ]; then
		ip -n "$CLI" addr add "$CLIENT6_IP/64" dev c0 nodad || return 1
	fi
	ip -n "$SRV" link add d0 type dummy && ip -n "$SRV" link set d0 up ||
		return 1
	slowwait 20 links_up "$SRV" a1 a2 a3 && slowwait 20 links_up "$CLI" c0
}

# The NICs go back to the VM's namespace under their own names (deleting
# the namespace alone would bring them back as a1..a3, c0), cables in.
cleanup_nic_links()
{
	local i

	for i in 1 2 3; do
		cable "a$i" on 2>/dev/null
		ip -n "$SRV" link set "a$i" down 2>/dev/null
		ip -n "$SRV" link set "a$i" netns 1 name "eth$((i - 1))" 2>/dev/null
	done
	ip -n "$CLI" link set c0 down 2>/dev/null
	ip -n "$CLI" link set c0 netns 1 name eth3 2>/dev/null
	NIC_LINKS=
}

# cable aN on|off: qemu plugs or pulls the cable of adapter aN (ethN-1).
cable() { "$HOST_CMD" set_link "nic$((${1#a} - 1))" "$2" >/dev/null; }

# ---------------------------------------------------------------- failures

# fail_adapter HOW IF, recover_adapter HOW IF: the ways an adapter fails.
#   admin-down    on the server
#   carrier-loss  the switch port goes down (veths)
#   unregister    the device is deleted (no recover_adapter)
#   cable         its cable pulled (NICs)
#   cable-event   its cable pulled while d0's carrier changes as fast as ip
#                 can, so that linkwatch has always run just before (qemu's
#                 monitor is too slow to time a single event)
fail_adapter()
{
	case $1 in
	admin-down)	ip -n "$SRV" link set "$2" down ;;
	carrier-loss)	ip -n "$SW" link set "p${2#a}" down ;;
	# Bounded: a device reference the module never drops hangs this.
	unregister)	timeout 30 ip -n "$SRV" link del "$2" ;;
	cable)		cable "$2" off ;;
	# nsenter, not in_ns: $! must be the loop itself, not a subshell
	# running a function, or kill leaves the loop running; and not ip
	# netns exec, whose /sys remount can outlast the 0.5 s below.
	cable-event)	nsenter --net="/run/netns/$SRV" bash -c 'while :; do
				ip link set d0 carrier off
				ip link set d0 carrier on; done' &
			FLAP_PID=$!
			sleep 0.5
			cable "$2" off ;;
	*)		return 1 ;;
	esac
}

recover_adapter()
{
	case $1 in
	admin-down)	ip -n "$SRV" link set "$2" up ;;
	carrier-loss)	ip -n "$SW" link set "p${2#a}" up ;;
	cable)		cable "$2" on ;;
	cable-event)	kill "$FLAP_PID"
			wait "$FLAP_PID" 2>/dev/null
			ip -n "$SRV" link set d0 carrier on
			cable "$2" on ;;
	*)		return 1 ;;
	esac
	slowwait 10 links_up "$SRV" "$2"
}
