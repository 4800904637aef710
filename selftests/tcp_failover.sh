#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A TCP transfer from the client to a VIP survives the failure of the
# adapter it comes in on (carrier loss, admin down, deletion), without a
# reset, and the data arrives intact, because vipfo's updates move the
# client to a survivor at once.
#
# Nothing else may move it. The server's own ARP would: once the failed
# adapter leaves the multipath route, the server's ACKs leave by another
# adapter, and its request for the client there (sender IP: the VIP,
# sender MAC: that adapter's) updates the client's entry for the VIP. So
# the server's entries for the client are permanent on every adapter, and
# a capture on the client shows every ARP frame that carries the VIP.
#
# The client waits 7 s in DELAY for a neighbour it stopped hearing from,
# then sends Linux's default 3 unicast probes 1 s apart, then a new
# broadcast request, which vipfo answers: it gives up on a dead MAC by
# itself GIVE_UP = 10 s after the failure at the earliest. The negative
# control, announcements off (--garp-count 0: answer, never announce),
# must stall at least that long; with announcements the longest stall
# must stay under a tenth of it, the updates in the capture and data
# arriving after them. The client retransmits from 50 ms on (rto_min),
# so that TCP's own backoff adds little to either.

source "$(dirname "$0")/lib.sh"

require_all
require_cmd tcpdump
tap_header

# Slower kernels (check-debug sets VIPFO_TIMEOUT_FACTOR) stretch it all.
F=${VIPFO_TIMEOUT_FACTOR:-1}
GIVE_UP=$((10 * F))			# s: DELAY and the probes
STALL_MAX_MS=$((GIVE_UP * 100))		# a tenth of it
# No socket call may time out in the control: TCP's backoff doubles the
# wait between retransmissions, so the first one to the new MAC may come
# twice as late as the client learnt it (GIVE_UP and the probes' slack).
XFER_TIMEOUT=$((30 * F + 4 * GIVE_UP))	# s

setup_or_finish setup_topology
check "group with a1 a2 a3 and $VIP1" \
	vipctl group add web --dev a1,a2,a3 --vip "$VIP1"

# server_knows_client IF...: permanent entries for the client on each IF
# (admin down flushes them, so again after every recovery)
server_knows_client()
{
	local i cmac

	cmac=$(mac "$CLI" c0)
	for i in "$@"; do
		echo "neigh replace $CLIENT_IP lladdr $cmac dev $i nud permanent"
	done | ip -n "$SRV" -b -
}
check "server: permanent neighbour entries for the client on a1 a2 a3" \
	server_knows_client a1 a2 a3
# An entry unconfirmed for 0.5-1.5 s (not Linux's 15-45 s: the client
# must be in DELAY soon after the failure, or the control would last a
# minute) goes to DELAY for 7 s (Linux: 5); the probes as in Linux.
cli sysctl -qw net.ipv4.neigh.c0.base_reachable_time_ms=1000 \
	net.ipv4.neigh.c0.delay_first_probe_time=$((7 * F)) \
	net.ipv4.neigh.c0.ucast_solicit=3 \
	net.ipv4.neigh.c0.retrans_time_ms=$((1000 * F))
check "client: retransmissions from 50 ms on" \
	ip -n "$CLI" route replace 192.0.2.0/24 dev c0 proto kernel \
	scope link src "$CLIENT_IP" rto_min 50ms

XFER="$SELFTEST_DIR/tcp_xfer.py"
port=5000
size=1500000
# 8 KiB every 20 ms, the rest taking at least 2.7 s: longer than failing
# the adapter takes, even on a loaded machine (deleting a veth has taken
# 2.5 s there). Slower kernels delete a veth in about as long, so the
# client slows down as much.
delay=$(awk -v f="$F" 'BEGIN { print 0.02 * f }')

# arp_frames FILE: the capture's ARP frames as "<time> <eth src> <op>
# <target IP> <sender IP>" (op: who-has or is-at)
arp_frames()
{
	awk '{ t = $1; src = $2
	       for (i = 1; i < NF; i++) {
		if ($i == "who-has") { tip = $(i + 1); sub(/,$/, "", tip)
			for (j = i; j < NF; j++) if ($j == "tell") sip = $(j + 1)
			sub(/,$/, "", sip); print t, src, "who-has", tip, sip; next }
		if ($i == "Reply") { sip = $(i + 1); print t, src, "is-at", "-", sip; next }
	       } }' "$1"
}

