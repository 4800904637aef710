#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Which devices can be members, and members that stop being able to work.
# A member answers ARP with its own MAC, so it must be Ethernet, use ARP and
# see the requests arriving on it: bridge, bond and team ports hand them to
# their master, so they are refused, and a member cannot become one later.
# A member that can no longer be one (ARP turned off) leaves its group,
# and one taken out with `dev del` while live is a failure to the peers
# that chose it: both times the others announce. VLANs and macvlans are
# members like any other (their failover over a NIC: carrier_poll.sh).

source "$(dirname "$0")/lib.sh"

require_all
require_scapy
tap_header

setup_or_finish setup_topology
VIPS="$VIP1 $VIP2"
check "group web with a1 a2 a3 and $VIPS" \
	vipctl group add web --dev a1,a2,a3 --vip "${VIPS// /,}"
monitor_start "$SRV" "$TMPD/events" || diag "the monitor reported no event"

# refused DESC MESSAGE CMD...: CMD fails, saying MESSAGE
refused()
{
	local desc=$1 want=$2 out

	shift 2
	if out=$("$@" 2>&1); then
		not_ok "$desc" "accepted: $*" "$out"
	elif grep -q -- "$want" <<<"$out"; then
		ok "$desc"
	else
		not_ok "$desc" "want a message with: $want" "got: $out"
	fi
}

# Devices that cannot be members.
# (veths: a dummy has ARP off by design)
printf '%s\n' "link add d1 type veth peer name d1p" "link set d1 arp off" \
	"link add brx type bridge" "link add d2 type veth peer name d2p" \
	"link set d2 master brx" "link add bondx type bond" \
	"link add d3 type veth peer name d3p" "link set d3 master bondx" |
	ip -n "$SRV" -b - || diag "could not create the devices to refuse"
refused "lo refused: not Ethernet" "not an Ethernet device" \
	vipctl group add other --dev lo
refused "a device with ARP off refused" "does not use ARP" \
	vipctl group add other --dev d1
refused "a bridge port refused" "bridge port" \
	vipctl group add other --dev d2
refused "a bond port refused" "bond or team port" \
	vipctl dev add web d3
check "nothing applied: no group other, web has a1 a2 a3" bash -c "
	ip netns exec $SRV $VIPCTL show --json >$TMPD/refused.json &&
	$PYTHON -c 'import json; j = json.load(open(\"$TMPD/refused.json\"));
