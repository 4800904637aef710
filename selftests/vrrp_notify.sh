#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# vipctl vrrp, keepalived's side of vipfo, without keepalived: a group with
# a vrrp-instance holds its VIPs (and their local addresses on lo) while
# the instance is MASTER and none in every other state; apply creates and
# reloads such a group without touching its VIPs; notifications repeated
# change nothing; the notify FIFO's lines are handled in their order, an
# unknown one reported without stopping the rest. (keepalived.sh runs the
# real keepalived between two hosts.)

source "$(dirname "$0")/lib.sh"

require_all
tap_header

NS_IPV6=1
VIP6=2001:db8::100
C="$TMPD/vipfo.conf"
setup_or_finish setup_links

lo_addrs() { ip -n "$SRV" -o addr show dev lo | awk '{ print $4 }' | LC_ALL=C sort | tr '\n' ' '; }
vips() { vipctl show web --json >"$TMPD/show.json" && json_value "$TMPD/show.json" "j['groups'][0]['vips']"; }
NONE="127.0.0.1/8 ::1/128 "
BOTH="127.0.0.1/8 $VIP1/32 $VIP6/128 ::1/128 "

cat >"$C" <<EOF
[group.web]
devices = ["a1", "a2"]
vips = ["$VIP1", "$VIP6"]
vrrp-instance = "VI_1"

[group.other]
devices = ["a3"]
vips = ["$VIP2"]
EOF
check "apply: web created without its VIPs (not master yet)" vipctl apply "$C"
check "web has no VIP, none on lo; other has its VIP" \
	test "$(vips)|$(lo_addrs)" = "[]|127.0.0.1/8 $VIP2/32 ::1/128 "

check "vrrp INSTANCE VI_2 MASTER: another instance, nothing changes" \
	vipctl vrrp -c "$C" INSTANCE VI_2 MASTER 100
check "web still without VIPs" test "$(vips)" = "[]"
check "vrrp INSTANCE VI_1 MASTER 150" vipctl vrrp -c "$C" INSTANCE VI_1 MASTER 150
check "web holds both VIPs, and lo" \
	test "$(vips)|$(lo_addrs)" = "['$VIP1', '$VIP6']|127.0.0.1/8 $VIP1/32 $VIP2/32 $VIP6/128 ::1/128 "
out=$(vipctl vrrp -c "$C" INSTANCE VI_1 MASTER 150)
check "MASTER again: no changes" test "$out" = "$(printf 'vrrp VI_1 MASTER\nno changes')"
out=$(vipctl apply "$C")
check "apply while master: keeps the VIPs" test "$out" = "no changes"
check "vrrp GROUP G1 BACKUP: a sync group, nothing changes" \
	vipctl vrrp -c "$C" GROUP G1 BACKUP 0
check "web still holds both VIPs" test "$(vips)" = "['$VIP1', '$VIP6']"
check "vrrp INSTANCE VI_1 BACKUP 150" vipctl vrrp -c "$C" INSTANCE VI_1 BACKUP 150
check "web holds no VIP, lo only other's" \
	test "$(vips)|$(lo_addrs)" = "[]|127.0.0.1/8 $VIP2/32 ::1/128 "
out=$(vipctl apply "$C")
check "apply while backup: no changes" test "$out" = "no changes"
check "vrrp with a bad state: exit 1" bash -c \
	"! ip netns exec $SRV $VIPCTL vrrp -c $C INSTANCE VI_1 LEADER 1 2>/dev/null"

# The FIFO: lines in order, the last one wins; an unknown state is
# reported and the lines after it still handled; EOF ends it.
F="$TMPD/keepalived.fifo"
mkfifo "$F"
bg ip netns exec "$SRV" "$VIPCTL" vrrp -c "$C" --fifo "$F" >"$TMPD/fifo.out" 2>"$TMPD/fifo.err"
reader=$BG_PID
printf '%s\n' 'INSTANCE "VI_1" MASTER 150' 'INSTANCE "VI_1" FAULT 150' \
	'INSTANCE "VI_1" LEADER 150' 'GROUP "G1" MASTER 0' 'INSTANCE "VI_1" MASTER 150' >"$F"
if wait "$reader"; then
	ok "--fifo: ends when keepalived closes the FIFO"
else
	not_ok "--fifo: ends when keepalived closes the FIFO" "$(cat "$TMPD/fifo.err")"
fi
check "--fifo: MASTER, FAULT, MASTER handled in order: web holds its VIPs" \
	test "$(vips)|$(lo_addrs)" = "['$VIP1', '$VIP6']|127.0.0.1/8 $VIP1/32 $VIP2/32 $VIP6/128 ::1/128 "
check "--fifo: three transitions logged" \
	test "$(grep -c '^vrrp VI_1' "$TMPD/fifo.out")" = 3
check "--fifo: the unknown state reported" grep -q "unknown VRRP state 'LEADER'" "$TMPD/fifo.err"

finish
