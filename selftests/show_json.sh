#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `vipctl show --json [--stats]` reports groups, members (ifindex, MAC,
# state) and VIPs as configured, and its counters move with the traffic:
# requests and replies with ARP, gratuitous ARPs and failovers with a
# failure. The readable `vipctl show` names the same things, and
# `vipctl show --prometheus` the same states and counters.

source "$(dirname "$0")/lib.sh"

require_all
require_scapy
tap_header

setup_or_finish setup_topology
check "group web: a1 a2 a3, two VIPs, garp 4 x 150 ms" \
	vipctl group add web --dev a1,a2,a3 --vip "$VIP1,$VIP2" \
	--garp-count 4 --garp-interval 150
check "group db: no devices, one VIP" vipctl group add db --vip "$VIP3"

J="$TMPD/show.json"

# show_json FILE ARGS...: vipctl show ARGS into FILE, which must be JSON
show_json()
{
	local f=$1

	shift
	vipctl show "$@" >"$f" && "$PYTHON" -m json.tool "$f" >/dev/null
}

check "show --json is JSON" show_json "$J" --json
m1=$(mac "$SRV" a1) m2=$(mac "$SRV" a2) m3=$(mac "$SRV" a3)
i1=$(ifindex "$SRV" a1) i2=$(ifindex "$SRV" a2) i3=$(ifindex "$SRV" a3)
check "show --json: both groups" json_check "$J" \
	"sorted(x['name'] for x in j['groups']) == ['db', 'web']"
check "show web --json: web as configured" show_json "$J" web --json
check "show web --json: fields" json_check "$J" \
	"len(j['groups']) == 1" \
	"g['name'] == 'web'" \
	"g['garp_count'] == 4" \
	"g['garp_interval_ms'] == 150" \
	"g['vip_count'] == 2" \
	"g['reply_rate'] == 100000" \
	"sorted(g['vips']) == ['$VIP1', '$VIP2']" \
	"sorted(d) == ['a1', 'a2', 'a3']" \
	"(d['a1']['ifindex'], d['a2']['ifindex'], d['a3']['ifindex']) == ($i1, $i2, $i3)" \
	"(d['a1']['mac'], d['a2']['mac'], d['a3']['mac']) == ('$m1', '$m2', '$m3')" \
	"all(x['state'] == 'up' for x in g['devices'])" \
	"'stats' not in g and all('stats' not in x for x in g['devices'])"

S="$TMPD/stats.json"
stats_keys="['conflicts', 'failovers', 'failovers_by_reason', 'garps', 'nas', 'rate_limited', 'replies', 'requests', 'tx_errors']"
reasons="['admin-down', 'carrier-loss', 'removed', 'unfit', 'unregister']"
# garps_are N: the group sent N gratuitous ARPs, and no more come
garps_are()
{
	show_json "$S" web --json --stats &&
		json_check "$S" "g['stats']['garps'] == $1" >/dev/null &&
		sleep 0.5 && show_json "$S" web --json --stats &&
		json_check "$S" "g['stats']['garps'] == $1" >/dev/null
}
# The group's creation: 4 GARPs x 2 VIPs from each of a1 a2 a3.
check "web's VIPs announced: 24 GARPs" slowwait 20 garps_are 24
check "stats: all counters, zero but the 8 GARPs of each member" json_check "$S" \
	"sorted(g['stats']) == $stats_keys" \
	"sorted(g['stats']['failovers_by_reason']) == $reasons" \
	"all(v == 0 for k, v in g['stats'].items() if k not in ('garps', 'failovers_by_reason'))" \
	"all(v == 0 for v in g['stats']['failovers_by_reason'].values())" \
	"all(sorted(x['stats']) == $stats_keys for x in g['devices'])" \
	"[d[i]['stats']['garps'] for i in ('a1', 'a2', 'a3')] == [8, 8, 8]"

