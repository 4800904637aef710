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

source "$(dirname "$0")/lib.sh"

require_all
require_scapy
tap_header

setup_or_finish setup_topology
VIPS="$VIP1 $VIP2 $VIP3"
# Intervals long enough to tell "at once" and "an interval later" apart
# however slow the kernel (check-debug sets VIPFO_TIMEOUT_FACTOR).
F=${VIPFO_TIMEOUT_FACTOR:-1}
IV=$((1000 * F))
check "group with a1 a2 a3 and three VIPs (garp_count 3, $IV ms apart)" \
	vipctl group add web --dev a1,a2,a3 --vip "${VIPS// /,}" \
	--garp-interval "$IV"
check "tc counts the ARP frames handed to a1 a2 a3" tx_watch a1 a2 a3

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
	check_garps "$how of $dev: $count GARPs per VIP from each of $*, none from $dev" \
		"$cap" "$count" "$VIPS" "$@"
	check_garp_rounds "$how of $dev: timing and rotation" \
		"$cap" "$count" "$iv" "$VIPS" "$@"
	check_silent "$how of $dev: nothing handed to $dev${counters:+, its counters still}" \
		"$dev" "$tx" "$counters"
}

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
	check_garps "MAC change of a1: 2 GARPs per VIP from a1 with its new MAC" \
		"$TMPD/garp-mac" 2 "$VIPS" a1
	check_garp_rounds "MAC change of a1: timing" \
		"$TMPD/garp-mac" 2 $((IV * 2)) "$VIPS" a1
else
	not_ok "MAC change: capture started" "$(cat "$TMPD/capture.err")"
fi

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
	ours=$(awk -v since="$GARP_SINCE" -v m="$(macs_of a1 a2)" \
		'index(" " m, " " $1 " ") && $6 >= since' "$TMPD/garp-0")
	if [ -z "$ours" ]; then
		ok "garp_count 0: no update for a failure, a recovery, a claim"
	else
		not_ok "garp_count 0: no update for a failure, a recovery, a claim" \
			"sent (sender MAC, VIP, eth src, eth dst, op, time):" "$ours"
	fi
	vipctl show web --json --stats >"$TMPD/stats.json"
	check "garp_count 0: the claim on $VIP2 counted" json_check \
		"$TMPD/stats.json" "g['stats']['conflicts'] == 1"
else
	not_ok "garp_count 0: capture started" "$(cat "$TMPD/capture.err")"
fi

finish
