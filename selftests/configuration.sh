#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# vipctl apply makes the running configuration equal to a file, changing
# only what differs (no event, no announcement, no address churn for the
# rest), all or nothing, with errors located in the file; --check prints
# the plan and changes nothing; vipctl save prints the configuration so
# that applying it changes nothing (with IPv6 VIPs and every option); a
# member device that does not exist yet is waited for (--wait) or left
# out with a warning; what a file leaves out is the module's default.

source "$(dirname "$0")/lib.sh"

require_all
tap_header

NS_IPV6=1
VIP6=2001:db8::100
C="$TMPD/vipfo.conf"
setup_or_finish setup_links

# A group with the VIPs of the file on lo, and events recorded.
M="$TMPD/monitor.json"
bg ip netns exec "$SRV" "$VIPCTL" monitor --json >"$M" 2>"$M.err"
probe_seen()
{
	vipctl group add probe >/dev/null 2>&1
	vipctl group del probe >/dev/null 2>&1
	grep -q '"probe"' "$M"
}
slowwait 30 probe_seen || not_ok "monitor listens" "$(cat "$M.err")"

events() { grep -vc '"probe"' "$M"; }
lo_addrs() { ip -n "$SRV" -o addr show dev lo | awk '{ print $4 }' | LC_ALL=C sort | tr '\n' ' '; }
show() { vipctl show --json >"$TMPD/show.json" && json_value "$TMPD/show.json" "$1"; }

cat >"$C" <<EOF
# the web VIPs
[group.web]
devices = ["a1", "a2"]
vips = ["$VIP1", "$VIP6"]
garp-count = 5
garp-interval = 150
carrier-poll = 20
reply-rate = 3000
up-delay = 0
EOF
check "apply: creates group web" vipctl apply "$C"
check "web as the file says" test "$(show "[(g['name'], [d['ifname'] for d in g['devices']], g['vips'], g['garp_count'], g['garp_interval_ms'], g['carrier_poll_ms'], g['reply_rate'], g['up_delay_ms']) for g in j['groups']]")" = \
	"[('web', ['a1', 'a2'], ['$VIP1', '$VIP6'], 5, 150, 20, 3000, 0)]"
check "its VIPs are local addresses on lo" \
	test "$(lo_addrs)" = "127.0.0.1/8 $VIP1/32 $VIP6/128 ::1/128 "

n0=$(events)
out=$(vipctl apply "$C")
check "apply again: 'no changes'" test "$out" = "no changes"
sleep 0.5
check "apply again: no event" test "$(events)" = "$n0"

# save | apply: nothing to do.
vipctl save >"$TMPD/saved.conf"
out=$(vipctl apply --check "$TMPD/saved.conf" 2>&1)
check "save | apply --check: no changes (IPv6 VIP, every option)" test "$out" = "no changes"
out=$(vipctl save | vipctl apply - 2>&1)
check "save | apply -: no changes" test "$out" = "no changes"
# -n NETNS, as ip -n: the same from outside the namespace.
check "vipctl -n $SRV save: the same" \
	cmp -s "$TMPD/saved.conf" <("$VIPCTL" -n "$SRV" save)
out=$("$VIPCTL" -n nosuch-ns save 2>&1)
rc=$?
check "vipctl -n nosuch-ns: exit 1, says why ($out)" \
	test "$rc" = 1 -a "$out" = "vipctl: netns nosuch-ns: /run/netns/nosuch-ns: No such file or directory"

# An edit: exactly what changed, in the plan and then in the kernel.
cat >"$C" <<EOF
[group.web]
devices = ["a2", "a3"]
vips = ["$VIP6", "$VIP2"]
garp-count = 2
garp-interval = 150
carrier-poll = 20
reply-rate = 3000
up-delay = 0
EOF
want="- group web: vips $VIP1
- group web: devices a1
- local addresses on lo: $VIP1
~ group web: garp-count 5 -> 2
+ group web: devices a3
+ group web: vips $VIP2
+ local addresses on lo: $VIP2"
out=$(vipctl apply --check "$C")
if [ "$out" = "$want" ]; then
	ok "apply --check: the plan is the edit"
else
	not_ok "apply --check: the plan is the edit" "got:" "$out" "want:" "$want"
fi
check "apply --check changed nothing" test "$(show "j['groups'][0]['garp_count']")" = 5
check "apply the edit" vipctl apply "$C"
check "web after the edit" test "$(show "[([d['ifname'] for d in g['devices']], g['vips'], g['garp_count']) for g in j['groups']]")" = \
	"[(['a2', 'a3'], ['$VIP6', '$VIP2'], 2)]"
