#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The ARP packet path (measurement 3 of issue 5): the client floods ARP
# requests with trafgen (netsniff-ng) as fast as one sender process can,
# through the switch to the server's three adapters; we count what it sent
# and the replies it got (c0's packet counters) and the CPU the VM spent
# (/proc/stat), over FLOOD seconds in the middle of each flood.
#
# Usage: bench/arp_rate.sh nomod|vipfo  (inside the VM, BENCH_RAW set)
#   nomod   before vipfo is ever loaded: the kernel answering a plain
#           address of a1 (192.0.2.50/24; arp_ignore=1, so only a1 answers)
#           and requests for an address nobody has (the non-VIP baseline)
#   vipfo   four copies of the topology, so that every case is measured
#           in each round and drift of the (shared, emulated) machine hits
#           all alike: T0 has no vipfo group (so no hook: the kernel's own
#           path), T1, T1k and T100k a group whose one member is a1, with
#           1, 1,000 and 100,000 VIPs (the one flooded is 192.0.2.100, the
#           others in 198.18.0.0/15); in T1 also a group of all three
#           adapters (each request gets three replies)

. "$(dirname "$0")/lib.sh"

FLOOD=${BENCH_FLOOD:-1.0}
FLOOD_END=$(awk -v f="$FLOOD" 'BEGIN { print f + 0.7 }')
phase=$1
out=$RAW/arp
mkdir -p "$out"

# An ARP request from c0 for $1, as a trafgen packet configuration.
trafgen_cfg()
{
	local f=/tmp/arp-$CLI-$1.cfg m

	m=$(mac "$CLI" c0 | sed 's/\([0-9a-f][0-9a-f]\)/0x\1/g; s/:/, /g')
	cat >"$f" <<-EOF
	{ 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, $m, c16(0x0806),
	  c16(1), c16(0x0800), c8(6), c8(4), c16(1),
	  $m, ${CLIENT_IP//./, }, 0, 0, 0, 0, 0, 0, ${1//./, } }
	EOF
	echo "$f"
}

# One line: time, c0's tx and rx packets, /proc/stat's cpu line.
snap()
{
	local cpu

	read -r _ cpu </proc/stat
	echo "$EPOCHREALTIME $(counter "$CLI" c0 tx) $(counter "$CLI" c0 rx) $cpu"
}

# flood LABEL VIPS TARGET REP. trafgen's worker is a child process that
# only stops on a signal of its own: timeout signals the whole group.
flood()
{
	local cfg pid a b

	cfg=$(trafgen_cfg "$3")
	nsenter --net="/run/netns/$CLI" timeout -s INT "$FLOOD_END" \
		trafgen -o c0 -i "$cfg" -P 1 -q >/dev/null 2>&1 &
	pid=$!
	sleep 0.4
	a=$(snap)
	sleep "$FLOOD"
	b=$(snap)
	wait "$pid"
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
}

# vipfo_group N: group "arp" of a1 with the VIP and N-1 scale VIPs.
vipfo_group()
{
	vipctl group add arp --dev a1 --vip "$VIP" --no-local &&
		{ [ "$1" = 1 ] || vipctl_vips add arp $(($1 - 1)) --no-local; }
}

if [ "$phase" = nomod ]; then
	setup 0
	for ((rep = 1; rep <= REPS; rep++)); do
		flood kernel-nomod 0 "$PLAIN_IP" "$rep"
		flood nonvip-nomod 0 "$NONVIP" "$rep"
	done
	topo_down
	progress "arp: kernel and non-VIP baselines before vipfo is loaded, $REPS runs each"
	exit 0
fi

for k in 0 1 1000 100000; do
	setup "$k"
	[ "$k" = 0 ] || vipfo_group "$k" || exit 1
done
progress "arp: four servers: no group, 1, 1,000, 100,000 VIPs"
# One round: every case once, in the order of the servers.
round_in()
{
	topo "$1"
	case $1 in
	0)	flood kernel 0 "$PLAIN_IP" "$rep"
		flood nonvip-nohook 0 "$NONVIP" "$rep" ;;
	1)	flood vipfo 1 "$VIP" "$rep"
		flood kernel-hook 1 "$PLAIN_IP" "$rep"
		flood nonvip 1 "$NONVIP" "$rep"
		vipctl dev add arp a2 a3
		flood vipfo3 1 "$VIP" "$rep"
		vipctl dev del arp a2 a3 ;;
	1000)	flood vipfo 1000 "$VIP" "$rep" ;;
	100000)	flood vipfo 100000 "$VIP" "$rep"
		flood kernel-hook 100000 "$PLAIN_IP" "$rep"
		flood nonvip 100000 "$NONVIP" "$rep" ;;
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
for k in 0 1 1000 100000; do
	topo "$k"
	topo_down
done
