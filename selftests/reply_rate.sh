#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A flood of requests for a VIP cannot make the server flood, nor make it
# fall silent: with --reply-rate 50 every live member answers (the
# fan-out) at most 50 replies a second plus one second's burst, whatever
# the client sends; a request the budget cannot pay for is answered by the
# member that received it alone, one reply, and counted (rate_limited). So
# another host that keeps resolving the VIP during the flood gets an
# answer every time. With --reply-rate 0 nothing is limited. Counted on
# the server (the group's counters) and on the client (the replies that
# actually arrive). All of it for ARP requests for an IPv4 VIP, then for
# neighbour solicitations (NS) for a VIPv6 of the same group: one budget
# pays for both.

source "$(dirname "$0")/lib.sh"

require_all
require_cmd trafgen mausezahn tcpdump
tap_header

NS_IPV6=1
VIP6=2001:db8::100
LIMIT=50
FLOOD_N=2000		# requests in the flood
FLOOD_GAP=2ms		# between them: 500 a second, ten times the limit

setup_or_finish setup_topology setup_client2
check "group with a1 a2 a3, $VIP1 and $VIP6, --reply-rate $LIMIT" \
	vipctl group add web --dev a1,a2,a3 --vip "$VIP1,$VIP6" --reply-rate "$LIMIT"

J="$TMPD/show.json"
vipctl show web --json >"$J"
check "show --json reports reply_rate $LIMIT" json_check "$J" "g['reply_rate'] == $LIMIT"

# counters: the group's requests, replies (with the ones that could not be
# sent: a reply is paid for either way) and rate_limited counters
counters()
{
	vipctl show web --json --stats >"$J" &&
		json_value "$J" "(lambda s: f\"{s['requests']} {s['replies'] + s['tx_errors']} {s['rate_limited']}\")(j['groups'][0]['stats'])"
}

replies_at_least()
{
	local r

	read -r _ r _ <<<"$(counters)"
	[ "$r" -ge "$1" ]
}

# family 4|6: what the checks below ask for, and how. The request from the
# client (frames.py), for trafgen and for mausezahn; the client's capture
# of the replies; the other host's resolver.
family()
{
	local req

	case $1 in
	4)	FAM=ARP TARGET=$VIP1 REPLY_FILTER='arp and arp[6:2] == 2'
		REPLY_TEXT=is-at req="arp $(mac "$CLI" c0) $CLIENT_IP $VIP1" ;;
	6)	FAM=NS TARGET=$VIP6 REPLY_FILTER='icmp6 and ip6[40] == 136'
		REPLY_TEXT="neighbor advertisement"
		req="ns $(mac "$CLI" c0) $CLIENT6_IP $VIP6" ;;
	esac
	# shellcheck disable=SC2086 # its words
	"$PYTHON" "$SELFTEST_DIR/frames.py" $req >"$TMPD/request.cfg" &&
		"$PYTHON" "$SELFTEST_DIR/frames.py" --hex $req >"$TMPD/request.hex"
}

# The other host asks for the target COUNT times, GAP seconds apart.
resolve()
{
	case $FAM in
	ARP)	cli2 "$PYTHON" "$SELFTEST_DIR/arp_client.py" resolve --iface c0 \
			--target "$TARGET" --src-ip "$CLIENT2_IP" --count "$1" \
			--inter "$2" ;;
	NS)	cli2 "$PYTHON" "$SELFTEST_DIR/ndisc_client.py" resolve --iface c0 \
			--target "$TARGET" --src "$CLIENT2_IP6" --count "$1" \
			--inter "$2" ;;
	esac
}

# capture_replies FILE: record the replies c0 receives into FILE (pcap)
# until capture_stop; returns once tcpdump listens.
capture_replies()
{
	bg ip netns exec "$CLI" tcpdump -ni c0 -U -w "$1" "$REPLY_FILTER" \
		2>"$1.err"
	CAP_PID=$BG_PID
	slowwait 30 grep -q "listening on" "$1.err"
}

capture_stop()
{
	kill "$CAP_PID" 2>/dev/null
	wait "$CAP_PID" 2>/dev/null
	tcpdump -nr "$1" 2>/dev/null | grep -c "$REPLY_TEXT"
}

