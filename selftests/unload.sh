#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Module unload after use: with groups configured in a namespace that was
# deleted before, and in one that still exists with an announcement
# (100 gratuitous ARP rounds) in flight, `rmmod vipfo` succeeds and the
# kernel log stays clean (no WARNING, BUG, refcount message, no
# unregister_netdevice waiting for a device). A `vipctl monitor` open
# across it follows the reloaded module.

source "$(dirname "$0")/lib.sh"

require_all
require_scapy
require_reloadable
tap_header

# two_links VAR: veths x1-y1 and x2-y2 in the new namespace $VAR, up; the
# x are for a group
two_links()
{
	local i ns

	setup_ns "$1" || return 1
	ns=${!1}
	for i in 1 2; do
		ip -n "$ns" link add "x$i" type veth peer name "y$i"
		ip -n "$ns" link set "x$i" up
		ip -n "$ns" link set "y$i" up
	done
}

setup_or_finish setup_topology
check "server: group web with a1 a2 a3 and two VIPs" \
	vipctl group add web --dev a1,a2,a3 --vip "$VIP1,$VIP2"
check_replies "server: answers" "$(arp_request "$VIP1")" a1 a2 a3
fail_adapter admin-down a1
check "server: a1 failed over" slowwait 10 dev_state_is web a1 down

# A second namespace whose group stays configured until the unload.
OTHER=other-$SUFFIX
two_links OTHER
check "other: group with x1 x2, VIPs, garp 100 x 50 ms" \
	ip netns exec "$OTHER" "$VIPCTL" group add app --dev x1,x2 \
	--vip 198.51.100.1,198.51.100.2 --garp-count 100 --garp-interval 50
bg ip netns exec "$OTHER" "$VIPCTL" monitor --json >"$TMPD/monitor" 2>&1

# Delete the server namespace with its group; its devices must go away
# (they would hang in unregister_netdevice if a reference was leaked).
ip netns del "$SRV"
NS_LIST=("${NS_LIST[@]/$SRV/}")
check "server namespace deleted, its adapters gone" \
	slowwait 60 bash -c "! ip -n $SW link show p1 && ! ip -n $SW link show p2 &&
			     ! ip -n $SW link show p3"

# A monitor left open across the unload (in a namespace without groups):
# it must say the module went, and follow the new one's events.
MON=mon-$SUFFIX
setup_ns MON
check "monitor: listening before the unload" monitor_start "$MON" "$TMPD/mon.out"

# Start an announcement in the other namespace and unload in the middle.
ip -n "$OTHER" link set x1 down
out=$(timeout 120 rmmod vipfo 2>&1)
rc=$?
if [ "$rc" = 0 ]; then
	ok "rmmod vipfo with a group configured and GARPs in flight"
else
	not_ok "rmmod vipfo with a group configured and GARPs in flight" \
		"exit $rc: $out" "$(lsmod | grep vipfo)"
fi
check "module gone" slowwait 10 test ! -d /sys/module/vipfo
check "other namespace's devices still there" \
	ip -n "$OTHER" link show x2
check "other namespace deleted" ip netns del "$OTHER"

# Loading again starts empty; unloading again is clean.
check "load again" modprobe vipfo
check "monitor: told of the unload and the reload" slowwait 10 bash -c "
	grep -q 'module was unloaded' $TMPD/mon.out.err &&
	grep -q 'module was loaded again' $TMPD/mon.out.err"
check "monitor: reports the new module's events" slowwait 10 bash -c "
	ip netns exec $MON $VIPCTL group add back --no-local &&
	grep -q '\"group\":\"back\"' $TMPD/mon.out"
ip netns exec "$MON" "$VIPCTL" group del back
setup_ns SRV
check "no groups after reload" no_groups "$SRV"
ip netns del "$SRV"

# An unload is no failure: a group whose members are up announces
# nothing while the module goes (unregistering the netdevice notifier
# replays a DOWN of every device to it). Frames reaching the members'
# peers y1 y2 are counted; IPv6 is off, so nothing else sends.
QUIET=quiet-$SUFFIX
two_links QUIET
check "quiet: group with x1 x2 up, one VIP" \
	ip netns exec "$QUIET" "$VIPCTL" group add calm --dev x1,x2 \
	--vip 198.51.100.7 --no-local
rx_peers()
{
	ip netns exec "$QUIET" awk '$1 == "y1:" || $1 == "y2:" { n += $3 }
		END { print n + 0 }' /proc/net/dev
}
slowwait 10 links_up "$QUIET" x1 x2 y1 y2
sleep 0.5
rx0=$(rx_peers)
check "rmmod again" rmmod vipfo
rx1=$(rx_peers)
if [ "$rx1" = "$rx0" ]; then
	ok "the unload sent nothing from the members"
else
	not_ok "the unload sent nothing from the members" \
		"$((rx1 - rx0)) frames reached y1 y2 during rmmod"
fi

finish
