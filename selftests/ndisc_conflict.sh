#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# IPv6's twin of conflict.sh. Another host claims a VIPv6 (an unsolicited
# neighbour advertisement for it with its own MAC): the claim is counted
# (conflicts, by the group and by each member that received it), reported
# (`vipctl monitor`: a conflict event naming the VIP, the host's MAC and
# the member) and answered within a second by one unsolicited
# advertisement for that VIP from every live member (Override set, to all
# nodes, its own MAC), so that peers move back to us. Two hosts fighting
# over an address must not make a storm: a flood of claims is counted in
# full but answered and reported at most once a second. Another host's
# DAD probe for a VIPv6 is a claim too: it is answered (the VIP is taken)
# and counted. Our own advertisements are no claims: a failover's, heard
# by the siblings of the members that send them.

source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/ndisc_lib.sh"

require_all
require_scapy6
tap_header

FLOOD_N=25		# claims in the flood,
FLOOD_INTER=0.1		# seconds apart

NS_IPV6=1
setup_or_finish setup_topology setup_client2 remember_macs ndc_start_cli2
check "group with a1 a2 a3, $VIP6_1 and $VIP6_2" \
	vipctl group add web --dev a1,a2,a3 --vip "$VIP6_1,$VIP6_2"
OTHER=$(mac_of "$CLI2" c0)	# the other host, claiming our VIPs

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
	grep -q '"group":"probe"' "$M" && grep -q probe "$T"
}
if ! slowwait 30 probe_seen; then
	not_ok "monitors report events" "$(cat "$M.err" "$T.err")"
	finish
fi

# conflict_events VIP: how many conflict events for VIP the JSON monitor
# printed so far
conflict_events()
{
	grep '"event":"conflict"' "$M" | grep -c "\"vip\":\"$1\""
}

events_are()
{
	[ "$(conflict_events "$VIP6_1")" -eq "$1" ] &&
		[ "$(conflict_events "$VIP6_2")" -eq "$2" ]
}

# all_conflicts: the group's counter and each member's, space-separated
all_conflicts()
{
	member_stats conflicts a1 a2 a3
}

# ours FILE VIP: the advertisements for VIP in the capture FILE that are
# not the other host's own
ours()
{
	awk -v vip="$2" -v other="$OTHER" '$5 == vip && $1 != other' "$1"
}

# check_announced DESC FILE VIP IF...: exactly one unsolicited
# advertisement for VIP from each IF (an adapter named twice: two), to all
# nodes, Override set, in the capture FILE
check_announced()
{
	local desc=$1 file=$2 vip=$3

	shift 3
	check_adverts "$desc" "$(ours "$file" "$vip")" "$vip" "$ALL_NODES" \
		"$ALL_NODES_MAC" O "$@"
}

# answer_delay FILE VIP: seconds from the other host's first claim on VIP
# to our last advertisement for it, in the capture FILE
answer_delay()
{
	awk -v vip="$2" -v other="$OTHER" '
		$5 != vip { next }
		$1 == other && first == "" { first = $10 }
		$1 != other { last = $10 }
		END { if (first == "" || last == "") exit 1
		      printf "%.3f\n", last - first }' "$1"
}

# --- a claim, and a second one within the second ---------------------------

read -r g0 m10 m20 m30 <<<"$(all_conflicts)"
CAP="$TMPD/claim1.txt"
na_capture_start 3
# Two unsolicited advertisements from the other host, 50 ms apart.
ndc advertise --iface c0 --target "$VIP6_1" --src "$CLIENT2_IP6" \
	--count 2 --inter 0.05
na_capture_wait "$CAP"
read -r g1 m11 m21 m31 <<<"$(all_conflicts)"

check "group counted both claims ($g0 -> $g1)" test "$g1" -eq $((g0 + 2))
check "each member counted both copies it received" \
	test "$m11" -eq $((m10 + 2)) -a "$m21" -eq $((m20 + 2)) -a "$m31" -eq $((m30 + 2))
check_announced "$VIP6_1 announced again once by each of a1 a2 a3, not twice" \
	"$CAP" "$VIP6_1" a1 a2 a3
d=$(answer_delay "$CAP" "$VIP6_1")
check "within a second of the claim (${d:-?} s)" \
	awk -v d="$d" 'BEGIN { exit !(d != "" && d < 1) }'
check_announced "$VIP6_2 not announced" "$CAP" "$VIP6_2"

cond="e.get('event') == 'conflict' and e.get('vip') == '$VIP6_1'"
if slowwait 10 find_event "$M" "$E" "$cond"; then
	members="{'a1': ($(ifindex "$SRV" a1), '$(mac_of "$SRV" a1)'),
		  'a2': ($(ifindex "$SRV" a2), '$(mac_of "$SRV" a2)'),
		  'a3': ($(ifindex "$SRV" a3), '$(mac_of "$SRV" a3)')}"
	check "conflict event: group, VIP, the other MAC, the member" json_check "$E" \
		"e['group'] == 'web'" "e['peer_mac'] == '$OTHER'" \
		"(e['device']['ifindex'], e['device']['mac']) == $members[e['device']['ifname']]"
else
	not_ok "conflict event for $VIP6_1" "events:" "$(tail -n 20 "$M")"
fi
check "one event for the two claims" events_are 1 0
check "monitor (text) prints the conflict" \
	grep -qE "^conflict web: $VIP6_1 claimed by $OTHER, seen on a[123] \(ifindex [0-9]+\)$" "$T"

# --- a flood: answered once a second ---------------------------------------

