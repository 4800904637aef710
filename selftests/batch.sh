#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# vipctl -b FILE, as ip -batch: the commands of a file apply in order, in
# one process; the first failing line stops the batch and is named
# FILE:LINE, with nothing after it applied; --force goes on; - reads
# standard input; -n NETNS before -b applies to every line.

source "$(dirname "$0")/lib.sh"

require_all
tap_header

NS2=
NS_IPV6=1
if ! setup_ns SRV NS2 || ! ip -n "$SRV" link add a1 type veth peer name b1 ||
   ! ip -n "$SRV" link add a2 type veth peer name b2; then
	not_ok "namespaces set up"
	finish
fi

B=$TMPD/cmds
J=$TMPD/show.json
# show_in NS EXPR: the Python expression on `vipctl show --json` of NS is
# True (g: the groups by name; vips(NAME), devs(NAME): a group's)
show_in()
{
	ip netns exec "$1" "$VIPCTL" show --json >"$J" && "$PYTHON" -c '
import json, sys
j = json.load(open(sys.argv[1]))
g = {x["name"]: x for x in j["groups"]}
vips = lambda n: g[n]["vips"] if n in g else None
devs = lambda n: [d["ifname"] for d in g[n]["devices"]] if n in g else None
r = eval(sys.argv[2])
print(r, "--", {n: (vips(n), devs(n)) for n in g})
sys.exit(r is not True)' "$J" "$2"
}

show_is() { show_in "$SRV" "$1"; }

# run_batch OUT ERR VIPCTL-ARGS...: vipctl in $SRV, its status in $rc
run_batch()
{
	local out=$1 err=$2

	shift 2
	vipctl "$@" >"$out" 2>"$err"
	rc=$?
}

# Many commands: quoting, comments, a continued line, a command that prints.
{
	echo "# web and its VIPs"
	echo "group add web --dev a1 --garp-count 2"
	for i in $(seq 1 200); do
		echo "vip add web 2001:db8:b::$i"
	done
	echo
	echo "dev add 'web' \"a2\"   # a comment"
	echo "group add db \\"
	echo "	--vip $VIP2 --no-local"
	echo "show db"
} >"$B"
# only_warnings ERR FILE: nothing on stderr but the kernel's warnings (its
# devices may be down here), each naming FILE:LINE
only_warnings()
{
	! grep -v "^vipctl: $2:[0-9]*: warning: " "$1"
}
run_batch "$TMPD/out" "$TMPD/err" -b "$B"
if [ "$rc" = 0 ] && only_warnings "$TMPD/err" "$B" && grep -q "$VIP2" "$TMPD/out"; then
	ok "-b: 205 commands, exit 0, show printed"
else
	not_ok "-b: 205 commands, exit 0, show printed" "exit $rc" "$(cat "$TMPD/err")" \
		"$(head -n 20 "$TMPD/out")"
fi
check "-b: all applied" show_is \
	"len(vips('web')) == 200 and devs('web') == ['a1', 'a2'] and vips('db') == ['$VIP2'] and g['web']['garp_count'] == 2"
check "-b: the local addresses on lo too" \
	test "$(ip -n "$SRV" -6 -o addr show dev lo | grep -c '2001:db8:b::')" = 200

# The first failing line stops the batch: $VIP2 is db's.
printf '%s\n' "vip add web $VIP1" "# a comment" "" "vip add web $VIP2" \
	"vip add web $VIP3" >"$B"
run_batch "$TMPD/out" "$TMPD/err" -b "$B"
err=$(grep -v "^vipctl: $B:[0-9]*: warning: " "$TMPD/err")
if [ "$rc" = 1 ] && [ "$(grep -c . <<<"$err")" = 1 ] &&
   [[ $err == "vipctl: $B:4: vip add web: $VIP2: "* ]]; then
	ok "a failing line: exit 1, named $(basename "$B"):4 ($err)"
else
	not_ok "a failing line: exit 1, one line naming $B:4" "exit $rc" "$err"
fi
check "a failing line: the lines before it applied, none after it" \
	show_is "'$VIP1' in vips('web') and '$VIP3' not in vips('web') and vips('db') == ['$VIP2']"

# --force goes on; the status says that a line failed.
printf '%s\n' "vip del web $VIP1" "vip add web $VIP2" "vip add web $VIP3" \
	"group del nosuch" "group add later" >"$B"
