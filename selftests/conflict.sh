#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Another host claims a VIP (an ARP request or reply with the VIP as
# sender IP from a MAC of none of our devices): the frame is counted
# (conflicts), reported (`vipctl monitor`: a conflict event) and answered
# with one gratuitous ARP for that VIP from every live member. A second
# claim within a second is counted but neither answered nor reported
# again; another VIP has its own second. A probe (sender IP 0.0.0.0) is no
# claim: it is answered, which tells the prober the VIP is taken. Our own
# frames are no claims: the members' gratuitous ARPs of a failover heard
# on their siblings, and the host's requests through a non-member adapter
# on the same segment.

source "$(dirname "$0")/lib.sh"

require_all
require_scapy
require_cmd arping
tap_header

OTHER=02:00:5e:00:be:ef		# the other host claiming our VIPs
PROBER=02:00:5e:00:be:f0	# a host probing for a VIP (RFC 5227)

setup_or_finish setup_topology
check "group with a1 a2 a3 and two VIPs" \
	vipctl group add web --dev a1,a2,a3 --vip "$VIP1,$VIP2"

M="$TMPD/monitor.json"
T="$TMPD/monitor.txt"
E="$TMPD/event.json"
bg ip netns exec "$SRV" "$VIPCTL" monitor --json >"$M" 2>"$M.err"
bg ip netns exec "$SRV" "$VIPCTL" monitor >"$T" 2>"$T.err"

# The monitors listen once both report a change of a probe group.
probe_seen()
{
	vipctl group add probe >/dev/null 2>&1
	vipctl group del probe >/dev/null 2>&1
	find_event "$M" "$E" "e.get('group') == 'probe'" && grep -q probe "$T"
}
if ! slowwait 30 probe_seen; then
	not_ok "monitors report events" "$(cat "$M.err" "$T.err")"
	finish
fi

J="$TMPD/stats.json"
# conflicts [IF]: the group's conflicts counter, or member IF's
conflicts()
{
	vipctl show web --json --stats >"$J" || return 1
	if [ -z "${1:-}" ]; then
		json_value "$J" "j['groups'][0]['stats']['conflicts']"
	else
		json_value "$J" "[d['stats']['conflicts'] for d in j['groups'][0]['devices'] if d['ifname'] == '$1'][0]"
	fi
}

# all_conflicts: the group's counter and each member's, space-separated
all_conflicts()
{
	echo "$(conflicts) $(conflicts a1) $(conflicts a2) $(conflicts a3)"
}

# conflict_events VIP: how many conflict events for VIP the JSON monitor
# printed so far
conflict_events()
{
	"$PYTHON" - "$M" "$1" <<'EOF'
import json, sys
n = 0
for line in open(sys.argv[1]):
    try:
        e = json.loads(line)
    except ValueError:
        continue
    n += e.get("event") == "conflict" and e.get("vip") == sys.argv[2]
print(n)
EOF
}

# garp_senders FILE VIP: the adapters that sent a gratuitous ARP for VIP
# (request form, broadcast, sender MAC = Ethernet source) in the capture
# FILE, one line each, sorted; the other host's own frames left out.
garp_senders()
{
	local m

	awk -v vip="$2" -v other="$OTHER" \
		'$2 == vip && $1 != other { print $1, $3, $4, $5 }' "$1" |
		while read -r m src dst op; do
			if [ "$m" = "$src" ] && [ "$dst" = "$BCAST" ] && [ "$op" = 1 ]; then
				adapter_of_mac "$m"
			else
				echo "malformed:$m/$src/$dst/$op"
			fi
		done | sort
}

