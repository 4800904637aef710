#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A TCP transfer from the client to a VIP survives the failure of the
# adapter it comes in on (carrier loss, admin down, deletion), without a
# reset, and the data arrives intact.
# The client is made to trust its neighbour entries for minutes, so the
# transfer only survives when vipfo's updates move it to a survivor.

source "$(dirname "$0")/lib.sh"

require_all
tap_header

setup_or_finish setup_topology
check "group with a1 a2 a3 and $VIP1" \
	vipctl group add web --dev a1,a2,a3 --vip "$VIP1"
# No help from the client's own neighbour probing within the test's time.
cli sysctl -qw net.ipv4.neigh.c0.base_reachable_time_ms=600000 \
	net.ipv4.neigh.c0.delay_first_probe_time=600

XFER="$SELFTEST_DIR/tcp_xfer.py"
port=5000
size=1500000
# 8 KiB every 5 ms, the rest taking at least 0.7 s: longer than failing the
# adapter takes. Slower kernels (check-debug sets VIPFO_TIMEOUT_FACTOR)
# delete a veth in about as long, so the client slows down as much.
delay=$(awk -v f="${VIPFO_TIMEOUT_FACTOR:-1}" 'BEGIN { print 0.005 * f }')

for how in carrier-loss admin-down unregister; do
	port=$((port + 1))
	progress="$TMPD/progress-$how"
	ready="$TMPD/ready-$how"
	bg ip netns exec "$SRV" "$PYTHON" "$XFER" server --addr "$VIP1" \
		--port "$port" --progress "$progress" --ready "$ready" \
		--timeout 40 >"$TMPD/server-$how" 2>&1
	spid=$BG_PID
	if ! wait_for 30 test -e "$ready"; then
		not_ok "$how: server listens" "$(cat "$TMPD/server-$how")"
		continue
	fi
	# The client stops after a quarter, so that the failure comes while
	# the transfer runs, however fast or slow the machine: the adapter the
	# client sends to fails as the client resumes.
	bg ip netns exec "$CLI" "$PYTHON" "$XFER" client --addr "$VIP1" \
		--port "$port" --size "$size" --chunk 8192 --delay "$delay" \
		--pause-at $((size / 4)) --resume-file "$TMPD/resume-$how" \
		--timeout 30 >"$TMPD/client-$how" 2>&1
	cpid=$BG_PID

	wait_for 60 bash -c "[ \$(cat $progress 2>/dev/null || echo 0) -ge $((size / 4)) ]"
	old=$(client_neigh "$VIP1")
	dev=$(adapter_of_mac "$old")
	if [ "$dev" = "?" ]; then
		not_ok "$how: transfer to $VIP1 started through a member" \
			"client's entry: $(ip -n "$CLI" neigh show "$VIP1")" \
			"progress: $(cat "$progress" 2>/dev/null)"
		continue
	fi
	touch "$TMPD/resume-$how"
	fail_adapter "$how" "$dev"
	at=$(cat "$progress")
	if [ "$at" -ge "$size" ]; then
		not_ok "$how of $dev: failure during the transfer" \
			"all $size bytes had arrived before $dev failed"
	fi

	wait "$cpid"
	crc=$?
	wait "$spid"
	src=$?
	if [ "$crc" = 0 ] && [ "$src" = 0 ]; then
		ok "$how of $dev at byte $at: transfer complete, checksums match"
	else
		not_ok "$how of $dev at byte $at: transfer complete, checksums match" \
			"client (exit $crc): $(cat "$TMPD/client-$how")" \
			"server (exit $src): $(cat "$TMPD/server-$how")" \
			"client's entry: $(ip -n "$CLI" neigh show "$VIP1")"
	fi
	new=$(client_neigh "$VIP1")
	if [ -n "$new" ] && [ "$new" != "$old" ]; then
		ok "$how of $dev: client now sends to $(adapter_of_mac "$new")"
	else
		not_ok "$how of $dev: client moved to a survivor" \
			"client's entry: $(ip -n "$CLI" neigh show "$VIP1")"
	fi
	[ "$how" != unregister ] && recover_adapter "$how" "$dev" &&
		wait_for 10 dev_state_is web "$dev" up
done

finish
