#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# vipctl's errors: exit 1 and exactly one line "vipctl: ..." naming what
# was wrong, nothing changed; usage errors exit 2.

source "$(dirname "$0")/lib.sh"

require_all
tap_header

if ! setup_ns SRV || ! ip -n "$SRV" link add a1 type veth peer name b1 ||
   ! ip -n "$SRV" link add a2 type veth peer name b2; then
	not_ok "namespace set up"
	finish
fi

# fails DESC EXIT PATTERN CMD...: vipctl CMD exits EXIT with one line on
# stderr that starts with "vipctl: " and matches the extended regex PATTERN
# (case-insensitive), and prints nothing on stdout.
fails()
{
	local desc=$1 want=$2 pat=$3 out err rc

	shift 3
	out=$(vipctl "$@" 2>"$TMPD/err")
	rc=$?
	err=$(cat "$TMPD/err")
	if [ "$rc" = "$want" ] && [ -z "$out" ] &&
	   [ "$(grep -c . <<<"$err")" = 1 ] && [[ $err == "vipctl: "* ]] &&
	   grep -qiE -- "$pat" <<<"$err"; then
		ok "$desc (exit $rc: $err)"
	else
		not_ok "$desc" "vipctl $*" \
			"expected exit $want, one line 'vipctl: ...' matching /$pat/" \
			"got exit $rc, stdout: $out" "stderr: $err"
	fi
}

# usage DESC CMD...: vipctl CMD exits 2 and says something on stderr
usage()
{
	local desc=$1 rc

	shift
	vipctl "$@" >"$TMPD/out" 2>"$TMPD/err"
	rc=$?
	if [ "$rc" = 2 ] && [ -s "$TMPD/err" ]; then
		ok "$desc (exit 2)"
	else
		not_ok "$desc: exit 2 with a message" "vipctl $*" \
			"got exit $rc" "stdout: $(head -n 5 "$TMPD/out")" \
			"stderr: $(head -n 5 "$TMPD/err")"
	fi
}

J0="$TMPD/before.json"
J1="$TMPD/after.json"
unchanged()
{
	vipctl show --json >"$J1" && cmp -s "$J0" "$J1"
}

check "group add web --dev a1 --vip $VIP1" \
	vipctl group add web --dev a1 --vip "$VIP1"
vipctl show --json >"$J0"

fails "dev add: unknown device" 1 'web.*nosuchdev0.*no such device' \
	dev add web nosuchdev0
fails "group add: unknown device" 1 'nosuchdev0' \
	group add db --dev a2,nosuchdev0
check "unknown device: nothing changed (no group db)" unchanged
fails "vip add: bad address" 1 '192\.0\.2\.300' vip add web 192.0.2.300
fails "vip add: not an address" 1 'not-an-ip' vip add web not-an-ip
fails "group add: bad VIP among good ones" 1 '192\.0\.2\.999' \
	group add db --vip 192.0.2.110,192.0.2.999
check "bad address: nothing changed" unchanged
if addr_on_lo "$SRV" 192.0.2.110; then
	not_ok "bad address: no VIP left on lo" \
		"$(ip -n "$SRV" -4 addr show dev lo)"
else
	ok "bad address: no VIP left on lo"
fi
fails "vip add: link-local IPv6 VIP" 1 '^vipctl: vip add web: fe80::1: not a global unicast IPv6 address$' \
	vip add web fe80::1
fails "group add: duplicate group" 1 'web.*exist|exist.*web' group add web
fails "vip add: VIP of another group" 1 "$VIP1" \
	group add db --vip "$VIP1"
fails "dev add: device of another group" 1 'a1' group add db --dev a1
check "conflicts: nothing changed" unchanged
fails "group del: no such group" 1 'nosuch' group del nosuch
fails "group set: no such group" 1 'nosuch' group set nosuch --garp-count 2
vipctl group set web --garp-count 101 >/dev/null 2>&1
rc=$?
if [ "$rc" = 1 ] || [ "$rc" = 2 ]; then
	ok "group set: garp-count 101 rejected (exit $rc)"
