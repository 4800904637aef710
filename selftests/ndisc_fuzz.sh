#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Neighbour discovery input fuzzing, IPv6's twin of arp_fuzz.sh
# (ndisc_fuzz.py says how): NDISC_FUZZ_COUNT frames (default 1500) from
# the client onto the switch: solicitations with a wrong hop limit,
# checksum, code, target, option lengths, truncated or lying about their
# length, invalid DAD probes, forged with our members' MACs, for no VIP,
# VLAN-tagged; advertisements and DAD probes claiming a VIP; garbage.
# Every frame the server sends meanwhile is checked from the switch's side
# (no advertisement with a wrong address, no answer to what must not be
# answered, valid solicitations answered by every member once);
# afterwards the server still answers and the kernel log is clean.
# NDISC_FUZZ_SEED=N replays a run.

source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/ndisc_lib.sh"

COUNT=${NDISC_FUZZ_COUNT:-1500}
SEED=${NDISC_FUZZ_SEED:-$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')}

require_all
require_scapy6
tap_header

NS_IPV6=1
setup_or_finish setup_topology remember_macs ndc_start_cli
# Frames forged with an adapter's MAC as Ethernet source would teach the
# switch that MAC on the client's port: pin the adapters' MACs to their
# ports (a switch's port security; what is tested is the server).
for i in 1 2 3; do
	echo "fdb replace $(mac_of "$SRV" a$i) dev p$i master static sticky"
done | sw bridge -b - || not_ok "adapter MACs pinned to their switch ports"
check "group with three adapters and two VIPv6s" \
	vipctl group add web --dev a1,a2,a3 --vip "$VIP6_1,$VIP6_2"

check_solicited "answered by every adapter before" "$(solicit "$VIP6_1")" \
	"$VIP6_1" a1 a2 a3

ports="p1=$(mac_of "$SRV" a1),p2=$(mac_of "$SRV" a2),p3=$(mac_of "$SRV" a3)"
start=$SECONDS
cli "$PYTHON" "$SELFTEST_DIR/ndisc_fuzz.py" --iface c0 \
	--vips "$VIP6_1,$VIP6_2" --ports "$ports" \
	--switch-netns "/run/netns/$SW" \
	--seed "$SEED" --count "$COUNT" >"$TMPD/fuzz.log" 2>&1
rc=$?
if [ "$rc" = 0 ]; then
	ok "$COUNT fuzzed frames, seed $SEED: no wrong or unexpected advertisement ($((SECONDS - start)) s)"
	diag "$(sed 's/^# //' "$TMPD/fuzz.log")"
else
	not_ok "$COUNT fuzzed frames, seed $SEED: no wrong or unexpected advertisement (exit $rc)" \
		"$(sed 's/^# //' "$TMPD/fuzz.log")" "the server's counters:" \
		"$(vipctl show web --stats)"
fi

# Still answering, and still configured the same. (After the claims of
# the fuzzing, a second for the announcements they may still cause.)
sleep 1
check_solicited "answered by every adapter after ($VIP6_1)" \
	"$(solicit "$VIP6_1" | answers_only)" "$VIP6_1" a1 a2 a3
check_solicited "answered by every adapter after ($VIP6_2)" \
	"$(solicit "$VIP6_2" | answers_only)" "$VIP6_2" a1 a2 a3
vipctl show web --json >"$TMPD/show.json" 2>&1
check "configuration unchanged" json_check "$TMPD/show.json" \
	"g['name'] == 'web'" \
	"sorted(d) == ['a1', 'a2', 'a3']" \
	"all(x['state'] == 'up' for x in g['devices'])" \
	"sorted(g['vips']) == sorted(['$VIP6_1', '$VIP6_2'])"

finish
