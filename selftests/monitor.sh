#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `vipctl monitor --json` prints one JSON object per event as it happens:
# configuration changes, failovers (admin down, carrier loss, deletion)
# with the failed device, the reason and the survivors, and recoveries.
# `vipctl monitor --journal` sends the same to the systemd journal with
# structured fields (the host's journald, or one started here).

source "$(dirname "$0")/lib.sh"

require_all
tap_header

setup_or_finish setup_topology

M="$TMPD/monitor.json"
T="$TMPD/monitor.txt"
E="$TMPD/event.json"
bg ip netns exec "$SRV" "$VIPCTL" monitor --json >"$M" 2>"$M.err"
mpid=$BG_PID
bg ip netns exec "$SRV" "$VIPCTL" monitor >"$T" 2>"$T.err"

# The journal: the host's, or a journald of our own (in the VM, which
# boots without systemd; it keeps its files in /run/log/journal), whose
# sockets go with it at the end. A socket nobody listens on is one that
# a killed run left: ours replaces it (else the next run's monitor is
# refused, as a kselftest CI's second run of the collection was).
JOURNALD=/lib/systemd/systemd-journald
JSOCK=/run/systemd/journal/socket
jpid="" own_journald=""
journal_listens()
{
	"$PYTHON" -c 'import socket, sys
socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM).connect(sys.argv[1])' "$JSOCK" 2>/dev/null
}
if [ -x "$JOURNALD" ] && { [ ! -S "$JSOCK" ] || ! journal_listens; }; then
	rm -rf /run/systemd/journal
	bg "$JOURNALD"
	own_journald=$BG_PID
	slowwait 10 test -S "$JSOCK"
fi
if [ -S "$JSOCK" ] && command -v journalctl >/dev/null; then
	bg ip netns exec "$SRV" "$VIPCTL" monitor --journal 2>"$TMPD/journal.err"
	jpid=$BG_PID
fi

# The monitor listens once it reports a change of a probe group.
probe_seen()
{
	vipctl group add probe >/dev/null 2>&1
	vipctl group del probe >/dev/null 2>&1
	find_event "$M" "$E" "e.get('group') == 'probe'"
}
if ! slowwait 30 probe_seen; then
	not_ok "monitor --json reports events" \
		"output: $(head -c 2000 "$M")" "stderr: $(cat "$M.err")"
	finish
fi
ok "monitor --json reports events"

# expect DESC COND [EXPR...]: an event for which COND holds arrives, and
# every EXPR holds for it (e is the event).
expect()
{
	local desc=$1 cond=$2

	shift 2
	if ! slowwait 15 find_event "$M" "$E" "$cond"; then
		not_ok "$desc" "no event with $cond" \
			"events so far:" "$(tail -n 20 "$M")"
		return
	fi
	check "$desc" json_check "$E" "$@"
}

change()
{
	echo "e.get('event') == 'change' and e.get('group') == 'web' and e.get('change') == '$1'"
}

vipctl group add web --dev a1,a2 --vip "$VIP1,$VIP2"
expect "group add: change group-new" "$(change group-new)"
vipctl dev add web a3
expect "dev add: change dev-add of a3" "$(change dev-add) and 'a3' in json.dumps(e)"
vipctl vip add web "$VIP3"
expect "vip add: change vip-add of $VIP3" "$(change vip-add) and '$VIP3' in json.dumps(e)"
vipctl group set web --garp-count 2
expect "group set: change group-set" "$(change group-set)"

i1=$(ifindex "$SRV" a1) m1=$(mac "$SRV" a1)
failover()
{
	echo "e.get('event') == 'failover' and e.get('failed', {}).get('ifname') == '$1'"
}

fail_adapter admin-down a1
expect "admin down of a1: failover event" "$(failover a1)" \
	"e['group'] == 'web'" \
	"(e['failed']['ifname'], e['failed']['ifindex'], e['failed']['mac']) == ('a1', $i1, '$m1')" \
	"e['reason'] == 'admin-down'" \
	"e['detected_by'] == 'notifier'" \
	"sorted(x['ifname'] for x in e['survivors']) == ['a2', 'a3']" \
	"e['vip_count'] == 3" \
	"e['garp_count'] == 2"
