#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A flood of ARP requests for a VIP cannot make the server flood: with
# --reply-rate 50 the group sends at most 50 replies a second plus one
# second's burst, whatever the client sends, counts the requests it drops
# (rate_limited), and answers the rest from every live member. With
# --reply-rate 0 nothing is limited. Counted on the server (the group's
# counters) and on the client (the replies that actually arrive).

source "$(dirname "$0")/lib.sh"

require_all
require_cmd trafgen tcpdump
tap_header

LIMIT=50
FLOOD_N=2000		# requests in the flood
FLOOD_GAP=2ms		# between them: 500 a second, ten times the limit

setup_or_finish setup_topology
check "group with a1 a2 a3, --reply-rate $LIMIT" \
	vipctl group add web --dev a1,a2,a3 --vip "$VIP1" --reply-rate "$LIMIT"

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

# One ARP request from the client (who-has VIP1 tell CLIENT_IP), for
# trafgen: 60 bytes, broadcast.
client_mac=$(mac "$CLI" c0)
hexmac=0x${client_mac//:/,0x}
cat >"$TMPD/request.cfg" <<EOF
{ 0xff,0xff,0xff,0xff,0xff,0xff, $hexmac, c16(0x0806),
  c16(1), c16(0x0800), 6, 4, c16(1), $hexmac, ${CLIENT_IP//./,},
  0,0,0,0,0,0, ${VIP1//./,}, fill(0, 18) }
EOF

# capture_replies FILE: record the ARP replies c0 receives into FILE
# (pcap) until capture_stop; returns once tcpdump listens.
capture_replies()
{
	bg ip netns exec "$CLI" tcpdump -ni c0 -U -w "$1" 'arp and arp[6:2] == 2' \
		2>"$1.err"
	CAP_PID=$BG_PID
	wait_for 30 grep -q "listening on" "$1.err"
}

capture_stop()
{
	kill "$CAP_PID" 2>/dev/null
	wait "$CAP_PID" 2>/dev/null
	tcpdump -nr "$1" 2>/dev/null | grep -c "is-at"
}

# flood N GAP: N requests from the client, GAP apart; says so when trafgen
# fails
flood()
{
	# trafgen refuses a device that is not running (operstate UP yet).
	wait_for 10 bash -c "ip -n $CLI link show c0 | grep -q 'state UP'"
	cli trafgen -o c0 -i "$TMPD/request.cfg" -n "$1" -t "$2" -P 1 -q \
		>"$TMPD/trafgen.out" 2>&1 ||
		diag "trafgen failed (exit $?): $(tail -n 3 "$TMPD/trafgen.out")"
}

# --- limited ---------------------------------------------------------------

read -r req0 rep0 lim0 <<<"$(counters)"
if ! capture_replies "$TMPD/limited.pcap"; then
	not_ok "tcpdump listens on the client" "$(cat "$TMPD/limited.pcap.err")"
	finish
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
diag "flood: $FLOOD_N requests in $flood_ms ms; the group counted $requests," \
	"answered with $replies replies ($((replies * 1000 / (window_ms + 1)))/s over" \
	"$window_ms ms), dropped $limited; the client saw $seen replies"

# The budget holds one second's worth and refills at LIMIT a second: over
# any window the group sends at most LIMIT x window + LIMIT. One request
# costs 3 replies (3 live members), hence + 3. And it does answer: at
# least half the limit while the flood lasts.
max=$((LIMIT * window_ms / 1000 + LIMIT + 3))
min=$((LIMIT * flood_ms / 1000 / 2))
if [ "$replies" -le "$max" ] && [ "$replies" -ge "$min" ]; then
	ok "server sent $replies replies in $window_ms ms (limit $LIMIT/s: $min..$max)"
else
	not_ok "server replies bounded by the limit" \
		"$replies replies in $window_ms ms, expected $min..$max"
fi
if [ "$seen" -le "$max" ] && [ "$seen" -ge "$min" ]; then
	ok "client received $seen replies ($min..$max)"
else
	not_ok "client receives replies bounded by the limit" \
		"$seen replies, expected $min..$max"
fi
# A request is answered by every member or dropped whole.
if [ "$requests" -ge $((FLOOD_N * 9 / 10)) ] && [ $((replies % 3)) -eq 0 ] &&
   [ "$limited" -gt 0 ] && [ $((limited + replies / 3)) -eq "$requests" ]; then
	ok "rate_limited counts the requests dropped ($limited of $requests)"
else
	not_ok "rate_limited counts the requests dropped, the others get 3 replies" \
		"requests $requests, replies $replies, rate_limited $limited"
fi

# The budget refills: after a pause a request is answered again.
sleep 1.5
read -r req0 rep0 lim0 <<<"$(counters)"
flood 1 1ms
wait_for 10 replies_at_least $((rep0 + 3))
read -r req1 rep1 lim1 <<<"$(counters)"
check "after a pause, a request is answered again (3 replies)" \
	test $((rep1 - rep0)) -eq 3 -a "$lim1" -eq "$lim0"

# --- unlimited -------------------------------------------------------------

check "group set --reply-rate 0" vipctl group set web --reply-rate 0
vipctl show web --json >"$J"
check "show --json reports reply_rate 0" json_check "$J" "g['reply_rate'] == 0"

N=300
GAP=4ms			# 250 requests, 750 replies a second
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
diag "no limit: $N requests in $flood_ms ms; the group counted $requests," \
	"answered with $replies replies, dropped $limited; the client saw $seen"
check "no limit: nothing dropped" test "$limited" -eq 0
check "no limit: every request answered by a1 a2 a3 ($replies = 3 x $requests)" \
	test "$replies" -eq $((3 * requests)) -a "$requests" -ge $((N * 9 / 10))
check "no limit: the client received them ($seen of $replies)" \
	test "$seen" -ge $((replies * 9 / 10))
check "no limit: far above $LIMIT replies/s" \
	test $((replies * 1000 / (flood_ms + 500))) -gt $((2 * LIMIT))

finish
