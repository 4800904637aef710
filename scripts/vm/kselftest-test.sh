#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# In the test VM (scripts/check-kselftest runs it): the selftests as a
# kselftest CI runs them, installed (make -C selftests install) in
# VIPFO_KSFT_DIR, outside the source tree. The guest is set up as such a
# box: vipfo.ko installed in /lib/modules, vipctl on the PATH; or, with
# VIPFO_KSFT_PACKAGED=1 (scripts/vm/packages-test.sh, in the root the
# Debian packages were installed into), the box already is one: the
# module DKMS built, the packaged vipctl. Then the source tree is hidden
# under an empty tmpfs, and run_kselftest.sh runs the tests
# VIPFO_KSFT_TESTS ("vipfo:TEST ...", or "all"; default the quick subset
# below) twice, each run's KTAP checked by scripts/ktap-check (every test
# ok, but those of VIPFO_KSFT_ALLOW_SKIP, which may skip). Between the runs, a test is
# interrupted as the runner's timeout does (SIGTERM: it must clean up)
# and one killed outright (SIGKILL: it leaves its namespaces, which the
# next test must remove). Each step is one TAP result; ends with "N passed,
# N failed" and exits 1 when one failed.

set -u

# The quick subset, each test for something of its own: the module loaded
# through modprobe when vipctl asks for it (autoload.sh, 13 s under TCG),
# a built C program found beside its script (nl_fuzz.sh; FUZZ_COUNT=1000
# makes it 10 s), the one that must skip without the source tree
# (ynl.sh), the topology with scapy that most tests build (arp_reply.sh,
# 42 s), and a daemon a test starts and must leave nothing of for the
# next run (monitor.sh's journald, 23 s: its socket once made the second
# run of the whole collection fail). vipctl_errors.sh (61 s), vip_local.sh
# and netlink_api (42 s, 66 s) would double the time; "all" runs them.
SUBSET="vipfo:autoload.sh vipfo:nl_fuzz.sh vipfo:ynl.sh vipfo:arp_reply.sh vipfo:monitor.sh"
SUBSET_SKIPS="vipfo:ynl.sh"

top=$(cd "$(dirname "$0")/../.." && pwd)
ksft=${VIPFO_KSFT_DIR:?}
work=/run/kselftest-test	# the guest's own tmpfs, like the box's disk
n=0 passed=0 failed=0