recover_adapter admin-down a1
expect "a1 up again: recover event" \
	"e.get('event') == 'recover' and e.get('device', {}).get('ifname') == 'a1'" \
	"e['group'] == 'web'" \
	"(e['device']['ifindex'], e['device']['mac']) == ($i1, '$m1')" \
	"e['device'].get('state', 'up') == 'up'"

fail_adapter carrier-loss a2
expect "carrier loss of a2: failover event" "$(failover a2)" \
	"e['reason'] == 'carrier-loss'" \
	"sorted(x['ifname'] for x in e['survivors']) == ['a1', 'a3']"
recover_adapter carrier-loss a2
expect "a2 carrier back: recover event" \
	"e.get('event') == 'recover' and e.get('device', {}).get('ifname') == 'a2'"

fail_adapter unregister a3
expect "deletion of a3: failover event" "$(failover a3)" \
	"e['reason'] == 'unregister'" \
	"sorted(x['ifname'] for x in e['survivors']) == ['a1', 'a2']"

vipctl vip del web "$VIP3"
expect "vip del: change vip-del of $VIP3" "$(change vip-del) and '$VIP3' in json.dumps(e)"
vipctl dev del web a2
# (Deleting a3 above removed it from the group: a dev-del of a3 came then.)
expect "dev del: change dev-del of a2" "$(change dev-del) and 'a2' in json.dumps(e)"
vipctl group del web
expect "group del: change group-del" "$(change group-del)"

bad=$("$PYTHON" -c 'import json, sys
for n, l in enumerate(open(sys.argv[1]), 1):
    try:
        assert isinstance(json.loads(l), dict)
    except Exception:
        print(f"line {n}: {l.strip()}")' "$M")
if [ -z "$bad" ]; then
	ok "monitor --json: every line one JSON object"
else
	not_ok "monitor --json: every line one JSON object" "$bad"
fi

# The readable monitor saw the same.
if grep -q a1 "$T" && grep -qi failover "$T" && grep -q web "$T"; then
	ok "monitor: readable events"
else
	not_ok "monitor: readable events" "$(head -n 30 "$T")" "$(cat "$T.err")"
fi
check "monitor --json still running" kill -0 "$mpid"

# monitor --journal: the failover of a2 as a journal entry with its fields.
journal_failover()
{
	journalctl -o json _PID="$jpid" VIPFO_EVENT=failover VIPFO_DEVICE=a2 \
		>"$TMPD/journal.json" 2>/dev/null && [ -s "$TMPD/journal.json" ]
}
if [ -z "$jpid" ]; then
	skip "monitor --journal: failover entry with structured fields" \
		"no journal socket, and no systemd-journald to start"
elif slowwait 15 journal_failover; then
	check "monitor --journal: failover of a2 with group, device, reason, VIP count, priority" \
		"$PYTHON" -c 'import json, sys
e = json.loads(open(sys.argv[1]).readline())
assert e["VIPFO_GROUP"] == "web" and e["VIPFO_DEVICE"] == "a2", e
assert e["VIPFO_REASON"] == "carrier-loss" and e["VIPFO_VIP_COUNT"] == "3", e
assert e["PRIORITY"] == "4" and e["SYSLOG_IDENTIFIER"] == "vipctl", e
assert "a2" in e["MESSAGE"], e' "$TMPD/journal.json"
else
	not_ok "monitor --journal: failover entry with structured fields" \
		"$(cat "$TMPD/journal.err")" \
		"$(journalctl -o json _PID="$jpid" 2>&1 | tail -n 5)"
fi

# Our journald and its sockets go (its files in /run/log/journal stay, as
# a journald's do).
if [ -n "$own_journald" ]; then
	kill "$own_journald" 2>/dev/null
	wait "$own_journald" 2>/dev/null
	rm -rf /run/systemd/journal
fi
finish
