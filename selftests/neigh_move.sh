#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The client's neighbour entry for a VIP moves to a survivor's MAC as soon
# as the adapter it points to fails: admin down, carrier loss, deletion.
# Without vipfo's updates the entry would keep the dead MAC until the
# client's own probes fail, seconds later.

source "$(dirname "$0")/lib.sh"

require_all
tap_header

setup_or_finish setup_topology
check "group with a1 a2 a3 and $VIP1" \
	vipctl group add web --dev a1,a2,a3 --vip "$VIP1"

# moved_to_survivor OLD_MAC SURVIVOR_MACS: the entry has one of them now
moved_to_survivor()
{
	local m

	m=$(client_neigh "$VIP1")
	[ -n "$m" ] && [ "$m" != "$1" ] && [[ " $2 " == *" $m "* ]]
}

for how in admin-down carrier-loss unregister; do
	ip -n "$CLI" neigh flush dev c0
	if ! client_resolve "$VIP1"; then
		not_ok "$how: client resolves $VIP1" \
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
	fail_adapter "$how" "$dev"
	# shellcheck disable=SC2086
	if slowwait 10 moved_to_survivor "$old" "$(macs_of $survivors)"; then
		ok "$how of $dev: client's entry for $VIP1 moved to $(adapter_of_mac "$(client_neigh "$VIP1")")"
	else
		not_ok "$how of $dev: client's entry for $VIP1 moved to a survivor" \
			"survivors:" $survivors \
			"client: $(ip -n "$CLI" neigh show "$VIP1")"
	fi
	[ "$how" != unregister ] && recover_adapter "$how" "$dev" &&
		slowwait 10 dev_state_is web "$dev" up
done

finish