# One capture of the client's ARP traffic for the whole test; each case
# reads the frames that arrived since it began.
CAPFILE=$TMPD/capture
bg ip netns exec "$CLI" tcpdump -i c0 -nn -e -tt -l arp \
	>"$CAPFILE" 2>"$CAPFILE.err"
check "capture on the client" slowwait 20 grep -q "listening on" "$CAPFILE.err"

# frames_since T: the capture's ARP frames since T (epoch seconds)
frames_since()
{
	arp_frames "$CAPFILE" | awk -v t="$1" '$1 >= t'
}

# garps_seen T N: N gratuitous ARPs for VIP1 arrived since T
garps_seen()
{
	[ "$(frames_since "$1" | awk -v vip="$VIP1" \
		'$3 == "who-has" && $4 == vip && $5 == vip' | grep -c .)" -ge "$2" ]
}

# xfer NAME HOW GARPS: a transfer to VIP1; the adapter the client sends to
# fails HOW as the transfer runs; then wait for GARPS updates (5 s at
# most) in the capture. Sets dev (the adapter), at (the bytes received
# when it failed), stall_ms, end (when the last data arrived),
# moved_to and CAP (the capture's ARP frames).
xfer()
{
	local name=$1 how=$2 garps=$3 progress="$TMPD/progress-$1" ready="$TMPD/ready-$1"
	local t0="$TMPD/t0-$1" spid cpid crc src old new since

	port=$((port + 1))
	dev= stall_ms= end= moved_to= CAP=
	bg ip netns exec "$SRV" "$PYTHON" "$XFER" server --addr "$VIP1" \
		--port "$port" --progress "$progress" --ready "$ready" \
		--stall-since "$t0" --timeout $((XFER_TIMEOUT + 10 * F)) >"$TMPD/server-$name" 2>&1
	spid=$BG_PID
	if ! slowwait 30 test -e "$ready"; then
		not_ok "$name: server listens" "$(cat "$TMPD/server-$name")"
		return 1
	fi
	# The client stops after a quarter, so that the failure comes while
	# the transfer runs, however fast or slow the machine: the adapter the
	# client sends to fails as the client resumes.
	bg ip netns exec "$CLI" "$PYTHON" "$XFER" client --addr "$VIP1" \
		--port "$port" --size "$size" --chunk 8192 --delay "$delay" \
		--pause-at $((size / 4)) --resume-file "$TMPD/resume-$name" \
		--timeout "$XFER_TIMEOUT" >"$TMPD/client-$name" 2>&1
	cpid=$BG_PID

	slowwait 60 bash -c "[ \$(cat $progress 2>/dev/null || echo 0) -ge $((size / 4)) ]"
	old=$(client_neigh "$VIP1")
	dev=$(adapter_of_mac "$old")
	if [ "$dev" = "?" ]; then
		not_ok "$name: transfer to $VIP1 started through a member" \
			"client's entry: $(ip -n "$CLI" neigh show "$VIP1")" \
			"progress: $(cat "$progress" 2>/dev/null)"
		return 1
	fi
	at=$(cat "$progress")
	since=$EPOCHREALTIME
	echo "$since" >"$t0"
	touch "$TMPD/resume-$name"
	fail_adapter "$how" "$dev"

	wait "$cpid"
	crc=$?
	wait "$spid"
	src=$?
	[ "$garps" -gt 0 ] && slowwait 5 garps_seen "$since" "$garps"
	CAP=$(frames_since "$since")
	stall_ms=$(awk '$1 == "stall" { printf "%d", $2 * 1000 }' \
		"$TMPD/server-$name")
	end=$(awk '$1 == "end" { print $2 }' "$TMPD/server-$name")
	new=$(client_neigh "$VIP1")
	[ -n "$new" ] && [ "$new" != "$old" ] && moved_to=$(adapter_of_mac "$new")
	if [ "$crc" = 0 ] && [ "$src" = 0 ] && [ -n "$stall_ms" ] &&
	   [ -n "$end" ]; then
		return 0
	fi
	not_ok "$name: $how of $dev at byte $at: transfer complete, checksums match" \
		"client (exit $crc): $(cat "$TMPD/client-$name")" \
		"server (exit $src): $(cat "$TMPD/server-$name")" \
		"client's entry: $(ip -n "$CLI" neigh show "$VIP1")"
	return 1
}

