#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Failover fan-out (measurement 4 of issue 5): a group of three adapters
# with 10,000 VIPs (IPv4, or with 6, IPv6); a1 loses carrier (detected by vipfo's carrier poll or
# the notifier, whichever first) or goes admin down (the notifier, under
# RTNL). We count the gratuitous ARPs at the
# switch (p2, p3: received from the survivors) and at the client (c0), read
# vipfo's counters, and trace the failure, the notifier (how long it runs,
# holding RTNL) and every ARP (IPv6) frame the server's adapters transmit.
# For IPv6 the client's count is of the neighbour advertisements its
# stack received (Icmp6InType136), so that its own MLD and the adapters'
# other IPv6 frames do not count.
#
# BENCH_FANOUT_QDISC sets the survivors' root qdisc, in tc's words
# (default: veth's noqueue), e.g. fq_codel, pfifo_fast, or
# "tbf rate 10mbit burst 1600 latency 100ms".
#
# Usage: bench/fanout.sh [4|6]  (inside the VM, BENCH_RAW set)

. "$(dirname "$0")/lib.sh"
. "$BENCH_DIR/ktime.sh"

NVIPS=${BENCH_FANOUT_VIPS:-10000}
QDISC=${BENCH_FANOUT_QDISC:-noqueue}
family=${1:-4}
case $family in
4)	out=$RAW/fanout frames=garps proto=0x0806 ;;
6)	out=$RAW/fanout6 frames=nas proto=0x86dd NS_IPV6=1 ;;
*)	echo "fanout: unknown family $family" >&2; exit 2 ;;
esac
mkdir -p "$out"

# The group's counter named $1.
group_counter()
{
	vipctl show fan -j -s | grep -o "\"$1\":[0-9]*" | head -n 1 | cut -d: -f2
}

# What the client received: every frame (IPv4), or every NA (IPv6).
client_rx()
{
	if [ "$family" = 6 ]; then
		# (A type shows only once one arrived.)
		in_ns "$CLI" awk '$1 == "Icmp6InType136" { n = $2 }
			END { print n + 0 }' /proc/net/snmp6
	else
		counter "$CLI" c0 rx
	fi
}

# group garps (nas) and tx_errors, p2 p3 rx, client rx, a2 a3 tx dropped
# (by veth: the peer's receive backlog, net.core.netdev_max_backlog, was
# full)
counts()
{
	echo "$(group_counter "$frames")	$(group_counter tx_errors)	$(counter "$SW" p2 rx)	$(counter "$SW" p3 rx)	$(client_rx)	$(dropped a2)	$(dropped a3)"
}

dropped() { srv awk -v i="$1:" '$1 == i { print $13 }' /proc/net/dev; }

# Until the group's garps (nas) counter stops moving (the last round is
# out).
wait_quiet()
{
	local prev=x cur

	for _ in $(seq 100); do
		sleep 0.5
		cur=$(group_counter "$frames")
		[ "$cur" = "$prev" ] && return 0
		prev=$cur
	done
	return 1
}

topo_up
srv_vipfo fan a1,a2,a3 || exit 1
vipctl_vips add fan "$NVIPS" --family "$family" --no-local || exit 1
# The VIPs just added are announced too (90,000 frames): the first
# failover must not start while that is still going, or the client counts
# the rest of it as the failover's.
wait_quiet || { echo "fanout: the announcement of the VIPs added never ended" >&2; exit 1; }
BENCH_TRACE_KB=${BENCH_TRACE_KB:-32768} ktime_setup "protocol == $proto && name ~ \"a*\""
sysctl -n net.core.netdev_max_backlog >"$out/netdev_max_backlog"
for d in a2 a3; do
	# shellcheck disable=SC2086 # tc's words
	srv tc qdisc replace dev "$d" root $QDISC || exit 1
done
echo "$QDISC" >"$out/qdisc"

for ((rep = 1; rep <= REPS; rep++)); do
	for how in carrier-loss admin-down; do
		before=$(counts)
		ktime_clear
		fail_adapter "$how" a1
		wait_quiet
		after=$(counts)
		# Seven counters each, or vipctl, or a counter, said nothing.
		if [ "$(wc -w <<<"$before $after")" != 14 ]; then
			echo "fanout: IPv$family $how #$rep: counters missing: $before / $after" >&2
			exit 1
		fi
		ktime_dump "$out/fanout-$how-$rep.trace"
		printf '%s\t%s\t%s\t%s\t%s\n' "$how" "$rep" "$NVIPS" "$before" "$after" \
			>>"$out/runs.tsv"
		progress "fanout IPv$family $how #$rep: $frames, tx_errors, p2 p3 c0 rx, a2 a3 tx_dropped before/after: $before / $after"
		recover_adapter "$how" a1
		slowwait 10 vipfo_all_up fan ||
			echo "fanout: not every adapter up after 10 s" >&2
	done
done

ktime_teardown
topo_down
if [ -n "$KTIME_MISSING" ]; then
	echo "fanout: no trace of$KTIME_MISSING: kernel times missing" >&2
	exit 1
fi
