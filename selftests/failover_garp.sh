#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# When a member fails, every survivor broadcasts gratuitous ARP requests
# for every VIP with its own MAC, garp_count times, garp_interval apart,
# the first round at once, the senders rotating so that the last update
# for each VIP (the one a peer keeps) spreads over the survivors; and
# nothing comes from the failed adapter. A failed adapter cannot send,
# so a capture on the client would never see it try: tc's egress hook
# counts what vipfo hands it, and the member's own counters must not move
# either. Three ways to fail: admin down (a1), carrier loss by the switch
# port going down (a2), and deletion of the device (a3).
#
# The group holds IPv6 VIPs too: for those the survivors send unsolicited
# neighbour advertisements instead (to all nodes, their own MAC in the
# target link-layer option, Override set, Solicited clear), in the same
# rounds as the gratuitous ARPs, and counted apart (nas).
#
# VIPs that arrive (group add, vip add) are announced likewise, from every
# live member, and only they: a VIP that moved here from another host is
# still in the peers' caches with that host's MAC.

source "$(dirname "$0")/lib.sh"

require_all
require_scapy
tap_header

NS_IPV6=1
setup_or_finish setup_topology
VIPS="$VIP1 $VIP2 $VIP3"
VIP6S="2001:db8::100 2001:db8::101"
# Intervals long enough to tell "at once" and "an interval later" apart
# however slow the kernel (check-debug sets VIPFO_TIMEOUT_FACTOR).
F=${VIPFO_TIMEOUT_FACTOR:-1}
IV=$((1000 * F))

# tx_watch_na IF...: tx_watch's counters count the neighbour advertisements
# handed to each IF too
tx_watch_na()
{
	local i

	for i in "$@"; do
		echo "filter add dev $i egress protocol ipv6 flower ip_proto icmpv6 type 136 action mirred egress mirror dev w$i"
	done | tc -n "$SRV" -b -
}
check "tc counts the ARP frames and NAs handed to a1 a2 a3" \
	eval "tx_watch a1 a2 a3 && tx_watch_na a1 a2 a3"
if nd_capture_start; then
	ok "capture of the client's neighbour discovery"
else
	not_ok "capture of the client's neighbour discovery"
fi

# check_only_new DESC FILE "OLD..." : no GARP or NA in capture FILE or
# the ND capture for the VIPs OLD since $GARP_SINCE
check_only_new()
{
	local old

	old=$({ cat "$2"; nd_nas "$ND_CAPTURE"; } |
		awk -v vips=" $3 " -v since="$GARP_SINCE" \
		'index(vips, " " $2 " ") && $6 >= since')
	if [ -z "$old" ]; then
		ok "$1"
	else
		not_ok "$1" "announced (MAC, VIP, eth src, eth dst, op, time):" "$old"
	fi
}

# capture_rounds COUNT INTERVAL_MS: start a capture that lasts until the
# last of COUNT rounds could come (check_garp_rounds allows twice the
# interval)
capture_rounds()
{
	local window

	window=$(awk -v n="$1" -v iv="$2" 'BEGIN { print (n - 1) * iv * 2 / 1000 + 0.5 }')
	capture_start "$window" "$(awk -v w="$window" 'BEGIN { print w + 20 }')"
}

# failover_case HOW IF COUNT INTERVAL_MS SURVIVOR...
failover_case()
{
	local how=$1 dev=$2 count=$3 iv=$4 cap="$TMPD/garp-$1" tx counters=

	shift 4
	if ! capture_rounds "$count" "$iv"; then
		not_ok "$how of $dev: capture started" "$(cat "$TMPD/capture.err")"
		return
	fi
	tx=$(tx_count "$dev")
	[ "$how" != unregister ] && counters=$(member_counters web "$dev")
	GARP_SINCE=$EPOCHREALTIME
	if ! fail_adapter "$how" "$dev"; then
		not_ok "$how of $dev" "could not fail $dev"
		return
	fi
	GARP_DONE=$EPOCHREALTIME
	capture_wait "$cap"
	nd_sync
	check_garps "$how of $dev: $count GARPs per VIP from each of $*, none from $dev" \
		"$cap" "$count" "$VIPS" "$@"
	check_nas "$how of $dev: $count NAs per VIPv6 from each of $*, none from $dev" \
		"$ND_CAPTURE" "$count" "$VIP6S" "$@"
	rounds "$cap" "$cap-all"
	check_garp_rounds "$how of $dev: timing and rotation, GARPs and NAs" \
		"$cap-all" "$count" "$iv" "$VIPS $VIP6S" "$@"
	check_silent "$how of $dev: no ARP frame or NA handed to $dev${counters:+, its counters still}" \
		"$dev" "$tx" "$counters"
}