# no_server_requests NAME: the server never asked for the client
no_server_requests()
{
	local req

	req=$(awk -v vip="$VIP1" '$3 == "who-has" && $5 == vip && $4 != vip' <<<"$CAP")
	if [ -z "$req" ]; then
		ok "$1: no ARP request from the server (it would move the client)"
	else
		not_ok "$1: no ARP request from the server (it would move the client)" \
			"$req"
	fi
}

# The negative control: the same failure with announcements off must
# leave the client on the dead MAC until it gives up by itself.
check "announcements off: group set web --garp-count 0" \
	vipctl group set web --garp-count 0
if xfer control carrier-loss 0; then
	ok "announcements off: carrier loss of $dev at byte $at: transfer complete, checksums match"
	if [ "$stall_ms" -ge $((GIVE_UP * 1000)) ]; then
		ok "announcements off: stalled $stall_ms ms, until the client gave up on the dead MAC (>= $((GIVE_UP * 1000)) ms)"
	else
		not_ok "announcements off: stalled until the client gave up on the dead MAC (>= $((GIVE_UP * 1000)) ms)" \
			"longest stall: $stall_ms ms: something else moved the client" \
			"ARP seen by the client (time, eth src, op, target, sender):" \
			"${CAP:-(none)}"
	fi
	garps=$(awk -v vip="$VIP1" '$3 == "who-has" && $4 == vip && $5 == vip' <<<"$CAP")
	if [ -z "$garps" ]; then
		ok "announcements off: no gratuitous ARP"
	else
		not_ok "announcements off: no gratuitous ARP" "$garps"
	fi
	no_server_requests "announcements off"
	if [ -n "$moved_to" ]; then
		ok "announcements off: the client asked again and now sends to $moved_to"
	else
		not_ok "announcements off: the client asked again and moved" \
			"client's entry: $(ip -n "$CLI" neigh show "$VIP1")"
	fi
fi
[ -n "$dev" ] && [ "$dev" != "?" ] && recover_adapter carrier-loss "$dev" &&
	slowwait 10 dev_state_is web "$dev" up && server_knows_client "$dev"
check "announcements on: group set web --garp-count 3" \
	vipctl group set web --garp-count 3

for how in carrier-loss admin-down unregister; do
	xfer "$how" "$how" 6 || continue
	ok "$how of $dev at byte $at: transfer complete, checksums match"
	if [ "$stall_ms" -le "$STALL_MAX_MS" ]; then
		ok "$how of $dev: longest stall $stall_ms ms (<= $STALL_MAX_MS ms, a tenth of the client's own give-up)"
	else
		not_ok "$how of $dev: longest stall at most $STALL_MAX_MS ms" \
			"longest stall: $stall_ms ms" \
			"ARP seen by the client (time, eth src, op, target, sender):" \
			"${CAP:-(none)}"
	fi
	# Each survivor's updates, garp_count of them, none from the failed.
	want=$(for i in a1 a2 a3; do
		[ "$i" != "$dev" ] && echo "3 $(mac "$SRV" "$i")"
	done | sort)
	got=$(awk -v vip="$VIP1" '$3 == "who-has" && $4 == vip && $5 == vip { print $2 }' <<<"$CAP" |
		sort | uniq -c | awk '{ print $1, $2 }')
	first=$(awk -v vip="$VIP1" '$3 == "who-has" && $4 == vip && $5 == vip { print $1; exit }' <<<"$CAP")
	if [ "$want" = "$got" ] &&
	   awk -v a="$first" -v b="$end" 'BEGIN { exit !(a < b) }'; then
		ok "$how of $dev: the client saw 3 updates from each survivor, data arrived after them"
	elif [ "$want" = "$got" ]; then
		not_ok "$how of $dev: the failure came during the transfer" \
			"the first update at $first, the last data at $end"
	else
		not_ok "$how of $dev: the client saw 3 updates from each survivor" \
			"expected (count, MAC): $want" "seen: ${got:-(none)}" \
			"adapters: $(for i in a1 a2 a3; do
				echo -n "$i=$(mac "$SRV" "$i" 2>/dev/null) "; done)"
	fi
	no_server_requests "$how of $dev"
	if [ -n "$moved_to" ]; then
		ok "$how of $dev: client now sends to $moved_to"
	else
		not_ok "$how of $dev: client moved to a survivor" \
			"client's entry: $(ip -n "$CLI" neigh show "$VIP1")"
	fi
	[ "$how" != unregister ] && recover_adapter "$how" "$dev" &&
		slowwait 10 dev_state_is web "$dev" up &&
		server_knows_client "$dev"
done

finish
