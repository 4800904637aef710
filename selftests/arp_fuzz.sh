#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# ARP input fuzzing (arp_fuzz.py says how): ARP_FUZZ_COUNT frames (default
# 3000) from the client onto the switch: truncated frames, wrong hardware
# and protocol types and lengths, broadcast and multicast sender MACs,
# probes, VLAN-tagged frames, requests forged with the server's own MACs
# and VIPs, gratuitous ARPs and replies for a VIP, garbage. Every frame the
# server sends meanwhile is checked from the switch's side (no reply with
# a wrong address, none to what must not be answered, valid requests
# answered by every member once); afterwards the server still answers and
# the kernel log is clean. ARP_FUZZ_SEED=N replays a run.

source "$(dirname "$0")/lib.sh"

COUNT=${ARP_FUZZ_COUNT:-3000}
SEED=${ARP_FUZZ_SEED:-$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')}

require_all
require_scapy
tap_header

setup_or_finish setup_topology
# Frames forged with an adapter's MAC as Ethernet source would teach the
# switch that MAC on the client's port, and unicast requests to it would
# go astray: pin the adapters' MACs to their ports (a switch's port
# security; what is tested is the server, not the switch).
for i in 1 2 3; do
	echo "fdb replace $(mac "$SRV" a$i) dev p$i master static sticky"
done | sw bridge -b - || not_ok "adapter MACs pinned to their switch ports"
check "group with three adapters and three VIPs" \
	vipctl group add web --dev a1,a2,a3 --vip "$VIP1,$VIP2,$VIP3"

check_replies "answered by every adapter before" "$(arp_request "$VIP1")" \
	a1 a2 a3

ports="p1=$(mac "$SRV" a1),p2=$(mac "$SRV" a2),p3=$(mac "$SRV" a3)"
start=$SECONDS
cli "$PYTHON" "$SELFTEST_DIR/arp_fuzz.py" --iface c0 \
	--vips "$VIP1,$VIP2,$VIP3" --ports "$ports" \
	--switch-netns "/run/netns/$SW" --client-ip "$CLIENT_IP" \
	--seed "$SEED" --count "$COUNT" >"$TMPD/fuzz.log" 2>&1
rc=$?
if [ "$rc" = 0 ]; then
	ok "$COUNT fuzzed frames, seed $SEED: no wrong or unexpected reply ($((SECONDS - start)) s)"
	diag "$(sed 's/^# //' "$TMPD/fuzz.log")"
else
	not_ok "$COUNT fuzzed frames, seed $SEED: no wrong or unexpected reply (exit $rc)" \
		"$(sed 's/^# //' "$TMPD/fuzz.log")" "the server's counters:" \
		"$(vipctl show web --stats)"
fi

# Still answering, and still configured the same.
check_replies "answered by every adapter after ($VIP1)" \
	"$(arp_request "$VIP1")" a1 a2 a3
check_replies "answered by every adapter after ($VIP3)" \
	"$(arp_request "$VIP3")" a1 a2 a3
vipctl show web --json >"$TMPD/show.json" 2>&1
check "configuration unchanged" json_check "$TMPD/show.json" \
	"g['name'] == 'web'" \
	"sorted(d) == ['a1', 'a2', 'a3']" \
	"all(x['state'] == 'up' for x in g['devices'])" \
	"sorted(g['vips']) == sorted(['$VIP1', '$VIP2', '$VIP3'])"

finish