check "lo after the edit" \
	test "$(lo_addrs)" = "127.0.0.1/8 $VIP2/32 $VIP6/128 ::1/128 "

# Left out: the module's defaults (vipctl's table agrees with the kernel's).
cat >"$C" <<EOF
[group.web]
devices = ["a2", "a3"]
vips = ["$VIP6", "$VIP2"]
EOF
check "options left out: back to the defaults" vipctl apply "$C"
vipctl group add plain
out=$(printf '%s\n[group.plain]\n' "$(cat "$C")" | vipctl apply --check -)
check "a group made without options has the defaults: no changes" test "$out" = "no changes"

# All or nothing: the second group's device is unfit, so the first
# group's change is rolled back; the error says where.
ip -n "$SRV" link add d0 type dummy
cat >"$C" <<EOF
[group.web]
devices = ["a2", "a3"]
vips = ["$VIP6", "$VIP2"]
garp-count = 7

[group.db]
devices = ["d0"]
vips = ["$VIP3"]
EOF
out=$(vipctl apply "$C" 2>&1)
rc=$?
if [ "$rc" = 1 ] && grep -q "vipfo.conf:7:12: group db: d0: .*arp" <<<"$out" &&
   grep -q "nothing changed" <<<"$out"; then
	ok "a failing group: error at the device's place"
	diag "$out"
else
	not_ok "a failing group: error at the device's place" "exit $rc: $out"
fi
# (plain, not in the file, was deleted first: it is back too)
check "rolled back: web's garp-count, group plain, no group db" \
	test "$(show "sorted((g['name'], g['garp_count']) for g in j['groups'])")" = "[('plain', 3), ('web', 3)]"
check "rolled back: lo unchanged" \
	test "$(lo_addrs)" = "127.0.0.1/8 $VIP2/32 $VIP6/128 ::1/128 "

# A VIP and a device move between groups in one apply; a group the file
# no longer has goes, with its local addresses.
cat >"$C" <<EOF
[group.db]
devices = ["a3"]
vips = ["$VIP2"]
local = false

[group.web]
devices = ["a2"]
vips = ["$VIP6"]
EOF
check "apply: move a3 and $VIP2 to db, delete plain" vipctl apply "$C"
check "groups after the move" test "$(show "sorted((g['name'], [d['ifname'] for d in g['devices']], g['vips']) for g in j['groups'])")" = \
	"[('db', ['a3'], ['$VIP2']), ('web', ['a2'], ['$VIP6'])]"
check "lo: db's VIP is not local (local = false)" \
	test "$(lo_addrs)" = "127.0.0.1/8 $VIP6/128 ::1/128 "

# A device that does not exist yet.
cat >"$C" <<EOF
[group.web]
devices = ["a2", "late0"]
vips = ["$VIP6"]
EOF
out=$(vipctl apply "$C" 2>&1)
check "missing device without --wait: error at its place" \
	grep -q "vipfo.conf:2:18: group web: device late0: no such device" <<<"$out"
(sleep 1; ip -n "$SRV" link add late0 type veth peer name late1) &
late=$!
check "--wait 10: waits for late0" vipctl apply --wait 10 "$C"
wait "$late"
check "late0 joined web" test "$(show "[d['ifname'] for d in j['groups'][0]['devices']]")" = "['a2', 'late0']"
ip -n "$SRV" link del late0
out=$(vipctl apply --wait 1 "$C" 2>&1)
rc=$?
check "--wait 1, late0 never comes: applied, with a warning (exit $rc)" \
	test "$rc" = 0 -a -n "$(grep "warning: .*vipfo.conf:2:18: group web: device late0 does not exist" <<<"$out")"

# Errors located in the file.
printf '[group.web]\ndevices = ["a2"]\ngarp-count = 500\n' >"$C"
out=$(vipctl apply "$C" 2>&1)
check "out of range: located ($out)" grep -q "vipfo.conf:3:14: group web: garp-count" <<<"$out"
printf '[group.web]\nvip = ["%s"]\n' "$VIP1" >"$C"
out=$(vipctl apply "$C" 2>&1)
check "unknown key: located ($out)" grep -q "vipfo.conf:2:1: group web: unknown key 'vip'" <<<"$out"

check "apply of an empty file deletes every group" vipctl apply /dev/null
check "no group left" test "$(show "len(j['groups'])")" = 0
check "no local address left" test "$(lo_addrs)" = "127.0.0.1/8 ::1/128 "

finish