# One request: one reply from each adapter.
arp_request "$VIP1" >/dev/null
check "after one request" show_json "$S" web --json --stats
# The group counts the request once, each adapter the copy it received.
check "stats: 1 request (a copy on each adapter), 3 replies, 1 per adapter" \
	json_check "$S" \
	"g['stats']['requests'] == 1" \
	"[d[i]['stats']['requests'] for i in ('a1', 'a2', 'a3')] == [1, 1, 1]" \
	"g['stats']['replies'] == 3" \
	"[d[i]['stats']['replies'] for i in ('a1', 'a2', 'a3')] == [1, 1, 1]" \
	"g['stats']['garps'] == 24 and g['stats']['failovers'] == 0" \
	"g['stats']['tx_errors'] == 0"

# a1 fails: 4 GARPs x 2 VIPs from each of a2 a3.
fail_adapter admin-down a1
slowwait 20 garps_are 40
check "after admin down of a1" show_json "$S" web --json --stats
check "stats: a1 down, 1 failover (admin-down), 8 GARPs more from a2 and a3 each" \
	json_check "$S" \
	"d['a1']['state'] == 'down'" \
	"g['stats']['failovers'] == 1" \
	"g['stats']['failovers_by_reason']['admin-down'] == 1" \
	"d['a1']['stats']['failovers'] == 1" \
	"d['a1']['stats']['failovers_by_reason']['admin-down'] == 1" \
	"d['a2']['stats']['failovers'] == 0" \
	"g['stats']['garps'] == 40" \
	"[d[i]['stats']['garps'] for i in ('a1', 'a2', 'a3')] == [8, 16, 16]" \
	"g['stats']['tx_errors'] == 0"

fail_adapter carrier-loss a2
check "a2 reported no-carrier" slowwait 10 dev_state_is web a2 no-carrier
check "after carrier loss of a2" show_json "$S" web --json --stats
check "stats: 2 failovers, by reason admin-down 1, carrier-loss 1" json_check "$S" \
	"g['stats']['failovers'] == 2" \
	"g['stats']['failovers_by_reason'] == {'admin-down': 1, 'carrier-loss': 1, 'unregister': 0, 'removed': 0, 'unfit': 0}" \
	"d['a2']['stats']['failovers'] == 1" \
	"d['a2']['stats']['failovers_by_reason']['carrier-loss'] == 1"

# The readable listing names the same things.
T="$TMPD/show.txt"
vipctl show >"$T"
missing=""
for w in web db a1 a2 a3 "$VIP1" "$VIP2" "$VIP3" "$m3"; do
	grep -qF -- "$w" "$T" || missing="$missing $w"
done
if [ -z "$missing" ]; then
	ok "show: lists groups, devices, MACs and VIPs"
else
	not_ok "show: lists groups, devices, MACs and VIPs" \
		"missing:$missing" "$(cat "$T")"
fi
vipctl show --stats >"$T"
check "show --stats: exit 0, mentions counters" \
	grep -qiE 'garp|failover' "$T"

# -p: the same JSON, indented.
vipctl show --json >"$J"
check "show --json -p: the same, indented" bash -c \
	"ip netns exec $SRV $VIPCTL show --json -p >$TMPD/pretty.json &&
	 [ \$(wc -l <$TMPD/pretty.json) -gt 10 ] &&
	 $PYTHON -c 'import json, sys; assert json.load(open(sys.argv[1])) == json.load(open(sys.argv[2]))' $J $TMPD/pretty.json"

# The same states and counters for Prometheus: the exposition format as
# its own parser reads it, every counter equal to the JSON's.
P="$TMPD/vipfo.prom"
check "show --prometheus -o FILE" vipctl show --prometheus -o "$P"
check "-o FILE: written whole, no temporary file left" \
	test -s "$P" -a -z "$(ls "$TMPD" | grep 'vipfo.prom.tmp')"
vipctl show --json --stats >"$S"
check "prometheus: parses; states and counters as in the JSON" "$PYTHON" - "$P" "$S" <<'EOF'
import json, sys
from prometheus_client.parser import text_string_to_metric_families
samples = {}
for fam in text_string_to_metric_families(open(sys.argv[1]).read()):
    for s in fam.samples:
        samples[(s.name, tuple(sorted(s.labels.items())))] = s.value