assert [g[\"name\"] for g in j[\"groups\"]] == [\"web\"], j
assert [d[\"ifname\"] for d in j[\"groups\"][0][\"devices\"]] == [\"a1\", \"a2\", \"a3\"], j'"

# A member cannot become a port of a bridge or a bond; a VRF is fine (its
# ports still see their own frames).
refused "a member cannot join a bridge" "vipfo member" \
	ip -n "$SRV" link set a1 master brx
# (a bond takes only ports that are down)
ip -n "$SRV" link set a2 down
refused "a member cannot join a bond" "vipfo member" \
	ip -n "$SRV" link set a2 master bondx
# a2 came back: the group holds it down for its up-delay before it answers
ip -n "$SRV" link set a2 up
check "a2 up again after the hold-down" slowwait 10 dev_state_is web a2 up
if ip -n "$SRV" link add vrfx type vrf table 10 2>/dev/null; then
	check "a member can join a VRF" ip -n "$SRV" link set a3 master vrfx
	check "a3 back up in the VRF" slowwait 10 dev_state_is web a3 up
	check_replies "$VIP1: a reply from each of a1 a2 a3 (a3 in a VRF)" \
		"$(arp_request "$VIP1")" a1 a2 a3
	ip -n "$SRV" link set a3 nomaster
	slowwait 10 dev_state_is web a3 up
else
	skip "a member can join a VRF" "no vrf support in this kernel"
fi
check "a1 a2 a3 still members, up" \
	slowwait 10 states_are web a1=up a2=up a3=up

# failover_event REASON IF: the monitor saw IF fail over for REASON
failover_event()
{
	find_event "$TMPD/events" "$TMPD/ev" \
		"e['event'] == 'failover' and e['failed']['ifname'] == '$2' and e['reason'] == '$1'"
}

# A member whose ARP is turned off leaves the group, and says why; it was
# live, so the others announce.
if capture_start 3; then
	GARP_SINCE=$EPOCHREALTIME
	ip -n "$SRV" link set a3 arp off
	capture_wait "$TMPD/garp-arpoff"
	check_garps "a3's ARP turned off: 3 GARPs per VIP from a1 and a2, none from a3" \
		"$TMPD/garp-arpoff" 3 "$VIPS" a1 a2
else
	not_ok "ARP off: capture started" "$(cat "$TMPD/capture.err")"
fi
check "a3 left the group" slowwait 10 bash -c "
	ip netns exec $SRV $VIPCTL show web --json | grep -vq '\"a3\"'"
check "events: a3 failed over (unfit) and was removed (unfit)" slowwait 10 bash -c "
	grep '\"failover\"' $TMPD/events | grep '\"a3\"' | grep -q '\"unfit\"' &&
	grep '\"dev-del\"' $TMPD/events | grep '\"a3\"' | grep -q '\"unfit\"'"
ip -n "$SRV" link set a3 arp on
check "a3 added again" vipctl dev add web a3
check "a3 up" slowwait 10 dev_state_is web a3 up

# dev del of the member the client uses: the others announce, and the
# client moves to one of them.
check "the client resolves $VIP1" client_resolve "$VIP1"
used=$(adapter_of_mac "$(client_neigh "$VIP1")")
others=$(for i in a1 a2 a3; do [ "$i" != "$used" ] && echo "$i"; done)
if capture_start 3; then
	GARP_SINCE=$EPOCHREALTIME
	vipctl dev del web "$used"
	capture_wait "$TMPD/garp-del"
	# shellcheck disable=SC2086 # two adapters
	check_garps "dev del of live $used: 3 GARPs per VIP from the others, none from $used" \
		"$TMPD/garp-del" 3 "$VIPS" $others
else
	not_ok "dev del: capture started" "$(cat "$TMPD/capture.err")"
fi
check "dev del of $used: a failover event, reason removed" \
	slowwait 10 failover_event removed "$used"
now=$(adapter_of_mac "$(client_neigh "$VIP1")")
if [ "$now" != "$used" ] && [ "$now" != "?" ]; then
	ok "the client moved from $used to $now"
else
	not_ok "the client moved away from $used" \
		"client's entry: $(ip -n "$CLI" neigh show "$VIP1")"
fi
check "$used added again" vipctl dev add web "$used"

# A member that is down when it is taken out: nobody is using it, nothing
# to announce.
ip -n "$SRV" link set a1 down
slowwait 10 dev_state_is web a1 down
n=$(grep -c '"failover"' "$TMPD/events")
check "dev del of down a1" vipctl dev del web a1
sleep 0.5
if [ "$(grep -c '"failover"' "$TMPD/events")" = "$n" ]; then
	ok "dev del of a down member: no second failover"
else
	not_ok "dev del of a down member: no second failover" "$(tail -n 3 "$TMPD/events")"
fi
ip -n "$SRV" link set a1 up

# VLANs and macvlans as members: a VLAN of a2 and a3 (VLAN 10, to the
# client's c0.10), and a macvlan on a1 with a MAC of its own.
VLAN_VIP=198.51.100.100
MV_VIP=192.0.2.120
check "VLAN devices a2.10 a3.10, c0.10" bash -c "
	printf '%s\n' 'link add link a2 name a2.10 type vlan id 10' \
		'link add link a3 name a3.10 type vlan id 10' \
		'link set a2.10 up' 'link set a3.10 up' \
		'link add link a1 name m1 type macvlan mode bridge' \
		'link set m1 up' | ip -n $SRV -b - &&
	printf '%s\n' 'link add link c0 name c0.10 type vlan id 10' \
		'link set c0.10 up' 'addr add 198.51.100.1/24 dev c0.10' |
	ip -n $CLI -b -"
check "group vlan with a2.10 a3.10, group mv with m1" bash -c "
	ip netns exec $SRV $VIPCTL group add vlan --dev a2.10,a3.10 --vip $VLAN_VIP &&
	ip netns exec $SRV $VIPCTL group add mv --dev m1 --vip $MV_VIP"
slowwait 10 links_up "$SRV" a2.10 a3.10 m1
REPLY_IFACE=c0.10 CLIENT_IP=198.51.100.1 check_replies \
	"$VLAN_VIP on VLAN 10: a reply from each of a2.10 a3.10" \
	"$(arp_request "$VLAN_VIP" --iface c0.10 --src-ip 198.51.100.1)" a2.10 a3.10
check_replies "$MV_VIP: one reply, from macvlan m1 with its own MAC" \
	"$(arp_request "$MV_VIP")" m1
if CAPTURE_IFACE=c0.10 capture_start 3; then
	GARP_SINCE=$EPOCHREALTIME
	fail_adapter carrier-loss a2
	capture_wait "$TMPD/garp-vlan"
	check_garps "carrier loss under a2.10: 3 GARPs for $VLAN_VIP from a3.10 on VLAN 10" \
		"$TMPD/garp-vlan" 3 "$VLAN_VIP" a3.10
else
	not_ok "VLAN: capture started" "$(cat "$TMPD/capture.err")"
fi
check "a2.10 reported no-carrier" slowwait 10 dev_state_is vlan a2.10 no-carrier

finish
