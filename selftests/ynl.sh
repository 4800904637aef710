#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The protocol spec against the running module: the kernel's own netlink
# client, ynl (tools/net/ynl/cli.py of linux-source-6.12, which
# `make -C selftests` extracts), knows vipfo only from
# Documentation/netlink/specs/vipfo.yaml. With it this test creates a
# group with members and a VIP and takes a live member out, and a
# listener subscribed to the "events" multicast group (ynl_listen.py, on
# ynl's library) receives the change-ntf of each and the failover-ntf; it
# puts the member back, dumps and gets the group (and compares with
# vipctl), has an out-of-range value refused with the attribute and range
# of the spec, and deletes the group. scripts/spec-check compares the spec
# with the header and the tables; this compares it with the kernel's
# messages.
#
# YNL_DIR=DIR (pass it with VM_ENV=YNL_DIR) another ynl (tools/net/ynl);
# with YNL_SPEC=FILE (vipfo.yaml) it runs from an installed collection too.

source "$(dirname "$0")/lib.sh"

YNL_DIR=${YNL_DIR:-$REPO_DIR/build/ksrc-6.12/tools/net/ynl}
SPEC=$REPO_DIR/Documentation/netlink/specs/vipfo.yaml

require_all
# The spec and ynl are the source tree's, and an installed collection has
# neither.
[ -n "$REPO_DIR" ] || [ -n "${YNL_SPEC:-}" ] ||
	skip_all "needs the source tree's netlink spec and the kernel's ynl" \
		"(run from a checkout, or set YNL_SPEC and YNL_DIR)"
SPEC=${YNL_SPEC:-$SPEC}
[ -f "$YNL_DIR/cli.py" ] ||
	skip_all "ynl not extracted ($YNL_DIR): make -C selftests"
"$PYTHON" -c 'import yaml' 2>/dev/null ||
	skip_all "python3-yaml not installed for $PYTHON"
tap_header

setup_or_finish setup_topology

# ynl ARGS...: cli.py in the server's namespace, JSON out. The spec was
# validated against the schema on the host (scripts/spec-check).
ynl()
{
	srv "$PYTHON" "$YNL_DIR/cli.py" --spec "$SPEC" --no-schema \
		--output-json "$@"
}

# ynl_to FILE ARGS...: ynl's last output line (the reply, or with
# --subscribe the notifications received) into FILE; its whole output
# into FILE.log. Fails with ynl.
ynl_to()
{
	local f=$1

	shift
	ynl "$@" >"$f.log" 2>&1 || { cat "$f.log"; return 1; }
	tail -n 1 "$f.log" >"$f"
}

i1=$(ifindex "$SRV" a1) i2=$(ifindex "$SRV" a2)
m1=$(mac "$SRV" a1) m2=$(mac "$SRV" a2)
L="$TMPD/listener.log"
N="$TMPD/events.json"
G="$TMPD/group.json"

# The listener: ynl_listen.py, ynl's library subscribed to "events", reads
# until the three events of group-new and dev-del came, then prints them.
# (6.12's cli.py cannot take part in a request meanwhile: a notification in
# the middle of one loses the request's state; its --subscribe sleeps a
# fixed window before it reads, which the test would wait out.)
ready="$TMPD/listener.ready"
bg ip netns exec "$SRV" "$PYTHON" "$SELFTEST_DIR/ynl_listen.py" \
	--ynl-dir "$YNL_DIR" --spec "$SPEC" --subscribe events --count 3 \
	--timeout "$(hang_limit 90)" --ready "$ready" >"$L" 2>&1
listener=$BG_PID
listener_gone() { ! kill -0 "$listener" 2>/dev/null; }
# (Python, the spec's YAML and the family's lookup: seconds under TCG.)
since=$SECONDS
if ! slowwait "$(hang_limit 90)" test -e "$ready"; then
	not_ok "ynl listener joined the events group" \
		"not after $((SECONDS - since)) s" "$(cat "$L")"
	finish
fi
ok "ynl listener joined the events group"
diag "after $((SECONDS - since)) s"

# VIP1 192.0.2.100 is c0000264; family AF_INET (2).
IFS=. read -r o1 o2 o3 o4 <<<"$VIP1"
vip_hex=$(printf '%02x%02x%02x%02x' "$o1" "$o2" "$o3" "$o4")
new='{"group-name": "web", "garp-count": 2, "garp-interval": 150,
      "reply-rate": 500, "up-delay": 0,
      "devs": {"dev": [{"ifindex": '"$i1"'}, {"ifindex": '"$i2"'}]},
      "vips": {"vip": [{"family": 2, "addr": "'"$vip_hex"'"}]}}'
# (Its reply has command group-get: ynl prints it as "Unexpected message".)
check "ynl group-new" ynl_to "$TMPD/new.json" --do group-new --json "$new"
diag "$(head -n 1 "$TMPD/new.json.log" | cut -c 1-100)"

# A live member taken out: a change, and a failover to the survivor.
check "ynl dev-del a2" ynl --do dev-del \
	--json '{"group-name": "web", "devs": {"dev": [{"ifindex": '"$i2"'}]}}'

# Back in: a new member, up at once.
check "ynl dev-add a2" ynl --do dev-add \
	--json '{"group-name": "web", "devs": {"dev": [{"ifindex": '"$i2"'}]}}'

