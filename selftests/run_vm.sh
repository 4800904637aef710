#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Run the vipfo selftests inside the test VM (as root, in a guest booting
# the kernel the module is built for; scripts/vm-run runs this): install the
# freshly built kmod/vipfo.ko into /lib/modules/$(uname -r)/extra, run
# depmod, then run every test in order with the kernel's kselftest runner
# (runner.sh from build/ksft, see selftests/Makefile: KTAP, the timeout of
# `settings`), guarded against a test stuck in the kernel, check the whole
# run's kernel log, and end with one line "N passed, N failed" (", N
# skipped" when some were: a test that skipped, or passed with some of its
# checks skipped). Exits 1 when a test failed.
#
# Usage: selftests/run_vm.sh [TEST...]   (default: every test, in the order
# of `make -C selftests emit_tests`)
# Build first: make (module, vipctl) and make -C selftests (C tests).
# VIPFO_KO=FILE tests another build of the module than kmod/vipfo.ko;
# VIPFO_TIMEOUT_FACTOR=N multiplies each test's timeout;
# VIPCTL=FILE (pass it with VM_ENV=VIPCTL) another vipctl.

dir=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$dir/.." && pwd)
bindir=${OUTPUT:-$top/build/selftests}
timeout=$(sed -n 's/^timeout=//p' "$dir/settings")
timeout=${timeout:-300}
# Slower kernels (the debug kernel of check-debug) get more time.
timeout=$((timeout * ${VIPFO_TIMEOUT_FACTOR:-1}))

if [ $# -gt 0 ]; then
	tests=("$@")
else
	read -r -a tests <<<"$(make -s --no-print-directory -C "$dir" \
		emit_tests COLLECTION=vipfo | sed 's/^vipfo://' | tr '\n' ' ')"
fi

passed=0 failed=0 skipped=0 n=0 stuck=
total=$((${#tests[@]} + 2))	# + module install, + kernel log

count()		# count ok|fail|skip
{
	case $1 in
	ok)	passed=$((passed + 1)) ;;
	skip)	skipped=$((skipped + 1)) ;;
	*)	failed=$((failed + 1)) ;;
	esac
}

result()	# result ok|fail|skip NAME [REASON]
{
	n=$((n + 1))
	count "$1"
	case $1 in
	ok)	echo "ok $n $2" ;;
	skip)	echo "ok $n $2 # SKIP ${3:-}" ;;
	*)	echo "not ok $n $2${3:+ # $3}" ;;
	esac
}

echo "TAP version 13"
echo "1..$total"
mark="vipfo-selftest: run_vm $$ $(date +%s)"
echo "$mark" >/dev/kmsg

# The module under test, installed like DKMS would (with the depmod index
# `make -C selftests` made on the host, when it is this very vipfo.ko's).
ko=${VIPFO_KO:-$top/kmod/vipfo.ko}
if "$top/scripts/vm/install-vipfo" "$ko" "$bindir/modindex/$(uname -r)"; then
	# Installed: a test that finds it missing fails (lib.sh).
	export VIPFO_INSTALLED=1
	result ok "install vipfo.ko"
else
	result fail "install vipfo.ko"
fi

# The kernel's runner, in a tree of this run's own: runner.sh reads the
# collection's settings from $BASE_DIR/vipfo, and this kernel's timeout is
# the collection's times VIPFO_TIMEOUT_FACTOR.
BASE_DIR=$(mktemp -d /tmp/ksft.XXXXXX)
mkdir "$BASE_DIR/vipfo"
ln -s "$top/build/ksft/kselftest" "$BASE_DIR/kselftest"
echo "timeout=$timeout" >"$BASE_DIR/vipfo/settings"
# shellcheck source=/dev/null
. "$BASE_DIR/kselftest/runner.sh" ||
	{ echo "Bail out! no kselftest runner: make -C selftests"; exit 1; }

# run_bounded LOG N TEST: runner.sh's run_one, output appended to LOG (the
# runner writes to it through two descriptors). A process stuck in the
# kernel outlives even SIGKILL, and the runner's `timeout` would wait for
# it until the VM's own timeout: give up on it 40 s after the timeout,
# have the kernel show every blocked task and CPU (the kernel log check
# below prints them), and return 1.
run_bounded()
{
	local log=$1 pid guard finished

	test_num=$2	# runner.sh's numbering, as run_many sets it
	run_one vipfo "$3" "$2" >>"$log" 2>&1 &
	pid=$!
	sleep $((timeout + 40)) &
	guard=$!
	wait -n -p finished "$pid" "$guard"
	if [ "$finished" = "$pid" ]; then
		kill "$guard"
		return 0
	fi
	echo w >/proc/sysrq-trigger
	echo l >/proc/sysrq-trigger
	return 1
}

# Load scapy once, so the first test does not pay for a cold page cache.
/usr/bin/python3 -c 'import scapy.layers.l2, scapy.sendrecv' 2>/dev/null

for t in "${tests[@]}"; do
	case $t in
	*.sh)	path=$dir/$t ;;
	*)	path=$bindir/$t ;;
	esac
	if [ -n "$stuck" ]; then
		result fail "selftests: vipfo: $t" "not run: $stuck is stuck in the kernel"
		continue
	fi
	if [ ! -x "$path" ]; then
		result fail "selftests: vipfo: $t" "not built: make -C selftests"
		continue
	fi
	n=$((n + 1))
	log=$(mktemp)
	start=$SECONDS
	if ! run_bounded "$log" "$n" "$path"; then
		cat "$log"
		count fail
		echo "not ok $n selftests: vipfo: $t # TIMEOUT ${timeout}s, stuck in the kernel"
		stuck=$t
		continue
	fi
	cat "$log"
	echo "# $t: $((SECONDS - start)) s"
	# The runner's verdict is the last line. A test that passed with
	# checks skipped (the C harness also when it skipped them all) is a
	# skip in the summary.
	skips=$(grep -cE '^# ok [0-9]+ .*# SKIP' "$log")
	case $(tail -n 1 "$log") in
	"ok $n "*"# SKIP"*)
		count skip ;;
	"ok $n "*)
		if [ "$skips" -gt 0 ]; then
			echo "# $t: $skips of $(grep -cE '^# (not )?ok [0-9]+ ' "$log") checks skipped: $(grep -m1 -oE '# SKIP .*' "$log" | sed 's/^# SKIP *//')"
			count skip
		else
			count ok
		fi ;;
	*)	count fail ;;
	esac
	rm -f "$log"
done

# The whole run's kernel log: nothing may have gone wrong between tests.
bad='WARNING:|BUG:|BUG |Oops|general protection|Call Trace|refcount|unregister_netdevice: waiting|KASAN|UBSAN|list_(add|del) corruption|stall|blocked for more than|possible circular locking|suspicious RCU usage|sleeping function called|scheduling while atomic|double free|use-after-free'
klog=$(dmesg | awk -v m="$mark" 'index($0, m) { p = 1; next } p')
if grep -qE "$bad" <<<"$klog"; then
	grep -E -B2 -A20 "$bad" <<<"$klog" | head -n 80 | sed 's/^/# /'
	result fail "kernel log clean"
else
	result ok "kernel log clean"
fi

summary="$passed passed, $failed failed"
[ "$skipped" -gt 0 ] && summary="$summary, $skipped skipped"
echo "$summary"
rm -rf "$BASE_DIR"
[ "$failed" -eq 0 ]
