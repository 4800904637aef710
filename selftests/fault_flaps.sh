#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Fault matrix, adapters: whatever the member adapters go through, the
# configuration stays what was set (vipctl show, device states aside), the
# group keeps answering and failing over, and the kernel log stays clean.
# The group holds both families: an IPv6 VIP answers through it all, and
# half the VIPs of the last case are IPv6 (more solicited-node groups
# than members join: all-multicast while members go).
#
# - 1,000 rapid flaps, half admin down/up of a member, half carrier loss
#   (its switch port down/up), batched with `ip -batch`, while the client
#   floods ARP requests for the VIPs (mausezahn) and a TCP stream to a VIP
#   runs; afterwards every failover has its recovery, all three answer and
#   a failure is still announced;
# - all adapters down, then one back: it answers and announces the VIPs;
# - MAC change, rename (the member stays, show has the new name), a move
#   to another namespace (it leaves the group with an event; moved back it
#   is no member until added; nothing keeps it from being freed);
# - members deleted while a failover of 5,000 VIPs is being announced:
#   first a survivor sending the updates, then the failed member.

source "$(dirname "$0")/lib.sh"
source "$SELFTEST_DIR/fault_lib.sh"

NFLAPS=${VIPFO_FAULT_FLAPS:-1000}
BATCH=50		# flaps per `ip -batch` process
FLOOD_PPS=2000
NVIPS=5000
VIPS="$VIP1 $VIP2 $VIP3"
VIP6=2001:db8::100
EVENTS=$TMPD/events
NS_IPV6=1

require_all
require_scapy
require_cmd mausezahn
tap_header

setup_or_finish setup_topology
monitor_start "$SRV" "$EVENTS" || not_ok "vipctl monitor receives events"
# Short hold-downs (100 ms, up to 3.2 s while flapping), so that the flaps
# make many failovers and recoveries (flap_damping.sh tests the damping).
check "group web: a1 a2 a3, three VIPs and $VIP6, 2 GARPs 50 ms apart, up delay 100 ms" \
	vipctl group add web --dev a1,a2,a3 --vip "${VIPS// /,},$VIP6" \
	--garp-count 2 --garp-interval 50 --up-delay 100
config_snapshot "$TMPD/web.json"

failovers_of() { failovers "$EVENTS" "$@"; }
recoveries_of() { recoveries "$EVENTS" "$@"; }

# ---------------------------------------------------------------- flaps

progress "$NFLAPS flaps"
XFER="$SELFTEST_DIR/tcp_xfer.py"
# After a run of losses in the flaps the stream may go quiet as long as
# TCP's backed-off retransmission timer (up to 120 s); a slower kernel
# gets more time, like every hang bound.
XFER_TIMEOUT=$(hang_limit 120)
bg ip netns exec "$SRV" "$PYTHON" "$XFER" server --addr "$VIP1" --port 5001 \
	--progress "$TMPD/progress" --ready "$TMPD/ready" --timeout "$XFER_TIMEOUT" \
	>"$TMPD/server" 2>&1
spid=$BG_PID
slowwait 30 test -e "$TMPD/ready"
bg ip netns exec "$CLI" "$PYTHON" "$XFER" client --addr "$VIP1" --port 5001 \
	--size $((1 << 40)) --chunk 8192 --delay 0.005 \
	--stop-file "$TMPD/stop" --timeout "$XFER_TIMEOUT" >"$TMPD/client" 2>&1
cpid=$BG_PID
slowwait 30 test -s "$TMPD/progress"
bytes0=$(cat "$TMPD/progress" 2>/dev/null || echo 0)
flood_start "$FLOOD_PPS" $VIPS
requests0=$(group_stat web requests)

# Rounds of two batches at once: admin flaps of a1..a3 in the server and
# carrier flaps of the ports p1..p3 in the switch, a different adapter
# each, so that at times two adapters are down together.
start=$(now_ms)
flaps=0 round=0 batch_err=
while [ "$flaps" -lt "$NFLAPS" ]; do
	n=$(((NFLAPS - flaps + 1) / 2))
	[ "$n" -gt "$BATCH" ] && n=$BATCH
	first=$((round % 3 + 1))
	flap_lines a "$n" "$first" | ip -n "$SRV" -b - >"$TMPD/batch-a" 2>&1 &
	apid=$!
	flap_lines p "$n" $((first % 3 + 1)) | ip -n "$SW" -b - \
		>"$TMPD/batch-p" 2>&1 || batch_err+="$(cat "$TMPD/batch-p") "
	wait "$apid" || batch_err+="$(cat "$TMPD/batch-a") "
	flaps=$((flaps + 2 * n))
	round=$((round + 1))
	if [ $((round % 2)) = 0 ] || [ "$flaps" -ge "$NFLAPS" ]; then
		diag "$flaps/$NFLAPS flaps after $(($(now_ms) - start)) ms"
	fi
