#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The vipctl binary without the kernel module: help, usage errors (exit
# 2), argument errors caught before anything is sent (exit 1, one line),
# and the "module not loaded" line. TAP output.
set -u

VIPCTL=${1:?usage: cli.sh path/to/vipctl}
VERSION=$(cat "$(dirname "$0")/../../VERSION")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0
failed=0

ok() {
	n=$((n + 1))
	echo "ok $n - $1"
}

not_ok() {
	n=$((n + 1))
	failed=$((failed + 1))
	echo "not ok $n - $1"
	sed 's/^/#   /' "$tmp/out" "$tmp/err"
}

# expect RC STDERR-LINE ARGS...: exit status and exactly that one stderr line.
expect() {
	rc=$1 line=$2
	shift 2
	"$VIPCTL" "$@" >"$tmp/out" 2>"$tmp/err"
	got=$?
	if [ "$got" = "$rc" ] && [ "$(cat "$tmp/err")" = "$line" ] && [ "$(wc -l <"$tmp/err")" -eq 1 ]; then
		ok "vipctl $* -> $rc: $line"
	else
		echo "# exit $got, expected $rc" >>"$tmp/err"
		not_ok "vipctl $* -> $rc: $line"
	fi
}

# expect_rc RC ARGS...: exit status only (usage errors: CLI11's wording).
expect_rc() {
	rc=$1
	shift
	"$VIPCTL" "$@" >"$tmp/out" 2>"$tmp/err"
	got=$?
	if [ "$got" = "$rc" ]; then
		ok "vipctl $* -> $rc"
	else
		echo "# exit $got, expected $rc" >>"$tmp/err"
		not_ok "vipctl $* -> $rc"
	fi
}

"$VIPCTL" --version >"$tmp/out" 2>"$tmp/err"
if [ $? -eq 0 ] && [ "$(cat "$tmp/out")" = "vipctl $VERSION" ]; then
	ok "--version prints vipctl $VERSION"
else
	not_ok "--version prints vipctl $VERSION"
fi

for cmd in "" "group" "group add" "group del" "group set" "dev" "dev add" "dev del" \
	"vip" "vip add" "vip del" "show" "monitor"; do
	# shellcheck disable=SC2086
	expect_rc 0 $cmd --help
done
"$VIPCTL" group add --help >"$tmp/out" 2>&1
for opt in --dev --vip --garp-count --garp-interval --reply-rate --no-local; do
	if grep -q -- "$opt" "$tmp/out"; then ok "group add --help mentions $opt"; else not_ok "group add --help mentions $opt"; fi
done

if grep -q -- "0 = answer ARP requests, never announce" "$tmp/out"; then ok "group add --help explains --garp-count 0"; else not_ok "group add --help explains --garp-count 0"; fi

"$VIPCTL" group set --help >"$tmp/out" 2>&1
if grep -q -- --reply-rate "$tmp/out"; then ok "group set --help mentions --reply-rate"; else not_ok "group set --help mentions --reply-rate"; fi

# Usage errors: exit 2.
expect_rc 2
expect_rc 2 bogus
expect_rc 2 group
expect_rc 2 group add
expect_rc 2 group add web --bogus
expect_rc 2 group add web extra
expect_rc 2 group add web --garp-count -1
expect_rc 2 group add web --garp-count 101
expect_rc 2 group add web --garp-count x
expect_rc 2 group add web --garp-interval 9
expect_rc 2 group set web
expect_rc 2 group add web --reply-rate 10000001
expect_rc 2 group add web --reply-rate -1
expect_rc 2 group set web --reply-rate x
expect_rc 2 group del
expect_rc 2 dev add web
expect_rc 2 vip add web
expect_rc 2 vip del
expect_rc 2 show a b
expect_rc 2 monitor extra

