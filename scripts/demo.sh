#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make demo: runs in the test VM (scripts/vm-run). Builds a server with
# three adapters on one switch and a Linux client, has every adapter answer
# for a VIP, then pulls the cable of the adapter the client uses while a
# TCP transfer runs, and shows the survivors' updates moving the client.
# Uses the selftests' topology helpers (selftests/lib.sh).

source "$(dirname "$0")/../selftests/lib.sh"
trap cleanup EXIT

say() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }
run() { printf '$ %s\n' "$*"; "$@"; }
die() { echo "demo: $*" >&2; exit 1; }

require_root
require_vipctl
require_vipfo
require_scapy

VIP6=2001:db8::100
NS_IPV6=1
say "A server with adapters a1 a2 a3 on one switch, a client 192.0.2.1 (2001:db8::1) on the same switch"
setup_topology || die "could not build the topology"
for i in a1 a2 a3; do
	echo "  $i  MAC $(mac "$SRV" "$i")"
done
echo "  The server routes to the LAN over all three (multipath, ignore_routes_with_linkdown=1)."

say "vipfo: group 'web' with the three adapters and the VIPs $VIP1 and $VIP6"
run vipctl group add web --dev a1,a2,a3 --vip "$VIP1,$VIP6"
run vipctl show

say "The client asks who has $VIP1: every adapter answers with its own MAC"
arp_request "$VIP1" | while read -r smac sip _; do
	echo "  reply: $sip is at $smac  (adapter $(adapter_of_mac "$smac"))"
done

client_resolve "$VIP1" || die "the client did not resolve $VIP1"
old=$(client_neigh "$VIP1")
dev=$(adapter_of_mac "$old")
echo "  The client's kernel resolved it: $VIP1 -> $old ($dev)"
cli ping -6 -c 1 -W 2 "$VIP6" >/dev/null || die "the client did not reach $VIP6"
old6=$(cli ip -6 neigh show "$VIP6" dev c0 | awk '{ print $3 }')
echo "  And $VIP6 (a neighbour solicitation, answered the same way) -> $old6 ($(adapter_of_mac "$old6"))"
# The client trusts its entries for minutes: only vipfo's updates move them.
cli sysctl -qw net.ipv4.neigh.c0.base_reachable_time_ms=600000 \
	net.ipv4.neigh.c0.delay_first_probe_time=600 \
	net.ipv6.neigh.c0.base_reachable_time_ms=600000 \
	net.ipv6.neigh.c0.delay_first_probe_time=600

say "A TCP transfer from the client to $VIP1 starts, through $dev"
bg ip netns exec "$SRV" "$PYTHON" "$SELFTEST_DIR/tcp_xfer.py" server \
	--addr "$VIP1" --port 5001 --progress "$TMPD/progress" \
	--ready "$TMPD/ready" --timeout 60 >"$TMPD/server" 2>&1
spid=$BG_PID
slowwait 30 test -e "$TMPD/ready" || die "the TCP server did not start"
bg ip netns exec "$CLI" "$PYTHON" "$SELFTEST_DIR/tcp_xfer.py" client \
	--addr "$VIP1" --port 5001 --size 2000000 --chunk 8192 --delay 0.01 \
	--timeout 50 >"$TMPD/client" 2>&1
cpid=$BG_PID
slowwait 60 bash -c "[ \$(cat $TMPD/progress 2>/dev/null || echo 0) -ge 400000 ]"
echo "  $(cat "$TMPD/progress") bytes received so far"

say "Pulling the cable of $dev (its switch port goes down)"
ip netns exec "$SRV" "$VIPCTL" monitor >"$TMPD/events" 2>&1 &
mon=$!
capture_start 2 || die "could not start the capture"
sleep 0.5
run ip -n "$SW" link set "p${dev#a}" down
capture_wait "$TMPD/garps"

say "The survivors broadcast gratuitous ARPs for $VIP1, each with its own MAC"
while read -r smac sip _ _ _ t; do
	printf '  %s  %s is at %s  (adapter %s)\n' \
		"$(date -d "@$t" +%T.%3N)" "$sip" "$smac" "$(adapter_of_mac "$smac")"
done <"$TMPD/garps"
kill "$mon" 2>/dev/null
wait "$mon" 2>/dev/null
echo "  vipctl monitor said:"
sed 's/^/    /' "$TMPD/events"

new=$(client_neigh "$VIP1")
echo "  The client now sends to $new ($(adapter_of_mac "$new")), not to $dev"
new6=$(cli ip -6 neigh show "$VIP6" dev c0 | awk '{ print $3 }')
echo "  For $VIP6 the survivors sent unsolicited neighbour advertisements (the nas"
echo "  counters below): the client's entry is $new6 ($(adapter_of_mac "$new6"))"

say "The TCP transfer carries on through the survivor"
wait "$cpid" && wait "$spid"
rc=$?
echo "  client: $(cat "$TMPD/client")"
echo "  server: $(cat "$TMPD/server")"
[ "$rc" = 0 ] && echo "  No reset, every byte arrived, checksums match." ||
	echo "  The transfer FAILED (exit $rc)."

say "Counters"
run vipctl show -s

say "The cable goes back in: $dev answers again"
ip -n "$SW" link set "p${dev#a}" up
slowwait 10 links_up "$SRV" "$dev"
arp_request "$VIP1" | while read -r smac sip _; do
	echo "  reply: $sip is at $smac  (adapter $(adapter_of_mac "$smac"))"
done
[ "$rc" = 0 ]
