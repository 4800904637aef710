#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Failover fan-out (measurement 4 of issue 5): a group of three adapters
# with 10,000 VIPs; a1 loses carrier (detected by vipfo's carrier poll or
# the notifier, whichever first) or goes admin down (the notifier, under
# RTNL). We count the gratuitous ARPs at the
# switch (p2, p3: received from the survivors) and at the client (c0), read
# vipfo's counters, and trace the failure, the notifier (how long it runs,
# holding RTNL) and every ARP frame the server's adapters transmit.
#
# BENCH_FANOUT_QDISC sets the survivors' root qdisc, in tc's words
# (default: veth's noqueue), e.g. fq_codel, pfifo_fast, or
# "tbf rate 10mbit burst 1600 latency 100ms".
#
# Usage: bench/fanout.sh  (inside the VM, BENCH_RAW set)

. "$(dirname "$0")/lib.sh"
. "$BENCH_DIR/ktime.sh"

NVIPS=${BENCH_FANOUT_VIPS:-10000}
QDISC=${BENCH_FANOUT_QDISC:-noqueue}
out=$RAW/fanout
mkdir -p "$out"

# group garps and tx_errors, p2 p3 rx, c0 rx, a2 a3 tx dropped (by veth:
# the peer's receive backlog, net.core.netdev_max_backlog, was full)
counts()
{
	vipctl show fan -j -s | grep -o '"\(garps\|tx_errors\)":[0-9]*' |
		head -n 2 | cut -d: -f2 | tr '\n' '\t'
	echo "$(counter "$SW" p2 rx)	$(counter "$SW" p3 rx)	$(counter "$CLI" c0 rx)	$(dropped a2)	$(dropped a3)"
}

dropped() { srv awk -v i="$1:" '$1 == i { print $13 }' /proc/net/dev; }

garps() { vipctl show fan -j -s | grep -o '"garps":[0-9]*' | head -n 1; }

# Until the group's garps counter stops moving (the last round is out).
wait_quiet()
{
	local prev=x cur

	for _ in $(seq 100); do
		sleep 0.5
		cur=$(garps)
		[ "$cur" = "$prev" ] && return 0
		prev=$cur
	done
	return 1
}

topo_up
srv_vipfo fan a1,a2,a3 || exit 1
vipctl_vips add fan "$NVIPS" --no-local || exit 1
BENCH_TRACE_KB=${BENCH_TRACE_KB:-32768} ktime_setup 'protocol == 0x0806 && name ~ "a*"'
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
		ktime_dump "$out/fanout-$how-$rep.trace"
		printf '%s\t%s\t%s\t%s\t%s\n' "$how" "$rep" "$NVIPS" "$before" "$after" \
			>>"$out/runs.tsv"
		progress "fanout $how #$rep: garps, tx_errors, p2 p3 c0 rx, a2 a3 tx_dropped before/after: $before / $after"
		recover_adapter "$how" a1
		slowwait 10 vipfo_all_up fan ||
			echo "fanout: not every adapter up after 10 s" >&2
	done
done

ktime_teardown
topo_down