# Caught before anything is sent: exit 1, one line.
expect 1 "vipctl: dev add web: nosuchdev0: no such device" dev add web nosuchdev0
expect 1 "vipctl: dev del web: lo: duplicate device" dev del web lo lo
expect 1 "vipctl: group add web: nosuchdev0: no such device" group add web --dev lo,nosuchdev0
expect 1 "vipctl: group add web: lo: duplicate device" group add web --dev lo --dev lo
expect 1 "vipctl: vip add web: 300.1.2.3: invalid address" vip add web 300.1.2.3
expect 1 "vipctl: vip add web: 192.0.2.1/32: invalid address (a plain address, without prefix length)" \
	vip add web 192.0.2.1/32
expect 1 "vipctl: vip del web: 192.0.2.1: duplicate address" vip del web 192.0.2.1 192.0.2.2,192.0.2.1
expect 1 "vipctl: group add web: 2001:DB8::1: duplicate address" group add web --vip 2001:db8::1 --vip 2001:DB8::1
expect 1 "vipctl: group add web: empty element in list '192.0.2.1,'" group add web --vip 192.0.2.1,
expect 1 "vipctl: group add a/b: invalid group name 'a/b' (1-31 characters of A-Z a-z 0-9 _ . -)" group add a/b
expect 1 "vipctl: show 12345678901234567890123456789012: invalid group name '12345678901234567890123456789012' (1-31 characters of A-Z a-z 0-9 _ . -)" \
	show 12345678901234567890123456789012

# -p makes JSON readable; alone it means nothing.
"$VIPCTL" show -p >"$tmp/out" 2>"$tmp/err"
if [ $? = 2 ] && grep -q -- "--pretty requires --json" "$tmp/err"; then
	ok "vipctl show -p without --json -> 2"
else
	not_ok "vipctl show -p without --json -> 2, saying it needs --json"
fi

# apply: the files are read and checked before anything is sent.
mkdir "$tmp/empty.d"
expect 1 "vipctl: apply: $tmp/empty.d: no *.conf file in this directory" apply "$tmp/empty.d"
expect 1 "vipctl: apply: $tmp/none.conf: cannot read: No such file or directory" apply "$tmp/none.conf"
printf '[group.web]\ngarp-count = 101\n' >"$tmp/bad.conf"
expect 1 "vipctl: apply: $tmp/bad.conf:2:14: group web: garp-count: not a whole number in 0-100" apply --check "$tmp/bad.conf"
expect 1 "vipctl: netns nosuch-ns: /run/netns/nosuch-ns: No such file or directory" -n nosuch-ns show

# The shipped example (etc/vipfo.conf) with its group uncommented as an
# operator does (the "# # " notes dropped, scripts/check-packages does the
# same), vrrp-instance too: it parses, and what stops it on a host
# without those adapters or the module comes after the file was read.
sed '/^# \[group.web\]$/,$ { s/^# # \(vrrp-instance\)/\1/; /^# # /d; s/^# // }' \
	"$(dirname "$0")/../../etc/vipfo.conf" >"$tmp/example.conf"
"$VIPCTL" apply --check "$tmp/example.conf" >"$tmp/out" 2>"$tmp/err"
if [ $? = 1 ] && [ "$(grep -c '^vrrp-instance = ' "$tmp/example.conf")" = 1 ] &&
   grep -Eq ': device eth[0-9]: no such device|module not loaded' "$tmp/err"; then
	ok "the example configuration, uncommented, parses"
else
	cat "$tmp/example.conf" >>"$tmp/err"
	not_ok "the example configuration, uncommented, parses"
fi

