#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The client's neighbour entry for a VIP moves to a survivor's MAC as soon
# as the adapter it points to fails: admin down, carrier loss, deletion.
# Without vipfo's updates the entry would keep the dead MAC until the
# client's own probes fail, seconds later. The same for a VIPv6 of the
# group, whose entry unsolicited neighbour advertisements move (to STALE,
# with the survivor's MAC).

source "$(dirname "$0")/lib.sh"

require_all
tap_header

NS_IPV6=1
setup_or_finish setup_topology
VIP6=2001:db8::100
check "group with a1 a2 a3, $VIP1 and $VIP6" \
	vipctl group add web --dev a1,a2,a3 --vip "$VIP1,$VIP6"

# moved_to_survivor VIP OLD_MAC SURVIVOR_MACS: the entry for VIP has one
# of them now
moved_to_survivor()
{
	local m

	m=$(client_neigh "$1")
	[ -n "$m" ] && [ "$m" != "$2" ] && [[ " $3 " == *" $m "* ]]
}

for how in admin-down carrier-loss unregister; do
	ip -n "$CLI" neigh flush dev c0
	if ! client_resolve "$VIP1" || ! client_resolve "$VIP6"; then
		not_ok "$how: client resolves $VIP1 and $VIP6" \
			"$(ip -n "$CLI" neigh show dev c0)"
		continue
	fi
	old=$(client_neigh "$VIP1")
	dev=$(adapter_of_mac "$old")
	survivors=$(for i in a1 a2 a3; do
		[ "$i" != "$dev" ] && ip -n "$SRV" link show "$i" >/dev/null 2>&1 &&
			echo "$i"; done)
	if [ "$dev" = "?" ]; then
		not_ok "$how: client's entry points to a member" "lladdr $old"
		continue
	fi
	# Every member answered the solicitation, the client kept the last
	# answer: when that was another member's than for VIP1, as if it had
	# been dev's.
	old6=$(client_neigh "$VIP6")
	pinned=
	if [ "$old6" != "$old" ]; then
		ip -n "$CLI" neigh replace "$VIP6" lladdr "$old" dev c0 nud reachable
		pinned="the client had resolved $VIP6 to $(adapter_of_mac "$old6"), set to $dev"
	fi
	fail_adapter "$how" "$dev"
	for vip in "$VIP1" "$VIP6"; do
		# shellcheck disable=SC2086
		if slowwait 10 moved_to_survivor "$vip" "$old" "$(macs_of $survivors)"; then
			ok "$how of $dev: client's entry for $vip moved to $(adapter_of_mac "$(client_neigh "$vip")")"
		else
			not_ok "$how of $dev: client's entry for $vip moved to a survivor" \
				"survivors:" $survivors \
				"client: $(ip -n "$CLI" neigh show "$vip")" ${pinned:+"$pinned"}
		fi
	done
	# Admin down took dev's routes away: back with the recipe's.
	[ "$how" != unregister ] && recover_adapter "$how" "$dev" &&
		slowwait 10 dev_state_is web "$dev" up && host_routes
done

finish