# flood N GAP: N requests from the client, GAP apart; says so when trafgen
# fails
flood()
{
	# trafgen refuses a device that is not running (operstate UP yet).
	slowwait 10 bash -c "ip -n $CLI link show c0 | grep -q 'state UP'"
	trafgen_in "$CLI" -o c0 -i "$TMPD/request.cfg" -n "$1" -t "$2" -P 1 -q \
		>"$TMPD/trafgen.out" 2>"$TMPD/trafgen.err" ||
		diag "trafgen failed (exit $?): $(cat "$TMPD/trafgen.err")"
}

limited_more()
{
	local l

	read -r _ _ l <<<"$(counters)"
	[ "$l" -gt "$1" ]
}

# --- limited ---------------------------------------------------------------

limited()
{
	local req0 rep0 lim0 req1 rep1 lim1 t0 t1 t2 seen requests replies
	local limited flood_ms window_ms fanout max min

	read -r req0 rep0 lim0 <<<"$(counters)"
	if ! capture_replies "$TMPD/limited.pcap"; then
		not_ok "$FAM: tcpdump listens on the client" "$(cat "$TMPD/limited.pcap.err")"
		return
	fi
	t0=$(now_ms)
	flood "$FLOOD_N" "$FLOOD_GAP"
	t1=$(now_ms)
	# Replies to the last requests are on their way: let them arrive.
	sleep 0.5
	read -r req1 rep1 lim1 <<<"$(counters)"
	t2=$(now_ms)
	seen=$(capture_stop "$TMPD/limited.pcap")

	requests=$((req1 - req0)) replies=$((rep1 - rep0)) limited=$((lim1 - lim0))
	flood_ms=$((t1 - t0)) window_ms=$((t2 - t0))
	diag "$FAM flood: $FLOOD_N requests in $flood_ms ms; the group counted $requests," \
		"answered with $replies replies ($((replies * 1000 / (window_ms + 1)))/s over" \
		"$window_ms ms); $limited requests by one member alone; the client saw $seen replies"

	# The budget holds one second's worth and refills at LIMIT a
	# second: over any window the group's fan-out is at most LIMIT x
	# window + LIMIT replies. One request costs 3 (3 live members), hence
	# + 3. And it does fan out: at least half the limit while the flood
	# lasts. The requests it could not pay for got one reply each.
	fanout=$((replies - limited))
	max=$((LIMIT * window_ms / 1000 + LIMIT + 3))
	min=$((LIMIT * flood_ms / 1000 / 2))
	if [ "$fanout" -le "$max" ] && [ "$fanout" -ge "$min" ]; then
		ok "$FAM: fan-out: $fanout replies in $window_ms ms (limit $LIMIT/s: $min..$max)"
	else
		not_ok "$FAM: fan-out bounded by the limit" \
			"$fanout replies from every member in $window_ms ms, expected $min..$max"
	fi
	# Every request is answered: by every member, or by one alone.
	if [ "$requests" -ge $((FLOOD_N * 9 / 10)) ] && [ $((fanout % 3)) -eq 0 ] &&
	   [ "$limited" -gt 0 ] && [ $((limited + fanout / 3)) -eq "$requests" ]; then
		ok "$FAM: every request answered; rate_limited counts those answered by one member ($limited of $requests)"
	else
		not_ok "$FAM: every request answered, by 3 members or (rate_limited) by one" \
			"requests $requests, replies $replies, rate_limited $limited"
	fi
	if [ "$seen" -ge $((replies * 9 / 10)) ] && [ "$seen" -le "$replies" ]; then
		ok "$FAM: client received $seen of the $replies replies"
	else
		not_ok "$FAM: client receives the replies" "$seen received of $replies sent"
	fi

	# The budget refills: after a pause a request is answered again.
	sleep 1.5
	read -r req0 rep0 lim0 <<<"$(counters)"
	flood 1 1ms
	slowwait 10 replies_at_least $((rep0 + 3))
	read -r req1 rep1 lim1 <<<"$(counters)"
	check "$FAM: after a pause, a request is answered again (3 replies)" \
		test $((rep1 - rep0)) -eq 3 -a "$lim1" -eq "$lim0"
}

# --- another host resolves the VIP throughout a flood ----------------------

RESOLVE_N=40		# requests of the other host, RESOLVE_GAP s apart
RESOLVE_GAP=0.15

