#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Kernel-time tracing for the failover benchmarks (sourced; needs tracefs).
# kprobe events mark the failure (carrier bit cleared, admin down), the
# delivery of the event to vipfo's notifier (entry and return), the start
# of vipfo's failover (by the notifier or its carrier poll), bonding's
# reaction, and every ARP frame built (arp_create); the net_dev_start_xmit
# tracepoint, filtered to ARP, shows when a frame reaches a driver: the
# first one the same task hands to a server adapter after building it.
# (Its skb address cannot link the two: with the hash-ptr option cleared,
# 6.1 prints the tracepoint's device names empty.) bench/analyze.py pairs
# them up.

T=/sys/kernel/tracing
KTIME_MISSING=		# the probes that could not be set

ktime_probe()
{
	echo "$1" >>$T/kprobe_events 2>/dev/null && return
	echo "ktime: cannot set probe: $1" >&2
	KTIME_MISSING+=" ${1%% *}"
}

# ktime_setup [XMIT_FILTER]: define and enable the events for the modules
# loaded now. The default filter keeps every ARP frame, and balance-alb's
# learning packets (ETH_P_LOOPBACK), which move its MAC to another port.
ktime_setup()
{
	local filter=${1:-protocol == 0x0806 || protocol == 0x9000}

	ktime_teardown
	echo "${BENCH_TRACE_KB:-8192}" >$T/buffer_size_kb
	ktime_probe 'p:vb/carrier_off netif_carrier_off dev=+0(%di):string'
	ktime_probe 'p:vb/change_flags dev_change_flags dev=+0(%di):string flags=%si:x32'
	ktime_probe 'p:vb/arp_create arp_create op=%di:s32 tip=%dx:x32 dev=+0(%cx):string sip=%r8:x32'
	if [ -d /sys/module/vipfo ]; then
		ktime_probe 'p:vb/vipfo_event vipfo:vipfo_netdev_event ev=%si:u64 dev=+0(+0(%dx)):string'
		ktime_probe 'r:vb/vipfo_event_ret vipfo:vipfo_netdev_event'
		# Where either detector (the notifier, the carrier poll) starts
		# the failover: vipfo_failover_member_failed(member, reason,
		# detector, gfp).
		ktime_probe 'p:vb/vipfo_failed vipfo:vipfo_failover_member_failed detector=%dx:u32'
	fi
	if [ -d /sys/module/bonding ]; then
		ktime_probe 'p:vb/bond_change_active bonding:bond_change_active_slave'
		ktime_probe 'p:vb/bond_alb_link bonding:bond_alb_handle_link_change dev=+0(+0(%si)):string link=%dx:u8'
	fi
	echo 1 >$T/events/vb/enable
	echo "$filter" >$T/events/net/net_dev_start_xmit/filter
	echo 1 >$T/events/net/net_dev_start_xmit/enable
	echo 1 >$T/tracing_on
}

ktime_clear()
{
	echo >$T/trace
}

ktime_dump()
{
	cat $T/trace >"$1"
}

ktime_teardown()
{
	echo 0 >$T/tracing_on
	echo 0 >$T/events/net/net_dev_start_xmit/enable
	echo 0 >$T/events/net/net_dev_start_xmit/filter
	[ -d $T/events/vb ] && echo 0 >$T/events/vb/enable
	# Ours only: the VM boots with a probe of its own enabled
	# (scripts/vm-run), and clearing them all fails while it is.
	sed -n 's|^[pr][0-9]*:\(vb/[^ ]*\) .*|-:\1|p' $T/kprobe_events |
		while read -r probe; do
			echo "$probe" >>$T/kprobe_events ||
				echo "ktime: cannot remove probe ${probe#-:}" >&2
		done
	echo >$T/trace
}