# -b FILE: usage errors of the batch and of a line (with its number), and
# errors caught before anything is sent; a failing line stops the batch
# (the --help after it does not print) unless --force.
printf 'show\n' >"$tmp/show.cmds"
expect_rc 2 -b
expect_rc 2 -b "$tmp/show.cmds" show
expect_rc 2 --force show
expect 1 "vipctl: $tmp/none.cmds: cannot read: No such file or directory" -b "$tmp/none.cmds"
batch_line() {
	printf '# line 1\n\n%s\nshow --help\n' "$1" >"$tmp/b.cmds"
}
batch_line bogus
expect 2 "vipctl: $tmp/b.cmds:3: The following argument was not expected: bogus" -b "$tmp/b.cmds"
batch_line "vip add web 192.0.2.1 --bogus"
expect 2 "vipctl: $tmp/b.cmds:3: The following argument was not expected: --bogus" -b "$tmp/b.cmds"
batch_line "-b $tmp/b.cmds"
expect 2 "vipctl: $tmp/b.cmds:3: -b,--batch: a batch line cannot run a batch" -b "$tmp/b.cmds"
batch_line "--batch=other.cmds show"
expect 2 "vipctl: $tmp/b.cmds:3: -b,--batch: a batch line cannot run a batch" -b "$tmp/b.cmds"
batch_line "-n blue show"
expect 2 "vipctl: $tmp/b.cmds:3: -n,--netns: a global option: give it before -b, for every line" -b "$tmp/b.cmds"
batch_line "monitor --json"
expect 2 "vipctl: $tmp/b.cmds:3: monitor: never returns: not in a batch" -b "$tmp/b.cmds"
batch_line "vip add 'web 192.0.2.1"
expect 2 "vipctl: $tmp/b.cmds:3: unterminated ' quote" -b "$tmp/b.cmds"
batch_line "vip add web 300.1.2.3"
expect 1 "vipctl: $tmp/b.cmds:3: vip add web: 300.1.2.3: invalid address" -b "$tmp/b.cmds"
if [ ! -s "$tmp/out" ]; then ok "-b: nothing after the failing line ran"; else not_ok "-b: nothing after the failing line ran"; fi
expect 1 "vipctl: $tmp/b.cmds:3: vip add web: 300.1.2.3: invalid address" -b "$tmp/b.cmds" --force
if grep -q "^Usage: vipctl show" "$tmp/out"; then ok "-b --force: the line after the failing one ran"; else not_ok "-b --force: the line after the failing one ran"; fi
printf 'vip add web 192.0.2.1,\nbogus\n' >"$tmp/b.cmds"
"$VIPCTL" --force -b "$tmp/b.cmds" >"$tmp/out" 2>"$tmp/err"
if [ $? = 2 ] && [ "$(cat "$tmp/err")" = "vipctl: $tmp/b.cmds:1: vip add web: empty element in list '192.0.2.1,'
vipctl: $tmp/b.cmds:2: The following argument was not expected: bogus" ]; then
	ok "-b --force: every failing line reported, exit 2 for a usage error among them"
else
	not_ok "-b --force: every failing line reported, exit 2 for a usage error among them"
fi
printf '# nothing but comments\n\n' | "$VIPCTL" -b - >"$tmp/out" 2>"$tmp/err"
if [ $? = 0 ] && [ ! -s "$tmp/out" ] && [ ! -s "$tmp/err" ]; then ok "-b -: no commands, exit 0"; else not_ok "-b -: no commands, exit 0"; fi
printf 'group add "a b"\n' | "$VIPCTL" -b - >"$tmp/out" 2>"$tmp/err"
if [ $? = 1 ] && [ "$(cat "$tmp/err")" = "vipctl: <stdin>:1: group add a b: invalid group name 'a b' (1-31 characters of A-Z a-z 0-9 _ . -)" ]; then
	ok "-b -: standard input, quoted words"
else
	not_ok "-b -: standard input, quoted words"
fi

# Without the module (the usual case on a build host).
"$VIPCTL" show >"$tmp/out" 2>"$tmp/err"
if [ $? -eq 0 ]; then
	echo "ok $((n = n + 1)) # SKIP the vipfo family exists here"
else
	expect 1 "vipctl: vipfo module not loaded (try: modprobe vipfo)" show
	expect 1 "vipctl: vipfo module not loaded (try: modprobe vipfo)" show web -j
	expect 1 "vipctl: vipfo module not loaded (try: modprobe vipfo)" monitor
	expect 1 "vipctl: vipfo module not loaded (try: modprobe vipfo)" group add web --dev lo --vip 192.0.2.1
	expect 1 "vipctl: vipfo module not loaded (try: modprobe vipfo)" vip add web 192.0.2.1
	expect 1 "vipctl: $tmp/show.cmds:1: vipfo module not loaded (try: modprobe vipfo)" -b "$tmp/show.cmds"
fi

echo "1..$n"
[ "$failed" -eq 0 ]