resolve_during_flood()
{
	local lim0 lim1 lim2 flooding answered bad

	read -r _ _ lim0 <<<"$(counters)"
	slowwait 10 bash -c "ip -n $CLI link show c0 | grep -q 'state UP'"
	# mausezahn, one process that stops when told and sleeps between
	# frames (trafgen's worker would not stop, and its pacing spins a CPU
	# the other host needs): the frame's bytes as they are.
	bg ip netns exec "$CLI" mausezahn c0 -q -c 0 -d 2msec \
		"$(cat "$TMPD/request.hex")" >"$TMPD/mausezahn.log" 2>&1
	FLOOD_PID=$BG_PID
	# The flood has spent the budget once a request went to one member.
	if ! slowwait 30 limited_more "$lim0"; then
		not_ok "$FAM: the flood spends the budget" "$(counters)" \
			"$(tail -n 3 "$TMPD/mausezahn.log")"
		kill "$FLOOD_PID" 2>/dev/null
		wait "$FLOOD_PID" 2>/dev/null
		return
	fi
	read -r _ _ lim1 <<<"$(counters)"
	resolve "$RESOLVE_N" "$RESOLVE_GAP" >"$TMPD/resolve.out" 2>"$TMPD/resolve.err"
	read -r _ _ lim2 <<<"$(counters)"
	flooding=$(kill -0 "$FLOOD_PID" 2>/dev/null && echo yes)
	kill "$FLOOD_PID" 2>/dev/null
	wait "$FLOOD_PID" 2>/dev/null
	answered=$(awk '/^answered/ { print $2 }' "$TMPD/resolve.out")
	diag "$FAM: other host: ${answered:-?} of $RESOLVE_N requests answered during the flood" \
		"(rate_limited $lim1 -> $lim2); replies per request:" \
		"$(awk '!/^answered/ { print $2 }' "$TMPD/resolve.out" | sort -n | uniq -c |
			awk '{ printf "%s x %s; ", $1, $2 }')" "$(head -n 3 "$TMPD/resolve.err")"
	check "$FAM: the flood went on while the other host resolved" \
		test "$flooding" = yes -a "$lim2" -gt "$lim1"
	# A requester that asks 40 times gets at least 38 answers (95%): on a
	# veth nothing is lost, but a loaded VM may be slow to send one.
	check "$FAM: other host answered ${answered:-?} times of $RESOLVE_N (at least 95%)" \
		test "${answered:-0}" -ge $((RESOLVE_N * 95 / 100))
	bad=$(awk -v m=" $(macs_of a1 a2 a3)" \
		'!/^answered/ && $3 != "-" { n = split($3, s, ","); for (i = 1; i <= n; i++)
			if (index(m, " " s[i] " ") == 0) print s[i] }' "$TMPD/resolve.out")
	check "$FAM: and every answer came from a member" test -z "$bad"
}

for fam in 4 6; do
	family "$fam"
	limited
	resolve_during_flood
done

# --- unlimited -------------------------------------------------------------

check "group set --reply-rate 0" vipctl group set web --reply-rate 0
vipctl show web --json >"$J"
check "show --json reports reply_rate 0" json_check "$J" "g['reply_rate'] == 0"

N=300
GAP=4ms			# 250 requests, 750 replies a second

unlimited()
{
	local req0 rep0 lim0 req1 rep1 lim1 t0 t1 seen requests replies limited
	local flood_ms

	read -r req0 rep0 lim0 <<<"$(counters)"
	capture_replies "$TMPD/unlimited.pcap"
	t0=$(now_ms)
	flood "$N" "$GAP"
	t1=$(now_ms)
	sleep 0.5
	read -r req1 rep1 lim1 <<<"$(counters)"
	seen=$(capture_stop "$TMPD/unlimited.pcap")
	requests=$((req1 - req0)) replies=$((rep1 - rep0)) limited=$((lim1 - lim0))
	flood_ms=$((t1 - t0))
	diag "$FAM, no limit: $N requests in $flood_ms ms; the group counted $requests," \
		"answered with $replies replies, $limited by one member alone; the client saw $seen"
	check "$FAM, no limit: nothing rate limited" test "$limited" -eq 0
	check "$FAM, no limit: every request answered by a1 a2 a3 ($replies = 3 x $requests)" \
		test "$replies" -eq $((3 * requests)) -a "$requests" -ge $((N * 9 / 10))
	check "$FAM, no limit: the client received them ($seen of $replies)" \
		test "$seen" -ge $((replies * 9 / 10))
	check "$FAM, no limit: far above $LIMIT replies/s" \
		test $((replies * 1000 / (flood_ms + 500))) -gt $((2 * LIMIT))
}

for fam in 4 6; do
	family "$fam"
	unlimited
done

finish