done
ms=$(($(now_ms) - start))
if [ -z "$batch_err" ]; then
	ok "$flaps flaps ($((flaps / 2)) admin, $((flaps / 2)) carrier) in $ms ms: $((flaps * 1000 / (ms + 1))) flaps/s"
else
	not_ok "$flaps flaps" "ip -batch failed: $batch_err"
fi
bytes1=$(cat "$TMPD/progress" 2>/dev/null || echo 0)
flooding=yes
flood_running || flooding=no

touch "$TMPD/stop"
wait "$cpid"
crc=$?
wait "$spid"
src=$?
if [ "$crc" = 0 ] && [ "$src" = 0 ] && [ "$bytes1" -gt "$bytes0" ]; then
	ok "TCP stream to $VIP1 through the flaps: $((bytes1 - bytes0)) bytes during them, checksums match"
else
	not_ok "TCP stream to $VIP1 through the flaps" \
		"bytes before the flaps $bytes0, after $bytes1" \
		"client (exit $crc): $(cat "$TMPD/client")" \
		"server (exit $src): $(cat "$TMPD/server")"
fi

check "after the flaps: vipfo reports a1 a2 a3 up" slowwait 20 all_up web a1 a2 a3
check_config "after the flaps: the configuration is as set" "$TMPD/web.json"
requests=$(($(group_stat web requests) - requests0))
if [ "$flooding" = yes ] && [ "$requests" -gt 0 ]; then
	ok "ARP flood during the flaps: $requests requests reached vipfo"
else
	not_ok "ARP flood during the flaps" "flood running: $flooding" \
		"requests vipfo saw: $requests" "$(cat "$TMPD/flood.log")"
fi

# The notifier and the carrier poll see what they see of such rapid flaps
# (linkwatch folds carrier changes that follow each other closely), but
# every failover they report must be followed by its recovery.
if slowwait 10 settled "$EVENTS" a1 a2 a3; then
	ok "every failover has its recovery: $(reasons "$EVENTS" admin-down) admin-down, $(reasons "$EVENTS" carrier-loss) carrier-loss"
else
	not_ok "every failover has its recovery" \
		"$(for i in a1 a2 a3; do
			echo "$i: $(failovers_of "$i") failovers, $(recoveries_of "$i") recoveries"
		done)" "monitor: $(cat "$EVENTS.err")"
fi
fo=$(group_stat web failovers)
nfo=$(($(reasons "$EVENTS" admin-down) + $(reasons "$EVENTS" carrier-loss)))
if [ "$fo" = "$nfo" ]; then
	ok "the failovers counter ($fo) matches the events"
elif grep -q overrun "$EVENTS.err"; then
	skip "the failovers counter matches the events" "monitor lost events"
else
	not_ok "the failovers counter matches the events" \
		"counter $fo, events $nfo"
fi

flood_stop
diag "the flood sent $FLOOD_SENT requests in $FLOOD_MS ms"
check "vipfo reports a1 a2 a3 up" slowwait 20 all_up web a1 a2 a3
check_replies "after the flaps: a1 a2 a3 answer" "$(arp_request "$VIP1")" a1 a2 a3
# Admin down deleted each adapter's IPv6 route, and up does not bring it
# back (the README's recipe): the server's answers need them.
host_routes
check "after the flaps: the client resolves and reaches $VIP6" reach6 "$VIP6"

if capture_start 3; then
	GARP_SINCE=$EPOCHREALTIME
	fail_adapter admin-down a1
	capture_wait "$TMPD/garp-after-flaps"
	check_garps "after the flaps: a1 down is announced by a2 a3" \
		"$TMPD/garp-after-flaps" 2 "$VIPS" a2 a3
else
	not_ok "capture started" "$(cat "$TMPD/capture.err")"
fi
recover_adapter admin-down a1
host_routes

# ---------------------------------------------------------------- all down