# check_senders DESC FILE VIP IF...: exactly one update for VIP from each IF
check_senders()
{
	local desc=$1 file=$2 vip=$3 got want

	shift 3
	got=$(garp_senders "$file" "$vip" | tr '\n' ' ')
	want=$([ $# -eq 0 ] || printf '%s\n' "$@" | sort | tr '\n' ' ')
	if [ "$got" = "$want" ]; then
		ok "$desc"
	else
		not_ok "$desc" "expected: $want" "seen: ${got:-(none)}" \
			"capture:" "$(cat "$file")"
	fi
}

# --- a claim, and a second one within the second ---------------------------

read -r g0 m10 m20 m30 <<<"$(all_conflicts)"
GARP_FILE="$TMPD/claim1.txt"
capture_start 3
# Two gratuitous ARPs (request form) from the other host, 50 ms apart.
arpc request --iface c0 --target "$VIP1,$VIP1" --gratuitous \
	--src-mac "$OTHER" --inter 0.05 --window 0.1 >/dev/null
capture_wait "$GARP_FILE"
read -r g1 m11 m21 m31 <<<"$(all_conflicts)"

check "group counted both claims ($g0 -> $g1)" test "$g1" -eq $((g0 + 2))
check "each member counted both copies it received" \
	test "$m11" -eq $((m10 + 2)) -a "$m21" -eq $((m20 + 2)) -a "$m31" -eq $((m30 + 2))
check_senders "$VIP1 announced again once by each of a1 a2 a3, not twice" \
	"$GARP_FILE" "$VIP1" a1 a2 a3
check_senders "$VIP2 not announced" "$GARP_FILE" "$VIP2"

cond="e.get('event') == 'conflict' and e.get('vip') == '$VIP1'"
if slowwait 10 find_event "$M" "$E" "$cond"; then
	members="{'a1': ($(ifindex "$SRV" a1), '$(mac "$SRV" a1)'),
		  'a2': ($(ifindex "$SRV" a2), '$(mac "$SRV" a2)'),
		  'a3': ($(ifindex "$SRV" a3), '$(mac "$SRV" a3)')}"
	check "conflict event: group, VIP, the other MAC, the member" json_check "$E" \
		"e['group'] == 'web'" "e['peer_mac'] == '$OTHER'" \
		"(e['device']['ifindex'], e['device']['mac']) == $members[e['device']['ifname']]"
else
	not_ok "conflict event for $VIP1" "events:" "$(tail -n 20 "$M")"
fi
check "one event for the two claims" test "$(conflict_events "$VIP1")" -eq 1
check "monitor (text) prints the conflict" \
	grep -qE "^conflict web: $VIP1 claimed by $OTHER, seen on a[123] \(ifindex [0-9]+\)$" "$T"

# --- a second later: a claim in a reply, and one on the other VIP -----------

sleep 1.2
GARP_FILE="$TMPD/claim2.txt"
capture_start 3
# "VIP1 is at OTHER", told to the client (broadcast): a claim too.
arpc request --iface c0 --target "$CLIENT_IP" --src-ip "$VIP1" --op reply \
	--src-mac "$OTHER" --window 0.1 >/dev/null
arpc request --iface c0 --target "$VIP2" --gratuitous \
	--src-mac "$OTHER" --window 0.1 >/dev/null
capture_wait "$GARP_FILE"
read -r g2 _ <<<"$(all_conflicts)"
check "both counted ($g1 -> $g2)" test "$g2" -eq $((g1 + 2))
check_senders "claim in a reply: $VIP1 announced again by a1 a2 a3" \
	"$GARP_FILE" "$VIP1" a1 a2 a3
check_senders "claim on $VIP2: $VIP2 announced by a1 a2 a3" \
	"$GARP_FILE" "$VIP2" a1 a2 a3
events_are() { [ "$(conflict_events "$VIP1")" -eq "$1" ] && [ "$(conflict_events "$VIP2")" -eq "$2" ]; }
slowwait 10 events_are 2 1
check "events: $VIP1 twice, $VIP2 once" events_are 2 1

# --- a probe is no claim: answered --------------------------------------------

read -r g3 _ <<<"$(all_conflicts)"
replies=$(arp_request "$VIP1" --src-ip 0.0.0.0 --src-mac "$PROBER")
want=$(for i in a1 a2 a3; do echo "$(mac "$SRV" "$i") $VIP1 $PROBER 0.0.0.0"; done | sort)
got=$(awk 'NF { print $1, $2, $5, $6 }' <<<"$replies" | sort)
if [ "$want" = "$got" ]; then
	ok "probe for $VIP1 answered by a1 a2 a3 (the VIP is taken)"
else
	not_ok "probe for $VIP1 answered by a1 a2 a3" "expected:" "$want" \
		"received:" "${replies:-(none)}"
fi
check "probe not counted as a conflict" test "$(conflicts)" -eq "$g3"

# --- our own frames are no claims ---------------------------------------------

# The host's own request through a non-member adapter on the segment,
# with a VIP as sender IP: it reaches the members (the client answers it).
g3=$(conflicts)
ip -n "$SRV" link add a5 type veth peer name p5 netns "$SW"
ip -n "$SW" link set p5 master br0 up
ip -n "$SRV" link set a5 up
slowwait 10 links_up "$SRV" a5
check "request from non-member a5 with sender $VIP1 reaches the segment" \
	srv arping -q -c 1 -w 5 -i a5 -S "$VIP1" "$CLIENT_IP"
check "not a conflict" test "$(conflicts)" -eq "$g3"

# A failover: a1 and a3 announce both VIPs three times, heard by each other.
g4=$(conflicts) e1=$(conflict_events "$VIP1") e2=$(conflict_events "$VIP2")
GARP_FILE="$TMPD/failover.txt"
capture_start 2
fail_adapter admin-down a2
capture_wait "$GARP_FILE"
check_garps "failover: a1 a3 announce both VIPs 3 times" "$GARP_FILE" 3 \
	"$VIP1 $VIP2" a1 a3
check "the members' own updates are no conflicts" test "$(conflicts)" -eq "$g4"
check "no further conflict event" events_are "$e1" "$e2"

# --- still defended with a member down -----------------------------------------

GARP_FILE="$TMPD/claim3.txt"
capture_start 3
arpc request --iface c0 --target "$VIP1" --gratuitous \
	--src-mac "$OTHER" --window 0.1 >/dev/null
capture_wait "$GARP_FILE"
check_senders "with a2 down: $VIP1 announced again by a1 a3" \
	"$GARP_FILE" "$VIP1" a1 a3
check "and counted" test "$(conflicts)" -eq $((g4 + 1))

finish
