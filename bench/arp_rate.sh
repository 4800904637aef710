#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The ARP and neighbour discovery packet paths (measurement 3 of issue 5,
# and its IPv6 twin): the client floods ARP requests, or neighbour
# solicitations (NS), with trafgen (netsniff-ng) as fast as one sender
# process can, through the switch to the server's three adapters; we count
# what it sent and the replies it got (c0's packet counters) and the CPU the
# VM spent (/proc/stat), over FLOOD seconds in the middle of each flood.
# Every case is measured with both: labels of NS floods start with "ns-".
#
# Usage: bench/arp_rate.sh nomod|vipfo  (inside the VM, BENCH_RAW set)
#   nomod   before vipfo is ever loaded: the kernel answering a plain
#           address of a1 (192.0.2.50/24, arp_ignore=1, so only a1 answers;
#           2001:db8::50/64) and requests for an address nobody has (the
#           non-VIP baseline)
#   vipfo   four copies of the topology, so that every case is measured
#           in each round and drift of the (shared, emulated) machine hits
#           all alike: T0 has no vipfo group (so no hook: the kernel's own
#           path), T1, T1k and T100k a group whose one member is a1, with
#           1, 1,000 and 100,000 VIPs of each family (the ones flooded are
#           192.0.2.100 and 2001:db8::100, the others in 198.18.0.0/15 and
#           2001:2::/48); in T1 also a group of all three adapters (each
#           request gets three replies)

. "$(dirname "$0")/lib.sh"

NS_IPV6=1
FLOOD=${BENCH_FLOOD:-1.0}
FLOOD_END=$(awk -v f="$FLOOD" 'BEGIN { print f + 0.7 }')
phase=$1
out=$RAW/arp
mkdir -p "$out"

# A request from c0 for $1 (an ARP request, or an NS for an IPv6 address),
# as a trafgen packet configuration.
trafgen_cfg()
{
	local f=/tmp/req-$CLI-$1.cfg

	case $1 in
	*:*)	"$PYTHON" "$REPO_DIR/selftests/frames.py" ns "$(mac "$CLI" c0)" \
			"$CLIENT6_IP" "$1" ;;
	*)	"$PYTHON" "$REPO_DIR/selftests/frames.py" arp "$(mac "$CLI" c0)" \
			"$CLIENT_IP" "$1" ;;
	esac >"$f" || return 1
	echo "$f"
}

# One line: time, c0's tx and rx packets, /proc/stat's cpu line.
snap()
{
	local cpu

	read -r _ cpu </proc/stat
	echo "$EPOCHREALTIME $(counter "$CLI" c0 tx) $(counter "$CLI" c0 rx) $cpu"
}

# flood LABEL VIPS TARGET REP: one flood, measured. Ends the step, in
# trafgen's own words, when trafgen did not run until stopped or c0 sent
# nothing meanwhile: a row of zeros is no measurement, and the next flood
# would fail the same way. trafgen's output goes to arp/trafgen.log.
flood()
{
	local cfg pid a b rc tx0 tx1

	cfg=$(trafgen_cfg "$3") || { echo "arp_rate: no frame for $3" >&2; return 1; }
	echo "== $1 $2 #$4" >>"$out/trafgen.log"
	trafgen_in "$CLI" -T "$FLOOD_END" -o c0 -i "$cfg" -P 1 -q \
		>>"$out/trafgen.log" 2>/tmp/trafgen.err &
	pid=$!
	sleep 0.4
	a=$(snap)
	sleep "$FLOOD"
	b=$(snap)
	wait "$pid"
	rc=$?
	cat /tmp/trafgen.err >>"$out/trafgen.log"
	read -r _ tx0 _ <<<"$a"
	read -r _ tx1 _ <<<"$b"
	if [ "$rc" != 124 ] || [ "$tx1" -le "$tx0" ]; then
		echo "arp_rate: $1, $2 VIPs, #$4: trafgen status $rc (124: stopped as planned), c0 sent $((tx1 - tx0)) frames: $(cat /tmp/trafgen.err)" >&2
		exit 1
	fi
	printf '%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$4" "$a" "$b" >>"$out/runs.tsv"
	sleep 0.2
}

# topo K: work on copy K of the topology
topo()
{
	SRV=bsrv$1 SW=bsw$1 CLI=bcli$1
}

