#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A failed adapter answers again once it is back up with carrier; a deleted
# one leaves the group, and a new device of the same name is no member
# until it is added.

source "$(dirname "$0")/lib.sh"

require_all
require_scapy
tap_header

setup_or_finish setup_topology
check "group with a1 a2 a3 and $VIP1" \
	vipctl group add web --dev a1,a2,a3 --vip "$VIP1"
# A failed a2 could not send an answer anyway: tc's egress hook counts
# what vipfo hands it, and its counters must not move.
check "tc counts the ARP frames handed to a2" tx_watch a2
# The VIP added with the group is announced (3 rounds from a1 a2 a3):
# those frames are done before a2 fails.
garps_done()
{
	vipctl show web --json --stats >"$TMPD/stats.json" &&
		json_check "$TMPD/stats.json" "g['stats']['garps'] == 9" >/dev/null
}
check "the group's VIP announced: 9 GARPs" slowwait 10 garps_done

for how in admin-down carrier-loss; do
	tx=$(tx_count a2) counters=$(member_counters web a2)
	fail_adapter "$how" a2
	want=down
	[ "$how" = carrier-loss ] && want=no-carrier
	check "$how: vipfo reports a2 $want" slowwait 10 dev_state_is web a2 "$want"
	check_replies "$how of a2: replies from a1 a3" \
		"$(arp_request "$VIP1")" a1 a3
	check_silent "$how of a2: nothing handed to a2, its counters still" \
		a2 "$tx" "$counters"
	recover_adapter "$how" a2
	check "$how recovered: vipfo reports a2 up" slowwait 10 dev_state_is web a2 up
	check_replies "$how recovered: a2 answers again" \
		"$(arp_request "$VIP1")" a1 a2 a3
done

# Deleted: gone from the group; a new a3 is not a member.
fail_adapter unregister a3
vipctl show web --json >"$TMPD/show.json"
check "a3 deleted: no longer listed" json_check "$TMPD/show.json" \
	"sorted(d) == ['a1', 'a2']"
ip -n "$SRV" link add a3 type veth peer name p3 netns "$SW"
ip -n "$SW" link set p3 master br0 up
ip -n "$SRV" link set a3 up
slowwait 10 links_up "$SRV" a3
check_replies "new a3, no member: replies from a1 a2" \
	"$(arp_request "$VIP1")" a1 a2
check "dev add web a3" vipctl dev add web a3
check_replies "a3 added again: replies from a1 a2 a3" \
	"$(arp_request "$VIP1")" a1 a2 a3

finish