j = json.load(open(sys.argv[2]))
def get(name, **labels):
    return samples[(name, tuple(sorted(labels.items())))]
# Failovers by reason only, their sum the JSON's failovers.
def counters(prefix, stats, **lab):
    for k, v in stats.items():
        if k == "failovers_by_reason":
            for r, n in v.items():
                assert get(f"{prefix}failovers_total", reason=r, **lab) == n, (lab, r)
        elif k == "failovers":
            assert sum(get(f"{prefix}failovers_total", reason=r, **lab)
                       for r in stats["failovers_by_reason"]) == v, lab
        else:
            assert get(f"{prefix}{k}_total", **lab) == v, (lab, k)
for g in j["groups"]:
    assert get("vipfo_group_vips", group=g["name"]) == len(g["vips"]), g["name"]
    counters("vipfo_group_", g["stats"], group=g["name"])
    for d in g["devices"]:
        lab = dict(group=g["name"], device=d["ifname"])
        assert get("vipfo_member_up", **lab) == (d["state"] == "up"), d
        assert get("vipfo_member_state", state=d["state"], **lab) == 1, d
        counters("vipfo_", d["stats"], **lab)
EOF

check "group del db; show --json lists web only" bash -c \
	"ip netns exec $SRV $VIPCTL group del db &&
	 ip netns exec $SRV $VIPCTL show --json >$J"
check "show --json after del" json_check "$J" \
	"[x['name'] for x in j['groups']] == ['web']"

# A listing longer than vipctl holds back (256 KiB) goes out as the dump
# arrives: every VIP once, in order, text and JSON alike.
NBIG=30000
big_vips() { "$PYTHON" -c 'import ipaddress, sys
print(",".join(str(ipaddress.IPv4Address("10.128.0.1") + i) for i in range(int(sys.argv[1]))))' "$1"; }
B="$TMPD/big"
# From a batch file: one argument may not be longer than 128 KiB.
echo "group add big --no-local --vip $(big_vips "$NBIG")" >"$B.batch"
check "group big: $NBIG VIPs" vipctl -b "$B.batch"
big_vips "$NBIG" | tr , '\n' >"$B.want"
# big_json ARGS: show big ARGS is JSON listing every VIP once, in order
big_json()
{
	vipctl show big "$@" >"$B.json" &&
		"$PYTHON" - "$B.json" "$NBIG" >"$B.got" <<'EOF' && cmp "$B.want" "$B.got"
import json, sys
g = json.load(open(sys.argv[1]))["groups"][0]
assert g["vip_count"] == len(g["vips"]) == int(sys.argv[2]), g["vip_count"]
print("\n".join(g["vips"]))
EOF
}
big_text()
{
	vipctl show big >"$B.txt" &&
		sed -n 's/^  vip //p' "$B.txt" | cmp "$B.want" - &&
		head -n1 "$B.txt" | grep "^group big: 0 devices, $NBIG vips"
}
check "show big --json: $NBIG VIPs, in order" big_json --json
check "show big --json --pretty: the same" big_json --json --pretty
check "show big: $NBIG vip lines, in order" big_text

# Changes while it lists: a complete listing, or a failure that says why
# (never a listing that is short or mixes two states without saying so).
changes() {
	while :; do
		vipctl vip add web 192.0.2.222 --no-local
		vipctl vip del web 192.0.2.222 --no-local
	done >/dev/null 2>&1
}
listed_or_said_why() {
	local i rc

	for i in 1 2 3; do
		vipctl show big >"$B.txt" 2>"$B.err"
		rc=$?
		if [ "$rc" = 0 ]; then
			[ "$(grep -c '^  vip ' "$B.txt")" = "$NBIG" ] || return 1
		else
			grep -qE "changed while they were being listed|interrupted by concurrent changes" \
				"$B.err" || { cat "$B.err"; return 1; }
		fi
		echo "run $i: status $rc $(cat "$B.err")"
	done
}
changes &
changer=$!
check "show big during changes: complete, or says it is not" listed_or_said_why
kill "$changer"
wait "$changer" 2>/dev/null
check "group del big" vipctl group del big

finish