check "ynl dump group-get" ynl_to "$G" --dump group-get
# Every counter of the spec's stats set, the failovers by reason too.
STATS_KEYS="{'requests', 'replies', 'garps', 'failovers', 'tx-errors', 'rate-limited', 'conflicts', 'nas', 'failovers-admin-down', 'failovers-carrier-loss', 'failovers-unregister', 'failovers-removed', 'failovers-unfit'}"
check "dump: the group as created, a2 back" json_check "$G" \
	"len(j) == 1" \
	"(j[0]['group-name'], j[0]['garp-count'], j[0]['garp-interval']) == ('web', 2, 150)" \
	"(j[0]['reply-rate'], j[0]['up-delay'], j[0]['vip-count']) == (500, 0, 1)" \
	"j[0]['carrier-poll'] >= 0" \
	"sorted((x['ifindex'], x['ifname'], x['mac'], x['state']) for x in j[0]['devs']['dev']) == [($i1, 'a1', '$m1', 'up'), ($i2, 'a2', '$m2', 'up')]" \
	"all(set(x['stats']) == $STATS_KEYS for x in j[0]['devs']['dev'])" \
	"set(j[0]['stats']) == $STATS_KEYS" \
	"(j[0]['stats']['failovers'], j[0]['stats']['failovers-removed']) == (1, 1)" \
	"j[0]['vips']['vip'] == [{'family': 2, 'addr': '$vip_hex'}]"

V="$TMPD/vipctl.json"
if vipctl show web --json >"$V"; then
	check "dump agrees with vipctl show --json" json_check "$V" \
		"(g['name'], g['garp_count'], g['garp_interval_ms'], g['reply_rate'], g['vip_count']) == ('web', 2, 150, 500, 1)" \
		"g['carrier_poll_ms'] == $(json_value "$G" "j[0]['carrier-poll']")" \
		"sorted((x['ifindex'], x['mac'], x['state']) for x in g['devices']) == [($i1, '$m1', 'up'), ($i2, '$m2', 'up')]" \
		"g['vips'] == ['$VIP1']"
else
	not_ok "dump agrees with vipctl show --json" "vipctl show failed"
fi

check "ynl do group-get" ynl_to "$G" --do group-get \
	--json '{"group-name": "web"}'
check "do group-get: the group, without its VIP list" json_check "$G" \
	"(j['group-name'], j['garp-count'], j['vip-count']) == ('web', 2, 1)" \
	"sorted(x['ifname'] for x in j['devs']['dev']) == ['a1', 'a2']" \
	"'vips' not in j"

# spec_const NAME: a constant's value in the spec.
spec_const()
{
	"$PYTHON" -c 'import sys, yaml
d = yaml.safe_load(open(sys.argv[1]))["definitions"]
print(next(x["value"] for x in d if x["name"] == sys.argv[2]))' "$SPEC" "$1"
}

# Out of range: refused by the policy, whose range the kernel reports in
# the extended ack (the spec's), and ynl names the attribute from the
# kernel's offset through the spec.
E="$TMPD/err.log"
lo=$(spec_const garp-interval-min) hi=$(spec_const garp-interval-max)
if ynl --do group-set \
	--json '{"group-name": "web", "garp-interval": '"$((lo - 1))"'}' >"$E" 2>&1; then
	not_ok "garp-interval $((lo - 1)) refused" "ynl succeeded: $(cat "$E")"
else
	check "garp-interval $((lo - 1)) refused: attribute and range of the spec" \
		grep -q "'policy': {'min-value': $lo, 'max-value': $hi, 'type': 'u32'}, 'bad-attr': '.garp-interval'" "$E"
	diag "$(grep extack "$E")"
fi

check "ynl group-del" ynl --do group-del --json '{"group-name": "web"}'
check "ynl dump group-get: no group left" ynl_to "$G" --dump group-get
check "dump: empty" json_check "$G" "j == []"

# The listener ends once it has the three events (the kernel queues them
# before it acks the request), or after its timeout with fewer.
if ! slowwait "$(hang_limit 90)" listener_gone; then
	not_ok "events received by the ynl listener" "it did not end" "$(cat "$L")"
else
	tail -n 1 "$L" >"$N"
	check "events received by the ynl listener" json_check "$N" \
		"[x['name'] for x in j[:3]] == ['change-ntf', 'failover-ntf', 'change-ntf']"
	check "change-ntf of group-new: group, devices, VIP" json_check "$N" \
		"(j[0]['msg']['group-name'], j[0]['msg']['change'], j[0]['msg']['vip-count']) == ('web', 1, 1)" \
		"sorted((d['ifindex'], d['ifname'], d['mac']) for d in j[0]['msg']['devs']['dev']) == [($i1, 'a1', '$m1'), ($i2, 'a2', '$m2')]" \
		"j[0]['msg']['vips']['vip'] == [{'family': 2, 'addr': '$vip_hex'}]"
	check "failover-ntf of a2 taken out, change-ntf of dev-del" json_check "$N" \
		"(j[1]['msg']['failed-dev']['ifname'], j[1]['msg']['failed-dev']['mac']) == ('a2', '$m2')" \
		"(j[1]['msg']['reason'], j[1]['msg']['detected-by']) == ('removed', 'notifier')" \
		"(j[1]['msg']['vip-count'], j[1]['msg']['garp-count']) == (1, 2)" \
		"[d['ifname'] for d in j[1]['msg']['devs']['dev']] == ['a1']" \
		"(j[2]['msg']['change'], [d['ifname'] for d in j[2]['msg']['devs']['dev']]) == (6, ['a2'])"
fi

finish