# A server whose adapters are up, a1 with a plain address.
setup()
{
	topo "$1"
	topo_up || exit 1
	srv sysctl -qw net.ipv4.conf.all.arp_ignore=1
	ip -n "$SRV" addr add "$PLAIN_IP/24" dev a1
	ip -n "$SRV" addr add "$PLAIN_IP6/64" dev a1 nodad
}

# vipfo_group N: group "arp" of a1 with the VIPs and N-1 scale VIPs of
# each family.
vipfo_group()
{
	vipctl group add arp --dev a1 --vip "$VIP,$VIP6" --no-local || return 1
	[ "$1" = 1 ] && return 0
	vipctl_vips add arp $(($1 - 1)) --no-local &&
		vipctl_vips add arp $(($1 - 1)) --family 6 --no-local
}

# trafgen raises the socket buffers' defaults (4 MiB, at most 100 MiB) for
# its packet socket, but net.core.wmem_* are the initial namespace's, and
# it floods from the client's: we do it for it. With the default (208 KiB)
# a flood stopped with "Flushing TX_RING failed: Resource temporarily
# unavailable!" (the socket's buffer full) after 606 frames.
wmem=$(sysctl -n net.core.wmem_default net.core.wmem_max | tr '\n' ' ')
sysctl -qw net.core.wmem_max=104857600 net.core.wmem_default=4194304

# Every copy of the topology goes, and the defaults come back, however the
# step ends.
cleanup()
{
	local k

	for k in 0 1 1000 100000; do
		topo "$k"
		topo_down
	done
	read -r def max <<<"$wmem"
	sysctl -qw net.core.wmem_default="$def" net.core.wmem_max="$max"
}
trap cleanup EXIT

if [ "$phase" = nomod ]; then
	setup 0
	for ((rep = 1; rep <= REPS; rep++)); do
		flood kernel-nomod 0 "$PLAIN_IP" "$rep"
		flood nonvip-nomod 0 "$NONVIP" "$rep"
		flood ns-kernel-nomod 0 "$PLAIN_IP6" "$rep"
		flood ns-nonvip-nomod 0 "$NONVIP6" "$rep"
	done
	progress "arp: kernel and non-VIP baselines (ARP, NS) before vipfo is loaded, $REPS runs each"
	exit 0
fi

for k in 0 1 1000 100000; do
	setup "$k"
	[ "$k" = 0 ] || vipfo_group "$k" || exit 1
done
progress "arp: four servers: no group, 1, 1,000, 100,000 VIPs of each family"
# One round: every case once, in the order of the servers.
round_in()
{
	topo "$1"
	case $1 in
	0)	flood kernel 0 "$PLAIN_IP" "$rep"
		flood nonvip-nohook 0 "$NONVIP" "$rep"
		flood ns-kernel 0 "$PLAIN_IP6" "$rep"
		flood ns-nonvip-nohook 0 "$NONVIP6" "$rep" ;;
	1)	flood vipfo 1 "$VIP" "$rep"
		flood kernel-hook 1 "$PLAIN_IP" "$rep"
		flood nonvip 1 "$NONVIP" "$rep"
		flood ns-vipfo 1 "$VIP6" "$rep"
		flood ns-kernel-hook 1 "$PLAIN_IP6" "$rep"
		flood ns-nonvip 1 "$NONVIP6" "$rep"
		vipctl dev add arp a2 a3
		flood vipfo3 1 "$VIP" "$rep"
		flood ns-vipfo3 1 "$VIP6" "$rep"
		vipctl dev del arp a2 a3 ;;
	1000)	flood vipfo 1000 "$VIP" "$rep"
		flood ns-vipfo 1000 "$VIP6" "$rep" ;;
	100000)	flood vipfo 100000 "$VIP" "$rep"
		flood kernel-hook 100000 "$PLAIN_IP" "$rep"
		flood nonvip 100000 "$NONVIP" "$rep"
		flood ns-vipfo 100000 "$VIP6" "$rep"
		flood ns-kernel-hook 100000 "$PLAIN_IP6" "$rep"
		flood ns-nonvip 100000 "$NONVIP6" "$rep" ;;
	esac
}

# Each round starts with the next server, so that no case always comes
# first (or right after the same other case).
servers=(0 1 1000 100000)
for ((rep = 1; rep <= REPS; rep++)); do
	for ((i = 0; i < 4; i++)); do
		round_in "${servers[(rep + i) % 4]}"
	done
	progress "arp: round $rep of $REPS"
done