progress "all down, one back"
fail_adapter admin-down a1
fail_adapter carrier-loss a2
fail_adapter admin-down a3
check "all down: vipfo reports a1 down, a2 no-carrier, a3 down" \
	slowwait 10 states_are web a1=down a2=no-carrier a3=down
check_replies "all down: nobody answers" "$(arp_request "$VIP1")"
if capture_start 3; then
	GARP_SINCE=$EPOCHREALTIME
	recover_adapter carrier-loss a2
	capture_wait "$TMPD/garp-one-back"
	check_garps "a2 back after all were down: it announces every VIP (2 GARPs each)" \
		"$TMPD/garp-one-back" 2 "$VIPS" a2
else
	not_ok "capture started" "$(cat "$TMPD/capture.err")"
fi
check_replies "a2 back after all were down: it answers" \
	"$(arp_request "$VIP1")" a2
check "a2 back after all were down: the client reaches $VIP6 through it" \
	reach6 "$VIP6"
recover_adapter admin-down a1
recover_adapter admin-down a3
check "all back: vipfo reports a1 a2 a3 up" slowwait 10 all_up web a1 a2 a3
check_config "all back: the configuration is as set" "$TMPD/web.json"
host_routes

# ---------------------------------------------------------------- MAC, name

progress "MAC change, rename"
NEWMAC=02:00:00:00:0a:01
f0=$(failovers_of a1 mac-change)
ip -n "$SRV" link set a1 address "$NEWMAC"
check "MAC change of a1: a mac-change event" \
	slowwait 5 more_than "$f0" failovers_of a1 mac-change
config_edit "$TMPD/web.json" "$TMPD/web.json" \
	"dev('web', 'a1')['mac'] = '$NEWMAC'"
check_config "MAC change of a1: show has the new MAC, nothing else changed" \
	"$TMPD/web.json"
check_replies "MAC change of a1: a1 answers with it" \
	"$(arp_request "$VIP1")" a1 a2 a3

printf '%s\n' "link set a2 down" "link set a2 name a2x" "link set a2x up" |
	ip -n "$SRV" -b -
check "a2 renamed a2x: vipfo reports a2x up" slowwait 10 all_up web a1 a2x a3
config_edit "$TMPD/web.json" "$TMPD/renamed.json" \
	"dev('web', 'a2')['ifname'] = 'a2x'"
check_config "a2 renamed a2x: still a member, show has the new name" \
	"$TMPD/renamed.json"
check_replies "a2 renamed a2x: a2x answers" "$(arp_request "$VIP1")" a1 a2x a3
printf '%s\n' "link set a2x down" "link set a2x name a2" "link set a2 up" |
	ip -n "$SRV" -b -
slowwait 10 all_up web a1 a2 a3
check_config "renamed back: the configuration is as set" "$TMPD/web.json"
host_routes

# ---------------------------------------------------------------- netns move

progress "move to another namespace"
OTHER=other-$SUFFIX
setup_ns OTHER
gone0=$(removals "$EVENTS" a3)
ip -n "$SRV" link set a3 netns "$OTHER"
check "a3 moved to another namespace: a dev-del event" \
	slowwait 5 more_than "$gone0" removals "$EVENTS" a3
config_edit "$TMPD/web.json" "$TMPD/moved.json" "drop_dev('web', 'a3')"
check_config "a3 moved away: it left the group, nothing else changed" \
	"$TMPD/moved.json"
check "the other namespace has no group" no_groups "$OTHER"
check_replies "a3 moved away: a1 a2 answer" "$(arp_request "$VIP1")" a1 a2

ip -n "$OTHER" link set a3 netns "$SRV"
ip -n "$SRV" link set a3 up
slowwait 10 links_up "$SRV" a3
check_config "a3 moved back: no member until added" "$TMPD/moved.json"
check "dev add web a3" vipctl dev add web a3
config_edit "$TMPD/web.json" "$TMPD/web.json" \
	"dev('web', 'a3')['ifindex'] = $(ifindex "$SRV" a3)"
check_config "a3 added again: the configuration is as set" "$TMPD/web.json"
check_replies "a3 added again: a1 a2 a3 answer" \
	"$(arp_request "$VIP1")" a1 a2 a3