ok() { n=$((n + 1)); passed=$((passed + 1)); echo "ok $n - $1"; }
not_ok()
{
	n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $1"
	shift
	[ $# -gt 0 ] && printf '%s\n' "$@" | sed 's/^/# /'
}

# clean DESC: nothing of the tests is left: no namespace, no record of a
# running test (lib.sh's leftovers), no test directory, no group and no
# address of a VIP in the box's own namespace
clean()
{
	local left

	left=$(ip netns list; ls /run/vipfo-selftests 2>/dev/null;
	       ls -d /tmp/vipfo-* 2>/dev/null;
	       ip -o addr show dev lo | awk '{ print "lo:", $4 }' |
		grep -vx 'lo: 127.0.0.1/8\|lo: ::1/128';
	       [ -d /sys/module/vipfo ] && vipctl show --json |
		python3 -c 'import json, sys; g = json.load(sys.stdin)["groups"]; g and print(g)')
	if [ -z "$left" ]; then
		ok "$1: nothing left behind"
	else
		not_ok "$1: nothing left behind" "$left"
	fi
}

# run N: run_kselftest.sh, its KTAP checked; 0 when every test passed
run()
{
	local out=$work/run$1.out args=() t

	# shellcheck disable=SC2086 # lists of names
	for t in $TESTS; do
		args+=(-t "$t")
	done
	echo "# run $1: run_kselftest.sh ${args[*]}"
	SECONDS=0
	# Appending: the runner writes each test's output through a
	# descriptor of its own opened on /dev/stdout, which, on a file opened
	# without O_APPEND, writes over the runner's own lines at offset 0.
	: >"$out"
	"$ksft/run_kselftest.sh" "${args[@]}" >>"$out" 2>&1
	sed 's/^/# /' "$out"
	echo "# run $1: $SECONDS s"
	# shellcheck disable=SC2086
	if "$work/ktap-check" --pass $ALLOW >"$out.check" 2>&1; then
		ok "run $1: KTAP well-formed, every test passed ($(tail -n 1 "$out.check" | head -c 200))"
	else
		not_ok "run $1: KTAP well-formed, every test passed" "$(cat "$out.check")"
	fi <"$out"
}

# start_test SCRIPT: start an installed test in the background, as the
# runner does (from its directory), and wait until it has VIPs on the lo
# of a namespace of its own (a group, addresses: what a leftover holds)
start_test()
{
	local ns

	(cd "$ksft/vipfo" && exec "./$1") >"$work/$1.out" 2>&1 &
	pid=$!
	for _ in $(seq 120); do
		for ns in $(ip netns list | cut -d' ' -f1); do
			ip -n "$ns" addr show dev lo 2>/dev/null |
				grep -q 'inet 192\.0\.2\.' && return 0
		done
		kill -0 "$pid" 2>/dev/null || return 1
		sleep 0.5
	done
	return 1
}

main()
{
	local ns

	mkdir -p "$work"
	cp "$top/scripts/ktap-check" "$work/"
	echo "TAP version 13"
	if [ "${VIPFO_KSFT_PACKAGED:-0}" = 1 ]; then
		ko=$(modinfo -n vipfo 2>&1)
		case $ko in
		*/updates/dkms/vipfo.ko*) ok "vipfo.ko as DKMS installed it: $ko" ;;
		*)	not_ok "vipfo.ko as DKMS installed it" "modinfo -n vipfo: $ko" ;;
		esac
		vipctl_path=/usr/sbin/vipctl
	else
		if out=$("$top/scripts/vm/install-vipfo" "${VIPFO_KO:-$top/kmod/vipfo.ko}" \
			"$top/build/selftests/modindex/$(uname -r)"); then
			ok "vipfo.ko installed in /lib/modules/$(uname -r)/extra"
		else
			not_ok "vipfo.ko installed" "$out"
		fi
		install -m 755 "${VIPCTL:-$top/build/tools/vipctl}" /usr/local/sbin/vipctl
		vipctl_path=/usr/local/sbin/vipctl
	fi
	unset VIPCTL OUTPUT
	if [ "$(command -v vipctl)" = "$vipctl_path" ]; then
		ok "vipctl on the PATH: $vipctl_path"
	else
		not_ok "vipctl on the PATH: $vipctl_path" "found: $(command -v vipctl)"
	fi
	# From here on the box has no source tree.
	cd / && mount -t tmpfs -o ro,size=1m none "$top"
	if [ -z "$(ls -A "$top")" ]; then
		ok "the source tree hidden"
	else
		not_ok "the source tree hidden" "$(ls -A "$top")"
	fi

	case ${VIPFO_KSFT_TESTS:-} in
	"")	TESTS=$SUBSET ALLOW_SKIP=${VIPFO_KSFT_ALLOW_SKIP-$SUBSET_SKIPS} ;;
	all)	TESTS=$(cat "$ksft/kselftest-list.txt")
		ALLOW_SKIP=${VIPFO_KSFT_ALLOW_SKIP-} ;;
	*)	TESTS=$VIPFO_KSFT_TESTS ALLOW_SKIP=${VIPFO_KSFT_ALLOW_SKIP-} ;;
	esac
	ALLOW=
	for t in $ALLOW_SKIP; do
		ALLOW="$ALLOW --allow-skip $t"
	done

	run 1
	clean "run 1"

	# Interrupted as the runner's timeout interrupts (SIGTERM to the
	# test's shell only): its EXIT trap cleans up. (vip_local.sh: VIPs on
	# lo within seconds, no scapy to load.)
	if start_test vip_local.sh; then
		kill -TERM "$pid"
		wait "$pid"
		clean "vip_local.sh interrupted with SIGTERM"
	else
		not_ok "vip_local.sh started" "$(cat "$work/vip_local.sh.out")"
	fi

	# Killed outright: its namespaces stay (or this could not fail),
	# and the next test, run 2's first, must remove them.
	if start_test vip_local.sh; then
		kill -KILL "$pid"
		wait "$pid" 2>/dev/null
		ns=$(ip netns list | cut -d' ' -f1 | tr '\n' ' ')
		if [ -n "$ns" ] && [ -n "$(ls /run/vipfo-selftests)" ]; then
			ok "vip_local.sh killed with SIGKILL leaves $ns"
		else
			not_ok "vip_local.sh killed with SIGKILL leaves its namespaces" \
				"namespaces: ${ns:-none}, records: $(ls /run/vipfo-selftests)"
		fi
	else
		not_ok "vip_local.sh started" "$(cat "$work/vip_local.sh.out")"
	fi

	run 2
	if grep -q 'removed the leftovers of an earlier .*vip_local\.sh' "$work/run2.out"; then
		ok "run 2 removed the killed test's leftovers"
	else
		not_ok "run 2 removed the killed test's leftovers" \
			"no \"removed the leftovers\" in its output"
	fi
	clean "run 2"

	echo "1..$n"
	echo "$passed passed, $failed failed"
	[ "$failed" -eq 0 ]
}

# (A function: bash reads a script as it runs it, and the source tree,
# this file's directory, is hidden halfway.)
main "$@"
exit