else
	not_ok "group set: garp-count 101 rejected with exit 1 or 2" "exit $rc"
fi
fails "show: no such group" 1 'nosuch' show nosuch
fails "vip del: VIP not in the group" 1 '192\.0\.2\.120' \
	vip del web 192.0.2.120
fails "dev del: device not in the group" 1 'a2' dev del web a2
check "errors: nothing changed" unchanged

usage "no arguments" 
usage "unknown command" frobnicate
usage "unknown group subcommand" group frobnicate web
usage "group add without a name" group add
usage "unknown option" show --frobnicate
usage "garp-count not a number" group set web --garp-count many
usage "vip add without addresses" vip add web
check "usage errors: nothing changed" unchanged

# A member of a group with IPv6 VIPs joins their solicited-node groups,
# which a device without the kernel's IPv6 state (an MTU below 1280)
# cannot: refused with a reason, not joining's bare EINVAL.
NOV6=2001:db8::150
if ip -n "$SRV" link add a5 mtu 1000 type veth peer name b5; then
	fails "group add: IPv6 VIP and a device without IPv6" 1 \
		'a5.*no IPv6.*MTU below 1280' \
		group add v6 --dev a5 --vip "$NOV6" --no-local
	check "group add v6 with a5, no VIPs" vipctl group add v6 --dev a5
	fails "vip add: IPv6 VIP with a member without IPv6" 1 \
		"$NOV6.*a member has no IPv6" vip add v6 --no-local "$NOV6"
	check "vip add: an IPv4 VIP is fine" vipctl vip add v6 --no-local 192.0.2.150
	check "dev del a5" vipctl dev del v6 a5
	check "vip add $NOV6 to v6 without members" \
		vipctl vip add v6 --no-local "$NOV6"
	fails "dev add: a device without IPv6 to a group with IPv6 VIPs" 1 \
		'a5.*no IPv6' dev add v6 a5
	check "group del v6" vipctl group del v6
else
	not_ok "a veth with MTU 1000"
fi

# A change that applies may still deserve a word: the kernel's warning
# (the ack's message on success), printed once, exit 0. Nothing when all
# is well.
# quiet DESC ARGS...: vipctl ARGS exits 0 and prints nothing on stderr
quiet()
{
	local desc=$1 err

	shift
	if vipctl "$@" >/dev/null 2>"$TMPD/err" && [ ! -s "$TMPD/err" ]; then
		ok "$desc"
	else
		not_ok "$desc" "vipctl $*" "stderr: $(cat "$TMPD/err")"
	fi
}
fails "group add with a VIP, no device: warned that nothing answers" 0 \
	'warning: no member is up' group add w1 --vip 192.0.2.160 --no-local
if ip -n "$SRV" link add a6 type veth peer name b6 &&
   ip -n "$SRV" link set a6 up && ip -n "$SRV" link set b6 up &&
   ip -n "$SRV" link add a7 type veth peer name b7; then
	check "a6 has a carrier" slowwait 10 bash -c \
		"ip -n $SRV link show a6 | grep -q LOWER_UP"
	quiet "dev add a6 (up): no warning" dev add w1 a6
	fails "dev add a7 (down): warned" 0 \
		'warning: a device added is not up' dev add w1 a7
	quiet "vip add with a6 up: no warning" vip add w1 --no-local 192.0.2.161
	fails "dev del a6, a7 left down: warned that nothing answers" 0 \
		'warning: no member is up' dev del w1 a6
	check "group del w1" vipctl group del w1
else
	not_ok "veths a6 (up) and a7 (down)"
fi

# VERSION is installed with the collection (make -C selftests install).
version=$(cat "${REPO_DIR:-$SELFTEST_DIR}/VERSION")
if out=$("$VIPCTL" --version 2>&1) && grep -qF -- "$version" <<<"$out"; then
	ok "--version prints $version"
else
	not_ok "--version prints $version" "$out"
fi
check "--help exits 0" "$VIPCTL" --help

finish