# rounds GARPS OUT: the gratuitous ARPs of capture GARPS and the NAs of
# the ND capture, merged into OUT by arrival
rounds()
{
	{ cat "$1"; nd_nas "$ND_CAPTURE"; } | sort -k6,6n >"$2"
}

# Created with its VIPs: every member announces them, as after a failure.
if capture_rounds 3 "$IV"; then
	GARP_SINCE=$EPOCHREALTIME
	check "group with a1 a2 a3, three VIPs and two VIPv6s (garp_count 3, $IV ms apart)" \
		vipctl group add web --dev a1,a2,a3 --vip "${VIPS// /,},${VIP6S// /,}" \
		--garp-interval "$IV"
	GARP_DONE=$EPOCHREALTIME
	capture_wait "$TMPD/garp-new"
	nd_sync
	check_garps "group add: 3 GARPs per VIP from each of a1 a2 a3" \
		"$TMPD/garp-new" 3 "$VIPS" a1 a2 a3
	check_nas "group add: 3 NAs per VIPv6 from each of a1 a2 a3" \
		"$ND_CAPTURE" 3 "$VIP6S" a1 a2 a3
	rounds "$TMPD/garp-new" "$TMPD/garp-new-all"
	check_garp_rounds "group add: timing and rotation, GARPs and NAs" \
		"$TMPD/garp-new-all" 3 "$IV" "$VIPS $VIP6S" a1 a2 a3
else
	not_ok "group add: capture started" "$(cat "$TMPD/capture.err")"
fi

failover_case admin-down a1 3 "$IV" a2 a3
recover_adapter admin-down a1
slowwait 10 dev_state_is web a1 up

failover_case carrier-loss a2 3 "$IV" a1 a3
recover_adapter carrier-loss a2
slowwait 10 dev_state_is web a2 up

# Longer now: rounds still IV apart would show the change not applied.
check "group set --garp-count 2 --garp-interval $((IV * 2))" \
	vipctl group set web --garp-count 2 --garp-interval $((IV * 2))
failover_case unregister a3 2 $((IV * 2)) a1 a2

# A MAC change is no failure: the member announces its VIPs with the new
# MAC, garp_count times, and nobody else announces.
if capture_rounds 2 $((IV * 2)); then
	GARP_SINCE=$EPOCHREALTIME
	ip -n "$SRV" link set a1 address 02:00:00:00:0a:01
	GARP_DONE=$EPOCHREALTIME
	capture_wait "$TMPD/garp-mac"
	nd_sync
	check_garps "MAC change of a1: 2 GARPs per VIP from a1 with its new MAC" \
		"$TMPD/garp-mac" 2 "$VIPS" a1
	check_nas "MAC change of a1: 2 NAs per VIPv6 from a1 with its new MAC" \
		"$ND_CAPTURE" 2 "$VIP6S" a1
	rounds "$TMPD/garp-mac" "$TMPD/garp-mac-all"
	check_garp_rounds "MAC change of a1: timing, GARPs and NAs" \
		"$TMPD/garp-mac-all" 2 $((IV * 2)) "$VIPS $VIP6S" a1
else
	not_ok "MAC change: capture started" "$(cat "$TMPD/capture.err")"