# (A second after the first claim, the VIP may be defended again.)
sleep 1.2
read -r g2 _ <<<"$(all_conflicts)"
CAP="$TMPD/flood.txt"
# (Until 2 s after the flood: the capture's first frame is its first.)
na_capture_start "$(awk -v n="$FLOOD_N" -v i="$FLOOD_INTER" 'BEGIN { print n * i + 2 }')"
ndc advertise --iface c0 --target "$VIP6_1" --src "$CLIENT2_IP6" \
	--count "$FLOOD_N" --inter "$FLOOD_INTER"
na_capture_wait "$CAP"
read -r g3 _ <<<"$(all_conflicts)"
check "all $FLOOD_N claims counted ($g2 -> $g3)" test "$g3" -eq $((g2 + FLOOD_N))

# flood_rounds: "ROUNDS SECONDS": the announcements of VIP6_1 in the
# capture fall in ROUNDS of one from each of a1 a2 a3, no two of a member
# within 0.9 s (the module's second, as frames arrive), at least two and
# at most one a second while the flood lasted SECONDS; fails, saying why,
# otherwise.
flood_rounds()
{
	local m1 m2 m3

	m1=$(mac_of "$SRV" a1) m2=$(mac_of "$SRV" a2) m3=$(mac_of "$SRV" a3)
	ours "$CAP" "$VIP6_1" >"$TMPD/flood_ours.txt"
	awk -v other="$OTHER" -v vip="$VIP6_1" '$5 == vip && $1 == other' \
		"$CAP" >"$TMPD/flood_claims.txt"
	awk -v macs="$m1 $m2 $m3" -v claims="$TMPD/flood_claims.txt" '
		BEGIN {
			while ((getline l < claims) > 0) {
				split(l, f, " ")
				if (first == "") first = f[10]
				lastc = f[10]
			}
			nm = split(macs, mac, " ")
		}
		{ t[$1, ++n[$1]] = $10 }
		END {
			r = n[mac[1]]
			for (i = 1; i <= nm; i++) {
				if (n[mac[i]] != r) bad = bad sprintf("%s announced %d times, %s %d; ", mac[i], n[mac[i]], mac[1], r)
				for (k = 2; k <= n[mac[i]]; k++)
					if (t[mac[i], k] - t[mac[i], k - 1] < 0.9)
						bad = bad sprintf("%s: %.3f s between announcements %d and %d; ", mac[i], t[mac[i], k] - t[mac[i], k - 1], k - 1, k)
			}
			dur = lastc - first
			if (first == "") bad = bad "the flood not seen; "
			# Still defended while it lasts, but no more often
			# than once a second (give or take the transit of frames).
			if (r < (dur >= 1.5 ? 2 : 1) || r > int(dur + 0.2) + 1)
				bad = bad sprintf("%d rounds in a flood of %.1f s; ", r, dur)
			printf "%d %.1f\n", r, dur
			if (bad != "") { print bad; exit 1 }
		}' "$TMPD/flood_ours.txt"
}
if out=$(flood_rounds); then
	read -r rounds secs <<<"$out"
	ok "flood of $FLOOD_N claims over $secs s: $rounds rounds of announcements by a1 a2 a3, a second apart"
	slowwait 5 events_are $((1 + rounds)) 0
	check "one conflict event per round ($rounds)" events_are $((1 + rounds)) 0
else
	not_ok "flood of $FLOOD_N claims: announced by a1 a2 a3 at most once a second" \
		"$out" "announcements seen:" "$(cat "$TMPD/flood_ours.txt")"
fi

# --- another host's DAD probe: answered, and a claim ------------------------

read -r g4 _ <<<"$(all_conflicts)"
nas=$(ndc solicit --iface c0 --target "$VIP6_2" --dad --window 1)
check_adverts "DAD probe for $VIP6_2: answered once by each of a1 a2 a3, to all nodes (the answer is the announcement)" \
	"$nas" "$VIP6_2" "$ALL_NODES" "$ALL_NODES_MAC" O a1 a2 a3
read -r g5 _ <<<"$(all_conflicts)"
check "counted as a conflict ($g4 -> $g5)" test "$g5" -eq $((g4 + 1))
cond="e.get('event') == 'conflict' and e.get('vip') == '$VIP6_2'"
if slowwait 10 find_event "$M" "$E" "$cond"; then
	check "conflict event for $VIP6_2 names the prober" json_check "$E" \
		"e['group'] == 'web'" "e['peer_mac'] == '$OTHER'"
else
	not_ok "conflict event for $VIP6_2" "events:" "$(tail -n 20 "$M")"
fi

# --- our own advertisements are no claims ------------------------------------

# A failover: a1 and a3 announce both VIPs, 3 times, heard by each other.
read -r g6 _ <<<"$(all_conflicts)"
read -r nas0 <<<"$(group_stats nas)"
e1=$(conflict_events "$VIP6_1") e2=$(conflict_events "$VIP6_2")
CAP="$TMPD/failover.txt"
na_capture_start 2
fail_adapter admin-down a2
na_capture_wait "$CAP"
check_announced "failover: a1 a3 announce $VIP6_1 three times" "$CAP" \
	"$VIP6_1" a1 a1 a1 a3 a3 a3
check_announced "failover: a1 a3 announce $VIP6_2 three times" "$CAP" \
	"$VIP6_2" a1 a1 a1 a3 a3 a3
read -r nas1 <<<"$(group_stats nas)"
check "counted: nas $nas0 -> $nas1" test "$nas1" -eq $((nas0 + 12))
read -r g7 _ <<<"$(all_conflicts)"
check "the members' own advertisements are no conflicts ($g6 -> $g7)" \
	test "$g7" -eq "$g6"
check "no further conflict event" events_are "$e1" "$e2"

finish
