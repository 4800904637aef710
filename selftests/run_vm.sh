#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Run the vipfo selftests inside the test VM (as root, in a guest booting
# Debian's 6.1 kernel; scripts/vm-run runs this): install the freshly built
# kmod/vipfo.ko into /lib/modules/$(uname -r)/extra, run depmod, then run
# every test in order, each with the timeout from `settings`, print TAP and
# end with one line "N passed, N failed" (", N skipped" when some were: a
# test that skipped, or passed with some of its checks skipped).
# Exits 1 when a test failed.
#
# Usage: selftests/run_vm.sh [TEST...]   (default: `make -C selftests list`)
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
	read -r -a tests <<<"$(make -s --no-print-directory -C "$dir" list)"
fi

passed=0 failed=0 skipped=0 n=0 stuck=
total=$((${#tests[@]} + 2))	# + module install, + kernel log

result()	# result ok|fail|skip NAME [REASON]
{
	n=$((n + 1))
	case $1 in
	ok)	passed=$((passed + 1)); echo "ok $n $2" ;;
	skip)	skipped=$((skipped + 1)); echo "ok $n $2 # SKIP ${3:-}" ;;
	*)	failed=$((failed + 1)); echo "not ok $n $2${3:+ # $3}" ;;
	esac
}

echo "TAP version 13"
echo "1..$total"
mark="vipfo-selftest: run_vm $$ $(date +%s)"
echo "$mark" >/dev/kmsg

# The module under test, installed like DKMS would. depmod -a has to read
# every module of the kernel, minutes over 9p under TCG: when
# `make -C selftests` ran depmod for this very vipfo.ko on the host (whose
# /lib/modules the guest shares), install its index files instead.
kver=$(uname -r)
ko=${VIPFO_KO:-$top/kmod/vipfo.ko}
index=$bindir/modindex/$kver

install_index()
{
	[ -f "$index/vipfo.ko.sha256" ] &&
		[ "$(sha256sum <"$ko" | cut -d' ' -f1)" = "$(cat "$index/vipfo.ko.sha256")" ] &&
		cp "$index"/modules.* "/lib/modules/$kver/" &&
		echo "# depmod index from the host (make -C selftests)"
}

built_for=$(modinfo -F vermagic "$ko" 2>/dev/null | cut -d' ' -f1)
if [ -f "$ko" ] && [ "$built_for" != "$kver" ]; then
	echo "# $ko is built for Linux ${built_for:-?} but this VM runs $kver:" \
		"build for the kernel you boot (scripts/kver, KVER=)"
	result fail "install vipfo.ko"
elif [ -f "$ko" ] &&
   install -D -m 0644 "$ko" "/lib/modules/$kver/extra/vipfo.ko" &&
   { install_index || depmod -a "$kver"; } && modinfo vipfo >/dev/null; then
	modprobe -r vipfo 2>/dev/null
	echo "# $(modinfo -F vermagic vipfo)"
	# Installed: a test that finds it missing fails (lib.sh).
	export VIPFO_INSTALLED=1
	result ok "install vipfo.ko"
else
	echo "# $ko missing or not installable for $kver"
	result fail "install vipfo.ko"
fi

# run_bounded LOG CMD...: run CMD with the timeout, its exit status in $rc.
# A process stuck in the kernel outlives even SIGKILL, and `timeout` would
# wait for it until the VM's own timeout: give up on it 30 s after the
# kill, have the kernel show every blocked task and CPU (the kernel log
# check below prints them), and return 1.
run_bounded()
{
	local log=$1 pid guard done
	shift
	timeout --kill-after=10 "$timeout" "$@" >"$log" 2>&1 &
	pid=$!
	sleep $((timeout + 40)) &
	guard=$!
	wait -n -p done "$pid" "$guard"
	rc=$?
	if [ "$done" = "$pid" ]; then
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
	*.sh)	cmd=("$dir/$t") ;;
	*)	cmd=("$bindir/$t") ;;
	esac
	echo "# $t"
	if [ -n "$stuck" ]; then
		result fail "$t" "not run: $stuck is stuck in the kernel"
		continue
	fi
	if [ ! -x "${cmd[0]}" ]; then
		result fail "$t" "not built: make -C selftests"
		continue
	fi
	log=$(mktemp)
	start=$SECONDS
	if ! run_bounded "$log" "${cmd[@]}"; then
		sed 's/^/# /' "$log"
		result fail "$t" "TIMEOUT ${timeout}s, stuck in the kernel"
		stuck=$t
		continue
	fi
	sed 's/^/# /' "$log"
	echo "# $t: exit $rc after $((SECONDS - start)) s"
	case $rc in
	0)
		# A test that passed with checks skipped (the C harness also
		# when it skipped them all) is a skip: the summary shows it.
		skips=$(grep -cE '^ok [0-9]+ .*# SKIP' "$log")
		if [ "$skips" -gt 0 ]; then
			result skip "$t" "$skips of $(grep -cE '^(not )?ok [0-9]+ ' "$log") checks skipped: $(grep -m1 -oE '# SKIP .*' "$log" | sed 's/^# SKIP *//')"
		else
			result ok "$t"
		fi
		;;
	4)	result skip "$t" "$(grep -m1 -oE '# SKIP .*' "$log" | sed 's/^# SKIP //')" ;;
	124|137) result fail "$t" "TIMEOUT ${timeout}s" ;;
	*)	result fail "$t" "exit $rc" ;;
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
[ "$failed" -eq 0 ]