fi
# A VIP added to the group (one of each family) is announced by the live
# members a1 a2, and no other VIP is. The client still has the MACs of
# another host for them, as after a move from there: it takes ours.
NEW=192.0.2.110 NEW6=2001:db8::110 OLDMAC=02:00:00:00:0e:01
ip -n "$CLI" neigh replace "$NEW" lladdr "$OLDMAC" dev c0 nud stale
ip -n "$CLI" neigh replace "$NEW6" lladdr "$OLDMAC" dev c0 nud stale
if capture_rounds 2 $((IV * 2)); then
	GARP_SINCE=$EPOCHREALTIME
	check "vip add $NEW $NEW6" vipctl vip add web "$NEW,$NEW6"
	GARP_DONE=$EPOCHREALTIME
	capture_wait "$TMPD/garp-add"
	nd_sync
	check_garps "vip add: 2 GARPs for $NEW from each of a1 a2" \
		"$TMPD/garp-add" 2 "$NEW" a1 a2
	check_nas "vip add: 2 NAs for $NEW6 from each of a1 a2" \
		"$ND_CAPTURE" 2 "$NEW6" a1 a2
	rounds "$TMPD/garp-add" "$TMPD/garp-add-all"
	check_garp_rounds "vip add: timing and rotation, GARP and NA" \
		"$TMPD/garp-add-all" 2 $((IV * 2)) "$NEW $NEW6" a1 a2
	check_only_new "vip add: the VIPs already there not announced" \
		"$TMPD/garp-add" "$VIPS $VIP6S"
	for v in "$NEW" "$NEW6"; do
		m=$(client_neigh "$v")
		if [[ " $(macs_of a1 a2)" == *" $m "* ]]; then
			ok "vip add: the client moved $v from $OLDMAC to $m"
		else
			not_ok "vip add: the client moved $v from $OLDMAC to a1 or a2" \
				"its entry: $(ip -n "$CLI" neigh show "$v" dev c0)"
		fi
	done
else
	not_ok "vip add: capture started" "$(cat "$TMPD/capture.err")"
fi

# Each family in its own counter, per VIP: 3 rounds from 3 members for
# the group's creation, 3 from 2 survivors for admin down and carrier
# loss, 2 from 2 for the deletion, 2 from 1 for the MAC change; and 2 from
# 2 for the VIP of each family added.
per_vip=$((3 * 3 + 3 * 2 + 3 * 2 + 2 * 2 + 2 * 1))
vipctl show web --json --stats >"$TMPD/stats.json"
check "counters: garps $((3 * per_vip + 4)) (3 VIPs, 1 added), nas $((2 * per_vip + 4)) (2 VIPv6s, 1 added)" \
	json_check "$TMPD/stats.json" \
	"g['stats']['garps'] == $((3 * per_vip + 4))" \
	"g['stats']['nas'] == $((2 * per_vip + 4))"

# garp_count 0: the group answers, but announces nothing: not for a
# failure, not for the recovery of its only member up (all were down),
# not for another host's claim on a VIP (counted all the same). The
# capture ends a second after the first gratuitous ARP: the claim's, if
# vipfo sends none.
check "group set --garp-count 0" vipctl group set web --garp-count 0
arpc capture --iface c0 --window 1 --max 30 >"$TMPD/capture.err"
if [ ! -s "$TMPD/capture.err" ]; then
	GARP_SINCE=$EPOCHREALTIME
	fail_adapter admin-down a1
	fail_adapter admin-down a2
	recover_adapter admin-down a2
	check "garp_count 0: a2, up again, reported up" \
		slowwait 10 dev_state_is web a2 up
	check_replies "garp_count 0: a2 answers" "$(arp_request "$VIP1")" a2
	arp_request "$VIP2" --gratuitous --src-mac 02:00:00:00:0b:01 >/dev/null
	capture_wait "$TMPD/garp-0"
	nd_sync
	ours=$({ cat "$TMPD/garp-0"; nd_nas "$ND_CAPTURE"; } |
		awk -v since="$GARP_SINCE" -v m="$(macs_of a1 a2)" \
		'index(" " m, " " $1 " ") && $6 >= since')
	if [ -z "$ours" ]; then
		ok "garp_count 0: no update for a failure, a recovery, a claim"
	else
		not_ok "garp_count 0: no update for a failure, a recovery, a claim" \
			"sent (sender MAC, VIP, eth src, eth dst, op, time; NAs:" \
			"see nd_capture_start):" "$ours"
	fi
	vipctl show web --json --stats >"$TMPD/stats.json"
	check "garp_count 0: the claim on $VIP2 counted" json_check \
		"$TMPD/stats.json" "g['stats']['conflicts'] == 1"
else
	not_ok "garp_count 0: capture started" "$(cat "$TMPD/capture.err")"
fi

finish
