#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A namespace deleted while ARP requests for its VIPs keep arriving on its
# members. The members are veths whose peers are ports of the switch's
# bridge in another namespace: the client's flood reaches them until the
# namespace's devices are unregistered, which comes after vipfo's
# per-namespace teardown. So vipfo's ARP hook may still be running while
# the groups go, reading the VIP table and vipfo's per-namespace state,
# and neither may be freed before its last reader is done.
#
# Rounds: each a fresh server namespace with group big (a1 a2, 5,000
# VIPs) and group last (a3, one VIP), created in that order, so that the
# ARP hook goes with the small group, just before the table would be
# freed; then the namespace is deleted and the next round begins while it
# is being dismantled. Its switch ports are named after the round (q<N>_1
# ...). $VIPFO_NETNS_EXITS rounds (default 30), or as many as begin within
# $VIPFO_NETNS_SECS s (default 90; at least 5). The first round checks
# that the flood reaches the hook. Expected: every namespace's devices are
# freed, the kernel log stays clean (a reader of the freed table reads
# garbage or faults; KASAN reports it under check-debug), and vipfo
# answers afterwards.
#
# The race is narrow: a reader has to stall between finding a member and
# looking up the VIP for as long as the last group's teardown takes. It
# was not seen to crash the code before the fix under Debian's kernel,
# only with a delay added to the hook (see the commit).

source "$(dirname "$0")/lib.sh"
source "$SELFTEST_DIR/fault_lib.sh"

ROUNDS=${VIPFO_NETNS_EXITS:-30}
SECS=${VIPFO_NETNS_SECS:-90}
NVIPS=5000
FLOOD_PPS=3000

require_all
require_scapy
require_cmd mausezahn
tap_header

# srv_up N: a fresh server namespace $SRV with a1 a2 a3 on the switch
# (ports qN_1 qN_2 qN_3), in few processes: each costs under software
# emulation
srv_up()
{
	local i

	SRV=srv-$SUFFIX-$1	# a leftover is found by its suffix (lib.sh)
	ip netns add "$SRV" || return 1
	NS_LIST+=("$SRV")
	for i in 1 2 3; do
		echo "link add q$1_$i type veth peer name a$i netns $SRV"
		echo "link set q$1_$i master br0 up"
	done | ip -n "$SW" -b - || return 1
	printf '%s\n' "link set lo up" "link set a1 up" "link set a2 up" \
		"link set a3 up" | ip -n "$SRV" -b - || return 1
	slowwait 10 all_lower_up "$SRV"
}

# all_lower_up NS: a1 a2 a3 of NS have carrier
all_lower_up()
{
	[ "$(ip -n "$1" -br link | grep -cE '^a[123]@.*LOWER_UP')" = 3 ]
}

# ports_left: the switch's ports of the rounds' namespaces still there
ports_left()
{
	ip -n "$SW" -br link | grep -cE '^q[0-9]+_[123]@'
}

setup_or_finish setup_topology
vips=$(for ((i = 0; i < NVIPS; i++)); do
	echo "10.79.$((i / 250)).$((i % 250 + 1))"
done | paste -sd,)

flood_start "$FLOOD_PPS" "$VIP1" "$VIP2" 10.79.0.1
# The topology's own server namespace serves the first round.
bad="" n=0 begin=$SECONDS
while [ "$n" -lt "$ROUNDS" ] &&
      { [ "$n" -lt 5 ] || [ $((SECONDS - begin)) -lt "$SECS" ]; }; do
	n=$((n + 1))
	if [ "$n" -gt 1 ] && ! srv_up "$n"; then
		bad+="round $n: server namespace not set up; "
		break
	fi
	if ! out=$(vipctl group add big --dev a1,a2 --no-local --vip "$vips" 2>&1) ||
	   ! out=$(vipctl group add last --dev a3 --no-local --vip "$VIP1" 2>&1); then
		bad+="round $n: $out; "
		break
	fi
	# The flood reaches the hook.
	if [ "$n" = 1 ] &&
	   ! slowwait "$(hang_limit 20)" more_than 0 group_stat last requests; then
		bad+="round $n: no request reached group last; "
		break
	fi
	ip netns del "$SRV"
	NS_LIST=("${NS_LIST[@]/$SRV/}")
	[ $((n % 5)) = 0 ] && progress "$n namespaces deleted"
done
flood_running && flooding=yes || flooding=no
start=$(now_ms)
# A round that failed left its namespace.
ip netns del "$SRV" 2>/dev/null
NS_LIST=("${NS_LIST[@]/$SRV/}")
if slowwait "$(hang_limit 120)" bash -c "! ip -n $SW link show p1 &&
		! ip -n $SW -br link | grep -qE '^q[0-9]+_[123]@'"; then
	freed="their devices freed $(($(now_ms) - start)) ms after the last deletion"
else
	bad+="$(ports_left) ports of deleted namespaces still there; "
fi
flood_stop

if [ -z "$bad" ]; then
	ok "$n namespaces deleted under an ARP flood, $freed"
else
	not_ok "$n namespaces deleted under an ARP flood" "$bad"
fi
if [ "$flooding" = yes ]; then
	ok "ARP flood meanwhile: $FLOOD_SENT requests in $FLOOD_MS ms"
else
	not_ok "ARP flood meanwhile" "$(cat "$TMPD/flood.log")"
fi
if kernel_log_since_mark | grep -q 'unregister_netdevice: waiting'; then
	not_ok "no device waits for its references" \
		"$(kernel_log_since_mark | grep 'unregister_netdevice' | head -n 5)"
else
	ok "no device waits for its references"
fi

# vipfo works as ever in a new namespace.
if srv_up 0; then
	check "afterwards: group web with a1 a2 a3" \
		vipctl group add web --dev a1,a2,a3 --no-local --vip "$VIP1"
	check_replies "afterwards: a1 a2 a3 answer" \
		"$(arp_request "$VIP1")" a1 a2 a3
else
	not_ok "afterwards: a server namespace set up"
fi

finish