run_batch "$TMPD/out" "$TMPD/err" --force -b "$B"
if [ "$rc" = 1 ] && [ "$(grep -vc "^vipctl: $B:[0-9]*: warning: " "$TMPD/err")" = 2 ] &&
   grep -q "^vipctl: $B:2: vip add web: $VIP2: " "$TMPD/err" &&
   grep -q "^vipctl: $B:4: group del nosuch: " "$TMPD/err"; then
	ok "--force: exit 1, both failing lines named"
else
	not_ok "--force: exit 1, both failing lines named" "exit $rc" "$(cat "$TMPD/err")"
fi
check "--force: every other line applied" \
	show_is "'$VIP1' not in vips('web') and '$VIP3' in vips('web') and 'later' in g"

# Standard input.
printf '%s\n' "group add stdin" "vip add stdin 2001:db8:c::1 --no-local" "group del nosuch" |
	vipctl -b - >"$TMPD/out" 2>"$TMPD/err"
rc=$?
if [ "$rc" = 1 ] && grep -q "^vipctl: <stdin>:3: group del nosuch: " "$TMPD/err"; then
	ok "-b -: reads standard input, errors named <stdin>:LINE"
else
	not_ok "-b -: reads standard input, errors named <stdin>:LINE" "exit $rc" "$(cat "$TMPD/err")"
fi
check "-b -: its lines applied" show_is "vips('stdin') == ['2001:db8:c::1']"

# -n NETNS before -b: every line in that namespace, none in the one
# vipctl runs in.
printf '%s\n' "group add other --dev x1" "vip add other $VIP1 --no-local" "group add other2" >"$B"
ip -n "$NS2" link add x1 type veth peer name y1
"$VIPCTL" -n "$NS2" -b "$B" >"$TMPD/out" 2>"$TMPD/err"
rc=$?
# x1 is down: the kernel's warnings, each naming its line.
if [ "$rc" = 0 ] && only_warnings "$TMPD/err" "$B" &&
   grep -q "^vipctl: $B:1: warning: a device added is not up" "$TMPD/err" &&
   grep -q "^vipctl: $B:2: warning: no member is up" "$TMPD/err"; then
	ok "-n NETNS -b: exit 0, x1's warnings naming their lines"
else
	not_ok "-n NETNS -b: exit 0" "exit $rc" "$(cat "$TMPD/err")"
fi
check "-n NETNS -b: every line in NETNS" \
	show_in "$NS2" "devs('other') == ['x1'] and vips('other') == ['$VIP1'] and 'other2' in g"
check "-n NETNS -b: nothing in the other namespace" show_is "'other' not in g and 'other2' not in g"

# Scale: one process, one connection, 1000 commands.
G=big
{
	echo "group add $G"
	for i in $(seq 1 1000); do
		echo "vip add $G 2001:db8:d::$i --no-local"
	done
} >"$B"
t0=$(now_ms)
run_batch "$TMPD/out" "$TMPD/err" -b "$B"
t1=$(now_ms)
diag "1001 commands in $((t1 - t0)) ms"
check "-b: 1001 commands" test "$rc" = 0
check "-b: 1000 VIPs" show_is "len(vips('$G')) == 1000"

# One generic netlink socket for the whole batch (Client::Shared), not
# one per line.
printf 'vip add %s 2001:db8:e::%s --no-local\n' "$G" 1 "$G" 2 "$G" 3 >"$B"
if command -v strace >/dev/null; then
	n=$(ip netns exec "$SRV" strace -f -e trace=socket "$VIPCTL" -b "$B" 2>&1 |
		grep -c 'NETLINK_GENERIC')
	check "-b: 3 commands, 1 generic netlink socket (strace: $n)" test "$n" = 1
else
	skip "-b: 3 commands, 1 generic netlink socket" "no strace"
fi

# For the record: 20 commands, one process each, and in a batch.
: >"$B"
t0=$(now_ms)
for i in $(seq 1 20); do
	"$VIPCTL" -n "$SRV" vip add "$G" "2001:db8:f::$i" --no-local
	echo "vip del $G 2001:db8:f::$i --no-local" >>"$B"
done
t1=$(now_ms)
"$VIPCTL" -n "$SRV" -b "$B"
t2=$(now_ms)
diag "20 vip add, one vipctl each: $((t1 - t0)) ms; 20 vip del in one -b: $((t2 - t1)) ms"

finish