# Moved out and its namespace deleted: a3 and its peer p3 must go (a
# reference vipfo kept would hold them: unregister_netdevice: waiting).
ip -n "$SRV" link set a3 netns "$OTHER"
ip netns del "$OTHER"
NS_LIST=("${NS_LIST[@]/$OTHER/}")
check "a3 moved away and its namespace deleted: a3 and p3 are freed" \
	slowwait 30 bash -c "! ip -n $SW link show p3"
config_edit "$TMPD/web.json" "$TMPD/web.json" "drop_dev('web', 'a3')"
check_config "a3 gone: the configuration is as set, without a3" \
	"$TMPD/web.json"
add_adapter a3 p3 && vipctl dev add web a3
host_routes

# ---------------------------------------------------------------- deletion

# 5,000 VIPs and 10 rounds: a round from two survivors (10,000 frames)
# takes a few hundred ms here, so a1's failover keeps them sending for
# seconds, and the deletions come in the middle of it.
progress "members deleted during an announcement"
ROUNDS=10
mapfile -t vips < <(for ((i = 0; i < NVIPS; i += 2)); do
	echo "10.77.$((i / 250)).$((i % 250 + 1))"
	printf '2001:db8:77::%x\n' "$((i + 1))"
done)
check "$NVIPS more VIPs (--no-local)" vipctl vip add web --no-local "${vips[@]}"
check "$ROUNDS GARPs per VIP, 100 ms apart" \
	vipctl group set web --garp-count "$ROUNDS" --garp-interval 100
config_snapshot "$TMPD/web.json"

# quiet: a3 sent nothing for two seconds (the rounds are 100 ms apart)
quiet()
{
	local a

	a=$(tx_of a3)
	sleep 2
	[ "$a" = "$(tx_of a3)" ]
}

# deleted IF WHAT TX0: delete IF while a3 is in the middle of the rounds
# it began at TX0 (its frame counter then), and report how long that took
# and which round a3 was in
deleted()
{
	local start rc ms sent

	sent=$(($(tx_of a3) - $3))
	start=$(now_ms)
	fail_adapter unregister "$1"
	rc=$?
	ms=$(($(now_ms) - start))
	if [ "$rc" = 0 ] && [ "$ms" -lt $(($(hang_limit 10) * 1000)) ] &&
	   [ "$sent" -lt $((ROUNDS * NVIPS)) ]; then
		ok "$1 deleted in $ms ms while $2 (a3 in round $((sent / NVIPS + 1)) of $ROUNDS)"
	else
		not_ok "$1 deleted while $2" "ip link del: exit $rc after $ms ms" \
			"a3 had sent $sent frames of $((ROUNDS * NVIPS))"
	fi
}

tx0=$(tx_of a3)
fail_adapter carrier-loss a1
if ! slowwait "$(hang_limit 30)" more_than $((tx0 + NVIPS + NVIPS / 2)) tx_of a3; then
	not_ok "a1's failover of $NVIPS VIPs is announced" \
		"a3 sent $(($(tx_of a3) - tx0)) frames"
fi
# a2's deletion is a failover too: a3 starts $ROUNDS fresh rounds.
tx1=$(tx_of a3)
deleted a2 "it announced a1's failover" "$tx0"
slowwait "$(hang_limit 30)" more_than $((tx1 + NVIPS + NVIPS / 2)) tx_of a3
deleted a1 "a3 announced its failover" "$tx1"

check "the announcement ends" slowwait "$(hang_limit 60)" quiet
sent=$(($(tx_of a3) - tx1))
lost=$(group_stat web tx_errors a3)
if [ "$sent" -ge $((ROUNDS * NVIPS)) ] && [ "$lost" = 0 ]; then
	ok "a3 announced every VIP $ROUNDS times after a2's deletion: $sent frames, none lost"
else
	not_ok "a3 announced every VIP $ROUNDS times after a2's deletion" \
		"a3 sent $sent frames, $lost lost; owed at least $((ROUNDS * NVIPS))" \
		"last events: $(tail -n 4 "$EVENTS" | cut -c 1-200)"
fi
check "a1 a2 and their switch ports are freed" \
	slowwait 30 bash -c "! ip -n $SW link show p1 && ! ip -n $SW link show p2"
config_edit "$TMPD/web.json" "$TMPD/web.json" \
	"drop_dev('web', 'a1'); drop_dev('web', 'a2')"
check_config "a1 a2 deleted: the configuration is as set, without them" \
	"$TMPD/web.json"

finish
